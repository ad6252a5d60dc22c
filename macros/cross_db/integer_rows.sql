{#- A relation of one integer column `alias` holding start..stop (both included), for use as a subquery.
    `stop` may be any scalar SQL expression, e.g. a scalar subquery over the data. -#}
{% macro integer_rows(start, stop, alias) -%}
    {{ return(adapter.dispatch('integer_rows', 'lms_warehouse')(start, stop, alias)) }}
{%- endmacro %}

{% macro default__integer_rows(start, stop, alias) -%}
    select cast(unnest(range(cast({{ start }} as bigint), cast({{ stop }} as bigint) + 1)) as bigint) as {{ alias }}
{%- endmacro %}

{% macro spark__integer_rows(start, stop, alias) -%}
    {#- sequence(1, 0) counts down to [1, 0]; range() gives no row there -#}
    select explode(case when cast({{ start }} as bigint) <= cast({{ stop }} as bigint)
        then sequence(cast({{ start }} as bigint), cast({{ stop }} as bigint)) end) as {{ alias }}
{%- endmacro %}
