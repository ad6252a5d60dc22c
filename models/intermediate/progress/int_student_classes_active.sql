{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=true) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

video_viewing_classes as (

    select * from {{ ref('int_video_viewing_classes') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

classes as (

    select * from {{ ref('stg_lms__classes') }}

),

progress_events as (

    select
        organization_id,
        event_id,
        student_id,
        class_id,
        course_id,
        occurred_at
    from video_pings
    union all
    select
        organization_id,
        event_id,
        student_id,
        class_id,
        course_id,
        occurred_at
    from quiz_submissions
    union all
    -- viewing sessions of a mapped video, for pairs without pings (xAPI, Open edX)
    select
        organization_id,
        last_event_id,
        student_id,
        class_id,
        course_id,
        last_event_at
    from video_viewing_classes

),

activity as (

    select
        organization_id,
        student_id,
        class_id,
        max(occurred_at) as last_activity_at
    from progress_events
    group by organization_id, student_id, class_id

),

-- the course the events name, used only when the catalog does not know the class (or its course):
-- the latest event with a non-null course_id wins (ties: the greatest event id)
event_courses as (

    select
        organization_id,
        student_id,
        class_id,
        course_id,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by occurred_at desc, event_id desc
        ) as course_rank
    from progress_events
    where course_id is not null

),

final as (

    select
        activity.organization_id,
        activity.student_id,
        activity.class_id,
        coalesce(classes.course_id, event_courses.course_id) as course_id,
        case when classes.class_id is null then 0 else 1 end as is_class_in_catalog,
        activity.last_activity_at
    from activity
    left join classes
        on activity.organization_id = classes.organization_id
        and activity.class_id = classes.class_id
    left join event_courses
        on activity.organization_id = event_courses.organization_id
        and activity.student_id = event_courses.student_id
        and activity.class_id = event_courses.class_id
        and event_courses.course_rank = 1

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
