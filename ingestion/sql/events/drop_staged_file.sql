-- Remove one file's staged rows: before Python reads it again, or when reading it failed part-way (a file is the
-- unit of failure: what it staged before the failure does not land).
delete from _ingest_ev_staging
where file_idx = $file_idx
