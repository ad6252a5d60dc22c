-- Every signal has source events, all of them accepted events of the signal's student, and it became
-- true when the latest of them happened. Returns the signals that break this. In an incremental build it
-- reads the recomputed learners' signals only (var recomputed_learners, as the incremental models' tests).
-- a check of int_signals_unioned in Dagster (a test with several parents is otherwise no asset's check)
{{ config(meta={'dagster': {'ref': {'name': 'int_signals_unioned'}}}) }}

with

signals as (

    select * from {{ ref('int_signals_unioned') }}
    where {{ var('recomputed_learners') }}

),

signal_source_events as (

    select * from {{ ref('int_signal_source_events') }}
    where {{ var('recomputed_learners') }}

),

events as (

    select * from {{ ref('lms_event') }}

),

source_times as (

    select
        signal_source_events.signal_id,
        max(events.occurred_at) as latest_source_occurred_at,
        count(events.id) as source_events_found,
        count(*) as source_events_listed,
        count(case when events.student_id <> signal_source_events.student_id then 1 end) as other_students
    from signal_source_events
    left join events
        on signal_source_events.organization_id = events.organization_id
        and signal_source_events.event_id = events.id
    group by signal_source_events.signal_id

),

final as (

    select
        signals.signal_id,
        signals.signal_type,
        signals.created_at,
        source_times.latest_source_occurred_at
    from signals
    left join source_times
        on signals.signal_id = source_times.signal_id
    where source_times.signal_id is null
        or source_times.source_events_found <> source_times.source_events_listed
        or source_times.other_students > 0
        or source_times.latest_source_occurred_at <> signals.created_at

)

select * from final
