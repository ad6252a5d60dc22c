{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=false) }}",
        post_hook="{{ record_processed_batches() }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}

with

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
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

)

select * from final
