with

events as (

    select * from {{ ref('stg_lms__events') }}

),

final as (

    select
        event_id as id,
        event_type as type,
        student_id,
        course_id,
        class_id,
        occurred_at,
        payload_json,
        context_json,
        first_loaded_at as created_at,
        event_version as version,
        organization_id
    from events

)

select
    id,
    type,
    student_id,
    course_id,
    class_id,
    occurred_at,
    payload_json,
    context_json,
    created_at,
    version,
    organization_id
from final
