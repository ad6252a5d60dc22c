with

source as (

    select * from {{ source('landing', 'ingest_batches') }}

),

renamed as (

    select
        ---------- ids
        batch_id,
        kind as batch_kind,
        organization_id,
        sources,

        ---------- counts
        records_read,
        accepted as records_accepted,
        duplicates as records_duplicated,
        rejected as records_rejected,

        ---------- timestamps
        started_at,
        finished_at

    from source

),

final as (

    select * from renamed

)

select * from final
