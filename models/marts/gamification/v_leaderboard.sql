with

students as (

    select * from {{ ref('int_gamification_students') }}

),

ledger as (

    select * from {{ ref('gamification_xp_ledger') }}

),

totals as (

    select
        organization_id,
        student_id,
        {{ integer_sum('xp') }} as total_points,
        {{ integer_sum("case when entry_type = 'badge' then 1 else 0 end") }} as badges_count,
        -- the total stands from the last entry that added points
        max(case when xp > 0 then earned_at end) as reached_at
    from ledger
    group by organization_id, student_id

),

scored as (

    select
        students.organization_id,
        students.student_id,
        coalesce(totals.total_points, 0) as total_points,
        coalesce(totals.badges_count, 0) as badges_count,
        totals.reached_at
    from students
    left join totals
        on students.organization_id = totals.organization_id
        and students.student_id = totals.student_id

),

final as (

    select
        *,
        -- ranks are bigint on every engine (Spark's are int)
        cast(dense_rank() over (partition by organization_id order by total_points desc) as bigint) as rank,
        cast(row_number() over (
            partition by organization_id
            order by total_points desc, reached_at asc nulls last, student_id asc
        ) as bigint) as position
    from scored

)

select
    organization_id,
    student_id,
    total_points,
    badges_count,
    rank,
    position,
    reached_at
from final
