{#- Recent events per learner at the as-of; the current streak comes from int_learner_streaks. -#}
with

events as (

    select * from {{ ref('lms_event') }}

),

learner_streaks as (

    select * from {{ ref('int_learner_streaks') }}

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

final as (

    select
        activity.organization_id,
        activity.student_id,
        activity.last_event_at,
        activity.events_24h,
        coalesce(learner_streaks.streak_days, 0) as streak_days
    from activity
    left join learner_streaks
        on activity.organization_id = learner_streaks.organization_id
        and activity.student_id = learner_streaks.student_id

)

select
    organization_id,
    student_id,
    last_event_at,
    events_24h,
    streak_days
from final
