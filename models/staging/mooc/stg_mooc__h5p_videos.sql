with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'h5p_video_progress'

),

elements as (

    select
        organization_id,
        source_system,
        course_id,
        user_id,
        fetched_at,
        superseded_at,
        is_latest,
        {{ json_array_elements('record_json', '$.videos') }} as video_json
    from versions

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,
        {{ try_cast(json_extract_string('video_json', '$.content_id'), 'bigint') }} as content_id,

        ---------- attributes
        {{ json_extract_string('video_json', '$.content_title') }} as content_title,
        {{ json_extract_string('video_json', '$.status') }} as status,

        ---------- measures
        {{ try_cast(json_extract_string('video_json', '$.progress_percent'), 'double') }} as progress_percent,
        {{ try_cast(json_extract_string('video_json', '$.current_time'), 'double') }} as current_time_sec,
        {{ try_cast(json_extract_string('video_json', '$.duration'), 'double') }} as duration_sec,

        ---------- timestamps
        fetched_at,
        superseded_at,
        is_latest

    from elements

),

final as (

    select * from renamed

)

select * from final
