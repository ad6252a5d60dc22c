with

source as (

    select * from {{ source('landing', 'gamification_awards') }}

),

ranked as (

    select
        *,
        {{ catalog_version_rank() }} as version_rank
    from source

),

renamed as (

    select
        ---------- ids
        id as award_id,
        organization_id,
        {{ json_extract_string('record_json', '$.badge_id') }} as badge_id,
        {{ json_extract_string('record_json', '$.student_id') }} as student_id,
        nullif(trim({{ json_extract_string('record_json', '$.course_id') }}), '') as course_id,
        nullif(trim({{ json_extract_string('record_json', '$.class_id') }}), '') as class_id,

        ---------- json
        coalesce(
            {{ json_extract_string('record_json', '$.context_json') }},
            {{ json_extract_json('record_json', '$.context') }}
        ) as context_json,
        record_json as raw_json,

        ---------- timestamps
        {{ parse_timestamp_utc(json_extract_string('record_json', '$.awarded_at')) }} as awarded_at,
        {{ parse_timestamp_utc(json_extract_string('record_json', '$.created_at')) }} as created_at,
        updated_at,
        loaded_at

    from ranked
    where version_rank = 1

),

final as (

    select * from renamed

)

select * from final
