{#- Each catalog learner's time zone: the record's raw.timezone, else address.timezone, when it is an IANA
    zone both engines know (seed time_zones); else null (UTC days). -#}
with

students as (

    select * from {{ ref('lms_student') }}

),

known_zones as (

    select time_zone from {{ ref('time_zones') }}

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
        candidates.organization_id,
        candidates.student_id,
        coalesce(raw_zone.time_zone, address_zone.time_zone) as time_zone
    from candidates
    left join known_zones as raw_zone
        on candidates.raw_time_zone = raw_zone.time_zone
    left join known_zones as address_zone
        on candidates.address_time_zone = address_zone.time_zone

)

select
    organization_id,
    student_id,
    time_zone
from final
