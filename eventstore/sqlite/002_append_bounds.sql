-- Failover event store, SQLite schema version 2: each event records the first and last position of the append that
-- wrote it, so a retry is recognised only when it re-sends that whole append (a part of it is a conflict).
-- NULL for events written before this version (their appends' bounds are unknown). Not hashed.
ALTER TABLE events ADD COLUMN append_first INTEGER;
ALTER TABLE events ADD COLUMN append_last INTEGER;
