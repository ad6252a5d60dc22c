{#- Every change of a learner's hearts at or before the as-of: the losses of int_hearts_states and the hearts
    that came back inside each state's window (macros/rules/hearts_regeneration.sql), numbered in time order
    (a regeneration before a failure at the same instant). hearts_history publishes these rows. -#}
{%- set max_hearts = var('hearts_max') | int %}

with

states as (

    select * from {{ ref('int_hearts_states') }}

),

-- 1 .. hearts_max: at most that many hearts can come back inside one window
heart_numbers as (

    {% for k in range(1, max_hearts + 1) -%}
        select {{ k }} as heart_number{{ "\n    union all\n    " if not loop.last }}
    {%- endfor %}

),

regenerations as (

    select
        states.organization_id,
        states.student_id,
        {{ heart_regained_at('states.clock_started_at', 'heart_numbers.heart_number') }} as changed_at,
        1 as delta,
        'regenerated' as reason,
        cast(null as {{ dbt.type_string() }}) as event_id,
        states.hearts + heart_numbers.heart_number as hearts_after,
        0 as order_at_same_instant
    from states
    inner join heart_numbers
        on heart_numbers.heart_number <= {{ max_hearts }} - states.hearts
    where states.clock_started_at is not null
        and (
            {{ heart_regained_at('states.clock_started_at', 'heart_numbers.heart_number') }}
            <= coalesce(states.window_end, {{ as_of_timestamp() }})
        )

),

losses as (

    select
        organization_id,
        student_id,
        failed_at as changed_at,
        -1 as delta,
        'quiz_failed' as reason,
        event_id,
        hearts as hearts_after,
        1 as order_at_same_instant
    from states
    where lost = 1

),

changes as (

    select * from regenerations
    union all
    select * from losses

),

final as (

    select
        *,
        cast(row_number() over (
            partition by organization_id, student_id
            order by changed_at, order_at_same_instant, event_id
        ) as bigint) as change_number
    from changes

)

select
    organization_id,
    student_id,
    change_number,
    changed_at,
    delta,
    reason,
    event_id,
    hearts_after
from final
