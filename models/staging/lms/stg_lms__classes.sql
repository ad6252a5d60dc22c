with

source as (

    select * from {{ source('landing', 'catalog_classes') }}

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
        id as class_id,
        nullif(trim({{ json_extract_string('record_json', '$.course_id') }}), '') as course_id,
        organization_id,

        ---------- attributes
        {{ json_extract_string('record_json', '$.name') }} as class_name,
        {{ json_extract_string('record_json', '$.description') }} as description,
        {{ try_cast(json_extract_string('record_json', '$.order_index'), dbt.type_int()) }} as order_index,
        nullif(lower(trim({{ json_extract_string('record_json', '$.step_type') }})), '') as step_type,
        {{ json_extract_string('record_json', '$.content_md') }} as content_md,

        ---------- json
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
