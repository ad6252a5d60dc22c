with

enrollment_versions as (

    select * from {{ ref('stg_mooc__enrollments') }}

),

as_of as (

    select
        {{ as_of_timestamp() }} as as_of_at,
        cast({{ dbt.date_trunc('day', as_of_timestamp()) }} as date) as as_of_date

),

-- each enrollment from the day it was both made and first fetched (known), to the as-of date
enrollment_spans as (

    select
        organization_id,
        user_id,
        course_id,
        min(cast({{ dbt.date_trunc('day', 'fetched_at') }} as date)) as first_fetched_date,
        min(cast({{ dbt.date_trunc('day', 'created_at') }} as date)) as created_date
    from enrollment_versions
    group by organization_id, user_id, course_id

),

daily as (

    select
        enrollment_spans.organization_id,
        enrollment_spans.user_id,
        enrollment_spans.course_id,
        'daily' as snapshot_kind,
        {{ day_series(
            'greatest(enrollment_spans.first_fetched_date, coalesce(enrollment_spans.created_date, enrollment_spans.first_fetched_date))',
            'as_of.as_of_date'
        ) }} as snapshot_date
    from enrollment_spans
    cross join as_of

),

daily_bounded as (

    select
        daily.organization_id,
        daily.user_id,
        daily.course_id,
        daily.snapshot_kind,
        daily.snapshot_date,
        -- the last instant of the day, or the as-of instant on the as-of date
        case
            when as_of.as_of_date = daily.snapshot_date then as_of.as_of_at
            else {{ dbt.dateadd('microsecond', -1, dbt.dateadd('day', 1, 'cast(daily.snapshot_date as timestamp)')) }}
        end as cutoff_at,
        true as state_is_point_in_time
    from daily
    cross join as_of

),

latest as (

    select
        enrollment_spans.organization_id,
        enrollment_spans.user_id,
        enrollment_spans.course_id,
        'latest' as snapshot_kind,
        as_of.as_of_date as snapshot_date,
        as_of.as_of_at as cutoff_at,
        false as state_is_point_in_time
    from enrollment_spans
    cross join as_of

),

final as (

    select * from daily_bounded
    union all
    select * from latest

)

select
    organization_id,
    user_id,
    course_id,
    snapshot_kind,
    snapshot_date,
    cutoff_at,
    state_is_point_in_time
from final
