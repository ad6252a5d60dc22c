{#- With var dropout_excludes_completed, a learner who completed the course by the label's end is no dropout. -#}
{%- set excludes_completed = 'true' if var('dropout_excludes_completed') else 'false' %}

with

snapshots as (

    select * from {{ ref('int_raw_data_snapshots') }}

),

activity_features as (

    select * from {{ ref('int_raw_data_activity_features') }}

),

mooc_state as (

    select * from {{ ref('int_raw_data_mooc_state') }}

),

lms_signals as (

    select * from {{ ref('int_raw_data_lms_signals') }}

),

labels as (

    select * from {{ ref('int_raw_data_labels') }}

),

crosswalk as (

    select * from {{ ref('int_learner_crosswalk') }}

),

risk_weights as (

    select * from {{ ref('dropout_risk_weights') }}

),

joined as (

    select
        snapshots.organization_id,
        snapshots.user_id,
        crosswalk.student_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,
        snapshots.cutoff_at,
        mooc_state.enrollment_date,
        mooc_state.enrollment_mode,
        mooc_state.enrollment_is_active,
        mooc_state.percent_grade,
        mooc_state.letter_grade,
        mooc_state.is_passed,
        mooc_state.progress_percent,
        mooc_state.total_blocks,
        mooc_state.completion_rate,
        mooc_state.current_chapter,
        mooc_state.current_section,
        mooc_state.current_unit,
        mooc_state.threads_count,
        mooc_state.comments_count,
        mooc_state.total_interactions,
        mooc_state.h5p_contents_done,
        mooc_state.h5p_mean_score_pct,
        mooc_state.videos_completed,
        mooc_state.video_watched_seconds,
        mooc_state.h5p_total_contents,
        mooc_state.video_total_videos,
        activity_features.last_activity_at,
        activity_features.active_days_total,
        activity_features.active_days_7d,
        activity_features.active_days_prev_7d,
        activity_features.events_7d,
        activity_features.sessions_total,
        activity_features.current_streak_days,
        coalesce(lms_signals.lms_videos_completed, 0) as lms_videos_completed,
        coalesce(lms_signals.lms_quizzes_passed, 0) as lms_quizzes_passed,
        coalesce(lms_signals.lms_steps_completed, 0) as lms_steps_completed,
        labels.is_active_in_label_window,
        labels.is_completed_by_label_end,
        labels.label_observed,
        greatest(
            activity_features.latest_activity_known_at, activity_features.last_activity_at,
            mooc_state.latest_state_fetched_at, lms_signals.latest_signal_at
        ) as latest_input_at,
        cast({{ dbt.datediff(
            'cast(' ~ dbt.date_trunc('day', 'activity_features.last_activity_at') ~ ' as date)',
            'snapshots.snapshot_date', 'day') }} as bigint) as days_since_last_activity,
        cast({{ dbt.datediff(
            'cast(' ~ dbt.date_trunc('day', 'mooc_state.enrollment_date') ~ ' as date)',
            'snapshots.snapshot_date', 'day') }} as bigint) as days_since_enrollment,
        count(*) over (
            partition by snapshots.organization_id, snapshots.user_id, snapshots.snapshot_kind, snapshots.snapshot_date
        ) as user_enrolled_courses
    from snapshots
    inner join activity_features
        on {{ same_snapshot_row('snapshots', 'activity_features') }}
    inner join mooc_state
        on {{ same_snapshot_row('snapshots', 'mooc_state') }}
    inner join labels
        on {{ same_snapshot_row('snapshots', 'labels') }}
    left join lms_signals
        on {{ same_snapshot_row('snapshots', 'lms_signals') }}
    left join crosswalk
        on snapshots.organization_id = crosswalk.organization_id
        and snapshots.user_id = crosswalk.user_id

),

-- progress for pace and lag: the fresher of the MOOC progress (fetched now and then) and the LMS
-- steps completed over the course's blocks (known as events arrive)
progressed as (

    select
        *,
        greatest(
            coalesce(progress_percent, 0),
            coalesce(least(100.0, 100.0 * lms_steps_completed / nullif(total_blocks, 0)), 0)
        ) as best_progress_pct
    from joined

),

paced as (

    select
        *,
        best_progress_pct / greatest(days_since_enrollment, 1) as pace_pct_per_day
    from progressed

),

-- the cohort: learners of the same course on the same date (and kind of row)
course_medians as (

    select
        organization_id,
        course_id,
        snapshot_kind,
        snapshot_date,
        {{ median('pace_pct_per_day') }} as course_median_pace_pct_per_day
    from paced
    group by organization_id, course_id, snapshot_kind, snapshot_date

),

weights as (

    select
        max(case when term = 'intercept' then weight end) as w_intercept,
        max(case when term = 'recency_days' then weight end) as w_recency_days,
        max(case when term = 'active_days_7d' then weight end) as w_active_days_7d,
        max(case when term = 'progress_lag_share' then weight end) as w_progress_lag_share,
        max(case when term = 'graded_items_done_share' then weight end) as w_graded_items_done_share
    from risk_weights

),

featured as (

    select
        paced.*,
        course_medians.course_median_pace_pct_per_day,
        paced.pace_pct_per_day / nullif(course_medians.course_median_pace_pct_per_day, 0) as pace_vs_course_median,
        least(100.0, course_medians.course_median_pace_pct_per_day * greatest(paced.days_since_enrollment, 0))
        - paced.best_progress_pct as progress_lag_pct,
        least(
            1.0,
            cast(greatest(coalesce(paced.h5p_contents_done, 0), paced.lms_quizzes_passed) as double)
            / nullif(paced.h5p_total_contents, 0)
        ) as graded_items_done_share
    from paced
    left join course_medians
        on paced.organization_id = course_medians.organization_id
        and paced.course_id = course_medians.course_id
        and paced.snapshot_kind = course_medians.snapshot_kind
        and paced.snapshot_date = course_medians.snapshot_date

),

scored as (

    select
        featured.*,
        weights.w_intercept
        + weights.w_recency_days * least(
            coalesce(
                featured.days_since_last_activity,
                featured.days_since_enrollment,
                {{ var('risk_recency_cap_days') }}
            ),
            {{ var('risk_recency_cap_days') }}
        )
        + weights.w_active_days_7d * featured.active_days_7d
        + weights.w_progress_lag_share * coalesce(featured.progress_lag_pct, 0) / 100.0
        + weights.w_graded_items_done_share * coalesce(featured.graded_items_done_share, 0)
            as risk_logit
    from featured
    cross join weights

),

labelled as (

    select
        *,
        active_days_7d - active_days_prev_7d as activity_trend_7d,
        -- null until the label window has passed: a provisional label is no label
        case
            when label_observed
                then not is_active_in_label_window and not ({{ excludes_completed }} and is_completed_by_label_end)
        end as is_dropout,
        {{ round_decimal('1.0 / (1.0 + exp(-risk_logit))', 4) }} as dropout_risk_score
    from scored

),

final as (

    select
        *,
        case
            when dropout_risk_score >= {{ var('risk_band_high_from') }} then 'high'
            when dropout_risk_score >= {{ var('risk_band_medium_from') }} then 'medium'
            else 'low'
        end as risk_band
    from labelled

)

select * from final
