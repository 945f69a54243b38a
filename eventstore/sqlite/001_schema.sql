-- Failover event store, SQLite schema version 1. Applied when PRAGMA user_version < 1.
-- The global log: position is the rowid, dense from 1 (assigned by the single writer, never by AUTOINCREMENT gaps).
CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY,
    stream          TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    event_id        BLOB    NOT NULL UNIQUE,   -- 16 bytes, RFC 4122 order (as hashed)
    type            TEXT    NOT NULL,          -- stable type name, e.g. block-produced.v1
    recorded_at     INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
    causation_id    BLOB,                      -- 16 bytes, RFC 4122 order, or NULL
    correlation_id  BLOB,                      -- 16 bytes, RFC 4122 order, or NULL
    observer_id     TEXT,
    payload         BLOB    NOT NULL,          -- UTF-8 JSON, exactly the hashed bytes
    hash            BLOB    NOT NULL,          -- sha256(previous hash || canonical bytes), see docs/eventstore.md
    UNIQUE (stream, version)
);

CREATE TABLE IF NOT EXISTS streams (
    stream      TEXT    PRIMARY KEY,
    version     INTEGER NOT NULL,              -- version of the stream's last event
    created_at  INTEGER NOT NULL               -- microseconds since the Unix epoch, UTC
) WITHOUT ROWID;

-- Projections: checkpoints and JSON documents commit in the same transaction.
CREATE TABLE IF NOT EXISTS checkpoints (
    name      TEXT    PRIMARY KEY,
    position  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS documents (
    projection  TEXT NOT NULL,
    id          TEXT NOT NULL,
    body        BLOB NOT NULL,                 -- UTF-8 JSON
    PRIMARY KEY (projection, id)
) WITHOUT ROWID;
