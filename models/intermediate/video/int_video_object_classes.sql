with

video_events as (

    select * from {{ ref('int_video_events') }}

),

classes as (

    select * from {{ ref('stg_lms__classes') }}

),

object_class_map as (

    select * from {{ ref('video_object_class_map') }}

),

videos as (

    select distinct
        organization_id,
        video_id
    from video_events

),

-- a class of the same tenant whose catalog media lists the object's IRI as a url
-- (several such classes: the smallest class id)
from_media as (

    select
        videos.organization_id,
        videos.video_id,
        min(classes.class_id) as class_id
    from videos
    inner join classes
        on videos.organization_id = classes.organization_id
        and {{ json_path_strings_contain('classes.media_json', '$[*].url', 'videos.video_id') }}
    group by videos.organization_id, videos.video_id

),

-- else the mapping seed, which holds for every tenant (several rows for one object: the smallest class id)
from_seed as (

    select
        videos.organization_id,
        videos.video_id,
        min(object_class_map.class_id) as class_id
    from videos
    inner join object_class_map
        on videos.video_id = object_class_map.object_id
    group by videos.organization_id, videos.video_id

),

final as (

    select
        videos.organization_id,
        videos.video_id,
        coalesce(from_media.class_id, from_seed.class_id) as class_id,
        case
            when from_media.class_id is not null then 'catalog_media'
            when from_seed.class_id is not null then 'seed'
        end as mapped_by
    from videos
    left join from_media
        on videos.organization_id = from_media.organization_id
        and videos.video_id = from_media.video_id
    left join from_seed
        on videos.organization_id = from_seed.organization_id
        and videos.video_id = from_seed.video_id
    where coalesce(from_media.class_id, from_seed.class_id) is not null

)

select * from final
