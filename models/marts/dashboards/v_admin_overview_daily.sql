with

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

learner_course_status as (

    select * from {{ ref('int_learner_course_status') }}

),

as_of as (

    select cast({{ dbt.date_trunc('day', as_of_timestamp()) }} as date) as as_of_date

),

digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9

),

-- 0 .. 9999: enough days for 27 years of history
day_numbers as (

    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

course_spans as (

    select
        organization_id,
        course_id,
        min(activity_date) as first_date
    from course_activity_days
    group by organization_id, course_id

),

-- every calendar day (UTC) from the course's first progress event to the as-of day
course_days as (

    select
        course_spans.organization_id,
        course_spans.course_id,
        cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'course_spans.first_date') }} as date) as date
    from course_spans
    cross join as_of
    inner join day_numbers
        on day_numbers.day_number <= {{ dbt.datediff('course_spans.first_date', 'as_of.as_of_date', 'day') }}

),

learner_firsts as (

    select
        organization_id,
        course_id,
        student_id,
        min(activity_date) as first_date
    from course_activity_days
    group by organization_id, course_id, student_id

),

daily as (

    select
        course_days.organization_id,
        course_days.course_id,
        course_days.date,
        count(distinct case when course_activity_days.activity_date = course_days.date
            then course_activity_days.student_id end) as active_learners,
        count(distinct course_activity_days.student_id) as active_learners_7d,
        sum(case when course_activity_days.activity_date = course_days.date
            then course_activity_days.quiz_attempts else 0 end) as quiz_attempts,
        sum(case when course_activity_days.activity_date = course_days.date
            then course_activity_days.failed_quiz_attempts else 0 end) as failed_quiz_attempts,
        sum(case when course_activity_days.activity_date = course_days.date
            then course_activity_days.scored_quiz_attempts else 0 end) as scored_quiz_attempts,
        sum(case when course_activity_days.activity_date = course_days.date
            then course_activity_days.quiz_score_pct_sum end) as quiz_score_pct_sum
    from course_days
    left join course_activity_days
        on course_days.organization_id = course_activity_days.organization_id
        and course_days.course_id = course_activity_days.course_id
        and course_activity_days.activity_date <= course_days.date
        and course_activity_days.activity_date
            > {{ dbt.dateadd('day', -1 * var('active_window_days'), 'course_days.date') }}
    group by course_days.organization_id, course_days.course_id, course_days.date

),

started as (

    select
        course_days.organization_id,
        course_days.course_id,
        course_days.date,
        count(learner_firsts.student_id) as enrolled_learners
    from course_days
    left join learner_firsts
        on course_days.organization_id = learner_firsts.organization_id
        and course_days.course_id = learner_firsts.course_id
        and learner_firsts.first_date <= course_days.date
    group by course_days.organization_id, course_days.course_id, course_days.date

),

completed as (

    select
        course_days.organization_id,
        course_days.course_id,
        course_days.date,
        count(case when cast({{ dbt.date_trunc('day', 'learner_course_status.completed_at') }} as date) = course_days.date
            then 1 end) as completions,
        count(learner_course_status.completed_at) as learners_completed
    from course_days
    left join learner_course_status
        on course_days.organization_id = learner_course_status.organization_id
        and course_days.course_id = learner_course_status.course_id
        and cast({{ dbt.date_trunc('day', 'learner_course_status.completed_at') }} as date) <= course_days.date
    group by course_days.organization_id, course_days.course_id, course_days.date

),

final as (

    select
        daily.organization_id,
        daily.course_id,
        daily.date,
        started.enrolled_learners,
        daily.active_learners,
        daily.active_learners_7d,
        completed.completions,
        completed.learners_completed,
        case
            when started.enrolled_learners > 0
                then round(cast(completed.learners_completed as double) / started.enrolled_learners, 6)
        end as completion_rate,
        daily.quiz_attempts,
        round(daily.quiz_score_pct_sum / nullif(daily.scored_quiz_attempts, 0), 2) as mean_quiz_score_pct,
        case
            when daily.quiz_attempts > 0 then round(cast(daily.failed_quiz_attempts as double) / daily.quiz_attempts, 6)
        end as failed_quiz_rate
    from daily
    inner join started
        on daily.organization_id = started.organization_id
        and daily.course_id = started.course_id
        and daily.date = started.date
    inner join completed
        on daily.organization_id = completed.organization_id
        and daily.course_id = completed.course_id
        and daily.date = completed.date

)

select
    organization_id,
    course_id,
    date,
    enrolled_learners,
    active_learners,
    active_learners_7d,
    completions,
    learners_completed,
    completion_rate,
    quiz_attempts,
    mean_quiz_score_pct,
    failed_quiz_rate
from final
