{#- Signals that were true at or before as-of, with the XP their type earns (seed xp_per_signal; a type
    the seed does not list earns 0).
    Incremental by learner (key learner_as_of): a signal's created_at is its latest source event's time. -#}
{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}

with

signals as (

    select * from {{ ref('lms_signal') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

xp_per_signal as (

    select * from {{ ref('xp_per_signal') }}

),

final as (

    select
        signals.organization_id,
        signals.id as signal_id,
        signals.type as signal_type,
        signals.student_id,
        signals.course_id,
        signals.class_id,
        signals.created_at,
        coalesce(xp_per_signal.xp, 0) as xp
    from signals
    left join xp_per_signal
        on signals.type = xp_per_signal.signal_type
    where signals.created_at <= {{ as_of_timestamp() }}

)

select
    organization_id,
    signal_id,
    signal_type,
    student_id,
    course_id,
    class_id,
    created_at,
    xp,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
