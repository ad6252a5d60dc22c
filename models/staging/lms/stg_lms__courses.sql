with

source as (

    select * from {{ source('landing', 'catalog_courses') }}

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
        id as course_id,
        organization_id,

        ---------- attributes
        {{ json_extract_string('record_json', '$.name') }} as course_name,
        {{ json_extract_string('record_json', '$.description') }} as description,
        {{ json_extract_string('record_json', '$.currency') }} as currency,
        {{ try_cast(json_extract_string('record_json', '$.price_amount'), 'double') }} as price_amount,
        {{ to_flag(json_extract_string('record_json', '$.is_active')) }} as is_active,
        {{ to_flag(json_extract_string('record_json', '$.is_private')) }} as is_private,

        ---------- json
        {{ json_extract_json('record_json', '$.categories') }} as categories_json,
        {{ json_extract_json('record_json', '$.media') }} as media_json,
        {{ json_extract_json('record_json', '$.instructor_ids') }} as instructor_ids_json,
        {{ json_extract_json('record_json', '$.student_ids') }} as student_ids_json,
        {{ json_extract_json('record_json', '$.languages') }} as languages_json,
        record_json as raw_json,

        ---------- timestamps
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
