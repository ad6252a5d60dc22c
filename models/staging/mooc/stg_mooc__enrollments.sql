with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'enrollment'

),

renamed as (

    select
        ---------- ids
        organization_id,
        source_system,
        course_id,
        user_id,
        {{ try_cast(json_extract_string('record_json', '$.enrollment_id'), 'bigint') }} as enrollment_id,

        ---------- personal data (only here and in the enrollments mart)
        {{ json_extract_string('record_json', '$.username') }} as username,
        {{ json_extract_string('record_json', '$.email') }} as email,
        {{ json_extract_string('record_json', '$.full_name') }} as full_name,
        {{ salted_sha256("lower(trim(" ~ json_extract_string('record_json', '$.email') ~ "))") }} as email_hash,

        ---------- attributes
        {{ json_extract_string('record_json', '$.mode') }} as mode,
        {{ try_cast(json_extract_string('record_json', '$.is_active'), 'boolean') }} as is_active,
        {{ json_extract_json('record_json', '$.attributes') }} as attributes_json,

        ---------- timestamps
        {{ parse_timestamp_utc(json_extract_string('record_json', '$.created')) }} as created_at,
        fetched_at,
        superseded_at,
        is_latest

    from versions

),

final as (

    select * from renamed

)

select * from final
