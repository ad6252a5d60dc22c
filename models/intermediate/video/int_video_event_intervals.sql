with

video_events as (

    select * from {{ ref('int_video_events') }}

),

-- sessions whose statements carry played-segments are measured from those (int_video_played_segments)
sessions_with_segments as (

    select distinct
        organization_id,
        student_id,
        video_id,
        session_id
    from video_events
    where played_segments is not null

),

-- only the events that start or stop playback; interactions (volume, speed, captions) change nothing
playback_events as (

    select video_events.*
    from video_events
    left join sessions_with_segments
        on video_events.organization_id = sessions_with_segments.organization_id
        and video_events.student_id = sessions_with_segments.student_id
        and video_events.video_id = sessions_with_segments.video_id
        and video_events.session_id = sessions_with_segments.session_id
    where sessions_with_segments.session_id is null
        and video_events.event_type in (
            'VIDEO_PLAYED', 'VIDEO_PAUSED', 'VIDEO_SEEKED', 'VIDEO_TERMINATED', 'VIDEO_ENDED'
        )

),

sequenced as (

    select
        *,
        lead(event_type) over playback as next_event_type,
        lead(event_id) over playback as next_event_id,
        lead(occurred_at) over playback as next_occurred_at,
        -- a seek stops playback where it left (time-from); the others where the player stands
        lead(case when event_type = 'VIDEO_SEEKED' then coalesce(time_from_sec, position_sec) else position_sec end)
            over playback as next_stop_sec
    from playback_events
    window playback as (
        partition by organization_id, student_id, video_id, session_id
        order by occurred_at, event_id
    )

),

final as (

    select
        organization_id,
        student_id,
        video_id,
        session_id,
        course_id,
        -- the interval is known once the event that stopped playback arrives
        next_event_id as event_id,
        next_occurred_at as observed_at,
        position_sec as start_sec,
        next_stop_sec as end_sec
    from sequenced
    -- a play counts up to the next pause, seek, stop or end; a play followed by another play adds nothing
    -- for the gap, and a pause without a play before it adds nothing at all
    where event_type = 'VIDEO_PLAYED'
        and next_event_type in ('VIDEO_PAUSED', 'VIDEO_SEEKED', 'VIDEO_TERMINATED', 'VIDEO_ENDED')
        and position_sec is not null
        and next_stop_sec >= position_sec

)

select * from final
