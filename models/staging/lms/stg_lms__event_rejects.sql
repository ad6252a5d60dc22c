with

source as (

    select * from {{ source('landing', 'lms_event_rejects') }}

),

renamed as (

    select
        ---------- ids
        reject_key,
        organization_id,
        batch_id,

        ---------- where and why
        source_file,
        record_number,
        reason,

        ---------- timestamps
        rejected_at

    from source

),

final as (

    select * from renamed

)

select * from final
