{#- Fails for every row where the SQL boolean expression is not true (false or null).
    arguments: expression: "classes_completed <= classes_total" -#}
{% test expression_is_true(model, expression) %}

with

validation as (

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

)

select * from validation

{% endtest %}
