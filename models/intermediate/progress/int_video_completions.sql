{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=true) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

video_viewing_classes as (

    select * from {{ ref('int_video_viewing_classes') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

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

    union all

    -- sources without pings (xAPI, Open edX): the viewing's unique seconds reach the same threshold of the
    -- video's length (int_video_viewings); only pairs without pings and videos mapped to a class
    select
        organization_id,
        student_id,
        class_id,
        completion_event_id as event_id,
        video_id,
        completion_unique_seconds as position_sec,
        length_sec as duration_sec,
        completed_at
    from video_viewing_classes
    where completed_at is not null

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
