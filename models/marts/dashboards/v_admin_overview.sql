with

learner_course_status as (

    select * from {{ ref('int_learner_course_status') }}

),

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

course_mastery as (

    select * from {{ ref('v_course_mastery') }}

),

stuck_points as (

    select * from {{ ref('v_stuck_points') }}

),

learners as (

    select
        organization_id,
        course_id,
        count(*) as enrolled_learners,
        {{ count_true('is_started') }} as learners_started,
        {{ count_true('is_half_done') }} as learners_half_done,
        {{ count_true('is_completed') }} as learners_completed,
        {{ count_true('is_active_7d') }} as active_learners_7d,
        {{ count_true('is_at_risk') }} as learners_at_risk,
        percentile_cont(0.5) within group (order by progress_pct) as median_progress_pct,
        {{ exact_sum('time_spent_sec') }} as time_spent_sec
    from learner_course_status
    group by organization_id, course_id

),

quizzes as (

    select
        organization_id,
        course_id,
        {{ integer_sum('quiz_attempts') }} as quiz_attempts,
        {{ integer_sum('failed_quiz_attempts') }} as failed_quiz_attempts,
        {{ exact_sum('quiz_score_pct_sum') }} / nullif(sum(scored_quiz_attempts), 0) as mean_quiz_score_pct
    from course_activity_days
    group by organization_id, course_id

),

mastery as (

    select
        organization_id,
        course_id,
        {{ exact_avg('mastery_score') }} as mean_mastery_score
    from course_mastery
    group by organization_id, course_id

),

-- the classes with the most stuck learners, best first, as a comma-separated list of class ids
top_stuck as (

    select
        organization_id,
        course_id,
        {{ ordered_list_agg('class_id', 'stuck_rank') }} as top_stuck_classes
    from stuck_points
    where learners_stuck > 0
        and stuck_rank <= {{ var('admin_top_stuck_classes') }}
        and course_id is not null
    group by organization_id, course_id

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
        {{ round_decimal(
            'cast(learners.learners_completed as double) / learners.enrolled_learners', 6
        ) }} as completion_rate,
        {{ round_decimal('learners.median_progress_pct', 2) }} as median_progress_pct,
        coalesce(quizzes.quiz_attempts, 0) as quiz_attempts,
        {{ round_decimal('quizzes.mean_quiz_score_pct', 2) }} as mean_quiz_score_pct,
        case
            when quizzes.quiz_attempts > 0
                then {{ round_decimal('cast(quizzes.failed_quiz_attempts as double) / quizzes.quiz_attempts', 6) }}
        end as failed_quiz_rate,
        learners.learners_at_risk,
        {{ round_decimal('learners.time_spent_sec', 3) }} as time_spent_sec,
        {{ round_decimal('learners.time_spent_sec / learners.enrolled_learners', 3) }} as mean_time_spent_sec,
        {{ round_decimal('mastery.mean_mastery_score', 6) }} as mean_mastery_score,
        top_stuck.top_stuck_classes
    from learners
    left join quizzes
        on learners.organization_id = quizzes.organization_id
        and learners.course_id = quizzes.course_id
    left join mastery
        on learners.organization_id = mastery.organization_id
        and learners.course_id = mastery.course_id
    left join top_stuck
        on learners.organization_id = top_stuck.organization_id
        and learners.course_id = top_stuck.course_id

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
