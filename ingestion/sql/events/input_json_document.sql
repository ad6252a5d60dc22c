-- A .json file is one value, an array of values, or (leniently) several values one after another. DuckDB sizes
-- its read buffer by maximum_object_size: the document's own size (ingest_max_object_size), not 2 GiB.
create or replace temp view _ingest_ev_input as
with

docs as (
    select
        json,
        row_number() over () as doc
    from read_json(
            getvariable('ingest_path'),
            format = 'unstructured',
            records = false,
            columns = { 'json': 'JSON' },
            maximum_object_size = getvariable('ingest_max_object_size'),
            compression = 'auto_detect'
        )
),

elements as (
    select
        doc,
        1 as element,
        json::varchar as raw
    from docs
    where json_type(json) is distinct from 'ARRAY'
    union all
    select
        doc,
        unnest(range(1, json_array_length(json)::bigint + 1)) as element,
        unnest(json_extract(json, '$[*]'))::varchar as raw
    from docs
    where json_type(json) = 'ARRAY'
)

select
    getvariable('ingest_file_idx') as file_idx,
    row_number() over (order by doc, element) as rn,
    _ing_sized_raw(coalesce(raw, 'null')) as raw,
    case when not _ing_oversized(raw) then coalesce(raw, 'null') end as c,
    _ing_sized_error(raw, null) as early_error
from elements
