with

ledger as (

    select * from {{ ref('gamification_xp_ledger') }}

),

weekly_entries as (

    select
        organization_id,
        cast({{ dbt.date_trunc('week', 'earned_at') }} as timestamp) as week_start,
        student_id,
        course_id,
        earned_at,
        xp
    from ledger
    where xp > 0

),

boards as (

    -- the global board: all XP of the week
    select
        organization_id,
        week_start,
        cast(null as {{ dbt.type_string() }}) as course_id,
        student_id,
        {{ integer_sum('xp') }} as xp,
        max(earned_at) as reached_at
    from weekly_entries
    group by organization_id, week_start, student_id

    union all

    -- one board per course: the XP of entries that belong to that course
    select
        organization_id,
        week_start,
        course_id,
        student_id,
        {{ integer_sum('xp') }} as xp,
        max(earned_at) as reached_at
    from weekly_entries
    where course_id is not null
    group by organization_id, week_start, course_id, student_id

),

final as (

    select
        *,
        -- ranks are bigint on every engine (Spark's are int)
        cast(dense_rank() over (
            partition by organization_id, week_start, course_id
            order by xp desc
        ) as bigint) as rank,
        cast(row_number() over (
            partition by organization_id, week_start, course_id
            order by xp desc, reached_at asc, student_id asc
        ) as bigint) as position
    from boards

)

select
    organization_id,
    week_start,
    course_id,
    student_id,
    xp,
    rank,
    position,
    reached_at
from final
