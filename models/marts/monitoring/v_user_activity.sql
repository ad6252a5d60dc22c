with

events as (

    select * from {{ ref('lms_event') }}

),

as_of as (

    select
        {{ as_of_timestamp() }} as as_of_at,
        cast({{ dbt.date_trunc('day', as_of_timestamp()) }} as date) as as_of_date

),

-- events after the as-of instant are ignored: the view describes the warehouse as of that instant
past_events as (

    select
        events.organization_id,
        events.student_id,
        events.occurred_at,
        as_of.as_of_at
    from events
    cross join as_of
    where events.occurred_at <= as_of.as_of_at

),

activity as (

    select
        organization_id,
        student_id,
        max(occurred_at) as last_event_at,
        count(
            case
                when occurred_at > {{ dbt.dateadd('hour', -24, 'as_of_at') }} then 1
            end
        ) as events_24h
    from past_events
    group by organization_id, student_id

),

active_days as (

    select distinct
        organization_id,
        student_id,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as activity_date
    from past_events

),

-- gaps and islands: consecutive days share the same (day number - rank)
islands as (

    select
        organization_id,
        student_id,
        activity_date,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'activity_date', 'day') }}
            - row_number() over (partition by organization_id, student_id order by activity_date) as island_key
    from active_days

),

island_sizes as (

    select
        organization_id,
        student_id,
        island_key,
        max(activity_date) as island_last_date,
        count(*) as island_days
    from islands
    group by organization_id, student_id, island_key

),

latest_islands as (

    select
        island_sizes.organization_id,
        island_sizes.student_id,
        island_sizes.island_last_date,
        island_sizes.island_days,
        row_number() over (
            partition by island_sizes.organization_id, island_sizes.student_id
            order by island_sizes.island_last_date desc
        ) as island_rank
    from island_sizes

),

-- a streak counts only while it is alive: its last day is the as-of date or the day before
streaks as (

    select
        latest_islands.organization_id,
        latest_islands.student_id,
        case
            when {{ dbt.datediff('latest_islands.island_last_date', 'as_of.as_of_date', 'day') }} <= 1
                then latest_islands.island_days
            else 0
        end as streak_days
    from latest_islands
    cross join as_of
    where latest_islands.island_rank = 1

),

final as (

    select
        activity.organization_id,
        activity.student_id,
        activity.last_event_at,
        activity.events_24h,
        coalesce(streaks.streak_days, 0) as streak_days
    from activity
    left join streaks
        on activity.organization_id = streaks.organization_id
        and activity.student_id = streaks.student_id

)

select
    organization_id,
    student_id,
    last_event_at,
    events_24h,
    streak_days
from final
