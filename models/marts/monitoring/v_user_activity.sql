with

events as (

    select * from {{ ref('lms_event') }}

),

streak_history as (

    select * from {{ ref('v_streak_history') }}

),

as_of as (

    select
        {{ as_of_timestamp() }} as as_of_at

),

-- events after the as-of instant are ignored: the view describes the warehouse as of that instant
past_events as (

    select
        events.organization_id,
        events.student_id,
        events.occurred_at,
        as_of.as_of_at
    from events
    cross join as_of
    where events.occurred_at <= as_of.as_of_at

),

activity as (

    select
        organization_id,
        student_id,
        max(occurred_at) as last_event_at,
        count(
            case
                when occurred_at > {{ dbt.dateadd('hour', -24, 'as_of_at') }} then 1
            end
        ) as events_24h
    from past_events
    group by organization_id, student_id

),

-- each learner's as-of day (local) and the day before, as v_streak_history holds them
as_of_days as (

    select
        organization_id,
        student_id,
        max(date) as as_of_date
    from streak_history
    group by organization_id, student_id

),

-- the as-of day's streak when that day is active, else the day before's (the day is not over yet)
streaks as (

    select
        as_of_days.organization_id,
        as_of_days.student_id,
        coalesce(
            max(
                case
                    when streak_history.date = as_of_days.as_of_date and streak_history.is_active
                        then streak_history.streak_length
                end
            ),
            max(case when streak_history.date < as_of_days.as_of_date then streak_history.streak_length end),
            0
        ) as streak_days
    from as_of_days
    inner join streak_history
        on as_of_days.organization_id = streak_history.organization_id
        and as_of_days.student_id = streak_history.student_id
        and streak_history.date >= {{ dbt.dateadd('day', -1, 'as_of_days.as_of_date') }}
    group by as_of_days.organization_id, as_of_days.student_id

),

final as (

    select
        activity.organization_id,
        activity.student_id,
        activity.last_event_at,
        activity.events_24h,
        coalesce(streaks.streak_days, 0) as streak_days
    from activity
    left join streaks
        on activity.organization_id = streaks.organization_id
        and activity.student_id = streaks.student_id

)

select
    organization_id,
    student_id,
    last_event_at,
    events_24h,
    streak_days
from final
