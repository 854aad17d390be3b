-- The day's close: each Z report as it was made, numbered 1, 2, 3, … on
-- this terminal, one per day. The body is the report's JSON, kept as
-- printed so a reprint says the same even if later records arrive.
-- No index on sales or returns by time: a close reads one day once, and an
-- index would cost every checkout another page written.
CREATE TABLE z_reports (
	number INTEGER PRIMARY KEY,
	day    TEXT NOT NULL UNIQUE,
	body   TEXT NOT NULL,
	staff  TEXT NOT NULL,
	at     INTEGER NOT NULL
) STRICT;

-- A Z report is never redone or changed.
CREATE TRIGGER z_reports_immutable_update BEFORE UPDATE ON z_reports
BEGIN SELECT RAISE(ABORT, 'Z reports are final'); END;
CREATE TRIGGER z_reports_immutable_delete BEFORE DELETE ON z_reports
BEGIN SELECT RAISE(ABORT, 'Z reports are final'); END;
