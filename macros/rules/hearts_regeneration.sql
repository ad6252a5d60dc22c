{#- The hearts regeneration rule (vars hearts_max, hearts_regen_hours): below the cap, one heart comes back
    every period after the regeneration clock started, up to the cap; at the cap there is no clock. The step
    rule (hearts_step), the hearts at the as-of (int_hearts_as_of) and the history of changes
    (int_hearts_changes) all read it from here. -#}

{#- How many hearts came back between the clock's start and `at` for a state holding `hearts` (0 without a
    clock), as an integer. -#}
{% macro hearts_regained(hearts, clock_started_at, at) -%}
    {%- set max_hearts = var('hearts_max') | int -%}
    {%- set period_sec = (var('hearts_regen_hours') | float) * 3600 -%}
    (case
        when {{ clock_started_at }} is null then 0
        else least(
            {{ max_hearts }} - {{ hearts }},
            cast(floor(({{ epoch_seconds(at) }} - {{ epoch_seconds(clock_started_at) }})
                / {{ period_sec }}) as integer)
        )
    end)
{%- endmacro %}

{#- The instant the `heart_number`-th heart after the clock's start comes back. -#}
{% macro heart_regained_at(clock_started_at, heart_number) -%}
    {%- set period_sec = (var('hearts_regen_hours') | float) * 3600 -%}
    {{ dbt.dateadd('second', heart_number ~ ' * ' ~ period_sec, clock_started_at) }}
{%- endmacro %}
