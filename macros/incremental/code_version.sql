{#-
    An incremental model keeps rows that earlier builds computed, so it equals a full rebuild only while the
    code that computes its rows stays the same. Each incremental model records the code version it was
    built with (post-hook record_processed_batches); a build with another version rebuilds that model
    from scratch, as `--full-refresh` would, and says so in the run output. The same holds when the schema
    of the model changes with the code (on_schema_change stays `fail` for a change without new code).

    The version is LMS_CODE_VERSION, which the CLI and Dagster set for every build (a hash of the models,
    macros, seeds, dbt_project.yml and the dbt and DuckDB versions: lms_warehouse/code_version.py). A plain
    dbt invocation without it uses a hash of the models and seeds of this project as dbt parsed them (dbt's
    graph holds no macro text and no vars: a change to only a macro or a var is then not noticed; use the
    CLI, or --full-refresh). Mixing the two rebuilds once more; never wrong.
-#}

{% macro projection_code_version() -%}
    {%- if not execute -%}
        {{ return('') }}  {#- while dbt parses, the graph is empty and the environment must not be read -#}
    {%- endif -%}
    {%- set given = env_var('LMS_CODE_VERSION', '') -%}
    {%- if given -%}
        {{ return(given) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() if node.package_name == project_name
        and node.resource_type in ('model', 'seed') -%}
        {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
    {%- endfor -%}
    {{ return('dbt-graph:' ~ local_md5(parts | sort | join(';'))) }}
{%- endmacro %}


{#- Overrides dbt's should_full_refresh (asked by the incremental materialization and is_incremental()):
    also true for an incremental model whose rows were built by other code. Decided once per node. -#}
{% macro should_full_refresh() -%}
    {%- set requested = dbt.should_full_refresh() -%}
    {%- if requested or not execute or model.resource_type != 'model'
        or config.get('materialized') != 'incremental' -%}
        {{ return(requested) }}
    {%- endif -%}
    {%- if 'lms_code_changed' not in model -%}
        {%- do model.update({'lms_code_changed': built_with_other_code()}) -%}
    {%- endif -%}
    {{ return(model['lms_code_changed']) }}
{%- endmacro %}


{#- True when this model exists and its recorded code version is not the current one (or none is recorded:
    it was built before versions were recorded). -#}
{% macro built_with_other_code() -%}
    {%- if adapter.get_relation(this.database, this.schema, this.identifier) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set query -%}
        select code_version from build_state.model_code_versions where model_name = '{{ this.identifier }}'
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- set current = projection_code_version() -%}
    {%- if rows | length == 1 and rows[0][0] == current -%}
        {{ return(false) }}
    {%- endif -%}
    {%- do log(this.identifier ~ ": built by other code than this build's (" ~ current[:19]
        ~ "): rebuilding it from scratch", info=true) -%}
    {{ return(true) }}
{%- endmacro %}


{#- post-hook part: the code version this model's rows were just built with. -#}
{% macro record_code_version() -%}
    delete from build_state.model_code_versions where model_name = '{{ this.identifier }}';
    insert into build_state.model_code_versions (model_name, code_version)
    values ('{{ this.identifier }}', '{{ projection_code_version() }}')
{%- endmacro %}
