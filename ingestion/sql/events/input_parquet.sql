-- A Parquet file, one record per row, as the JSON object of its columns. __fields__ is the file's own column list
-- (identifiers from its schema, readers._parquet_fields), the one part of a statement built in Python.
create or replace temp view _ingest_ev_input as
select
    getvariable('ingest_file_idx') as file_idx,
    file_row_number + 1 as rn,
    _ing_sized_raw(to_json(struct_pack(__fields__))::varchar) as raw,
    case when not _ing_oversized(to_json(struct_pack(__fields__))::varchar)
            then to_json(struct_pack(__fields__))::varchar
    end as c,
    _ing_sized_error(to_json(struct_pack(__fields__))::varchar, null) as early_error
from read_parquet(getvariable('ingest_path'), file_row_number = true)
