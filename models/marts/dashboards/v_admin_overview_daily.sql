{#- The figures are computed per course and day by int_course_day_learners, int_course_day_quizzes and
    int_class_stuck_days; this mart joins them. -#}
with

course_day_learners as (

    select * from {{ ref('int_course_day_learners') }}

),

course_day_quizzes as (

    select * from {{ ref('int_course_day_quizzes') }}

),

class_stuck_days as (

    select * from {{ ref('int_class_stuck_days') }}

),

top_stuck as (

    {{ top_stuck_classes('class_stuck_days', ['organization_id', 'course_id', 'date']) }}

),

final as (

    select
        learners.organization_id,
        learners.course_id,
        learners.date,
        learners.enrolled_learners,
        -- a day without progress events has no activity row
        coalesce(quizzes.active_learners, 0) as active_learners,
        learners.active_learners_7d,
        learners.learners_completed,
        learners.completion_rate,
        learners.median_progress_pct,
        coalesce(quizzes.quiz_attempts, 0) as quiz_attempts,
        quizzes.mean_quiz_score_pct,
        quizzes.failed_quiz_rate,
        learners.learners_at_risk,
        top_stuck.top_stuck_classes
    from course_day_learners as learners
    left join course_day_quizzes as quizzes
        on learners.organization_id = quizzes.organization_id
        and learners.course_id = quizzes.course_id
        and learners.date = quizzes.date
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
