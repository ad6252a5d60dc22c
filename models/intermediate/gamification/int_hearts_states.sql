{#- Hearts as sequential state: one row per learner and failed quiz submission (loss_number 1..n, by
    occurred_at then event id), plus a row 0 (full hearts, no clock) before the first. Each row holds the
    state right after that submission: hearts regained since the previous row are added first (a heart
    due at the very instant of a failure comes back before it costs one), then the failure costs one
    heart unless the count is 0. The regeneration clock starts at the loss that takes the count below
    the cap; further losses do not move it; each regained heart restarts it (clock + period) while the
    count stays below the cap; at the cap there is no clock. window_end is when the next row happens (the
    next failure; null after the last: the window is open up to the as-of, which the marts apply), so a row
    depends on its learner's failures up to the as-of only: incremental by learner (key learner_as_of).
    hearts_history expands the regenerations inside each window. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}
{%- set max_hearts = var('hearts_max') | int %}
{%- set period_sec = (var('hearts_regen_hours') | float) * 3600 %}
{%- set regained -%}
    (case
        when states.clock_started_at is null then 0
        else least(
            {{ max_hearts }} - states.hearts,
            cast(floor(({{ epoch_seconds('losses.failed_at') }} - {{ epoch_seconds('states.clock_started_at') }})
                / {{ period_sec }}) as integer)
        )
    end)
{%- endset %}
{%- set hearts_before_loss = "(states.hearts + " ~ regained ~ ")" %}
{%- set clock_before_loss -%}
    (case
        when {{ hearts_before_loss }} >= {{ max_hearts }} then cast(null as timestamp)
        else {{ dbt.dateadd('second', regained ~ ' * ' ~ period_sec, 'states.clock_started_at') }}
    end)
{%- endset %}

with recursive

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

states as (

    select distinct
        organization_id,
        student_id,
        0 as loss_number,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as timestamp) as failed_at,
        0 as regained_before,
        0 as lost,
        {{ max_hearts }} as hearts,
        cast(null as timestamp) as clock_started_at
    from losses

    union all

    select
        losses.organization_id,
        losses.student_id,
        losses.loss_number,
        losses.event_id,
        losses.failed_at,
        {{ regained }} as regained_before,
        case when {{ hearts_before_loss }} > 0 then 1 else 0 end as lost,
        case when {{ hearts_before_loss }} > 0 then {{ hearts_before_loss }} - 1 else 0 end as hearts,
        case
            when {{ hearts_before_loss }} > 0 and {{ clock_before_loss }} is null then losses.failed_at
            else {{ clock_before_loss }}
        end as clock_started_at
    from states
    inner join losses
        on states.organization_id = losses.organization_id
        and states.student_id = losses.student_id
        and losses.loss_number = states.loss_number + 1

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
    from states
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
    window_end
from final
