-- v_event_daily_stats adds up to every accepted event, no more, no less. Returns a row when it does not.
-- a check of v_event_daily_stats in Dagster (a test with several parents is otherwise no asset's check)
{{ config(meta={'dagster': {'ref': {'name': 'v_event_daily_stats'}}}) }}

with

events as (

    select * from {{ ref('lms_event') }}

),

daily_stats as (

    select * from {{ ref('v_event_daily_stats') }}

),

totals as (

    select
        (select count(*) from events) as events_total,
        (select coalesce(sum(count), 0) from daily_stats) as daily_total

),

final as (

    select
        events_total,
        daily_total
    from totals
    where events_total <> daily_total

)

select * from final
