-- Records Python read (a file DuckDB's readers refused, records received in memory, records converted from
-- another system's shape), handed over as the Arrow table _ingest_ev_records.
create or replace temp view _ingest_ev_input as
select
    file_idx,
    rn,
    raw,
    c,
    early_error
from _ingest_ev_records
