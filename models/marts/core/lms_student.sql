with

students as (

    select * from {{ ref('stg_lms__students') }}

),

final as (

    select
        student_id as id,
        organization_id,
        student_name as name,
        first_name,
        last_name,
        emails_json,
        address_json,
        telephones_json,
        image_url,
        raw_json,
        created_at,
        updated_at
    from students

)

select
    id,
    organization_id,
    name,
    first_name,
    last_name,
    emails_json,
    address_json,
    telephones_json,
    image_url,
    raw_json,
    created_at,
    updated_at
from final
