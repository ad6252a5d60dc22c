{#- Sums and means of doubles that do not depend on the order rows arrive in. A double sum rounds after
    every addition, so an incremental table and a full rebuild (same rows, other order) can differ in the
    last bits, and a later round() can then fall either side of a half. Each value is fixed to 9 decimals
    first and added exactly as a decimal; the result is a double again. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 9))) as double)
{%- endmacro %}

{% macro exact_avg(expression) -%}
    cast(avg(cast({{ expression }} as decimal(38, 9))) as double)
{%- endmacro %}
