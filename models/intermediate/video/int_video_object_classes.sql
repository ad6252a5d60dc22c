with

video_events as (

    select * from {{ ref('int_video_events') }}

),

videos as (

    select distinct
        organization_id,
        video_id as object_iri
    from video_events

),

-- the rule: macro object_class
object_classes as (

    {{ object_class('videos') }}

),

final as (

    select
        organization_id,
        object_iri as video_id,
        class_id,
        mapped_by
    from object_classes

)

select * from final
