with

snapshots as (

    select * from {{ ref('int_raw_data_snapshots') }}

),

activity as (

    select * from {{ ref('int_mooc_learner_activity') }}

),

progress as (

    select * from {{ ref('stg_mooc__progress') }}

),

as_of as (

    select {{ as_of_timestamp() }} as as_of_at

),

-- the label looks at the future on purpose: all activity ever known, after the cutoff
next_activity as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        min(activity.activity_at) as next_activity_at
    from snapshots
    inner join activity
        on snapshots.organization_id = activity.organization_id
        and snapshots.user_id = activity.user_id
        and snapshots.course_id = activity.course_id
        and activity.activity_at > snapshots.cutoff_at
    group by
        snapshots.organization_id, snapshots.user_id, snapshots.course_id, snapshots.snapshot_kind,
        snapshots.snapshot_date

),

-- completion known by the end of the label window (a learner who finished is not a dropout)
completions as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        min(progress.fetched_at) as completion_seen_at
    from snapshots
    inner join progress
        on snapshots.organization_id = progress.organization_id
        and snapshots.user_id = progress.user_id
        and snapshots.course_id = progress.course_id
        and progress.completion_rate >= 1
        and progress.fetched_at <= {{ dbt.dateadd('day', var('dropout_label_days'), 'snapshots.cutoff_at') }}
    group by
        snapshots.organization_id, snapshots.user_id, snapshots.course_id, snapshots.snapshot_kind,
        snapshots.snapshot_date

),

final as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        next_activity.next_activity_at,
        -- active in (cutoff, cutoff + N days]: an activity exactly N days later still counts
        coalesce(
            next_activity.next_activity_at
            <= {{ dbt.dateadd('day', var('dropout_label_days'), 'snapshots.cutoff_at') }},
            false
        ) as is_active_in_label_window,
        completions.completion_seen_at is not null as is_completed_by_label_end,
        {{ dbt.dateadd('day', var('dropout_label_days'), 'snapshots.cutoff_at') }} <= as_of.as_of_at
            as label_observed
    from snapshots
    cross join as_of
    left join next_activity
        on {{ same_snapshot_row('snapshots', 'next_activity') }}
    left join completions
        on {{ same_snapshot_row('snapshots', 'completions') }}

)

select * from final
