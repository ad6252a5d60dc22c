-- The records that may be nested deeper than the limit: only those holding more opening brackets than it
-- (many_brackets, counted while they were classified) are measured, in Python (ingestion/nesting.py). A record
-- already rejected is measured only when it needs conversion: it is in another system's shape (no `type`), which
-- the Python conversion would parse.
select
    rowid,
    raw
from _ingest_ev_staging
where many_brackets and (reason is null or needs_conversion)
