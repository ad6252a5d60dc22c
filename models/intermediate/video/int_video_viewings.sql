with

video_events as (

    select * from {{ ref('int_video_events') }}

),

checkpoints as (

    select * from {{ ref('int_video_watch_checkpoints') }}

),

video_lengths as (

    select * from {{ ref('int_video_lengths') }}

),

viewers as (

    select
        organization_id,
        student_id,
        video_id,
        count(distinct session_id) as sessions_count,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at
    from video_events
    group by organization_id, student_id, video_id

),

latest_events as (

    select
        organization_id,
        student_id,
        video_id,
        event_id,
        row_number() over (
            partition by organization_id, student_id, video_id
            order by occurred_at desc, event_id desc
        ) as event_rank
    from video_events

),

-- the course the statements name: the latest event with one (ties: the greatest event id)
courses as (

    select
        organization_id,
        student_id,
        video_id,
        course_id,
        row_number() over (
            partition by organization_id, student_id, video_id
            order by occurred_at desc, event_id desc
        ) as course_rank
    from video_events
    where course_id is not null

),

ranked_checkpoints as (

    select
        checkpoints.*,
        video_lengths.length_sec,
        row_number() over (
            partition by checkpoints.organization_id, checkpoints.student_id, checkpoints.video_id
            order by checkpoints.checkpoint_at desc
        ) as latest_rank,
        case
            when {{ reaches_video_completion_threshold(
                'checkpoints.unique_seconds_watched', 'video_lengths.length_sec'
            ) }}
                then 1
            else 0
        end as reaches_completion_threshold
    from checkpoints
    left join video_lengths
        on checkpoints.organization_id = video_lengths.organization_id
        and checkpoints.video_id = video_lengths.video_id

),

latest as (

    select * from ranked_checkpoints
    where latest_rank = 1

),

-- completion: the first checkpoint whose unique seconds reach the threshold of the video's length
completions as (

    select
        organization_id,
        student_id,
        video_id,
        event_id,
        checkpoint_at,
        unique_seconds_watched,
        row_number() over (
            partition by organization_id, student_id, video_id
            order by checkpoint_at, event_id
        ) as completion_rank
    from ranked_checkpoints
    where reaches_completion_threshold = 1

),

final as (

    select
        viewers.organization_id,
        viewers.student_id,
        viewers.video_id,
        courses.course_id,
        video_lengths.length_sec,
        coalesce(latest.unique_seconds_watched, 0) as unique_seconds_watched,
        coalesce(latest.total_seconds_watched, 0) as total_seconds_watched,
        coalesce(latest.reaches_completion_threshold, 0) as is_completed,
        completions.checkpoint_at as completed_at,
        completions.event_id as completion_event_id,
        completions.unique_seconds_watched as completion_unique_seconds,
        viewers.sessions_count,
        viewers.first_event_at,
        viewers.last_event_at,
        latest_events.event_id as last_event_id
    from viewers
    left join latest
        on viewers.organization_id = latest.organization_id
        and viewers.student_id = latest.student_id
        and viewers.video_id = latest.video_id
    left join completions
        on viewers.organization_id = completions.organization_id
        and viewers.student_id = completions.student_id
        and viewers.video_id = completions.video_id
        and completions.completion_rank = 1
    left join courses
        on viewers.organization_id = courses.organization_id
        and viewers.student_id = courses.student_id
        and viewers.video_id = courses.video_id
        and courses.course_rank = 1
    left join video_lengths
        on viewers.organization_id = video_lengths.organization_id
        and viewers.video_id = video_lengths.video_id
    left join latest_events
        on viewers.organization_id = latest_events.organization_id
        and viewers.student_id = latest_events.student_id
        and viewers.video_id = latest_events.video_id
        and latest_events.event_rank = 1

)

select * from final
