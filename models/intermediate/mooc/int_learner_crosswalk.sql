with

mooc_enrollments as (

    select * from {{ ref('stg_mooc__enrollments') }}
    where is_latest

),

lms_students as (

    select * from {{ ref('stg_lms__students') }}

),

learner_id_map as (

    select * from {{ ref('learner_id_map') }}

),

-- one e-mail pseudonym per MOOC learner: the one of their most recently fetched enrollment
mooc_learners as (

    select
        organization_id,
        user_id,
        email_hash
    from (
        select
            organization_id,
            user_id,
            email_hash,
            row_number() over (
                partition by organization_id, user_id
                order by fetched_at desc, course_id asc
            ) as recency_rank
        from mooc_enrollments
    ) as ranked
    where recency_rank = 1

),

lms_email_elements as (

    select
        organization_id,
        student_id,
        {{ json_array_elements('emails_json', '$') }} as email_json
    from lms_students

),

lms_emails as (

    select distinct
        organization_id,
        student_id,
        {{ salted_sha256("lower(trim(" ~ json_extract_string('email_json', '$.email') ~ "))") }} as email_hash
    from lms_email_elements
    where {{ json_extract_string('email_json', '$.email') }} is not null

),

-- an e-mail held by several LMS students matches none of them
email_owners as (

    select
        organization_id,
        email_hash,
        min(student_id) as student_id,
        count(distinct student_id) as owners
    from lms_emails
    group by organization_id, email_hash

),

joined as (

    select
        mooc_learners.organization_id,
        mooc_learners.user_id,
        case when email_owners.owners = 1 then email_owners.student_id end as email_student_id,
        email_owners.owners as email_owners,
        learner_id_map.student_id as mapped_student_id
    from mooc_learners
    left join email_owners
        on mooc_learners.organization_id = email_owners.organization_id
        and mooc_learners.email_hash = email_owners.email_hash
    left join learner_id_map
        on mooc_learners.organization_id = learner_id_map.organization_id
        and mooc_learners.user_id = learner_id_map.mooc_user_id

),

final as (

    select
        organization_id,
        user_id,
        coalesce(email_student_id, mapped_student_id) as student_id,
        case
            when email_student_id is not null then 'email'
            when mapped_student_id is not null then 'mapping_seed'
        end as match_method,
        case
            when email_student_id is not null or mapped_student_id is not null then null
            when email_owners > 1 then 'email shared by several LMS students'
            else 'no LMS student with this e-mail and no row in learner_id_map'
        end as unmatched_reason
    from joined

)

select * from final
