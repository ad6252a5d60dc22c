with

viewings as (

    select * from {{ ref('int_video_viewings') }}

),

object_classes as (

    select * from {{ ref('int_video_object_classes') }}

),

final as (

    select
        viewings.organization_id,
        viewings.student_id,
        viewings.video_id,
        viewings.course_id,
        object_classes.class_id,
        viewings.length_sec,
        -- rounding must not carry a fully watched video past a length with more than 3 decimals
        case
            when viewings.length_sec is not null and {{ round_decimal(
                'viewings.unique_seconds_watched', 3
            ) }} > viewings.length_sec
                then viewings.length_sec
            else {{ round_decimal('viewings.unique_seconds_watched', 3) }}
        end as unique_seconds_watched,
        {{ round_decimal('viewings.total_seconds_watched', 3) }} as total_seconds_watched,
        {{ round_decimal('viewings.total_seconds_watched - viewings.unique_seconds_watched', 3) }} as rewatched_seconds,
        case
            when viewings.length_sec > 0 then {{ round_decimal(
                'viewings.unique_seconds_watched / viewings.length_sec', 4
            ) }}
        end as watch_ratio,
        viewings.is_completed = 1 as is_completed,
        viewings.completed_at,
        viewings.completion_event_id,
        viewings.sessions_count,
        viewings.first_event_at,
        viewings.last_event_at
    from viewings
    left join object_classes
        on viewings.organization_id = object_classes.organization_id
        and viewings.video_id = object_classes.video_id

)

select * from final
