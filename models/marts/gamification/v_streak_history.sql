{#- The published streak calendar: int_streak_days holds the streak continuation rule; this table keeps a
    copy of its rows with the same key (learner_as_of_calendar), so an incremental build replaces only the
    rows int_streak_days recomputed or appended. With freezes both are tables rebuilt on every build. -#}
{%- set freezes = var('streak_freezes_per_week') | int %}
{{
    config(
        materialized=incremental_materialization() if freezes == 0 else 'table',
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of_calendar', reads_catalog=true) }}",
        post_hook=("{{ record_model_as_of() }}" if freezes == 0
            else "{{ forget_model_as_of() }}"),
    )
}}
{%- set scope = incremental_scope(reads_catalog=true, as_of_dependent=true) %}

with

streak_days as (

    select * from {{ ref('int_streak_days') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of_calendar', scope) }}

),

final as (

    select
        organization_id,
        student_id,
        date,
        is_active,
        streak_length,
        longest_streak_to_date,
        is_frozen,
        time_zone,
        first_event_at,
        events
    from streak_days

)

select
    organization_id,
    student_id,
    date,
    is_active,
    streak_length,
    longest_streak_to_date,
    is_frozen,
    time_zone,
    first_event_at,
    events
from final
