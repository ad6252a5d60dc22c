{#- Published as computed by int_class_stuck_points (the stuck-point rule per class and its rank). -#}
with

class_stuck_points as (

    select * from {{ ref('int_class_stuck_points') }}

),

final as (

    select
        organization_id,
        class_id,
        course_id,
        learners_active,
        learners_attempting,
        learners_passed,
        mean_attempts_to_pass,
        learners_stuck,
        mean_best_score_pct,
        quiz_attempts,
        failed_quiz_attempts,
        fail_rate,
        learners_completed,
        median_time_to_complete_sec,
        mean_time_spent_sec,
        stuck_rank
    from class_stuck_points

)

select
    organization_id,
    class_id,
    course_id,
    learners_active,
    learners_attempting,
    learners_passed,
    mean_attempts_to_pass,
    learners_stuck,
    mean_best_score_pct,
    quiz_attempts,
    failed_quiz_attempts,
    fail_rate,
    learners_completed,
    median_time_to_complete_sec,
    mean_time_spent_sec,
    stuck_rank
from final
