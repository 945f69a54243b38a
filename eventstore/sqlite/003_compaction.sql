-- Failover event store, SQLite schema version 3: log compaction (ILogCompaction). One row: the compacted-through mark,
-- the highest position up to which events may have been deleted by compaction (0: never compacted). A position missing
-- at or below it was deleted by compaction, not lost: subscriptions skip it instead of waiting for it. It only rises.
CREATE TABLE IF NOT EXISTS compaction (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    compacted_through  INTEGER NOT NULL CHECK (compacted_through >= 0)
);

INSERT OR IGNORE INTO compaction (id, compacted_through) VALUES (1, 0);
