with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'progress'

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,

        ---------- measures
        {{ try_cast(json_extract_string('record_json', '$.total_blocks'), 'integer') }} as total_blocks,
        {{ try_cast(json_extract_string('record_json', '$.completed_blocks'), 'integer') }} as completed_blocks,
        {{ try_cast(json_extract_string('record_json', '$.progress_percent'), 'double') }} as progress_percent,
        {{ try_cast(json_extract_string('record_json', '$.completion_rate'), 'double') }} as completion_rate,

        ---------- position in the course outline
        {{ json_extract_string('record_json', '$.current_chapter') }} as current_chapter,
        {{ json_extract_string('record_json', '$.current_section') }} as current_section,
        {{ json_extract_string('record_json', '$.current_unit') }} as current_unit,

        ---------- timestamps
        {{ parse_timestamp_utc(json_extract_string('record_json', '$.last_activity')) }} as last_activity_at,
        fetched_at,
        superseded_at,
        is_latest

    from versions

),

final as (

    select * from renamed

)

select * from final
