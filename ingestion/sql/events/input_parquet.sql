-- A Parquet file, one record per row, as the JSON object of its columns. __fields__ is the file's own column list
-- (identifiers from its schema, readers._parquet_fields), the one part of a statement built in Python.
create or replace temp view _ingest_ev_input as
with

records as (
    -- each row's JSON text once: the size limit, the raw text and the text to validate all read it
    select
        file_row_number,
        to_json(struct_pack(__fields__))::varchar as record
    from read_parquet(getvariable('ingest_path'), file_row_number = true)
)

select
    getvariable('ingest_file_idx') as file_idx,
    file_row_number + 1 as rn,
    _ing_sized_raw(record) as raw,
    case when not _ing_oversized(record) then record end as c,
    _ing_sized_error(record, null) as early_error
from records
