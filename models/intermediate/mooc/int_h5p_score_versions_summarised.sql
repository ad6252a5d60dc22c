with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'h5p_scores'

),

scores as (

    select * from {{ ref('stg_mooc__h5p_scores') }}

),

-- one row per version, even when its `scores` list is empty
final as (

    select
        versions.organization_id,
        versions.source_system,
        versions.course_id,
        versions.user_id,
        versions.fetched_at,
        versions.superseded_at,
        versions.is_latest,
        count(scores.content_id) as total_contents,
        count(case when scores.finished_at is not null then scores.content_id end) as completed_contents,
        coalesce(sum(scores.score), 0) as total_score,
        coalesce(sum(scores.max_score), 0) as total_max_score,
        {{ round_decimal('100.0 * sum(scores.score) / nullif(sum(scores.max_score), 0)', 2) }} as overall_percentage,
        {{ round_decimal('100.0 * avg(scores.score / nullif(scores.max_score, 0))', 2) }} as mean_score_pct
    from versions
    left join scores
        on versions.organization_id = scores.organization_id
        and versions.source_system = scores.source_system
        and versions.course_id = scores.course_id
        and versions.user_id = scores.user_id
        and versions.fetched_at = scores.fetched_at
    group by
        versions.organization_id, versions.source_system, versions.course_id, versions.user_id,
        versions.fetched_at, versions.superseded_at, versions.is_latest

)

select * from final
