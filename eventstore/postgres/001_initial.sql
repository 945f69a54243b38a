-- Failover event store, PostgreSQL migration 1. Applied once per schema; recorded in schema_migrations.
-- The global log: position is dense from 1, assigned under pg_advisory_xact_lock so positions commit in order.
CREATE TABLE events (
    position        bigint      PRIMARY KEY,
    stream          text        NOT NULL,
    version         bigint      NOT NULL,
    event_id        uuid        NOT NULL UNIQUE,
    type            text        NOT NULL,      -- stable type name, e.g. block-produced.v1
    recorded_at     bigint      NOT NULL,      -- microseconds since the Unix epoch, UTC (hashed exactly)
    causation_id    uuid,
    correlation_id  uuid,
    observer_id     text,
    payload         bytea       NOT NULL,      -- UTF-8 JSON, exactly the hashed bytes
    hash            bytea       NOT NULL,      -- sha256(previous hash || canonical bytes), see docs/eventstore.md
    UNIQUE (stream, version)
);

CREATE TABLE streams (
    stream      text    PRIMARY KEY,
    version     bigint  NOT NULL,              -- version of the stream's last event
    created_at  bigint  NOT NULL               -- microseconds since the Unix epoch, UTC
);

-- Projections: checkpoints and JSON documents commit in the same transaction.
CREATE TABLE checkpoints (
    name      text    PRIMARY KEY,
    position  bigint  NOT NULL
);

CREATE TABLE documents (
    projection  text  NOT NULL,
    id          text  NOT NULL,
    body        jsonb NOT NULL,
    PRIMARY KEY (projection, id)
);
