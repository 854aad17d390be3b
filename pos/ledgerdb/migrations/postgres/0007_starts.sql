-- starts lists every start of keytagd serve on this database. A terminal
-- names the last start it saw when it pulls; a start this database does
-- not list happened after the backup it was restored from, so the
-- terminal knows the server went back even when its epoch, head and the
-- change at the terminal's cursor look the same (issue 16, item 3).
CREATE TABLE starts (
	id TEXT PRIMARY KEY,
	at BIGINT NOT NULL
);
