{#- Each catalog learner's time zone: the record's raw.timezone, else address.timezone, when it is an IANA
    zone the engine knows; else null (UTC days). -#}
with

students as (

    select * from {{ ref('lms_student') }}

),

candidates as (

    select
        organization_id,
        id as student_id,
        nullif(trim({{ json_extract_string('raw_json', '$.raw.timezone') }}), '') as raw_time_zone,
        nullif(trim({{ json_extract_string('address_json', '$.timezone') }}), '') as address_time_zone
    from students

),

final as (

    select
        organization_id,
        student_id,
        case
            when {{ is_valid_time_zone('raw_time_zone') }} then raw_time_zone
            when {{ is_valid_time_zone('address_time_zone') }} then address_time_zone
        end as time_zone
    from candidates

)

select
    organization_id,
    student_id,
    time_zone
from final
