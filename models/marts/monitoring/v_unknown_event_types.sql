with

events as (

    select * from {{ ref('lms_event') }}

),

unknown_types as (

    select
        organization_id,
        type as event_type,
        count(*) as event_count,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from events
    where type not in ('VIDEO_PING', 'QUIZ_SUBMIT')
    group by organization_id, type

),

final as (

    select
        organization_id,
        event_type as type,
        event_count as count,
        first_seen_at,
        last_seen_at
    from unknown_types

)

select
    organization_id,
    type,
    count,
    first_seen_at,
    last_seen_at
from final
