with

events as (

    select * from {{ ref('lms_event') }}

),

students as (

    select * from {{ ref('lms_student') }}

),

classes as (

    select * from {{ ref('lms_class') }}

),

courses as (

    select * from {{ ref('lms_course') }}

),

unknown_refs as (

    select
        events.organization_id,
        'student' as kind,
        events.student_id as unknown_id,
        events.occurred_at
    from events
    left join students
        on events.organization_id = students.organization_id
        and events.student_id = students.id
    where students.id is null

    union all

    select
        events.organization_id,
        'class' as kind,
        events.class_id as unknown_id,
        events.occurred_at
    from events
    left join classes
        on events.organization_id = classes.organization_id
        and events.class_id = classes.id
    where events.class_id is not null
        and classes.id is null

    union all

    -- the event's course matters only when no known class gives the course
    select
        events.organization_id,
        'course' as kind,
        events.course_id as unknown_id,
        events.occurred_at
    from events
    left join classes
        on events.organization_id = classes.organization_id
        and events.class_id = classes.id
    left join courses
        on events.organization_id = courses.organization_id
        and events.course_id = courses.id
    where events.course_id is not null
        and classes.id is null
        and courses.id is null

),

final as (

    select
        organization_id,
        kind,
        unknown_id,
        count(*) as event_count,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from unknown_refs
    group by organization_id, kind, unknown_id

)

select
    organization_id,
    kind,
    unknown_id,
    event_count,
    first_seen_at,
    last_seen_at
from final
