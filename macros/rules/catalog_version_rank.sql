{#- Ranks the landed versions of one catalog object (per organization), 1 = the one staging keeps: the latest updated_at
    (a version without updated_at loses to any dated one), then the latest loaded_at, then the last
    record in its file (record_number), then batch and file names so the choice is always the same. -#}
{% macro catalog_version_rank(id_column='id') -%}
    row_number() over (
        partition by organization_id, {{ id_column }}
        order by
            updated_at desc nulls last,
            loaded_at desc,
            record_number desc,
            batch_id desc,
            source_file desc
    )
{%- endmacro %}
