{#- Each learner's hearts at the as-of instant: their last state (int_hearts_states) plus the hearts that came
    back since (macros/rules/hearts_regeneration.sql), and when the next one comes back. -#}
{%- set max_hearts = var('hearts_max') | int %}

with

states as (

    select * from {{ ref('int_hearts_states') }}

),

last_states as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id
            order by loss_number desc
        ) as recency
    from states

),

regained as (

    select
        organization_id,
        student_id,
        hearts,
        clock_started_at,
        {{ hearts_regained('hearts', 'clock_started_at', as_of_timestamp()) }} as regained
    from last_states
    where recency = 1

),

final as (

    select
        organization_id,
        student_id,
        hearts + regained as hearts,
        case
            when hearts + regained < {{ max_hearts }}
                then {{ heart_regained_at('clock_started_at', '(regained + 1)') }}
        end as next_heart_at
    from regained

)

select
    organization_id,
    student_id,
    hearts,
    next_heart_at
from final
