{#- One row per learner and local calendar day with at least one accepted event (any type) at or before
    as-of. The local day is in the learner's catalog time zone, else UTC. A learner's rows depend only on
    their own events and time zone (a catalog change recomputes everyone), hence incremental by learner. -#}
{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}

with

events as (

    select * from {{ ref('lms_event') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

time_zones as (

    select * from {{ ref('int_student_time_zones') }}

),

-- Every time zone offset in use since 1972 is a whole number of quarter hours, so all events of one UTC
-- quarter hour fall on the same local day: counting per quarter hour first converts each quarter hour
-- to local time once instead of every event (a pinging video player sends one every 10 s).
quarter_hours as (

    select
        organization_id,
        student_id,
        {{ dbt.dateadd(
            'minute',
            "15 * floor(" ~ dbt.datediff(dbt.date_trunc('hour', 'occurred_at'), 'occurred_at', 'minute') ~ " / 15)",
            dbt.date_trunc('hour', 'occurred_at'),
        ) }} as quarter_hour_at,
        min(occurred_at) as first_event_at,
        count(*) as events
    from events
    where occurred_at <= {{ as_of_timestamp() }}
    group by organization_id, student_id, quarter_hour_at

),

localized as (

    select
        quarter_hours.organization_id,
        quarter_hours.student_id,
        quarter_hours.first_event_at,
        quarter_hours.events,
        coalesce(time_zones.time_zone, 'UTC') as time_zone,
        cast(
            {{ dbt.date_trunc('day', utc_to_local(
                'quarter_hours.quarter_hour_at', "coalesce(time_zones.time_zone, 'UTC')"
            )) }}
            as date
        ) as activity_date
    from quarter_hours
    left join time_zones
        on quarter_hours.organization_id = time_zones.organization_id
        and quarter_hours.student_id = time_zones.student_id

),

final as (

    select
        organization_id,
        student_id,
        activity_date,
        time_zone,
        min(first_event_at) as first_event_at,
        cast(sum(events) as {{ dbt.type_bigint() }}) as events
    from localized
    group by organization_id, student_id, activity_date, time_zone

)

select
    organization_id,
    student_id,
    activity_date,
    time_zone,
    first_event_at,
    events,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
