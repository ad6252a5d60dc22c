{#- Fails for every row whose column lies outside [min_value, max_value] (both inclusive; either may be
    omitted). Nulls pass: pair it with not_null when they must not occur. -#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}

with

validation as (

    select {{ column_name }} as tested_value
    from {{ model }}
    where {{ column_name }} is not null
        and (
            1 = 0
            {%- if min_value is not none %}
            or {{ column_name }} < {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column_name }} > {{ max_value }}
            {%- endif %}
        )

)

select * from validation

{% endtest %}
