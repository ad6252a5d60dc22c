-- One file's first staging rowid (where the fast line reader's record numbers start, rows_view.sql) and how many
-- records it staged (blank lines are not records). file_idx only grows, so zone maps confine this scan to the
-- file's own rows: the filter on $file_idx is pushed down into the scan as the inlined integer was (measured, DuckDB
-- 1.5: 40 files of 75k lines, 40 scans in about 0.1 s in all; a full scan would cost ~0.3 s per 1M staged rows).
select
    coalesce(min(rowid), 0) as first_rowid,
    count(*) filter (where not blank) as records
from _ingest_ev_staging
where file_idx = $file_idx
