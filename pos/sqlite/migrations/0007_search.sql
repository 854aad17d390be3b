-- Customer search (issue 10): by the start of a name, case and accents
-- aside, by the start of a phone number's digits, and by the start of an
-- email. Each is one range of one index, so the first screenful of a
-- million customers comes from a few index pages:
--   * name_key is the name as pos.NameKey folds it, phone_digits the
--     phone's digits (pos.PhoneDigits). Both are generated columns, so
--     every way a row is written (an enrolment, an import, a pull from
--     the server, a merge) keeps them in step with no code of its own,
--     and building the indexes fills them for the rows already here.
--     VIRTUAL: the value lives in the index alone, the table's pages do
--     not grow. The functions are Go's, registered by pos/sqlite before
--     any connection opens (see search.go);
--   * emails are already kept lower case under their UNIQUE index,
--     which serves a prefix as it is;
--   * a customer without a phone is left out of the phone index.
ALTER TABLE accounts ADD COLUMN name_key TEXT GENERATED ALWAYS AS (keytag_name_key(name)) VIRTUAL;
ALTER TABLE accounts ADD COLUMN phone_digits TEXT GENERATED ALWAYS AS (keytag_phone_digits(phone)) VIRTUAL;
CREATE INDEX accounts_name_key ON accounts (name_key);
CREATE INDEX accounts_phone_digits ON accounts (phone_digits) WHERE phone_digits <> '';
