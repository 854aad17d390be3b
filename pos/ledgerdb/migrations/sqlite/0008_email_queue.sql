-- Receipts to email, queued in the push that brought the terminal's
-- request and sent by keytagd's sender loop, never by the push. The
-- address is not kept here: the sender reads the account's own email when
-- it sends. sent_at stays 0 until the SMTP server accepted the message.
CREATE TABLE email_queue (
	id         TEXT PRIMARY KEY,
	account    TEXT NOT NULL REFERENCES accounts (id),
	receipt    TEXT NOT NULL,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    INTEGER NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	sent_at    INTEGER NOT NULL DEFAULT 0
);
-- The sender reads what is due and unsent.
CREATE INDEX email_queue_due ON email_queue (next_at) WHERE sent_at = 0;
