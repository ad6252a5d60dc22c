{#- Which LMS class an xAPI or Open edX object belongs to, per tenant. `objects` names a relation or CTE of
    distinct (organization_id, object_iri). One row per object that maps: a class of the same tenant whose
    catalog `media` lists the IRI as a `url` (several: the smallest class id), else the seed
    video_object_class_map (for every tenant; several rows: the smallest class id). Unmapped objects get no
    row. mapped_by says which ('catalog_media' or 'seed'). -#}
{% macro object_class(objects) -%}
    select
        objects.organization_id,
        objects.object_iri,
        coalesce(from_media.class_id, from_seed.class_id) as class_id,
        case when from_media.class_id is not null then 'catalog_media' else 'seed' end as mapped_by
    from {{ objects }} as objects
    left join (
        select
            objects.organization_id,
            objects.object_iri,
            min(classes.class_id) as class_id
        from {{ objects }} as objects
        inner join {{ ref('stg_lms__classes') }} as classes
            on objects.organization_id = classes.organization_id
            and {{ json_path_strings_contain('classes.media_json', '$[*].url', 'objects.object_iri') }}
        group by objects.organization_id, objects.object_iri
    ) as from_media
        on objects.organization_id = from_media.organization_id
        and objects.object_iri = from_media.object_iri
    left join (
        select
            objects.organization_id,
            objects.object_iri,
            min(object_class_map.class_id) as class_id
        from {{ objects }} as objects
        inner join {{ ref('video_object_class_map') }} as object_class_map
            on objects.object_iri = object_class_map.object_id
        group by objects.organization_id, objects.object_iri
    ) as from_seed
        on objects.organization_id = from_seed.organization_id
        and objects.object_iri = from_seed.object_iri
    where coalesce(from_media.class_id, from_seed.class_id) is not null
{%- endmacro %}
