-- The text bytes and rows one file staged: DuckDB's line reader silently drops an overlong last line, so the text
-- it staged must account for the file's bytes, else Python reads the file again (readers._load_lines).
select
    coalesce(sum(strlen(raw)), 0) as text_bytes,
    count(*) as staged_rows
from _ingest_ev_staging
where file_idx = $file_idx
