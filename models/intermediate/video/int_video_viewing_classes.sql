with

viewings as (

    select * from {{ ref('int_video_viewings') }}

),

object_classes as (

    select * from {{ ref('int_video_object_classes') }}

),

video_pings as (

    select * from {{ ref('int_video_pings') }}

),

-- pairs whose class has pings keep the ping rule alone: viewing sessions feed only sources without pings
pinged as (

    select distinct
        organization_id,
        student_id,
        class_id
    from video_pings

),

mapped as (

    select
        viewings.*,
        object_classes.class_id
    from viewings
    inner join object_classes
        on viewings.organization_id = object_classes.organization_id
        and viewings.video_id = object_classes.video_id
    left join pinged
        on viewings.organization_id = pinged.organization_id
        and viewings.student_id = pinged.student_id
        and object_classes.class_id = pinged.class_id
    where pinged.class_id is null

),

-- several videos mapped to one class: the first completion completes it (ties: the smallest event id);
-- without any completion, the latest viewing stands for the class
ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by
                case when completed_at is null then 1 else 0 end asc,
                completed_at asc,
                completion_event_id asc,
                last_event_at desc,
                video_id asc
        ) as class_rank,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by last_event_at desc, last_event_id desc
        ) as latest_rank
    from mapped

),

latest as (

    select
        organization_id,
        student_id,
        class_id,
        last_event_id,
        last_event_at
    from ranked
    where latest_rank = 1

),

final as (

    select
        ranked.organization_id,
        ranked.student_id,
        ranked.class_id,
        ranked.course_id,
        ranked.video_id,
        ranked.length_sec,
        ranked.completion_unique_seconds,
        ranked.completed_at,
        ranked.completion_event_id,
        latest.last_event_id,
        latest.last_event_at
    from ranked
    inner join latest
        on ranked.organization_id = latest.organization_id
        and ranked.student_id = latest.student_id
        and ranked.class_id = latest.class_id
    where ranked.class_rank = 1

)

select * from final
