with

courses as (

    select * from {{ ref('stg_lms__courses') }}

),

final as (

    select
        course_id as id,
        organization_id,
        course_name as name,
        description,
        categories_json,
        media_json,
        instructor_ids_json,
        student_ids_json,
        currency,
        price_amount,
        is_active,
        is_private,
        languages_json,
        raw_json,
        created_at,
        updated_at
    from courses

)

select
    id,
    organization_id,
    name,
    description,
    categories_json,
    media_json,
    instructor_ids_json,
    student_ids_json,
    currency,
    price_amount,
    is_active,
    is_private,
    languages_json,
    raw_json,
    created_at,
    updated_at
from final
