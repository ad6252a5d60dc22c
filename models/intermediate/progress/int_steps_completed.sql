{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=true) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

class_requirements as (

    select * from {{ ref('int_class_requirements') }}

),

video_completions as (

    select * from {{ ref('int_video_completions') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

quiz_passes as (

    select * from {{ ref('int_quiz_passes') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

-- every (student, class with requirements) where at least one requirement holds
candidates as (

    select
        video_completions.organization_id,
        video_completions.student_id,
        video_completions.class_id
    from video_completions
    inner join class_requirements
        on video_completions.organization_id = class_requirements.organization_id
        and video_completions.class_id = class_requirements.class_id
    where class_requirements.requires_video = 1

    union

    select
        quiz_passes.organization_id,
        quiz_passes.student_id,
        quiz_passes.class_id
    from quiz_passes
    inner join class_requirements
        on quiz_passes.organization_id = class_requirements.organization_id
        and quiz_passes.class_id = class_requirements.class_id
    where class_requirements.requires_quiz = 1

),

joined as (

    select
        candidates.organization_id,
        candidates.student_id,
        candidates.class_id,
        class_requirements.course_id,
        class_requirements.step_type,
        class_requirements.requires_video,
        class_requirements.requires_quiz,
        video_completions.event_id as video_event_id,
        video_completions.completed_at as video_completed_at,
        quiz_passes.event_id as quiz_event_id,
        quiz_passes.passed_at as quiz_passed_at
    from candidates
    inner join class_requirements
        on candidates.organization_id = class_requirements.organization_id
        and candidates.class_id = class_requirements.class_id
    left join video_completions
        on candidates.organization_id = video_completions.organization_id
        and candidates.student_id = video_completions.student_id
        and candidates.class_id = video_completions.class_id
    left join quiz_passes
        on candidates.organization_id = quiz_passes.organization_id
        and candidates.student_id = quiz_passes.student_id
        and candidates.class_id = quiz_passes.class_id

),

final as (

    select
        organization_id,
        student_id,
        class_id,
        course_id,
        step_type,
        case when requires_video = 1 then video_event_id end as video_event_id,
        case when requires_quiz = 1 then quiz_event_id end as quiz_event_id,
        -- the step holds from the moment its last requirement holds
        case
            when requires_video = 1 and requires_quiz = 1
                then case when video_completed_at >= quiz_passed_at then video_completed_at else quiz_passed_at end
            when requires_video = 1 then video_completed_at
            else quiz_passed_at
        end as completed_at
    from joined
    where (requires_video = 0 or video_event_id is not null)
        and (requires_quiz = 0 or quiz_event_id is not null)

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
