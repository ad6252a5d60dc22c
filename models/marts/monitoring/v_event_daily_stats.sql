with

events as (

    select * from {{ ref('lms_event') }}

),

daily as (

    select
        organization_id,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as event_date,
        type as event_type,
        count(*) as event_count
    from events
    group by 1, 2, 3

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
