with

lms_events as (

    select * from {{ ref('stg_lms__events') }}

),

crosswalk as (

    select * from {{ ref('int_learner_crosswalk') }}

),

enrollments as (

    select * from {{ ref('stg_mooc__enrollments') }}
    where is_latest

),

progress as (

    select * from {{ ref('stg_mooc__progress') }}

),

enrolled_learners as (

    select distinct
        enrollments.organization_id,
        enrollments.user_id,
        enrollments.course_id,
        crosswalk.student_id
    from enrollments
    inner join crosswalk
        on enrollments.organization_id = crosswalk.organization_id
        and enrollments.user_id = crosswalk.user_id

),

-- LMS events of a matched learner in a course they are enrolled in; known when they occurred
learner_events as (

    select
        enrolled_learners.organization_id,
        enrolled_learners.user_id,
        enrolled_learners.course_id,
        lms_events.occurred_at as activity_at,
        lms_events.occurred_at as known_at,
        'lms_event' as activity_source,
        lms_events.event_id
    from lms_events
    inner join enrolled_learners
        on lms_events.organization_id = enrolled_learners.organization_id
        and lms_events.student_id = enrolled_learners.student_id
        and lms_events.course_id = enrolled_learners.course_id

),

-- every distinct MOOC last_activity ever reported; known when first fetched
mooc_activity as (

    select
        organization_id,
        user_id,
        course_id,
        last_activity_at as activity_at,
        min(fetched_at) as known_at,
        'mooc_progress' as activity_source,
        cast(null as {{ dbt.type_string() }}) as event_id
    from progress
    where last_activity_at is not null
    group by organization_id, user_id, course_id, last_activity_at

),

unioned as (

    select * from learner_events
    union all
    select * from mooc_activity

),

-- sessions over LMS events only (the MOOC export reports one instant, not a stream)
sequenced as (

    select
        *,
        lag(activity_at) over (
            partition by organization_id, user_id, course_id, activity_source
            order by activity_at, event_id
        ) as previous_activity_at
    from unioned

),

final as (

    select
        organization_id,
        user_id,
        course_id,
        activity_source,
        event_id,
        activity_at,
        known_at,
        case
            when activity_source <> 'lms_event' then 0
            when previous_activity_at is null then 1
            when {{ dbt.datediff('previous_activity_at', 'activity_at', 'second') }}
                > {{ var('session_gap_minutes') }} * 60 then 1
            else 0
        end as is_session_start
    from sequenced

)

select * from final
