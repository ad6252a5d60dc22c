-- The building blocks of the validation rules (classify_records.sql, judge_repeated_ids.sql), as temp macros of
-- the ingest's session. The definitions of one batch: the one file here holding several statements.
create or replace temp macro _ing_present(s) as case
    when s is null then false when ascii(s) > 32 then true else trim(s, ' ' || chr(9) || chr(10) || chr(13)) <> ''
end;
-- contains(), not IN: a long IN list of constants is planned as a join, a whole pass per use of the macro.
create or replace temp macro _ing_num(s) as case
    when contains('0123456789-+. ', left(s, 1)) and isfinite(try_cast(s as double)) then try_cast(s as double)
end;
-- Ids: a JSON string (its text) or a JSON integer (its decimal text: numeric user ids are common); any other
-- JSON type gives null, and the record is rejected naming the field and what it got.
-- A string's text without a second JSON parse when it holds no escape (nearly always).
create or replace temp macro _ing_unquote(j) as case
    when contains(j::varchar, '\') then j ->> '$' else substr(j::varchar, 2, strlen(j::varchar) - 2)
end;
create or replace temp macro _ing_id(j) as case
    when j is null then null
    when left(j::varchar, 1) = '"' then _ing_unquote(j)
    when regexp_full_match(j::varchar, '-?[0-9]{1,19}') then j::varchar
end;
create or replace temp macro _ing_kind(j) as case left(j::varchar, 1)
    when '"' then 'a string' when '{' then 'an object' when '[' then 'an array' when 't' then 'a boolean'
    when 'f' then 'a boolean' else 'a number that is not an integer'
end;
create or replace temp macro _ing_id_error(name, j) as case
    when j is not null and _ing_id(j) is null
        then name || ' must be a JSON string or integer (got ' || _ing_kind(j) || ')'
end;
-- The first key an object holds twice: DuckDB would read its first value and Python its last. (A MAP transform
-- does not help: it keeps both keys, and refuses them only when the map is read.)
create or replace temp macro _ing_dup_key(
    keys) as case when len(keys) <> len(list_distinct(keys))
        then list_filter(keys, (k, i) -> list_position(keys, k) < i)[1]
end;
-- list_distinct costs about 0.5 s per million records each time it runs (a per-row aggregate), most of the whole
-- validation's cost. So callers first prove the keys distinct more cheaply and ask _ing_dup_key only otherwise: up to
-- 4 keys (a payload, a context) are compared pairwise; `keys` must be a column, not an expression, as it is repeated.
create or replace temp macro _ing_few_distinct(keys) as case len(keys)
    when 0 then true
    when 1 then true
    when 2 then keys[1] <> keys[2]
    when 3 then keys[1] <> keys[2] and keys[1] <> keys[3] and keys[2] <> keys[3]
    when 4
        then keys[1] <> keys[2] and keys[1] <> keys[3] and keys[1] <> keys[4]
            and keys[2] <> keys[3] and keys[2] <> keys[4] and keys[3] <> keys[4]
    else false
end;
create or replace temp macro _ing_dup_key_of_few(
    keys
) as case when not _ing_few_distinct(keys) then _ing_dup_key(keys)
end;
create or replace temp macro _ing_bool(s) as case when lower(s) in ('true', 'false') then lower(s) = 'true' end;
create or replace temp macro _ing_is_object(j) as left(j::varchar, 1) = '{';
create or replace temp macro _ing_obj(direct, text_form) as case
    when direct is not null then case when _ing_is_object(direct) then direct end
    when text_form is null then null
    when _ing_is_object(text_form) then text_form
    when left(text_form::varchar, 1) = '"' and json_valid(text_form ->> '$')
        then case when json_type(text_form ->> '$') = 'OBJECT' then json(text_form ->> '$') end
end;
create or replace temp macro _ing_obj_error(name, direct, text_form, obj) as case
    when direct is not null and obj is null then name || ' is not a JSON object'
    when direct is null and text_form is not null and obj is null
        then name || '_json is not a JSON object (expected JSON text holding an object)'
end;
create or replace temp macro _ing_utc(s) as case
    when contains(substr(s, 11), '+') or contains(substr(s, 11), '-') then timezone('UTC', try_cast(s as timestamptz))
    else coalesce(try_cast(s as timestamp), timezone('UTC', try_cast(s as timestamptz)))
end;
-- RFC 3339 offsets lie within +-18:00 (what DuckDB's cast would otherwise accept, e.g. +99:00, is refused).
create or replace temp macro _ing_offset_part(s, n) as
try_cast(regexp_extract(substr(s, 12), '[+-]([0-9]{2}):?([0-9]{2})$', n) as integer);
create or replace temp macro _ing_bad_offset(s) as not suffix(s, 'Z') and coalesce(
    _ing_offset_part(s, 1) * 60 + _ing_offset_part(s, 2) > 18 * 60 or _ing_offset_part(s, 2) >= 60, false
);
create or replace temp macro _ing_norm(s) as case
    when s is null then 'null'
    when _ing_num(s) is not null then _ing_num(s)::varchar
    when lower(s) in ('true', 'false') then lower(s)
    else s
end;
create or replace temp macro _ing_canon(obj) as coalesce(list_aggr(list_sort(list_transform(
    map_entries(json_transform(obj, '"MAP(VARCHAR, VARCHAR)"')),
    e -> to_json(e.key)::varchar || '=' || _ing_norm(e.value)
)), 'string_agg', ','), '');
create or replace temp macro _ing_canonical(
    r) as concat_ws(
    chr(31), r.type, r.student_id,
    coalesce(r.course_id, chr(0)), coalesce(r.class_id, chr(0)), epoch_us(r.occurred_at)::varchar,
    _ing_canon(r.payload_json), coalesce(_ing_canon(r.context_json), ''), r.version::varchar, r.organization_id
);

-- A record over the size limit (var ingest_max_record_bytes) is rejected with its size, and only a preview of its
-- text is kept. The line readers never hand one over whole: DuckDB's stops at the limit, Python's rejects it.
create or replace temp macro _ing_oversized(raw) as strlen(raw) > getvariable('ingest_max_record_bytes');
create or replace temp macro _ing_sized_raw(
    raw) as case when _ing_oversized(raw)
        then left(raw, getvariable('ingest_preview_chars')) || '... [' || format('{:,}', strlen(raw)) || ' bytes]'
    else raw
end;
create or replace temp macro _ing_sized_error(
    raw, early_error) as case when _ing_oversized(raw)
        then 'record is ' || format('{:,}', strlen(raw)) || ' bytes, over the limit of '
            || format('{:,}', getvariable('ingest_max_record_bytes')) || ' (var ingest_max_record_bytes)'
    else early_error
end;
