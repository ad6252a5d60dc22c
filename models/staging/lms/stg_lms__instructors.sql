with

source as (

    select * from {{ source('landing', 'catalog_instructors') }}

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
        id as instructor_id,
        organization_id,

        ---------- attributes
        {{ full_name(
            json_extract_string('record_json', '$.name'),
            json_extract_string('record_json', '$.first_name'),
            json_extract_string('record_json', '$.last_name')
        ) }} as instructor_name,
        {{ json_extract_string('record_json', '$.first_name') }} as first_name,
        {{ json_extract_string('record_json', '$.last_name') }} as last_name,
        {{ json_extract_string('record_json', '$.title') }} as title,
        {{ json_extract_string('record_json', '$.image_url') }} as image_url,

        ---------- json
        {{ json_extract_json('record_json', '$.emails') }} as emails_json,
        {{ json_extract_json('record_json', '$.telephones') }} as telephones_json,
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
