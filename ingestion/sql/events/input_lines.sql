-- A JSON Lines file, one record per line, read in parallel straight into the validation. The rows still reach the
-- staging table in file order: DuckDB's CSV reader keeps insertion order, the validation is projections only (no
-- join, no grouping), and with preserve_insertion_order an INSERT of such a query writes rows in source order.
-- So a line's rowid in the staging table, less the file's first rowid, is its position (rn is left null).
-- Its line limit (2 MB, the default, which keeps it fast, or the record size limit when smaller) makes it fail on a
-- longer line, and Python reads the file instead, rejecting that line with its size.
create or replace temp view _ingest_ev_input as
select
    getvariable('ingest_file_idx') as file_idx,
    null::bigint as rn,
    line as raw,
    line as c,
    null::varchar as early_error
from read_csv(
        getvariable('ingest_path'),
        columns = { 'line': 'VARCHAR' },
        delim = chr(1),
        quote = '',
        escape = '',
        header = false,
        auto_detect = false,
        compression = 'auto',
        max_line_size = least(2097152, getvariable('ingest_max_record_bytes'))
    )
