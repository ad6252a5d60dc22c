{#- Published as computed by int_unknown_catalog_refs. -#}
with

unknown_catalog_refs as (

    select * from {{ ref('int_unknown_catalog_refs') }}

),

final as (

    select
        organization_id,
        kind,
        unknown_id,
        event_count,
        first_seen_at,
        last_seen_at
    from unknown_catalog_refs

)

select
    organization_id,
    kind,
    unknown_id,
    event_count,
    first_seen_at,
    last_seen_at
from final
