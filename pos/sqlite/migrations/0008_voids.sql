-- A void cancels a sale the day it was made: one row per voided receipt
-- (the primary key makes a second void of it fail), never changed. Its
-- points are reversed by 'void' entries with the receipt as their ref.
CREATE TABLE voids (
	receipt TEXT PRIMARY KEY REFERENCES sales (receipt),
	id      TEXT NOT NULL UNIQUE,
	body    TEXT NOT NULL,
	staff   TEXT NOT NULL,
	reason  TEXT NOT NULL,
	at      INTEGER NOT NULL
) STRICT;

CREATE TRIGGER voids_immutable_update BEFORE UPDATE ON voids
BEGIN SELECT RAISE(ABORT, 'voids are final'); END;
CREATE TRIGGER voids_immutable_delete BEFORE DELETE ON voids
BEGIN SELECT RAISE(ABORT, 'voids are final'); END;
