{#- The hearts rule, one failed quiz submission at a time (int_hearts_states): given the state after the
    previous failure (`state`: hearts, clock_started_at) and the failure (`loss`: failed_at), the new state's
    columns as SQL expressions. Hearts regained since the previous row (macros/rules/hearts_regeneration.sql)
    come back first (a heart due at the very instant of a failure comes back before it costs one); then the
    failure costs one heart unless the count is 0. The clock starts at the loss that takes the count below the
    cap, each regained heart restarts it, and at the cap there is no clock. -#}
{% macro hearts_step(state, loss) -%}
    {%- set max_hearts = var('hearts_max') | int -%}
    {%- set regained = hearts_regained(state ~ '.hearts', state ~ '.clock_started_at', loss ~ '.failed_at') -%}
    {%- set hearts_before_loss = "(" ~ state ~ ".hearts + " ~ regained ~ ")" -%}
    {%- set clock_before_loss -%}
        (case
            when {{ hearts_before_loss }} >= {{ max_hearts }} then cast(null as timestamp)
            else {{ heart_regained_at(state ~ '.clock_started_at', regained) }}
        end)
    {%- endset -%}
    {{ return({
        'regained_before': regained,
        'lost': "case when " ~ hearts_before_loss ~ " > 0 then 1 else 0 end",
        'hearts': "case when " ~ hearts_before_loss ~ " > 0 then " ~ hearts_before_loss ~ " - 1 else 0 end",
        'clock_started_at': "case when " ~ hearts_before_loss ~ " > 0 and " ~ clock_before_loss ~ " is null then "
            ~ loss ~ ".failed_at else " ~ clock_before_loss ~ " end",
    }) }}
{%- endmacro %}


{#- `with` for a query whose CTEs include `hearts_states`: DuckDB needs `with recursive`; Spark has no recursive
    CTE and folds instead. -#}
{% macro with_hearts_states() -%}
    {{ return(adapter.dispatch('with_hearts_states', 'lms_warehouse')()) }}
{%- endmacro %}

{% macro default__with_hearts_states() -%}
    with recursive
{%- endmacro %}

{% macro spark__with_hearts_states() -%}
    with
{%- endmacro %}


{#- The CTE body of the states: row 0 (full hearts, no clock) per learner, then one row per failure of
    `losses` (organization_id, student_id, loss_number 1..n, event_id, failed_at), each from the row before. -#}
{% macro hearts_states(losses) -%}
    {{ return(adapter.dispatch('hearts_states', 'lms_warehouse')(losses)) }}
{%- endmacro %}

{% macro default__hearts_states(losses) -%}
    {%- set step = hearts_step('states', 'losses') %}
    select distinct
        organization_id,
        student_id,
        0 as loss_number,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as timestamp) as failed_at,
        0 as regained_before,
        0 as lost,
        {{ var('hearts_max') | int }} as hearts,
        cast(null as timestamp) as clock_started_at
    from {{ losses }}

    union all

    select
        losses.organization_id,
        losses.student_id,
        losses.loss_number,
        losses.event_id,
        losses.failed_at,
        {{ step.regained_before }} as regained_before,
        {{ step.lost }} as lost,
        {{ step.hearts }} as hearts,
        {{ step.clock_started_at }} as clock_started_at
    from hearts_states as states
    inner join {{ losses }} as losses
        on states.organization_id = losses.organization_id
        and states.student_id = losses.student_id
        and losses.loss_number = states.loss_number + 1
{%- endmacro %}

{#- A left fold per learner (aggregate over the failures in order), each step applied to the last state. -#}
{% macro spark__hearts_states(losses) -%}
    {%- set step = hearts_step('state', 'loss') %}
    select organization_id, student_id, inline(folded)
    from (
        select
            organization_id,
            student_id,
            aggregate(
                array_sort(collect_list(struct(
                    cast(loss_number as int) as loss_number, event_id, failed_at))),
                array(named_struct(
                    'loss_number', 0, 'event_id', cast(null as string),
                    'failed_at', cast(null as timestamp), 'regained_before', 0, 'lost', 0,
                    'hearts', {{ var('hearts_max') | int }}, 'clock_started_at', cast(null as timestamp))),
                (states, loss) -> concat(states, transform(array(element_at(states, -1)), state -> named_struct(
                    'loss_number', loss.loss_number, 'event_id', loss.event_id, 'failed_at', loss.failed_at,
                    'regained_before', cast({{ step.regained_before }} as int),
                    'lost', cast({{ step.lost }} as int),
                    'hearts', cast({{ step.hearts }} as int),
                    'clock_started_at', cast({{ step.clock_started_at }} as timestamp))))
            ) as folded
        from {{ losses }}
        group by organization_id, student_id
    ) as per_learner
{%- endmacro %}
