{#- The course progress rule's percentage: 100 x classes_completed / classes_total rounded to 2 decimals, as a
    double; 0 for a course without a class with requirements. int_learner_course_progress (per learner and
    course) and int_learner_course_day_states (per learner, course and day) read it from here. -#}
{% macro course_progress_pct(classes_completed, classes_total) -%}
    case
        when {{ classes_total }} > 0
            then {{ round_decimal('100.0 * ' ~ classes_completed ~ ' / ' ~ classes_total, 2) }}
        else 0
    end
{%- endmacro %}
