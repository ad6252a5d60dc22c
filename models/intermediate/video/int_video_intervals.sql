with

played_segments as (

    select * from {{ ref('int_video_played_segments') }}

),

event_intervals as (

    select * from {{ ref('int_video_event_intervals') }}

),

video_lengths as (

    select * from {{ ref('int_video_lengths') }}

),

unioned as (

    select
        organization_id,
        student_id,
        video_id,
        session_id,
        course_id,
        event_id,
        observed_at,
        start_sec,
        end_sec,
        'played_segments' as measured_from
    from played_segments

    union all

    select
        organization_id,
        student_id,
        video_id,
        session_id,
        course_id,
        event_id,
        observed_at,
        start_sec,
        end_sec,
        'play_pause' as measured_from
    from event_intervals

),

-- positions outside the video (rounding past the end, a negative start) are clipped to [0, length];
-- without a known length only the start is clipped
clipped as (

    select
        unioned.organization_id,
        unioned.student_id,
        unioned.video_id,
        unioned.session_id,
        unioned.course_id,
        unioned.event_id,
        unioned.observed_at,
        unioned.measured_from,
        case when unioned.start_sec < 0 then 0 else unioned.start_sec end as start_sec,
        case
            when video_lengths.length_sec is not null and unioned.end_sec > video_lengths.length_sec
                then video_lengths.length_sec
            else unioned.end_sec
        end as end_sec
    from unioned
    left join video_lengths
        on unioned.organization_id = video_lengths.organization_id
        and unioned.video_id = video_lengths.video_id

),

final as (

    select
        organization_id,
        student_id,
        video_id,
        session_id,
        course_id,
        event_id,
        observed_at,
        measured_from,
        start_sec,
        end_sec
    from clipped
    -- an interval entirely past the end is nothing watched of this video
    where end_sec > start_sec

)

select * from final
