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

{#- A sum of integers as a 64-bit integer. DuckDB sums integers into a 128-bit HUGEINT, which a table then
    stores bit-packed and reads back about 200 times slower than a BIGINT (a comparison of two such columns
    over 2.2 M rows: 1.2 s); Spark has no 128-bit integer, and most clients turn it into a float. -#}
{% macro integer_sum(expression) -%}
    cast(sum({{ expression }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- How many rows a boolean condition holds for, as a 64-bit integer (Spark cannot sum booleans). -#}
{% macro count_true(condition) -%}
    {{ integer_sum('case when ' ~ condition ~ ' then 1 else 0 end') }}
{%- endmacro %}

{#- round(x, n) the same on every engine, as a double: x's decimal form to 12 places, rounded half away from
    zero. Every rounding in the models goes through it. A value on a decimal tie (217.551 / 508 = 0.42825, a
    mean of values already rounded) is stored a little off it in binary: DuckDB's round() rounds that binary value
    (down, 0.4282), Spark's its decimal form (up, 0.4283). -#}
{% macro round_decimal(expression, digits) -%}
    cast(round(cast({{ expression }} as decimal(38, 12)), {{ digits }}) as double)
{%- endmacro %}
