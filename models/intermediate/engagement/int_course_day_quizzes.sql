{#- The activity of each course on each UTC day with any (int_course_activity_days summed over its learners):
    active learners and that day's quiz attempts. -#}
with

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

course_days as (

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

final as (

    select
        organization_id,
        course_id,
        date,
        active_learners,
        quiz_attempts,
        {{ round_decimal('mean_quiz_score_pct', 2) }} as mean_quiz_score_pct,
        {{ round_decimal(fail_rate('failed_quiz_attempts', 'quiz_attempts'), 6) }} as failed_quiz_rate
    from course_days

)

select
    organization_id,
    course_id,
    date,
    active_learners,
    quiz_attempts,
    mean_quiz_score_pct,
    failed_quiz_rate
from final
