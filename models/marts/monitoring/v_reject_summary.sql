with

event_rejects as (

    select * from {{ ref('stg_lms__event_rejects') }}

),

catalog_rejects as (

    select * from {{ ref('stg_lms__catalog_rejects') }}

),

rejects as (

    select
        organization_id,
        'events' as source,
        'event' as entity,
        reason,
        rejected_at
    from event_rejects

    union all

    select
        organization_id,
        'catalog' as source,
        entity,
        reason,
        rejected_at
    from catalog_rejects

),

final as (

    select
        organization_id,
        source,
        entity,
        reason,
        count(*) as reject_count,
        min(rejected_at) as first_rejected_at,
        max(rejected_at) as last_rejected_at
    from rejects
    group by organization_id, source, entity, reason

)

select
    organization_id,
    source,
    entity,
    reason,
    reject_count,
    first_rejected_at,
    last_rejected_at
from final
