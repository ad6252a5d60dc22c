-- v_user_progress and lms_signal tell the same story: video_completed / quiz_passed = 1 exactly when the
-- pair has a VIDEO_COMPLETED / QUIZ_PASSED signal, at the same time. Returns the disagreements.
-- a check of v_user_progress in Dagster (a test with several parents is otherwise no asset's check)
{{ config(meta={'dagster': {'ref': {'name': 'v_user_progress'}}}) }}

with

progress as (

    select * from {{ ref('v_user_progress') }}

),

signals as (

    select * from {{ ref('lms_signal') }}

),

progress_facts as (

    select
        'VIDEO_COMPLETED' as signal_type,
        organization_id,
        student_id,
        class_id,
        video_completed_at as happened_at
    from progress
    where video_completed = 1

    union all

    select
        'QUIZ_PASSED' as signal_type,
        organization_id,
        student_id,
        class_id,
        quiz_passed_at as happened_at
    from progress
    where quiz_passed = 1

),

signal_facts as (

    select
        type as signal_type,
        organization_id,
        student_id,
        class_id,
        created_at as happened_at
    from signals
    where type in ('VIDEO_COMPLETED', 'QUIZ_PASSED')

),

final as (

    select
        coalesce(progress_facts.signal_type, signal_facts.signal_type) as signal_type,
        coalesce(progress_facts.organization_id, signal_facts.organization_id) as organization_id,
        coalesce(progress_facts.student_id, signal_facts.student_id) as student_id,
        coalesce(progress_facts.class_id, signal_facts.class_id) as class_id,
        progress_facts.happened_at as progress_at,
        signal_facts.happened_at as signal_at
    from progress_facts
    full outer join signal_facts
        on progress_facts.signal_type = signal_facts.signal_type
        and progress_facts.organization_id = signal_facts.organization_id
        and progress_facts.student_id = signal_facts.student_id
        and progress_facts.class_id = signal_facts.class_id
    where progress_facts.happened_at is null
        or signal_facts.happened_at is null
        or progress_facts.happened_at <> signal_facts.happened_at

)

select * from final
