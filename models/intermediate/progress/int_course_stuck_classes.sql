{#- Each course's top stuck classes over all attempts (int_class_stuck_points ranked by stuck_rank_order), as
    v_admin_overview publishes them (macro top_stuck_classes). -#}
with

class_stuck_points as (

    select * from {{ ref('int_class_stuck_points') }}

),

final as (

    {{ top_stuck_classes('class_stuck_points', ['organization_id', 'course_id']) }}

)

select
    organization_id,
    course_id,
    top_stuck_classes
from final
