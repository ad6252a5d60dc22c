with

batches as (

    select * from {{ ref('stg_lms__ingest_batches') }}

),

final as (

    select
        batch_id,
        batch_kind as kind,
        sources,
        organization_id,
        started_at,
        finished_at,
        -- LT05 off on the next line: sqlfluff measures it with dbt.datediff's multi-line expansion (139 > 120)
        {{ dbt.datediff('started_at', 'finished_at', 'second') }} as duration_sec,  -- noqa: LT05
        records_read,
        records_accepted as accepted,
        records_duplicated as duplicates,
        records_rejected as rejected
    from batches

)

select
    batch_id,
    kind,
    sources,
    organization_id,
    started_at,
    finished_at,
    duration_sec,
    records_read,
    accepted,
    duplicates,
    rejected
from final
