{{
    config(
        meta=engine_specific('incremental_by_day'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('event', reads_catalog=false, column='event_id') }}",
        **incremental_settings(spark_partition_by=['event_date'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}

with

events as (

    select * from {{ ref('stg_lms__events') }} as scoped
    where {{ event_rows_to_build('scoped', scope) }}

),

quiz_catalog as (

    select * from {{ ref('quiz_catalog') }}

),

submissions as (

    select
        organization_id,
        event_id,
        student_id,
        class_id,
        course_id,
        quiz_id,
        score,
        max_score,
        passed,
        occurred_at,
        event_date
    from events
    where event_type = 'QUIZ_SUBMIT'
        -- an event without a class is not progress on any step
        and class_id is not null

),

final as (

    select
        submissions.organization_id,
        submissions.event_id,
        submissions.student_id,
        submissions.class_id,
        submissions.course_id,
        submissions.quiz_id,
        submissions.score,
        coalesce(submissions.max_score, quiz_catalog.max_score) as max_score,
        case
            when coalesce(submissions.max_score, quiz_catalog.max_score) > 0
                then submissions.score / coalesce(submissions.max_score, quiz_catalog.max_score)
        end as score_ratio,
        -- the payload's own verdict wins; else the quiz catalog's pass score; else not passed
        coalesce(
            submissions.passed,
            case
                when submissions.score is not null and quiz_catalog.pass_score is not null
                    then case when submissions.score >= quiz_catalog.pass_score then 1 else 0 end
            end,
            0
        ) as passed,
        submissions.occurred_at,
        submissions.event_date
    from submissions
    left join quiz_catalog
        on submissions.quiz_id = quiz_catalog.quiz_id

)

select * from final
