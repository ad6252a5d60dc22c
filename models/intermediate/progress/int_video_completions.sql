with

video_pings as (

    select * from {{ ref('int_video_pings') }}

),

-- completion is judged per ping (its own position against its own duration); the earliest ping that
-- reaches the threshold completes the video (ties on occurred_at: the smallest event id)
ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as completion_rank
    from video_pings
    where reaches_completion_threshold = 1

),

final as (

    select
        organization_id,
        student_id,
        class_id,
        event_id,
        video_id,
        position_sec,
        duration_sec,
        occurred_at as completed_at
    from ranked
    where completion_rank = 1

)

select * from final
