with

classes as (

    select * from {{ ref('stg_lms__classes') }}

),

final as (

    select
        organization_id,
        class_id,
        course_id,
        step_type,
        case when step_type in ('video', 'video_quiz') then 1 else 0 end as requires_video,
        case when step_type in ('quiz', 'video_quiz') then 1 else 0 end as requires_quiz
    from classes
    -- other step types (reading, live...) ask nothing the events can prove: no requirement
    where step_type in ('video', 'quiz', 'video_quiz')

)

select * from final
