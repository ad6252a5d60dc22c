with

signals as (

    select * from {{ ref('int_gamification_signals') }}

),

awards as (

    select * from {{ ref('gamification_award') }}

),

badges as (

    select * from {{ ref('gamification_badge') }}

),

signal_entries as (

    select
        organization_id,
        'signal' as entry_type,
        signal_id as entry_id,
        student_id,
        signal_type,
        cast(null as {{ dbt.type_string() }}) as badge_id,
        course_id,
        class_id,
        created_at as earned_at,
        xp
    from signals

),

award_entries as (

    select
        awards.organization_id,
        'badge' as entry_type,
        awards.id as entry_id,
        awards.student_id,
        cast(null as {{ dbt.type_string() }}) as signal_type,
        awards.badge_id,
        awards.course_id,
        awards.class_id,
        awards.awarded_at as earned_at,
        coalesce(badges.points_reward, 0) as xp
    from awards
    left join badges
        on awards.organization_id = badges.organization_id
        and awards.badge_id = badges.id

),

final as (

    select * from signal_entries
    union all
    select * from award_entries

)

select
    organization_id,
    entry_type,
    entry_id,
    student_id,
    signal_type,
    badge_id,
    course_id,
    class_id,
    earned_at,
    xp
from final
