{#- Hex sha256 of the salt followed by a text: the pseudonym of a personal identifier (e-mail, username).
    The salt is $LMS_PSEUDONYM_SALT (empty when unset), as in ingestion/xapi.py `salted_sha256`. -#}
{% macro salted_sha256(text_expression) -%}
    {{ return(adapter.dispatch('salted_sha256', 'lms_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__salted_sha256(text_expression) -%}
    sha256('{{ env_var("LMS_PSEUDONYM_SALT", "") | replace("'", "''") }}' || {{ text_expression }})
{%- endmacro %}

{% macro spark__salted_sha256(text_expression) -%}
    sha2(concat('{{ env_var("LMS_PSEUDONYM_SALT", "") | replace("'", "''") }}', {{ text_expression }}), 256)
{%- endmacro %}
