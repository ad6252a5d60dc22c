{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('event', reads_catalog=false, column='id') }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}
{{- report_late_events() }}

with

events as (

    select * from {{ ref('stg_lms__events') }} as scoped
    where {{ is_dirty('scoped', 'event', scope, 'event_id') }}

),

final as (

    select
        event_id as id,
        event_type as type,
        student_id,
        course_id,
        class_id,
        occurred_at,
        payload_json,
        context_json,
        first_loaded_at as created_at,
        event_version as version,
        organization_id
    from events

)

select
    id,
    type,
    student_id,
    course_id,
    class_id,
    occurred_at,
    payload_json,
    context_json,
    created_at,
    version,
    organization_id
from final
