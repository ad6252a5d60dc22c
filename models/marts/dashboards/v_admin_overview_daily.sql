with

learner_course_days as (

    select * from {{ ref('int_learner_course_days') }}

),

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }}

),

stuck_points as (

    select * from {{ ref('v_stuck_points') }}

),

learners as (

    select
        organization_id,
        course_id,
        date,
        count(*) as enrolled_learners,
        {{ integer_sum('is_active_7d') }} as active_learners_7d,
        {{ integer_sum('is_completed') }} as learners_completed,
        {{ integer_sum('is_at_risk') }} as learners_at_risk,
        percentile_cont(0.5) within group (order by progress_pct) as median_progress_pct
    from learner_course_days
    group by organization_id, course_id, date

),

activity as (

    select
        organization_id,
        course_id,
        activity_date as date,
        count(*) as active_learners,
        {{ integer_sum('quiz_attempts') }} as quiz_attempts,
        {{ integer_sum('failed_quiz_attempts') }} as failed_quiz_attempts,
        {{ exact_sum('quiz_score_pct_sum') }} / nullif(sum(scored_quiz_attempts), 0) as mean_quiz_score_pct
    from course_activity_days
    group by organization_id, course_id, activity_date

),

-- the learners' attempts per class in time order, as in v_stuck_points
numbered_attempts as (

    select
        organization_id,
        student_id,
        class_id,
        passed,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as attempt_date,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as attempt_number
    from quiz_submissions

),

-- the day a learner became stuck on a class: the day of the attempt past the threshold, unless passed before it
stuck_since as (

    select
        organization_id,
        student_id,
        class_id,
        min(case when attempt_number = {{ var('stuck_attempts_threshold') }} + 1 then attempt_date end) as stuck_date,
        min(case when passed = 1 then attempt_number end) as first_pass_number
    from numbered_attempts
    group by organization_id, student_id, class_id

),

course_classes as (

    select
        learners.organization_id,
        learners.course_id,
        learners.date,
        stuck_points.class_id
    from learners
    inner join stuck_points
        on learners.organization_id = stuck_points.organization_id
        and learners.course_id = stuck_points.course_id

),

class_days_stuck as (

    select
        course_classes.organization_id,
        course_classes.course_id,
        course_classes.date,
        course_classes.class_id,
        count(stuck_since.student_id) as learners_stuck
    from course_classes
    left join stuck_since
        on course_classes.organization_id = stuck_since.organization_id
        and course_classes.class_id = stuck_since.class_id
        and stuck_since.stuck_date <= course_classes.date
        and (
            stuck_since.first_pass_number is null
            or stuck_since.first_pass_number > {{ var('stuck_attempts_threshold') }}
        )
    group by course_classes.organization_id, course_classes.course_id, course_classes.date, course_classes.class_id

),

class_days_failures as (

    select
        course_classes.organization_id,
        course_classes.course_id,
        course_classes.date,
        course_classes.class_id,
        cast(sum(case when numbered_attempts.passed = 1 then 0 else 1 end) as double)
        / nullif(count(numbered_attempts.student_id), 0) as fail_rate
    from course_classes
    left join numbered_attempts
        on course_classes.organization_id = numbered_attempts.organization_id
        and course_classes.class_id = numbered_attempts.class_id
        and numbered_attempts.attempt_date <= course_classes.date
    group by course_classes.organization_id, course_classes.course_id, course_classes.date, course_classes.class_id

),

-- each class of the course on each day: learners stuck so far and the fail rate of the attempts so far
class_days as (

    select
        class_days_stuck.organization_id,
        class_days_stuck.course_id,
        class_days_stuck.date,
        class_days_stuck.class_id,
        class_days_stuck.learners_stuck,
        class_days_failures.fail_rate
    from class_days_stuck
    inner join class_days_failures
        on class_days_stuck.organization_id = class_days_failures.organization_id
        and class_days_stuck.course_id = class_days_failures.course_id
        and class_days_stuck.date = class_days_failures.date
        and class_days_stuck.class_id = class_days_failures.class_id

),

ranked_class_days as (

    select
        organization_id,
        course_id,
        date,
        class_id,
        row_number() over (
            partition by organization_id, course_id, date
            order by learners_stuck desc, fail_rate desc nulls last, class_id asc
        ) as stuck_rank
    from class_days
    where learners_stuck > 0

),

top_stuck as (

    select
        organization_id,
        course_id,
        date,
        {{ ordered_list_agg('class_id', 'stuck_rank') }} as top_stuck_classes
    from ranked_class_days
    where stuck_rank <= {{ var('admin_top_stuck_classes') }}
    group by organization_id, course_id, date

),

final as (

    select
        learners.organization_id,
        learners.course_id,
        learners.date,
        learners.enrolled_learners,
        coalesce(activity.active_learners, 0) as active_learners,
        learners.active_learners_7d,
        learners.learners_completed,
        {{ round_decimal(
            'cast(learners.learners_completed as double) / learners.enrolled_learners', 6
        ) }} as completion_rate,
        {{ round_decimal('learners.median_progress_pct', 2) }} as median_progress_pct,
        coalesce(activity.quiz_attempts, 0) as quiz_attempts,
        {{ round_decimal('activity.mean_quiz_score_pct', 2) }} as mean_quiz_score_pct,
        case
            when activity.quiz_attempts > 0
                then {{ round_decimal('cast(activity.failed_quiz_attempts as double) / activity.quiz_attempts', 6) }}
        end as failed_quiz_rate,
        learners.learners_at_risk,
        top_stuck.top_stuck_classes
    from learners
    left join activity
        on learners.organization_id = activity.organization_id
        and learners.course_id = activity.course_id
        and learners.date = activity.date
    left join top_stuck
        on learners.organization_id = top_stuck.organization_id
        and learners.course_id = top_stuck.course_id
        and learners.date = top_stuck.date

)

select
    organization_id,
    course_id,
    date,
    enrolled_learners,
    active_learners,
    active_learners_7d,
    learners_completed,
    completion_rate,
    median_progress_pct,
    quiz_attempts,
    mean_quiz_score_pct,
    failed_quiz_rate,
    learners_at_risk,
    top_stuck_classes
from final
