with

intervals as (

    select * from {{ ref('int_video_intervals') }}

),

merged as (

    select * from {{ ref('int_video_intervals_merged') }}

),

unique_watched as (

    select
        organization_id,
        student_id,
        video_id,
        checkpoint_at,
        {{ exact_sum('end_sec - start_sec') }} as unique_seconds_watched
    from merged
    group by organization_id, student_id, video_id, checkpoint_at

),

-- what the checkpoint's own statements reported (several statements at one instant: the smallest id)
checkpoint_events as (

    select
        organization_id,
        student_id,
        video_id,
        observed_at as checkpoint_at,
        min(event_id) as event_id
    from intervals
    group by organization_id, student_id, video_id, observed_at

),

total_watched as (

    select
        unique_watched.organization_id,
        unique_watched.student_id,
        unique_watched.video_id,
        unique_watched.checkpoint_at,
        {{ exact_sum('intervals.end_sec - intervals.start_sec') }} as total_seconds_watched
    from unique_watched
    inner join intervals
        on unique_watched.organization_id = intervals.organization_id
        and unique_watched.student_id = intervals.student_id
        and unique_watched.video_id = intervals.video_id
        and intervals.observed_at <= unique_watched.checkpoint_at
    group by
        unique_watched.organization_id,
        unique_watched.student_id,
        unique_watched.video_id,
        unique_watched.checkpoint_at

),

final as (

    select
        unique_watched.organization_id,
        unique_watched.student_id,
        unique_watched.video_id,
        unique_watched.checkpoint_at,
        checkpoint_events.event_id,
        unique_watched.unique_seconds_watched,
        total_watched.total_seconds_watched
    from unique_watched
    inner join checkpoint_events
        on unique_watched.organization_id = checkpoint_events.organization_id
        and unique_watched.student_id = checkpoint_events.student_id
        and unique_watched.video_id = checkpoint_events.video_id
        and unique_watched.checkpoint_at = checkpoint_events.checkpoint_at
    inner join total_watched
        on unique_watched.organization_id = total_watched.organization_id
        and unique_watched.student_id = total_watched.student_id
        and unique_watched.video_id = total_watched.video_id
        and unique_watched.checkpoint_at = total_watched.checkpoint_at

)

select * from final
