-- Reject one record nested deeper than the limit, with the depth found (deep_candidates.sql); it is then never
-- converted either.
update _ingest_ev_staging set reason = $reason, needs_conversion = false
where rowid = $staged_row
