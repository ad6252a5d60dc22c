-- An event's identity is (organization_id, id): ids are unique only inside the system that made them, so
-- duplicates and conflicts are judged within one organization and another tenant's ids never hold one back.
-- Only records whose identity is already landed or repeats within the batch get a verdict row; all other valid
-- records are accepted, which keeps the common case to a cheap semi-join. Equal content hashes mean equal
-- content; unequal ones are confirmed by comparing the canonical content (keys sorted, numbers as numbers).
create or replace temp table _ingest_ev_verdict as
with valid as (
    select
        srow,
        file_idx,
        record_number,
        organization_id,
        id,
        content_hash
    from _ingest_ev_rows
    where reason is null
),

-- Grouping by a 64-bit hash is much cheaper than by the id text; a collision only adds a candidate.
repeated as (
    select hash(organization_id, id) as h from valid
    group by h
    having count(*) > 1
),

landed as (
    select
        e.id,
        e.content_hash,
        e.type,
        e.student_id,
        e.course_id,
        e.class_id,
        e.occurred_at,
        e.payload_json,
        e.context_json,
        e.version,
        e.organization_id
    from landing.lms_events as e
    semi join valid as v on e.organization_id = v.organization_id and e.id = v.id
    qualify row_number() over (
            partition by e.organization_id, e.id order by e.loaded_at, e.batch_id, e.record_number
        ) = 1
),

ranked as (
    select
        v.srow,
        row_number() over w as position,
        first_value(v.srow) over w as first_srow
    from valid as v
    semi join repeated as r on hash(v.organization_id, v.id) = r.h
    window w as (partition by v.organization_id, v.id order by v.file_idx, v.record_number)
),

candidates as (
    select v.srow from valid as v
    semi join landed as l on v.organization_id = l.organization_id and v.id = l.id
    union
    select ranked.srow from ranked
),

content as (
    select
        r.srow,
        r.id,
        r.content_hash,
        r.type,
        r.student_id,
        r.course_id,
        r.class_id,
        r.occurred_at,
        r.payload_json,
        r.context_json,
        r.version,
        r.organization_id
    from _ingest_ev_rows as r
    semi join candidates as c on r.srow = c.srow
),

matched as (
    -- whole rows as structs: v the record, l the landed event of its id, fv the batch's first record of its id
    select
        v,  -- noqa: RF02
        l,  -- noqa: RF02
        fv,  -- noqa: RF02
        r.position
    from content as v
    left join landed as l on v.organization_id = l.organization_id and v.id = l.id
    left join ranked as r on v.srow = r.srow
    left join content as fv on r.first_srow = fv.srow
),

-- CASE, not OR: the canonical form is computed only when the hashes differ.
judged as (
    select
        v.srow,
        v.id,
        v.organization_id,
        case
            when l.id is not null
                then case
                        when l.content_hash = v.content_hash then 'duplicate'
                        when _ing_canonical(matched.l) = _ing_canonical(matched.v) then 'duplicate'
                        else 'conflict'
                    end
            when matched.position = 1 then 'accepted'
            when fv.content_hash = v.content_hash then 'duplicate'
            when _ing_canonical(matched.fv) = _ing_canonical(matched.v) then 'duplicate'
            else 'conflict'
        end as status,
        l.id is not null as landed_before
    from matched
)

select
    srow,
    status,
    case
        when status = 'conflict' and landed_before
            then
                'conflicting duplicate: id ' || id || ' was already landed for organization ' || organization_id
                || ' with different content'
        when status = 'conflict' then
            'conflicting duplicate: id ' || id || ' appears earlier in this batch for organization ' || organization_id
            || ' with different content'
    end as reason
from judged
