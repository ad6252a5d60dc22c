with

source as (

    select * from {{ source('landing', 'catalog_students') }}

),

erasures as (

    select * from {{ source('landing', 'erasures') }}

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
        id as student_id,
        organization_id,

        ---------- attributes
        {{ full_name(
            json_extract_string('record_json', '$.name'),
            json_extract_string('record_json', '$.first_name'),
            json_extract_string('record_json', '$.last_name')
        ) }} as student_name,
        {{ json_extract_string('record_json', '$.first_name') }} as first_name,
        {{ json_extract_string('record_json', '$.last_name') }} as last_name,
        {{ json_extract_string('record_json', '$.image_url') }} as image_url,

        ---------- json
        {{ json_extract_json('record_json', '$.emails') }} as emails_json,
        {{ json_extract_json('record_json', '$.address') }} as address_json,
        {{ json_extract_json('record_json', '$.telephones') }} as telephones_json,
        record_json as raw_json,

        ---------- timestamps
        {{ parse_timestamp_utc(json_extract_string('record_json', '$.created_at')) }} as created_at,
        updated_at,
        loaded_at

    from ranked
    where version_rank = 1

),

-- A learner erased by `lms-warehouse forget` stays an id-only row, whatever version the catalog sends later.
masked as (

    select
        renamed.student_id,
        renamed.organization_id,
        case when erasures.student_id is null then renamed.student_name end as student_name,
        case when erasures.student_id is null then renamed.first_name end as first_name,
        case when erasures.student_id is null then renamed.last_name end as last_name,
        case when erasures.student_id is null then renamed.image_url end as image_url,
        case when erasures.student_id is null then renamed.emails_json end as emails_json,
        case when erasures.student_id is null then renamed.address_json end as address_json,
        case when erasures.student_id is null then renamed.telephones_json end as telephones_json,
        case when erasures.student_id is null then renamed.raw_json else '{"erased":true}' end as raw_json,
        renamed.created_at,
        renamed.updated_at,
        renamed.loaded_at,
        erasures.student_id is not null as is_erased
    from renamed
    left join erasures
        on renamed.student_id = erasures.student_id
        and renamed.organization_id = erasures.organization_id

),

final as (

    select * from masked

)

select * from final
