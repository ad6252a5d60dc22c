{#- Fails for every row whose column is not a non-empty JSON array text of strings, e.g. '["e1","e2"]'.
    Checked portably on the text: starts with '["', ends with '"]'. -#}
{% test is_json_array_of_strings(model, column_name) %}

with

validation as (

    select {{ column_name }} as tested_value
    from {{ model }}
    where {{ column_name }} is null
        or {{ column_name }} not like '["%"]'

)

select * from validation

{% endtest %}
