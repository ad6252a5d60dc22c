{#- Each class of a course (int_class_stuck_points) on each day of the course (int_course_day_learners), as
    it stood at the end of that UTC day: the learners stuck by then (int_learner_class_attempts.stuck_at, the
    stuck-point rule), the fail rate of the attempts so far, and the class's rank that day (stuck_rank_order).
    Attempts are not limited to the as-of, like v_stuck_points. -#}
with

course_day_learners as (

    select * from {{ ref('int_course_day_learners') }}

),

class_stuck_points as (

    select * from {{ ref('int_class_stuck_points') }}

),

learner_attempts as (

    select * from {{ ref('int_learner_class_attempts') }}

),

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }}

),

course_classes as (

    select
        course_day_learners.organization_id,
        course_day_learners.course_id,
        course_day_learners.date,
        class_stuck_points.class_id
    from course_day_learners
    inner join class_stuck_points
        on course_day_learners.organization_id = class_stuck_points.organization_id
        and course_day_learners.course_id = class_stuck_points.course_id

),

stuck_learners as (

    select
        organization_id,
        class_id,
        cast({{ dbt.date_trunc('day', 'stuck_at') }} as date) as stuck_date
    from learner_attempts
    where stuck_at is not null

),

attempt_days as (

    select
        organization_id,
        class_id,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as attempt_date,
        count(*) as attempts,
        {{ integer_sum('case when passed = 1 then 0 else 1 end') }} as failed_attempts
    from quiz_submissions
    group by organization_id, class_id, cast({{ dbt.date_trunc('day', 'occurred_at') }} as date)

),

class_days_stuck as (

    select
        course_classes.organization_id,
        course_classes.course_id,
        course_classes.date,
        course_classes.class_id,
        count(stuck_learners.stuck_date) as learners_stuck
    from course_classes
    left join stuck_learners
        on course_classes.organization_id = stuck_learners.organization_id
        and course_classes.class_id = stuck_learners.class_id
        and stuck_learners.stuck_date <= course_classes.date
    group by course_classes.organization_id, course_classes.course_id, course_classes.date, course_classes.class_id

),

class_days_failures as (

    select
        course_classes.organization_id,
        course_classes.course_id,
        course_classes.date,
        course_classes.class_id,
        {{ fail_rate(integer_sum('attempt_days.failed_attempts'), integer_sum('attempt_days.attempts')) }} as fail_rate
    from course_classes
    left join attempt_days
        on course_classes.organization_id = attempt_days.organization_id
        and course_classes.class_id = attempt_days.class_id
        and attempt_days.attempt_date <= course_classes.date
    group by course_classes.organization_id, course_classes.course_id, course_classes.date, course_classes.class_id

),

final as (

    select
        class_days_stuck.organization_id,
        class_days_stuck.course_id,
        class_days_stuck.date,
        class_days_stuck.class_id,
        class_days_stuck.learners_stuck,
        class_days_failures.fail_rate,
        cast(row_number() over (
            partition by class_days_stuck.organization_id, class_days_stuck.course_id, class_days_stuck.date
            order by {{ stuck_rank_order(
                'class_days_stuck.learners_stuck', 'class_days_failures.fail_rate', 'class_days_stuck.class_id'
            ) }}
        ) as bigint) as stuck_rank
    from class_days_stuck
    inner join class_days_failures
        on class_days_stuck.organization_id = class_days_failures.organization_id
        and class_days_stuck.course_id = class_days_failures.course_id
        and class_days_stuck.date = class_days_failures.date
        and class_days_stuck.class_id = class_days_failures.class_id

)

select
    organization_id,
    course_id,
    date,
    class_id,
    learners_stuck,
    fail_rate,
    stuck_rank
from final
