with

classes as (

    select * from {{ ref('stg_lms__classes') }}

),

final as (

    select
        class_id as id,
        organization_id,
        course_id,
        class_name as name,
        description,
        media_json,
        instructor_ids_json,
        student_ids_json,
        order_index,
        step_type,
        content_md,
        languages_json,
        raw_json,
        created_at,
        updated_at
    from classes

)

select
    id,
    organization_id,
    course_id,
    name,
    description,
    media_json,
    instructor_ids_json,
    student_ids_json,
    order_index,
    step_type,
    content_md,
    languages_json,
    raw_json,
    created_at,
    updated_at
from final
