{#- dbt's dateadd and datediff on Spark, made to agree with DuckDB's (dbt_project.yml `dispatch` looks here
    first for the `dbt` namespace). dbt-spark's dateadd goes through whole unix seconds, so a microsecond or a
    fraction of a second is lost (a day's last instant became the next midnight); its datediff of minutes rounds
    elapsed seconds up, where DuckDB counts the boundaries crossed (09:59:30 to 10:00:10 is one minute). -#}


{#- Microseconds in one `datepart` below a day; none for a day and above (calendar units). -#}
{% macro _micros_per(datepart) -%}
    {{ return({'microsecond': 1, 'millisecond': 1000, 'second': 1000000, 'minute': 60000000,
               'hour': 3600000000}.get(datepart | lower)) }}
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set micros = _micros_per(datepart) -%}
    {%- if micros -%}
        {#- not timestampadd(MICROSECOND, ...): it takes an int, and five hours of microseconds overflow it -#}
        timestamp_micros(unix_micros(cast({{ from_date_or_timestamp }} as timestamp))
            + cast(round(({{ interval }}) * {{ micros }}) as bigint))
    {%- else -%}
        timestampadd({{ datepart | upper }}, cast({{ interval }} as int), {{ from_date_or_timestamp }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set micros = _micros_per(datepart) -%}
    {%- if micros -%}
        (floor(unix_micros(cast({{ second_date }} as timestamp)) / {{ micros }})
            - floor(unix_micros(cast({{ first_date }} as timestamp)) / {{ micros }}))
    {%- else -%}
        {{ dbt.spark__datediff(first_date, second_date, datepart) }}
    {%- endif -%}
{%- endmacro %}
