{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=false) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}

with

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

-- best attempt: the highest score / max_score ratio (attempts without a max score come after, by
-- score), the earliest attempt on ties, then the smallest event id
ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by
                score_ratio desc nulls last,
                case when score_ratio is null then score end desc nulls last,
                occurred_at asc,
                event_id asc
        ) as attempt_rank
    from quiz_submissions

),

final as (

    select
        organization_id,
        student_id,
        class_id,
        event_id,
        quiz_id,
        score,
        max_score,
        occurred_at as attempted_at
    from ranked
    where attempt_rank = 1

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
