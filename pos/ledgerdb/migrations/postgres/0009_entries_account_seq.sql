-- A customer's history (GET /v1/accounts/{id}/entries) pages newest first
-- by sequence number: this index reads one page of one account. Without
-- it the planner walks entries_seq backwards through every account's
-- entries (30 ms a page on a million entries, docs/BENCHMARKS.md).
CREATE INDEX entries_account_seq ON entries (account, seq);
