{#- What a learner sees, joined per learner and course (v_learner_dashboard publishes it): progress
    (int_learner_course_status), mastery (int_learner_course_mastery), and per learner the streaks
    (int_learner_streaks), hearts (hearts) and XP, rank and badges (v_leaderboard). -#}
with

learner_course_status as (

    select * from {{ ref('int_learner_course_status') }}

),

course_mastery as (

    select * from {{ ref('int_learner_course_mastery') }}

),

learner_streaks as (

    select * from {{ ref('int_learner_streaks') }}

),

leaderboard as (

    select * from {{ ref('v_leaderboard') }}

),

hearts as (

    select * from {{ ref('hearts') }}

),

final as (

    select
        learner_course_status.organization_id,
        learner_course_status.student_id,
        learner_course_status.course_id,
        -- progress and completion
        learner_course_status.classes_total,
        learner_course_status.classes_completed,
        learner_course_status.progress_pct,
        learner_course_status.is_completed,
        learner_course_status.completed_at,
        learner_course_status.time_spent_sec,
        learner_course_status.last_activity_at,
        learner_course_status.is_active_7d,
        learner_course_status.is_at_risk,
        learner_course_status.at_risk_reason,
        -- mastery
        course_mastery.mastery_score,
        course_mastery.level as mastery_level,
        course_mastery.competencies_mastered,
        course_mastery.competencies_total,
        -- engagement (per learner, the same on each of the learner's courses)
        coalesce(learner_streaks.streak_days, 0) as streak_days,
        coalesce(learner_streaks.longest_streak_days, 0) as longest_streak_days,
        hearts.hearts,
        hearts.max_hearts,
        hearts.next_heart_at,
        coalesce(leaderboard.total_points, 0) as total_points,
        leaderboard.rank as xp_rank,
        coalesce(leaderboard.badges_count, 0) as badges_count
    from learner_course_status
    left join course_mastery
        on learner_course_status.organization_id = course_mastery.organization_id
        and learner_course_status.student_id = course_mastery.student_id
        and learner_course_status.course_id = course_mastery.course_id
    left join learner_streaks
        on learner_course_status.organization_id = learner_streaks.organization_id
        and learner_course_status.student_id = learner_streaks.student_id
    left join leaderboard
        on learner_course_status.organization_id = leaderboard.organization_id
        and learner_course_status.student_id = leaderboard.student_id
    left join hearts
        on learner_course_status.organization_id = hearts.organization_id
        and learner_course_status.student_id = hearts.student_id

)

select
    organization_id,
    student_id,
    course_id,
    classes_total,
    classes_completed,
    progress_pct,
    is_completed,
    completed_at,
    time_spent_sec,
    last_activity_at,
    is_active_7d,
    is_at_risk,
    at_risk_reason,
    mastery_score,
    mastery_level,
    competencies_mastered,
    competencies_total,
    streak_days,
    longest_streak_days,
    hearts,
    max_hearts,
    next_heart_at,
    total_points,
    xp_rank,
    badges_count
from final
