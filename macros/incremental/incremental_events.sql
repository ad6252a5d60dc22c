{#-
    Incremental builds of the event-heavy models, exact by construction.

    Landed events are append-only and each landing batch has an id. Every incremental model records, after
    each successful build, the batches it has seen (build_state.processed_batches). On the next build it
    recomputes only the keys those new batches touch (a learner, or an organization's day), from the whole
    history of those keys: a late event, however old, lands exactly where a full rebuild puts it, and a
    build killed half-way is simply redone (the rows and the record of what was seen commit together).

    A new catalog version (a landed catalog batch that changed something) can change the course or the
    requirements of any learner's classes: models that read the catalog then recompute every key, and say
    so in the run output. The lookback window (var incremental_lookback_days, counted back from the newest
    landed event) only names events as late in the run output; their learners are rebuilt either way.
    The Dagster partition window (LMS_PARTITION_START / LMS_PARTITION_END, or the vars partition_start /
    partition_end) adds the keys with events in that window, so a backfill recomputes exactly those days'
    learners.

    A model whose rows also depend on the build's as-of instant (events after it are ignored) uses the key
    'learner_as_of': the learners of new batches, plus those with landed events the as-of has moved past since
    the model's previous build (build_state.model_as_of). It recomputes every learner when no previous as-of
    is recorded or the as-of moved back (events would have to leave), and says so in the run output.
-#}

{#- is_incremental(), false where there is no target relation at all (dbt unit tests). -#}
{% macro is_incremental_run() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}


{% macro ensure_build_state() -%}
    {{ return(adapter.dispatch('ensure_build_state')()) }}
{%- endmacro %}

{% macro default__ensure_build_state() -%}
    create schema if not exists build_state;
    create table if not exists build_state.processed_batches (
        model_name {{ dbt.type_string() }},
        batch_id {{ dbt.type_string() }}
    );
    create table if not exists build_state.model_code_versions (
        model_name {{ dbt.type_string() }},
        code_version {{ dbt.type_string() }}
    );
    create table if not exists build_state.model_as_of (
        model_name {{ dbt.type_string() }},
        as_of_at {{ dbt.type_timestamp() }}
    );
    create table if not exists build_state.latest_builds (
        model_name {{ dbt.type_string() }},
        invocation_id {{ dbt.type_string() }},
        scope {{ dbt.type_string() }},
        key_kind {{ dbt.type_string() }},
        key_column {{ dbt.type_string() }},
        event_batch_ids {{ dbt.type_string() }}
    )
{%- endmacro %}


{#- The landed batches this model has not seen yet, as a list of ids (empty on a full build). Asked once per
    kind while a node compiles and once while it runs (kept in the node's `model` dict): a model that
    filters several inputs by its dirty keys asks many times. -#}
{% macro unprocessed_batches(kind_like='%') -%}
    {%- if not execute or not is_incremental_run() -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set cache_key = 'lms_unprocessed_batches:' ~ kind_like -%}
    {%- if cache_key not in model -%}
        {%- do model.update({cache_key: unseen_batches(kind_like)}) -%}
    {%- endif -%}
    {{ return(model[cache_key]) }}
{%- endmacro %}


{% macro unseen_batches(kind_like) -%}
    {%- set query -%}
        select batches.batch_id
        from {{ source('landing', 'ingest_batches') }} as batches
        where batches.kind like '{{ kind_like }}'
            and batches.accepted > 0
            and not exists (
                select 1
                from build_state.processed_batches as seen
                where seen.model_name = '{{ this.identifier }}'
                    and seen.batch_id = batches.batch_id
            )
        order by batches.batch_id
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}


{#- The as-of instant of this model's previous build: {'at': 'YYYY-MM-DD HH:MM:SS' or none, 'moved_back':
    whether this build's as-of is earlier}. Asked once per node (kept in the node's `model` dict). -#}
{% macro previous_as_of() -%}
    {%- if 'lms_previous_as_of' not in model -%}
        {%- set query -%}
            select cast(as_of_at as {{ dbt.type_string() }}), as_of_at > {{ as_of_timestamp() }}
            from build_state.model_as_of
            where model_name = '{{ this.identifier }}'
        {%- endset -%}
        {%- set rows = run_query(query).rows -%}
        {%- set found = rows | length == 1 and rows[0][0] is not none -%}
        {%- do model.update({'lms_previous_as_of': {
            'at': rows[0][0] if found else none, 'moved_back': found and rows[0][1]}}) -%}
    {%- endif -%}
    {{ return(model['lms_previous_as_of']) }}
{%- endmacro %}


{#- 'full' when every key must be recomputed, else 'keys'. Decided once per model and build. -#}
{% macro incremental_scope(reads_catalog=false, announce=false, as_of_dependent=false) -%}
    {%- if not is_incremental_run() -%}
        {{ return('full') }}
    {%- endif -%}
    {%- if as_of_dependent and execute -%}
        {%- set previous = previous_as_of() -%}
        {%- if previous.at is none or previous.moved_back -%}
            {%- if announce -%}{%- do log(this.identifier ~ ": " ~ ("no as-of recorded for the previous build"
                if previous.at is none else "the as-of moved back from " ~ previous.at)
                ~ ": recomputing every row", info=true) -%}{%- endif -%}
            {{ return('full') }}
        {%- endif -%}
    {%- endif -%}
    {%- if reads_catalog and execute -%}
        {%- set catalog_batches = unprocessed_batches('catalog%') -%}
        {%- if catalog_batches | length > 0 -%}
            {%- if announce -%}{%- do log(this.identifier ~ ": the catalog changed (" ~ catalog_batches | length
                ~ " new catalog batch(es)): recomputing every row", info=true) -%}{%- endif -%}
            {{ return('full') }}
        {%- endif -%}
    {%- endif -%}
    {{ return('keys') }}
{%- endmacro %}


{%- macro _sql_string_list(values) -%}
    {%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}
{%- endmacro -%}


{#- The landed events that make a key dirty: those of unseen batches, and those in the partition window. -#}
{% macro dirty_events_condition(event_alias, batches=none) -%}
    {%- if batches is none -%}{%- set batches = unprocessed_batches('events') -%}{%- endif -%}
    {%- set start = run_setting('partition_start', 'LMS_PARTITION_START') -%}
    {%- set end = run_setting('partition_end', 'LMS_PARTITION_END') -%}
    (
        {% if batches | length > 0 -%}
            {{ event_alias }}.batch_id in ({{ _sql_string_list(batches) }})
        {%- else -%}
            1 = 0
        {%- endif %}
        {% if start and end -%}
            or ({{ event_alias }}.occurred_at >= cast('{{ start }}' as timestamp)
                and {{ event_alias }}.occurred_at < cast('{{ end }}' as timestamp))
        {%- endif %}
    )
{%- endmacro %}


{#- SQL condition on `alias`: the row belongs to a key this build must recompute. `key` is
    'event' (organization, event id in `column`), 'pair' (organization, student, class), 'learner'
    (organization, student), 'learner_as_of' (a learner, also when the as-of moved past one of their events
    since the previous as-of in `column`, by default the model's previous_as_of()), 'learner_as_of_calendar'
    (the same, plus the rows of a per-learner calendar, columns `date` and `time_zone`, after the previous
    as-of's local date) or 'day' (organization, UTC date in `column`). Written as row-value IN lists, not
    correlated EXISTS: DuckDB plans the IN list as one hash semi join, several times faster on a table of
    millions of rows (Spark and Postgres accept the same form). -#}
{% macro is_dirty(alias, key, scope, column=none, batches=none) -%}
    {%- if scope == 'full' -%}
        1 = 1
    {%- else -%}
        {%- set dirty_from -%}
            from {{ source('landing', 'lms_events') }} as dirty_events
            where {{ dirty_events_condition('dirty_events', batches) }}
        {%- endset -%}
        {%- if key == 'event' %}
        ({{ alias }}.organization_id, {{ alias }}.{{ column or 'event_id' }}) in (
            select dirty_events.organization_id, dirty_events.id {{ dirty_from }}
        )
        {%- elif key == 'pair' %}
        (
            ({{ alias }}.organization_id, {{ alias }}.student_id, {{ alias }}.class_id) in (
                select dirty_events.organization_id, dirty_events.student_id, dirty_events.class_id {{ dirty_from }}
            )
            -- a viewing event (xAPI, Open edX) names its video, not the class the video maps to
            -- (int_video_object_classes): it makes every pair of its learner dirty
            or ({{ alias }}.organization_id, {{ alias }}.student_id) in (
                select dirty_events.organization_id, dirty_events.student_id {{ dirty_from }}
                    and dirty_events.type in (
                        'VIDEO_INITIALIZED', 'VIDEO_PLAYED', 'VIDEO_PAUSED', 'VIDEO_SEEKED',
                        'VIDEO_INTERACTED', 'VIDEO_TERMINATED', 'VIDEO_ENDED'
                    )
            )
        )
        {%- elif key == 'learner' %}
        ({{ alias }}.organization_id, {{ alias }}.student_id) in (
            select dirty_events.organization_id, dirty_events.student_id {{ dirty_from }}
        )
        {%- elif key in ('learner_as_of', 'learner_as_of_calendar') %}
        {%- if column is none %}{% set column = previous_as_of().at %}{% endif %}
        (
            ({{ alias }}.organization_id, {{ alias }}.student_id) in (
                select dirty_events.organization_id, dirty_events.student_id {{ dirty_from }}
                    or (dirty_events.occurred_at > cast('{{ column }}' as {{ dbt.type_timestamp() }})
                        and dirty_events.occurred_at <= {{ as_of_timestamp() }})
            )
            {%- if key == 'learner_as_of_calendar' %}
            -- the calendar days after the previous as-of's local date (the UTC date test is a cheap first cut:
            -- a local date is at most one day before the UTC date)
            or ({{ alias }}.date >= cast(cast('{{ column }}' as {{ dbt.type_timestamp() }}) as date)
                and {{ alias }}.date > cast({{ dbt.date_trunc('day', utc_to_local(
                    "cast('" ~ column ~ "' as " ~ dbt.type_timestamp() ~ ")", alias ~ '.time_zone')) }} as date))
            {%- endif %}
        )
        {%- elif key == 'day' %}
        ({{ alias }}.organization_id, {{ alias }}.{{ column or 'date' }}) in (
            select dirty_events.organization_id, cast({{ dbt.date_trunc('day', 'dirty_events.occurred_at') }} as date)
            {{ dirty_from }}
        )
        {%- else %}
            {{ exceptions.raise_compiler_error("is_dirty: unknown key '" ~ key ~ "'") }}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}


{#- pre-hook: remove the rows this build recomputes (all of them when the scope is full). -#}
{% macro delete_dirty_rows(key, reads_catalog=false, column=none) -%}
    {%- set as_of_dependent = key in ('learner_as_of', 'learner_as_of_calendar') -%}
    {%- set scope = incremental_scope(reads_catalog, as_of_dependent=as_of_dependent) -%}
    {#- the previous as-of is recorded too: this build's data tests recompute the same dirty set from it -#}
    {%- if as_of_dependent and scope != 'full' -%}{%- set column = previous_as_of().at -%}{%- endif -%}
    {#- read once: the delete and the record of this build name the same batches -#}
    {%- set batches = unprocessed_batches('events') if scope != 'full' else [] -%}
    {%- if is_incremental_run() -%}
        delete from {{ this }} as target
        where {{ is_dirty('target', key, scope, column, batches) }};
    {%- endif %}
    {{ record_latest_build(key, scope, column, batches) }}
{%- endmacro %}


{#- What this build of the model recomputes (read by get_where_subquery: the model's data tests in the same
    `dbt build` then check those rows only). -#}
{% macro record_latest_build(key, scope, column, batches) -%}
    delete from build_state.latest_builds where model_name = '{{ this.identifier }}';
    insert into build_state.latest_builds (model_name, invocation_id, scope, key_kind, key_column, event_batch_ids)
    values (
        '{{ this.identifier }}', '{{ invocation_id }}', '{{ scope }}', '{{ key }}', '{{ column or "" }}',
        '{{ batches | join(',') }}'
    )
{%- endmacro %}


{#- The data tests of an incremental model, in the `dbt build` that just built it, check only the rows that
    build recomputed: every other row is unchanged since an earlier build checked it. Exact for every test
    of this project: row-level tests (not_null, accepted_values, expression_is_true, value_between,
    relationships from the child) and uniqueness of keys that include the recomputed key (a learner's,
    a pair's, an event's or a day's rows are recomputed together). A `--full-refresh` build, a build that
    recomputes every key (new catalog), or a plain `dbt test` checks every row.
    Returns '' when the whole relation must be tested. -#}
{% macro recomputed_rows_condition(relation, alias) -%}
    {%- if not execute or flags.WHICH != 'build' or relation.identifier is none -%}
        {{ return('') }}
    {%- endif -%}
    {#- Only incremental models keep a record: skip the query (a round trip per test) for every other model. -#}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if tested is none or tested.config.materialized != 'incremental' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set query -%}
        select scope, key_kind, key_column, event_batch_ids
        from build_state.latest_builds
        where model_name = '{{ relation.identifier }}' and invocation_id = '{{ invocation_id }}'
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- if rows | length == 0 or rows[0][0] != 'keys' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set batches = rows[0][3].split(',') if rows[0][3] else [] -%}
    {{ return(is_dirty(alias, rows[0][1], 'keys', rows[0][2] or none, batches)) }}
{%- endmacro %}


{#- The as-of to record after a build. Without a given as-of, the rows were computed at some instant of this
    run: the run's start, which is earlier, is recorded, so the next build's window starts early enough. -#}
{% macro recorded_as_of() -%}
    {%- if run_setting('as_of', 'LMS_AS_OF') is none -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ as_of_timestamp() }}
    {%- endif -%}
{%- endmacro %}


{#- post-hook: this model now reflects every landed batch, computed by this code (code_version.sql). -#}
{% macro record_processed_batches(as_of_dependent=false) -%}
    delete from build_state.processed_batches where model_name = '{{ this.identifier }}';
    insert into build_state.processed_batches (model_name, batch_id)
    select '{{ this.identifier }}', batch_id from {{ source('landing', 'ingest_batches') }};
    {%- if as_of_dependent %}
    delete from build_state.model_as_of where model_name = '{{ this.identifier }}';
    insert into build_state.model_as_of (model_name, as_of_at) values ('{{ this.identifier }}', {{ recorded_as_of() }});
    {%- endif %}
    {{ record_code_version() }}
{%- endmacro %}


{#- post-hook of a model built as a table by a setting that also allows building it incrementally (a var):
    the next incremental build must not trust rows this build wrote, so it starts from scratch. -#}
{% macro forget_incremental_state() -%}
    delete from build_state.processed_batches where model_name = '{{ this.identifier }}';
    delete from build_state.model_as_of where model_name = '{{ this.identifier }}';
    delete from build_state.model_code_versions where model_name = '{{ this.identifier }}'
{%- endmacro %}


{#- Run output: how many of the new events are older than the lookback window (they are handled exactly). -#}
{% macro report_late_events() -%}
    {%- if execute and is_incremental_run() -%}
        {%- set batches = unprocessed_batches('events') -%}
        {%- if batches | length > 0 -%}
            {%- set query -%}
                with newest as (
                    select max(occurred_at) as newest_at from {{ source('landing', 'lms_events') }}
                )
                select
                    count(*) as new_events,
                    count(case when events.occurred_at < {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'newest.newest_at') }} then 1 end) as late_events,
                    count(distinct events.organization_id || '|' || events.student_id) as learners
                from {{ source('landing', 'lms_events') }} as events
                cross join newest
                where events.batch_id in ({{ _sql_string_list(batches) }})
            {%- endset -%}
            {%- set row = run_query(query).rows[0] -%}
            {%- do log("incremental: " ~ row[0] ~ " new event(s) in " ~ batches | length ~ " batch(es) for "
                ~ row[2] ~ " learner(s); " ~ row[1] ~ " older than the " ~ var('incremental_lookback_days')
                ~ "-day lookback window (their learners are recomputed from full history)", info=true) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
