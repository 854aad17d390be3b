-- The auth counter takes a new random value with every change that can
-- end a token (a revocation, a terminal's token replaced): keytagd keeps
-- the tokens it has checked while it has not changed (authcache.go).
INSERT INTO counters (name, value) VALUES ('auth', 0);
