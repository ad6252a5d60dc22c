{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner', reads_catalog=true) }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

signals as (

    select * from {{ ref('int_signals_unioned') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

signal_source_events as (

    select * from {{ ref('int_signal_source_events') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

source_event_ids as (

    select
        signal_id,
        {{ json_array_agg_sorted('event_id') }} as source_event_ids
    from signal_source_events
    group by signal_id

),

final as (

    select
        signals.signal_id as id,
        signals.signal_type as type,
        signals.organization_id,
        signals.student_id,
        signals.course_id,
        signals.class_id,
        source_event_ids.source_event_ids,
        signals.data_json,
        signals.created_at
    from signals
    left join source_event_ids
        on signals.signal_id = source_event_ids.signal_id

)

select
    id,
    type,
    organization_id,
    student_id,
    course_id,
    class_id,
    source_event_ids,
    data_json,
    created_at
from final
