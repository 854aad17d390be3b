-- keytagd report daily and export entries read a range of days: an index
-- on the entry's time lets them read those days alone, not the ledger.
CREATE INDEX entries_at ON entries (at);
