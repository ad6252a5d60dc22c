with

source as (

    select * from {{ source('mooc_landing', 'mooc_records') }}

),

renamed as (

    select
        ---------- ids
        organization_id,
        source as source_system,
        entity,
        course_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,

        ---------- record
        record_json,
        content_hash,

        ---------- lineage
        url,
        batch_id,

        ---------- timestamps
        fetched_at

    from source

),

versioned as (

    select
        *,
        lead(fetched_at) over (
            partition by organization_id, source_system, entity, course_id, user_id
            order by fetched_at, content_hash
        ) as superseded_at
    from renamed

),

final as (

    select
        organization_id,
        source_system,
        entity,
        course_id,
        user_id,
        record_json,
        content_hash,
        url,
        batch_id,
        fetched_at,
        superseded_at,
        superseded_at is null as is_latest
    from versioned

)

select * from final
