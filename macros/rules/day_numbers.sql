{#- A select of the integers 0 .. 9999 as `day_number` (27 years of days), in portable SQL: a calendar spine
    is `first_date + day_number` for the day numbers up to a date difference. -#}
{% macro day_numbers() -%}
    {%- set digits -%}
        (select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
         union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)
    {%- endset -%}
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_number
    from {{ digits }} as ones
    cross join {{ digits }} as tens
    cross join {{ digits }} as hundreds
    cross join {{ digits }} as thousands
{%- endmacro %}
