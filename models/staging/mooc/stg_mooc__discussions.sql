with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'discussion'

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,

        ---------- measures
        {{ try_cast(json_extract_string('record_json', '$.threads_count'), 'integer') }} as threads_count,
        {{ try_cast(json_extract_string('record_json', '$.comments_count'), 'integer') }} as comments_count,
        {{ try_cast(json_extract_string('record_json', '$.questions_count'), 'integer') }} as questions_count,
        {{ try_cast(json_extract_string('record_json', '$.total_upvotes'), 'integer') }} as total_upvotes,
        coalesce(
            {{ try_cast(json_extract_string('record_json', '$.total_interactions'), 'integer') }},
            {{ try_cast(json_extract_string('record_json', '$.threads_count'), 'integer') }}
            + {{ try_cast(json_extract_string('record_json', '$.comments_count'), 'integer') }}
        ) as total_interactions,

        ---------- timestamps
        fetched_at,
        superseded_at,
        is_latest

    from versions

),

final as (

    select * from renamed

)

select * from final
