-- The fingerprint (not the key) of the identity key that seals this
-- database's reporter identities, receipt hashes and files, recorded by the
-- first server to start on it. A server given another key refuses to start:
-- a lost key file replaced by a fresh one, a second instance handed the wrong
-- file or a backup restored beside the wrong key would otherwise write
-- reports that no other server can open, and stop every receipt code of the
-- earlier ones from working.
CREATE TABLE identity_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
