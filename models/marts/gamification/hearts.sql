{%- set max_hearts = var('hearts_max') | int %}
{%- set period_sec = (var('hearts_regen_hours') | float) * 3600 %}

with

students as (

    select * from {{ ref('int_gamification_students') }}

),

states as (

    select * from {{ ref('int_hearts_states') }}

),

history as (

    select * from {{ ref('hearts_history') }}

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

-- the last state plus the hearts that came back between it and as-of
as_of_states as (

    select
        organization_id,
        student_id,
        hearts,
        clock_started_at,
        case
            when clock_started_at is null then 0
            else
                least(
                    {{ max_hearts }} - hearts,
                    cast(floor(
                        ({{ epoch_seconds(as_of_timestamp()) }} - {{ epoch_seconds('clock_started_at') }})
                        / {{ period_sec }}
                    ) as integer)
                )
        end as regained
    from last_states
    where recency = 1

),

last_changes as (

    select
        organization_id,
        student_id,
        max(changed_at) as last_changed_at
    from history
    group by organization_id, student_id

),

final as (

    select
        students.organization_id,
        students.student_id,
        coalesce(as_of_states.hearts + as_of_states.regained, {{ max_hearts }}) as hearts,
        {{ max_hearts }} as max_hearts,
        case
            when as_of_states.hearts + as_of_states.regained < {{ max_hearts }}
                then {{ dbt.dateadd(
                    'second', '(as_of_states.regained + 1) * ' ~ period_sec, 'as_of_states.clock_started_at'
                ) }}
        end as next_heart_at,
        {{ as_of_timestamp() }} as updated_at,
        last_changes.last_changed_at
    from students
    left join as_of_states
        on students.organization_id = as_of_states.organization_id
        and students.student_id = as_of_states.student_id
    left join last_changes
        on students.organization_id = last_changes.organization_id
        and students.student_id = last_changes.student_id

)

select
    organization_id,
    student_id,
    hearts,
    max_hearts,
    next_heart_at,
    updated_at,
    last_changed_at
from final
