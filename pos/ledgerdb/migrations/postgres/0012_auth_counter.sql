-- The auth counter moves with every change that can end a token (a
-- revocation, a terminal's token replaced): keytagd keeps the tokens it
-- has checked while it has not moved (authcache.go).
INSERT INTO counters (name, value) VALUES ('auth', 0);
