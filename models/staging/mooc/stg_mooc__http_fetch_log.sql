with

source as (

    select * from {{ source('mooc_landing', 'http_fetch_log') }}

),

renamed as (

    select
        ---------- ids
        batch_id,
        organization_id,
        source as source_system,
        course_id,
        user_id,

        ---------- outcome
        url,
        status_code,
        ok,
        reason,
        records,

        ---------- timestamps
        fetched_at

    from source

),

final as (

    select * from renamed

)

select * from final
