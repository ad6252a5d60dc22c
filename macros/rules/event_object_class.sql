{#- The LMS class of each object the events of `events` (a relation or CTE with organization_id and object_iri)
    name, per tenant: the object itself when it is a class of the tenant, else the class the object_class rule
    maps it to. A select of (organization_id, object_iri, class_id), one row per distinct non-null object;
    class_id is null when the object maps to no class. lms_event reads it. -#}
{% macro event_object_class(events) -%}
    with

    objects as (

        select distinct
            organization_id,
            object_iri
        from {{ events }}
        where object_iri is not null

    ),

    mapped_objects as (

        {{ object_class('objects') }}

    )

    select
        objects.organization_id,
        objects.object_iri,
        coalesce(classes.class_id, mapped_objects.class_id) as class_id
    from objects
    left join {{ ref('stg_lms__classes') }} as classes
        on objects.organization_id = classes.organization_id
        and objects.object_iri = classes.class_id
    left join mapped_objects
        on objects.organization_id = mapped_objects.organization_id
        and objects.object_iri = mapped_objects.object_iri
{%- endmacro %}
