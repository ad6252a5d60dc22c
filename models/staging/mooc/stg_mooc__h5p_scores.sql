with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'h5p_scores'

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
        {{ json_array_elements('record_json', '$.scores') }} as score_json
    from versions

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,
        {{ try_cast(json_extract_string('score_json', '$.content_id'), 'bigint') }} as content_id,

        ---------- attributes
        {{ json_extract_string('score_json', '$.content_title') }} as content_title,

        ---------- measures
        {{ try_cast(json_extract_string('score_json', '$.score'), 'double') }} as score,
        {{ try_cast(json_extract_string('score_json', '$.max_score'), 'double') }} as max_score,

        ---------- timestamps
        {{ parse_timestamp_utc(json_extract_string('score_json', '$.finished_at')) }} as finished_at,
        fetched_at,
        superseded_at,
        is_latest

    from elements

),

final as (

    select * from renamed

)

select * from final
