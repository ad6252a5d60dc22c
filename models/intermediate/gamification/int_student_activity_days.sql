{#- One row per learner and local calendar day with at least one accepted event (any type) at or before
    as-of. The local day is in the learner's catalog time zone, else UTC. -#}
with

events as (

    select * from {{ ref('lms_event') }}

),

time_zones as (

    select * from {{ ref('int_student_time_zones') }}

),

localized as (

    select
        events.organization_id,
        events.student_id,
        events.occurred_at,
        coalesce(time_zones.time_zone, 'UTC') as time_zone,
        cast({{ dbt.date_trunc('day', utc_to_local('events.occurred_at', "coalesce(time_zones.time_zone, 'UTC')")) }}
            as date) as activity_date
    from events
    left join time_zones
        on events.organization_id = time_zones.organization_id
        and events.student_id = time_zones.student_id
    where events.occurred_at <= {{ as_of_timestamp() }}

),

final as (

    select
        organization_id,
        student_id,
        activity_date,
        time_zone,
        min(occurred_at) as first_event_at,
        count(*) as events
    from localized
    group by organization_id, student_id, activity_date, time_zone

)

select organization_id, student_id, activity_date, time_zone, first_event_at, events from final
