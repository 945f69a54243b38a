-- Failover event store, PostgreSQL migration 3: read-model documents are listed by id in byte order (COLLATE "C",
-- as SQLite's BINARY), e.g. rounds newest first; this index serves those range reads.
CREATE INDEX documents_by_id_bytes ON documents (projection, id COLLATE "C");
