with

snapshots as (

    select * from {{ ref('int_raw_data_snapshots') }}

),

crosswalk as (

    select * from {{ ref('int_learner_crosswalk') }}

),

signals as (

    select * from {{ ref('lms_signal') }}

),

matched_snapshots as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        snapshots.cutoff_at,
        crosswalk.student_id
    from snapshots
    inner join crosswalk
        on snapshots.organization_id = crosswalk.organization_id
        and snapshots.user_id = crosswalk.user_id
    where crosswalk.student_id is not null

),

final as (

    select
        matched_snapshots.organization_id,
        matched_snapshots.user_id,
        matched_snapshots.course_id,
        matched_snapshots.snapshot_kind,
        matched_snapshots.snapshot_date,
        count(case when signals.type = 'VIDEO_COMPLETED' then 1 end) as lms_videos_completed,
        count(case when signals.type = 'QUIZ_PASSED' then 1 end) as lms_quizzes_passed,
        count(case when signals.type = 'STEP_COMPLETED' then 1 end) as lms_steps_completed,
        max(signals.created_at) as latest_signal_at
    from matched_snapshots
    inner join signals
        on matched_snapshots.organization_id = signals.organization_id
        and matched_snapshots.student_id = signals.student_id
        and matched_snapshots.course_id = signals.course_id
        and signals.created_at <= matched_snapshots.cutoff_at
    group by
        matched_snapshots.organization_id, matched_snapshots.user_id, matched_snapshots.course_id,
        matched_snapshots.snapshot_kind, matched_snapshots.snapshot_date

)

select * from final
