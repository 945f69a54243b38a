-- Failover event store, PostgreSQL migration 4: log compaction (ILogCompaction). One row: the compacted-through mark,
-- the highest position up to which events may have been deleted by compaction (0: never compacted). A position missing
-- at or below it was deleted by compaction, not lost: subscriptions skip it instead of waiting for it. It only rises
-- (GREATEST under the row's lock).
CREATE TABLE compaction (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    compacted_through  bigint  NOT NULL CHECK (compacted_through >= 0)
);

INSERT INTO compaction (id, compacted_through) VALUES (true, 0);
