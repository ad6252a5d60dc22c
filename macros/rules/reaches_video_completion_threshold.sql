{#- True when a ping's position reaches var('video_completion_threshold') of that same ping's duration.
    Compared in decimal (6 decimals), never in floating point, so 90 / 100 reaches 0.9 and 89.9 / 100
    does not. A null or non-positive duration never reaches it. -#}
{% macro reaches_video_completion_threshold(position_sec, duration_sec) -%}
    (
        {{ duration_sec }} > 0
        and cast({{ position_sec }} as decimal(38, 6))
            >= cast({{ var('video_completion_threshold') }} as decimal(18, 6))
               * cast({{ duration_sec }} as decimal(38, 6))
    )
{%- endmacro %}
