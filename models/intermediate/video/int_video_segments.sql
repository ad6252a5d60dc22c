{#- The drop-off rule of a video: its segments of var video_segment_seconds and the viewers of each
    (v_video_segments publishes these rows). -#}
with

intervals as (

    select * from {{ ref('int_video_intervals') }}

),

video_lengths as (

    select * from {{ ref('int_video_lengths') }}

),

-- a video spans its length, or (length unknown) as far as anyone watched
video_spans as (

    select
        intervals.organization_id,
        intervals.video_id,
        coalesce(max(video_lengths.length_sec), max(intervals.end_sec)) as span_sec
    from intervals
    left join video_lengths
        on intervals.organization_id = video_lengths.organization_id
        and intervals.video_id = video_lengths.video_id
    group by intervals.organization_id, intervals.video_id

),

segment_numbers as (

    {{ integer_rows(
        0, '(select max(ceil(span_sec / ' ~ var('video_segment_seconds') ~ ')) from video_spans)', 'segment_index'
    ) }}

),

segments as (

    select
        video_spans.organization_id,
        video_spans.video_id,
        segment_numbers.segment_index,
        segment_numbers.segment_index * {{ var('video_segment_seconds') }} as segment_start_sec,
        (segment_numbers.segment_index + 1) * {{ var('video_segment_seconds') }} as segment_end_sec
    from video_spans
    inner join segment_numbers
        on segment_numbers.segment_index * {{ var('video_segment_seconds') }} < video_spans.span_sec

),

-- an interval views a segment when it overlaps it by any positive time
viewed as (

    select
        segments.organization_id,
        segments.video_id,
        segments.segment_index,
        intervals.student_id
    from segments
    inner join intervals
        on segments.organization_id = intervals.organization_id
        and segments.video_id = intervals.video_id
        and intervals.start_sec < segments.segment_end_sec
        and intervals.end_sec > segments.segment_start_sec

),

counts as (

    select
        organization_id,
        video_id,
        segment_index,
        count(distinct student_id) as viewers,
        count(*) as views
    from viewed
    group by organization_id, video_id, segment_index

),

final as (

    select
        segments.organization_id,
        segments.video_id,
        segments.segment_index,
        segments.segment_start_sec,
        segments.segment_end_sec,
        coalesce(counts.viewers, 0) as viewers,
        coalesce(counts.views, 0) as views
    from segments
    left join counts
        on segments.organization_id = counts.organization_id
        and segments.video_id = counts.video_id
        and segments.segment_index = counts.segment_index

)

select * from final
