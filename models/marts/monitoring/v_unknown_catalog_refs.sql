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

-- one pass over the events: the catalog joins below then see one row per combination of ids, not per event
event_refs as (

    select
        organization_id,
        student_id,
        class_id,
        course_id,
        count(*) as event_count,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from events
    group by organization_id, student_id, class_id, course_id

),

unknown_refs as (

    select
        event_refs.organization_id,
        'student' as kind,
        event_refs.student_id as unknown_id,
        event_refs.event_count,
        event_refs.first_seen_at,
        event_refs.last_seen_at
    from event_refs
    left join students
        on event_refs.organization_id = students.organization_id
        and event_refs.student_id = students.id
    where students.id is null

    union all

    select
        event_refs.organization_id,
        'class' as kind,
        event_refs.class_id as unknown_id,
        event_refs.event_count,
        event_refs.first_seen_at,
        event_refs.last_seen_at
    from event_refs
    left join classes
        on event_refs.organization_id = classes.organization_id
        and event_refs.class_id = classes.id
    where event_refs.class_id is not null
        and classes.id is null

    union all

    -- the event's course matters only when no known class gives the course
    select
        event_refs.organization_id,
        'course' as kind,
        event_refs.course_id as unknown_id,
        event_refs.event_count,
        event_refs.first_seen_at,
        event_refs.last_seen_at
    from event_refs
    left join classes
        on event_refs.organization_id = classes.organization_id
        and event_refs.class_id = classes.id
    left join courses
        on event_refs.organization_id = courses.organization_id
        and event_refs.course_id = courses.id
    where event_refs.course_id is not null
        and classes.id is null
        and courses.id is null

),

final as (

    select
        organization_id,
        kind,
        unknown_id,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
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
