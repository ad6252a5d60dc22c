with

snapshots as (

    select * from {{ ref('int_raw_data_snapshots') }}

),

activity as (

    select * from {{ ref('int_mooc_learner_activity') }}

),

-- what each snapshot may see: activity up to its cutoff, known by then (MOOC state of any fetch
-- time only in the 'latest' rows, whose MOOC state is the latest fetched whatever the as-of date)
visible as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        activity.activity_source,
        activity.activity_at,
        activity.known_at,
        activity.is_session_start,
        cast({{ dbt.date_trunc('day', 'activity.activity_at') }} as date) as activity_date,
        {{ dbt.datediff(
            'cast(' ~ dbt.date_trunc('day', 'activity.activity_at') ~ ' as date)', 'snapshots.snapshot_date', 'day'
        ) }} as days_before_snapshot
    from snapshots
    inner join activity
        on snapshots.organization_id = activity.organization_id
        and snapshots.user_id = activity.user_id
        and snapshots.course_id = activity.course_id
        and activity.activity_at <= snapshots.cutoff_at
        and (not snapshots.state_is_point_in_time or activity.known_at <= snapshots.cutoff_at)

),

totals as (

    select
        organization_id,
        user_id,
        course_id,
        snapshot_kind,
        snapshot_date,
        max(activity_at) as last_activity_at,
        max(known_at) as latest_activity_known_at,
        count(distinct activity_date) as active_days_total,
        count(distinct case when days_before_snapshot < {{ var('recent_window_days') }} then activity_date end)
            as active_days_7d,
        count(distinct case
            when days_before_snapshot >= {{ var('recent_window_days') }}
                and days_before_snapshot < 2 * {{ var('recent_window_days') }} then activity_date
        end) as active_days_prev_7d,
        count(case
            when activity_source = 'lms_event' and days_before_snapshot < {{ var('recent_window_days') }} then 1
        end) as events_7d,
        count(case when is_session_start = 1 then 1 end) as sessions_total
    from visible
    group by organization_id, user_id, course_id, snapshot_kind, snapshot_date

),

active_days as (

    select distinct
        organization_id,
        user_id,
        course_id,
        snapshot_kind,
        snapshot_date,
        activity_date,
        days_before_snapshot
    from visible

),

-- gaps and islands per snapshot: walking back from the latest day, consecutive days keep
-- (days before snapshot - rank) constant
islands as (

    select
        *,
        days_before_snapshot - row_number() over (
            partition by organization_id, user_id, course_id, snapshot_kind, snapshot_date
            order by activity_date desc
        ) as island_key
    from active_days

),

latest_islands as (

    select
        *,
        first_value(island_key) over (
            partition by organization_id, user_id, course_id, snapshot_kind, snapshot_date
            order by activity_date desc
        ) as latest_island_key
    from islands

),

-- the streak is alive when its last day is the snapshot date or the day before
streaks as (

    select
        organization_id,
        user_id,
        course_id,
        snapshot_kind,
        snapshot_date,
        count(*) as current_streak_days
    from latest_islands
    where island_key = latest_island_key
    group by organization_id, user_id, course_id, snapshot_kind, snapshot_date
    having min(days_before_snapshot) <= 1

),

final as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        snapshots.cutoff_at,
        totals.last_activity_at,
        totals.latest_activity_known_at,
        coalesce(totals.active_days_total, 0) as active_days_total,
        coalesce(totals.active_days_7d, 0) as active_days_7d,
        coalesce(totals.active_days_prev_7d, 0) as active_days_prev_7d,
        coalesce(totals.events_7d, 0) as events_7d,
        coalesce(totals.sessions_total, 0) as sessions_total,
        coalesce(streaks.current_streak_days, 0) as current_streak_days
    from snapshots
    left join totals
        on {{ same_snapshot_row('snapshots', 'totals') }}
    left join streaks
        on {{ same_snapshot_row('snapshots', 'streaks') }}

)

select * from final
