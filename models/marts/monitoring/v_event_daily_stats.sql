{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('day', column='date') }}",
    )
}}

{%- set scope = incremental_scope(announce=true) %}

with

events as (

    select * from {{ ref('lms_event') }}

),

dated as (

    select
        organization_id,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as event_date,
        type as event_type
    from events

),

-- an incremental build recounts whole (organization, day) groups that new events touched
dirty_days as (

    select * from dated as scoped
    where {{ is_dirty('scoped', 'day', scope, 'event_date') }}

),

daily as (

    select
        organization_id,
        event_date,
        event_type,
        count(*) as event_count
    from dirty_days
    group by organization_id, event_date, event_type

),

final as (

    select
        organization_id,
        event_date as date,
        event_type as type,
        event_count as count
    from daily

)

select
    organization_id,
    date,
    type,
    count
from final
