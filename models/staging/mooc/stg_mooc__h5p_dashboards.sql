with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'h5p_dashboard'

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,

        ---------- measures
        {{ try_cast(json_extract_string('record_json', '$.overall_completion'), 'double') }} as overall_completion,
        {{ try_cast(json_extract_string('record_json', '$.total_items'), 'integer') }} as total_items,
        {{ try_cast(json_extract_string('record_json', '$.completed_items'), 'integer') }} as completed_items,
        {{ try_cast(json_extract_string('record_json', '$.h5p_total_contents'), 'integer') }} as h5p_total_contents,
        {{ try_cast(json_extract_string('record_json', '$.video_total_videos'), 'integer') }} as video_total_videos,

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
