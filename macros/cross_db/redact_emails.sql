{#- The text with every e-mail address (and a `mailto:` before it) replaced by '[email removed]': event
    payloads and contexts may carry an xAPI mbox or a contact address, and only the identity dimensions and
    the landed raw records may hold personal data. The pattern is the one of ingestion/xapi.py. -#}
{% macro redact_emails(text) -%}
    {{ return(adapter.dispatch('redact_emails', 'lms_warehouse')(text)) }}
{%- endmacro %}

{% macro default__redact_emails(text) -%}
    regexp_replace({{ text }}, '(mailto:)?[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+', '[email removed]', 'g')
{%- endmacro %}

{% macro spark__redact_emails(text) -%}
    regexp_replace({{ text }}, '(mailto:)?[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+', '[email removed]')
{%- endmacro %}
