{#- Where learners get stuck, one row per class with any progress: the stuck-point rule of each learner
    (int_learner_class_attempts, macros/rules/stuck_point.sql) counted per class, and the class's rank in its
    course (stuck_rank_order). v_stuck_points publishes these rows. -#}
with

user_progress as (

    select * from {{ ref('v_user_progress') }}

),

learner_attempts as (

    select * from {{ ref('int_learner_class_attempts') }}

),

steps_completed as (

    select * from {{ ref('int_steps_completed') }}

),

learner_classes as (

    select
        user_progress.organization_id,
        user_progress.student_id,
        user_progress.class_id,
        user_progress.course_id,
        user_progress.time_spent_sec,
        learner_attempts.attempts,
        learner_attempts.failed_attempts,
        learner_attempts.attempts_to_pass,
        learner_attempts.attempts_until_pass,
        learner_attempts.best_score_pct,
        case
            when steps_completed.completed_at is not null
                then {{ seconds_between('learner_attempts.first_activity_at', 'steps_completed.completed_at') }}
        end as time_to_complete_sec
    from user_progress
    left join learner_attempts
        on user_progress.organization_id = learner_attempts.organization_id
        and user_progress.student_id = learner_attempts.student_id
        and user_progress.class_id = learner_attempts.class_id
    left join steps_completed
        on user_progress.organization_id = steps_completed.organization_id
        and user_progress.student_id = steps_completed.student_id
        and user_progress.class_id = steps_completed.class_id

),

aggregated as (

    select
        organization_id,
        class_id,
        max(course_id) as course_id,
        count(*) as learners_active,
        count(attempts) as learners_attempting,
        count(attempts_to_pass) as learners_passed,
        avg(attempts_to_pass) as mean_attempts_to_pass,
        {{ count_true(is_stuck('attempts_until_pass')) }} as learners_stuck,
        {{ exact_avg('best_score_pct') }} as mean_best_score_pct,
        coalesce({{ integer_sum('attempts') }}, 0) as quiz_attempts,
        coalesce({{ integer_sum('failed_attempts') }}, 0) as failed_quiz_attempts,
        count(time_to_complete_sec) as learners_completed,
        percentile_cont(0.5) within group (order by time_to_complete_sec) as median_time_to_complete_sec,
        {{ exact_avg('time_spent_sec') }} as mean_time_spent_sec
    from learner_classes
    group by organization_id, class_id

),

rated as (

    select
        *,
        {{ fail_rate('failed_quiz_attempts', 'quiz_attempts') }} as fail_rate
    from aggregated

),

final as (

    select
        organization_id,
        class_id,
        course_id,
        learners_active,
        learners_attempting,
        learners_passed,
        {{ round_decimal('mean_attempts_to_pass', 4) }} as mean_attempts_to_pass,
        learners_stuck,
        {{ round_decimal('mean_best_score_pct', 2) }} as mean_best_score_pct,
        quiz_attempts,
        failed_quiz_attempts,
        {{ round_decimal('fail_rate', 6) }} as fail_rate,
        learners_completed,
        {{ round_decimal('median_time_to_complete_sec', 3) }} as median_time_to_complete_sec,
        {{ round_decimal('mean_time_spent_sec', 3) }} as mean_time_spent_sec,
        -- ranked by the unrounded fail rate
        cast(row_number() over (
            partition by organization_id, course_id
            order by {{ stuck_rank_order() }}
        ) as bigint) as stuck_rank
    from rated

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
