{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('event', reads_catalog=false, column='id', catalog_mapped='object_iri') }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}
{%- set remap_objects = catalog_changed_this_run() %}
{%- if remap_objects %}
    {%- do log("lms_event: the catalog changed: mapping every converted event's object again", info=true) %}
{%- endif %}
{{- report_late_events() }}

with

events as (

    select * from {{ ref('stg_lms__events') }} as scoped
    where {{ is_dirty('scoped', 'event', scope, 'event_id') }}
    {%- if remap_objects %}
        -- a new catalog version can map an object to another class (pre-hook: catalog_mapped)
        or scoped.object_iri is not null
    {%- endif %}

),

-- the rule: macro event_object_class
object_classes as (

    {{ event_object_class('events') }}

),

final as (

    select
        events.event_id as id,
        events.event_type as type,
        events.student_id,
        events.course_id,
        -- only LMS class ids: an event naming an object is in that object's class (none when it maps to none)
        case when events.object_iri is null then events.class_id else object_classes.class_id end as class_id,
        events.occurred_at,
        events.payload_json,
        events.context_json,
        events.first_loaded_at as created_at,
        events.event_version as version,
        events.organization_id,
        events.object_iri
    from events
    left join object_classes
        on events.organization_id = object_classes.organization_id
        and events.object_iri = object_classes.object_iri

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
    organization_id,
    object_iri
from final
