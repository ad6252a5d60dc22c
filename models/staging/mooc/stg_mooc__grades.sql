with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'grade'

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,

        ---------- measures
        {{ try_cast(json_extract_string('record_json', '$.percent'), 'double') }} as percent_grade,
        {{ json_extract_string('record_json', '$.letter_grade') }} as letter_grade,
        {{ try_cast(json_extract_string('record_json', '$.passed'), 'boolean') }} as is_passed,

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
