{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner', reads_catalog=true) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true) %}

with

events as (

    select * from {{ ref('lms_event') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

final as (

    select
        organization_id,
        student_id,
        class_id,
        course_id,
        count(*) as event_count,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from events
    group by organization_id, student_id, class_id, course_id

)

select
    organization_id,
    student_id,
    class_id,
    course_id,
    event_count,
    first_seen_at,
    last_seen_at,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
