{#- Each learner's current and longest streak at the as-of (int_streak_days). The as-of day is not over yet, so
    the current streak is that day's streak_length when it is active, else the day before's. -#}
with

streak_days as (

    select * from {{ ref('int_streak_days') }}

),

-- each learner's as-of day (local): the last day of their calendar
learner_days as (

    select
        organization_id,
        student_id,
        max(date) as as_of_date,
        max(longest_streak_to_date) as longest_streak_days
    from streak_days
    group by organization_id, student_id

),

current_streaks as (

    select
        learner_days.organization_id,
        learner_days.student_id,
        coalesce(
            max(
                case
                    when streak_days.date = learner_days.as_of_date and streak_days.is_active
                        then streak_days.streak_length
                end
            ),
            max(case when streak_days.date < learner_days.as_of_date then streak_days.streak_length end),
            0
        ) as streak_days
    from learner_days
    inner join streak_days
        on learner_days.organization_id = streak_days.organization_id
        and learner_days.student_id = streak_days.student_id
        and streak_days.date >= {{ dbt.dateadd('day', -1, 'learner_days.as_of_date') }}
    group by learner_days.organization_id, learner_days.student_id

),

final as (

    select
        learner_days.organization_id,
        learner_days.student_id,
        current_streaks.streak_days,
        learner_days.longest_streak_days
    from learner_days
    inner join current_streaks
        on learner_days.organization_id = current_streaks.organization_id
        and learner_days.student_id = current_streaks.student_id

)

select
    organization_id,
    student_id,
    streak_days,
    longest_streak_days
from final
