{#- What a learner sees, one row per learner and course: int_learner_dashboard_joined joins progress, mastery,
    streaks, hearts and XP. -#}
with

learner_dashboard as (

    select * from {{ ref('int_learner_dashboard_joined') }}

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
from learner_dashboard
