{#- A per-run setting: the dbt var `var_name` when a caller passes it (`dbt build --vars ...`), else the
    environment variable `env_name`, which the CLI and Dagster set for each run (dbt_runner/run.py).
    The environment is read only when a node runs, never while dbt parses: a value that changes every run
    then leaves dbt's saved parse valid (with `--vars` dbt re-parses the whole project). None when unset. -#}
{% macro run_setting(var_name, env_name) -%}
    {%- set value = var(var_name, none) -%}
    {%- if value is none or (value | string | trim) in ('', 'null', 'None') -%}
        {%- set value = env_var(env_name, '') if execute else '' -%}
    {%- endif -%}
    {{ return(none if (value | string | trim) in ('', 'null', 'None') else value) }}
{%- endmacro %}
