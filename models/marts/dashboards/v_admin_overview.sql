{#- The course figures come from int_course_learners, int_course_quizzes, int_course_mastery and
    int_course_stuck_classes; this mart joins them. -#}
with

course_learners as (

    select * from {{ ref('int_course_learners') }}

),

course_quizzes as (

    select * from {{ ref('int_course_quizzes') }}

),

course_mastery as (

    select * from {{ ref('int_course_mastery') }}

),

course_stuck_classes as (

    select * from {{ ref('int_course_stuck_classes') }}

),

final as (

    select
        learners.organization_id,
        learners.course_id,
        learners.enrolled_learners,
        learners.learners_started,
        learners.learners_half_done,
        learners.learners_completed,
        learners.active_learners_7d,
        learners.completion_rate,
        learners.median_progress_pct,
        coalesce(quizzes.quiz_attempts, 0) as quiz_attempts,
        quizzes.mean_quiz_score_pct,
        quizzes.failed_quiz_rate,
        learners.learners_at_risk,
        learners.time_spent_sec,
        learners.mean_time_spent_sec,
        course_mastery.mean_mastery_score,
        course_stuck_classes.top_stuck_classes
    from course_learners as learners
    left join course_quizzes as quizzes
        on learners.organization_id = quizzes.organization_id
        and learners.course_id = quizzes.course_id
    left join course_mastery
        on learners.organization_id = course_mastery.organization_id
        and learners.course_id = course_mastery.course_id
    left join course_stuck_classes
        on learners.organization_id = course_stuck_classes.organization_id
        and learners.course_id = course_stuck_classes.course_id

)

select
    organization_id,
    course_id,
    enrolled_learners,
    learners_started,
    learners_half_done,
    learners_completed,
    active_learners_7d,
    completion_rate,
    median_progress_pct,
    quiz_attempts,
    mean_quiz_score_pct,
    failed_quiz_rate,
    learners_at_risk,
    time_spent_sec,
    mean_time_spent_sec,
    mean_mastery_score,
    top_stuck_classes
from final
