with

instructors as (

    select * from {{ ref('stg_lms__instructors') }}

),

final as (

    select
        instructor_id as id,
        organization_id,
        instructor_name as name,
        first_name,
        last_name,
        emails_json,
        telephones_json,
        title,
        image_url,
        raw_json,
        created_at,
        updated_at
    from instructors

)

select
    id,
    organization_id,
    name,
    first_name,
    last_name,
    emails_json,
    telephones_json,
    title,
    image_url,
    raw_json,
    created_at,
    updated_at
from final
