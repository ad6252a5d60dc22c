{#- Hearts as sequential state: one row per learner and failed quiz submission (loss_number 1..n, by
    occurred_at then event id), plus a row 0 (full hearts, no clock) before the first. Each row holds the
    state right after that submission: hearts regained since the previous row are added first (a heart
    due at the very instant of a failure comes back before it costs one), then the failure costs one
    heart unless the count is 0. The regeneration clock starts at the loss that takes the count below
    the cap; further losses do not move it; each regained heart restarts it (clock + period) while the
    count stays below the cap; at the cap there is no clock. window_end is when the next row happens (the
    next failure; null after the last: the window is open up to the as-of, which the marts apply), so a row
    depends on its learner's failures up to the as-of only: incremental by learner (key learner_as_of).
    int_hearts_changes expands the regenerations inside each window. -#}
{{
    config(
        meta=engine_specific('incremental_by_learner', 'hearts_fold'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}
{{ with_hearts_states() }}

submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

losses as (

    select
        organization_id,
        student_id,
        event_id,
        occurred_at as failed_at,
        row_number() over (
            partition by organization_id, student_id
            order by occurred_at, event_id
        ) as loss_number
    from submissions
    where passed = 0
        and occurred_at <= {{ as_of_timestamp() }}

),

hearts_states as (

    {{ hearts_states('losses') }}

),

final as (

    select
        states.organization_id,
        states.student_id,
        states.loss_number,
        states.event_id,
        states.failed_at,
        states.regained_before,
        states.lost,
        states.hearts,
        states.clock_started_at,
        next_losses.failed_at as window_end
    from hearts_states as states
    left join losses as next_losses
        on states.organization_id = next_losses.organization_id
        and states.student_id = next_losses.student_id
        and next_losses.loss_number = states.loss_number + 1

)

select
    organization_id,
    student_id,
    loss_number,
    event_id,
    failed_at,
    regained_before,
    lost,
    hearts,
    clock_started_at,
    window_end,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
