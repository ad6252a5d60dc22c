{#- The catalog references of events that the catalog does not know (v_unknown_catalog_refs publishes them). -#}
with

-- the events' ids per learner, kept incrementally: the catalog joins below see a few rows per learner
event_refs as (

    select * from {{ ref('int_event_catalog_refs') }}

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
