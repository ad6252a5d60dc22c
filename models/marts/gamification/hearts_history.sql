{#- Published as computed by int_hearts_changes (the hearts rule: int_hearts_states and
    macros/rules/hearts_regeneration.sql). -#}
with

hearts_changes as (

    select * from {{ ref('int_hearts_changes') }}

),

final as (

    select
        organization_id,
        student_id,
        change_number,
        changed_at,
        delta,
        reason,
        event_id,
        hearts_after
    from hearts_changes

)

select
    organization_id,
    student_id,
    change_number,
    changed_at,
    delta,
    reason,
    event_id,
    hearts_after
from final
