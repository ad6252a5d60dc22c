{{
    config(
        meta=engine_specific('incremental_by_day'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('event', reads_catalog=false, column='event_id') }}",
        **incremental_settings(spark_partition_by=['event_date'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}

with

events as (

    select * from {{ ref('stg_lms__events') }} as scoped
    where {{ event_rows_to_build('scoped', scope) }}

),

final as (

    select
        organization_id,
        event_id,
        student_id,
        class_id,
        course_id,
        video_id,
        position_sec,
        duration_sec,
        case
            when {{ reaches_video_completion_threshold('position_sec', 'duration_sec') }} then 1
            else 0
        end as reaches_completion_threshold,
        occurred_at,
        event_date
    from events
    where event_type = 'VIDEO_PING'
        -- an event without a class is not progress on any step
        and class_id is not null

)

select * from final
