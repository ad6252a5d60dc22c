{#- The `part`-th piece (1-based, a SQL expression) of `text` cut at every `delimiter` (a literal string, not a
    pattern). dbt's split_part takes only a constant position on Spark. -#}
{% macro split_part_at(text, delimiter, part) -%}
    {{ return(adapter.dispatch('split_part_at', 'lms_warehouse')(text, delimiter, part)) }}
{%- endmacro %}

{% macro default__split_part_at(text, delimiter, part) -%}
    split_part({{ text }}, '{{ delimiter }}', {{ part }})
{%- endmacro %}

{#- Java's \Q...\E quotes the delimiter: split() takes a regular expression. -#}
{% macro spark__split_part_at(text, delimiter, part) -%}
    element_at(split({{ text }}, '\\Q{{ delimiter }}\\E'), cast({{ part }} as int))
{%- endmacro %}
