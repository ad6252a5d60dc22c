{#-
    Incremental builds of the event-heavy models (tag incremental_events), exact by construction.

    One watermark: build_state.built_batches holds the landing batches every incremental model has
    processed. A run starts (start_incremental_run, on-run-start) by writing what it processes: the other
    accepted batches (build_state.run_batches) and their events (build_state.run_events, plus the events of
    the Dagster partition window, LMS_PARTITION_START / LMS_PARTITION_END). A model recomputes the keys those
    events touch (a learner, a learner's class, an event or an organization's day) from their whole history
    and replaces those keys' rows, so a late event lands exactly where a full rebuild puts it and running a
    batch twice changes nothing. The run ends (finish_incremental_run, on-run-end) by adding run_batches to
    the watermark, only when every node succeeded and every incremental model was built: a partial run
    (`dbt build -s lms_signal`) is exact for the models it built, and the next whole run redoes the batches.

    A new catalog version can change any learner's course or requirements: models that read the catalog
    then recompute every key, and say so. A model whose rows depend on the as-of instant also recomputes the
    learners whose events the as-of moved past since its previous build (build_state.model_as_of, written
    by its post-hook), and every learner when no previous as-of is recorded or the as-of moved back.
    Code changes are dbt's `state:modified` (dbt_runner/code_changes.py), not a concern of these macros.
-#}

{#- The materialization of the incremental models without a partition unit on Spark: Spark on plain Parquet has
    no DELETE, which their pre-hook needs, so there they are tables, rebuilt whole: the published marts (each
    stays one plain Parquet folder) and the models keyed by every learner's days since the previous as-of
    (which would rewrite every learner bucket anyway). The others: macro incremental_settings. -#}
{% macro incremental_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}


{#- is_incremental(), false where there is no target relation at all (dbt unit tests). -#}
{% macro is_incremental_run() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}


{#- Tests of incremental models read every row unless this is a `dbt build`/`run` of at least one
    incremental model, without --full-refresh and without a new catalog (the where config, recomputed_rows). -#}
{% macro _tests_read_every_row(catalog_changed) -%}
    {%- if flags.WHICH not in ('build', 'run') or flags.FULL_REFRESH or catalog_changed -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node and node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}


{% macro start_incremental_run() -%}
    {{ return(adapter.dispatch('start_incremental_run')()) }}
{%- endmacro %}


{#- Spark: the same watermark and run state, as Parquet tables, one statement per call (the session cursor runs
    one). The lake holds no ingest_batches table (its batches are manifests): a run's batches are the batch ids
    of the landed events and catalog snapshots that the watermark does not hold. -#}
{% macro spark__start_incremental_run() -%}
    {%- if not execute -%}{{ return('select 1 as not_executing') }}{%- endif -%}
    {%- do run_query("create database if not exists build_state") -%}
    {%- do run_query("create table if not exists build_state.built_batches (batch_id string) using parquet") -%}
    {%- do run_query("create table if not exists build_state.model_as_of (as_of_at timestamp, model_name string) "
        ~ "using parquet partitioned by (model_name)") -%}
    {%- set landed = ["select distinct batch_id, 'events' as kind from " ~ source('landing', 'lms_events')] -%}
    {%- for node in graph.sources.values() if node.source_name == 'landing' and node.name.startswith('catalog_') -%}
        {%- do landed.append("select distinct batch_id, 'catalog' as kind from " ~ source('landing', node.name)) -%}
    {%- endfor -%}
    {%- do run_query("drop table if exists build_state.run_batches") -%}
    {%- do run_query("create table build_state.run_batches using parquet as select landed.batch_id, landed.kind from ("
        ~ landed | join(" union all ") ~ ") as landed where landed.batch_id not in "
        ~ "(select built.batch_id from build_state.built_batches as built)") -%}
    {%- do run_query("drop table if exists build_state.run_events") -%}
    {%- do run_query("create table build_state.run_events using parquet as " ~ _run_events_query()) -%}
    {%- do run_query("drop table if exists build_state.run_scope") -%}
    create table build_state.run_scope using parquet as {{ _run_scope_query() }}
{%- endmacro %}


{% macro default__start_incremental_run() -%}
    {%- if not execute -%}{{ return('select 1 as not_executing') }}{%- endif -%}
    {%- do run_query("create schema if not exists build_state") -%}
    {%- set setup -%}
        create table if not exists build_state.built_batches (batch_id {{ dbt.type_string() }});
        create table if not exists build_state.model_as_of (
            model_name {{ dbt.type_string() }},
            as_of_at {{ dbt.type_timestamp() }}
        );
        -- the as-of and landing row counts of the last whole build (written by `lms-warehouse build` when it
        -- succeeded): any run may change rows, so it is forgotten first (dbt_runner/code_changes.py)
        create table if not exists build_state.whole_build (
            as_of_at {{ dbt.type_timestamp() }},
            landing_table {{ dbt.type_string() }},
            row_count {{ dbt.type_bigint() }}
        );
        delete from build_state.whole_build;
        create or replace table build_state.run_batches as
        select batches.batch_id, batches.kind
        from {{ source('landing', 'ingest_batches') }} as batches
        where batches.accepted > 0
            and batches.batch_id not in (select built.batch_id from build_state.built_batches as built);
        create or replace table build_state.run_events as {{ _run_events_query() }};
    {%- endset -%}
    {%- do run_query(setup) -%}
    create or replace table build_state.run_scope as {{ _run_scope_query() }}
{%- endmacro %}


{#- The events a run processes: those of its new batches (build_state.run_batches), plus those occurring in the
    recompute window (LMS_PARTITION_START / LMS_PARTITION_END) when one is given. -#}
{% macro _run_events_query() -%}
    {%- set start = run_setting('partition_start', 'LMS_PARTITION_START') -%}
    {%- set end = run_setting('partition_end', 'LMS_PARTITION_END') -%}
    select events.organization_id, events.id, events.student_id, events.class_id, events.type, events.occurred_at
    from {{ source('landing', 'lms_events') }} as events
    where events.batch_id in (select batch_id from build_state.run_batches where kind = 'events')
    {%- if start and end %}
        or (events.occurred_at >= cast('{{ start }}' as {{ dbt.type_timestamp() }})
            and events.occurred_at < cast('{{ end }}' as {{ dbt.type_timestamp() }}))
    {%- endif %}
{%- endmacro %}


{#- build_state.run_scope's one row: whether the run processes a catalog snapshot (run_batches must be written
    first), and whether the data tests of incremental models read every row. -#}
{% macro _run_scope_query() -%}
    {%- set catalog_changed = run_query(
        "select count(*) from build_state.run_batches where kind like 'catalog%'").columns[0].values()[0] > 0 -%}
    select {{ catalog_changed }} as catalog_changed, {{ _tests_read_every_row(catalog_changed) }} as every_row
{%- endmacro %}


{#- on-run-end: the watermark moves only after a run that built every incremental model and failed nowhere. -#}
{% macro finish_incremental_run(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run') and _whole_run_succeeded(results) -%}
        insert into build_state.built_batches (batch_id) select batch_id from build_state.run_batches
    {%- else -%}
        select 1 as watermark_unchanged
    {%- endif -%}
{%- endmacro %}


{% macro _whole_run_succeeded(results) -%}
    {%- set built = [] -%}
    {%- for result in results -%}
        {%- if result.status in ('error', 'fail', 'skipped', 'runtime error') -%}{{ return(false) }}{%- endif -%}
        {%- if result.status == 'success' -%}{%- do built.append(result.node.unique_id) -%}{%- endif -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name
        and node.config.materialized == 'incremental' -%}
        {%- if node.unique_id not in built -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
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


{#- Whether this incremental run processes a new catalog version (asked once per node). -#}
{% macro catalog_changed_this_run() -%}
    {%- if not (execute and is_incremental_run()) -%}{{ return(false) }}{%- endif -%}
    {%- if 'lms_catalog_changed' not in model -%}
        {%- do model.update({'lms_catalog_changed': run_query(
            "select catalog_changed from build_state.run_scope").columns[0].values()[0]}) -%}
    {%- endif -%}
    {{ return(model['lms_catalog_changed']) }}
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
        {%- if catalog_changed_this_run() -%}
            {%- if announce -%}{%- do log(this.identifier ~ ": the catalog changed: recomputing every row",
                info=true) -%}{%- endif -%}
            {{ return('full') }}
        {%- endif -%}
    {%- endif -%}
    {{ return('keys') }}
{%- endmacro %}


{#- The conditions for 'event', 'pair', 'learner' and 'day' have unqualified twins in dbt_project.yml (vars
    recomputed_*), the `where` config of the data tests of incremental models: change them together. -#}
{%- macro _column(alias, name) -%}{{ alias ~ '.' if alias }}{{ name }}{%- endmacro -%}


{#- SQL condition on `alias` (no alias: unqualified columns): the row belongs to a key this build recomputes.
    `key` is 'event' (organization, event id in `column`), 'pair' (organization, student, class), 'learner'
    (organization, student), 'learner_as_of' (a learner, also when the as-of moved past one of their events
    since the previous as-of in `column`, by default the model's previous_as_of()), 'learner_as_of_calendar'
    (the same, plus the rows of a per-learner calendar, columns `date` and `time_zone`, after the previous
    as-of's local date), 'learner_as_of_days' (the same with UTC days in `date`, from the previous as-of's
    date on) or 'day' (organization, UTC date in `column`). Row-value IN lists, not correlated
    EXISTS: DuckDB plans them as one hash semi join (Spark and Postgres accept the same form). -#}
{% macro is_dirty(alias, key, scope, column=none) -%}
    {%- if scope == 'full' -%}
        1 = 1
    {%- elif key in ('pair', 'learner', 'learner_as_of') and overwrites_partitions() %}
        {#- Spark replaces whole learner buckets: every learner of the touched buckets (a pair's learner's
            bucket holds the pair) -#}
        {{ learner_bucket(_column(alias, 'organization_id'), _column(alias, 'student_id')) }} in (
            select {{ learner_bucket('learners.organization_id', 'learners.student_id') }}
            from ({{ _dirty_learners(key, column) }}) as learners
        )
    {%- elif key == 'event' %}
        ({{ _column(alias, 'organization_id') }}, {{ _column(alias, column or 'event_id') }}) in (
            select organization_id, id from build_state.run_events
        )
    {%- elif key == 'pair' %}
        (
            ({{ _column(alias, 'organization_id') }}, {{ _column(alias, 'student_id') }}, {{ _column(alias, 'class_id') }}) in (
                select organization_id, student_id, class_id from build_state.run_events
            )
            -- a viewing event (xAPI, Open edX) names its video, not the class the video maps to
            -- (int_video_object_classes): it makes every pair of its learner dirty
            or ({{ _column(alias, 'organization_id') }}, {{ _column(alias, 'student_id') }}) in (
                select organization_id, student_id from build_state.run_events
                where type in (
                    'VIDEO_INITIALIZED', 'VIDEO_PLAYED', 'VIDEO_PAUSED', 'VIDEO_SEEKED',
                    'VIDEO_INTERACTED', 'VIDEO_TERMINATED', 'VIDEO_ENDED'
                )
            )
        )
    {%- elif key == 'learner' %}
        ({{ _column(alias, 'organization_id') }}, {{ _column(alias, 'student_id') }}) in (
            {{ _dirty_learners(key) }}
        )
    {%- elif key in ('learner_as_of', 'learner_as_of_calendar', 'learner_as_of_days') %}
        {%- set previous = _previous_as_of_timestamp(column) %}
        (
            ({{ _column(alias, 'organization_id') }}, {{ _column(alias, 'student_id') }}) in (
                {{ _dirty_learners(key, column) }}
            )
            {%- if key == 'learner_as_of_calendar' %}
            -- the calendar days after the previous as-of's local date (the UTC date test is a cheap first cut:
            -- a local date is at most one day before the UTC date)
            or ({{ _column(alias, 'date') }} >= cast({{ previous }} as date)
                and {{ _column(alias, 'date') }} > cast({{ dbt.date_trunc('day', utc_to_local(
                    previous, _column(alias, 'time_zone'))) }} as date))
            {%- elif key == 'learner_as_of_days' %}
            -- every learner's UTC days from the previous as-of's date on (column `date`)
            or {{ _column(alias, 'date') }} >= cast({{ previous }} as date)
            {%- endif %}
        )
    {%- elif key == 'day' %}
        ({{ _column(alias, 'organization_id') }}, {{ _column(alias, column or 'date') }}) in (
            select organization_id, cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) from build_state.run_events
        )
    {%- else %}
        {{ exceptions.raise_compiler_error("is_dirty: unknown key '" ~ key ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{#- The previous as-of as a timestamp literal: `column` when given, else the model's previous_as_of(). -#}
{% macro _previous_as_of_timestamp(column=none) -%}
    cast('{{ column or previous_as_of().at }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- The (organization_id, student_id) of the learners a build recomputes: those of the run's events; for the
    keys learner_as_of*, also those whose events the as-of moved past since the previous as-of (`column`, by
    default the model's previous_as_of()). -#}
{% macro _dirty_learners(key, column=none) -%}
    select organization_id, student_id from build_state.run_events
    {%- if key.startswith('learner_as_of') %}
    union all
    select organization_id, student_id from {{ source('landing', 'lms_events') }}
    where occurred_at > {{ _previous_as_of_timestamp(column) }}
        and occurred_at <= {{ as_of_timestamp() }}
    {%- endif %}
{%- endmacro %}


{#- pre-hook: remove the rows this build recomputes (all of them when the scope is full). `catalog_mapped`
    names a column whose non-null rows were mapped through the catalog: a new catalog recomputes those rows
    only (the model selects them the same way). -#}
{% macro delete_dirty_rows(key, reads_catalog=false, column=none, catalog_mapped=none) -%}
    {#- the keys learner_as_of* follow the as-of (dbt_runner/code_changes.py reads the same prefix) -#}
    {%- set as_of_dependent = key.startswith('learner_as_of') -%}
    {%- set scope = incremental_scope(reads_catalog, as_of_dependent=as_of_dependent) -%}
    {%- if overwrites_partitions() and scope == 'full' -%}
        {#- Spark: every row is recomputed, but a partition with no new rows would keep its old ones -#}
        truncate table {{ this }}
    {%- elif is_incremental_run() and not overwrites_partitions() -%}
        delete from {{ this }} as target
        where {{ is_dirty('target', key, scope, column) }}
        {%- if catalog_mapped and catalog_changed_this_run() %}
            or target.{{ catalog_mapped }} is not null
        {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- post-hook of a model whose rows depend on the as-of: the as-of they were computed at. Without a given
    as-of, the run's start (earlier than any instant the rows were computed at), so the next build's window
    starts early enough. -#}
{% macro record_model_as_of() -%}
    {{ return(adapter.dispatch('record_model_as_of')()) }}
{%- endmacro %}


{#- Spark: one partition per model (no DELETE on Parquet): a static partition overwrite replaces its one row. -#}
{% macro spark__record_model_as_of() -%}
    insert overwrite table build_state.model_as_of partition (model_name = '{{ this.identifier }}')
    select {{ _model_as_of_at() }}
{%- endmacro %}


{% macro default__record_model_as_of() -%}
    delete from build_state.model_as_of where model_name = '{{ this.identifier }}';
    insert into build_state.model_as_of (model_name, as_of_at) values ('{{ this.identifier }}', {{ _model_as_of_at() }})
{%- endmacro %}


{% macro _model_as_of_at() -%}
    {%- if run_setting('as_of', 'LMS_AS_OF') is none -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ as_of_timestamp() }}
    {%- endif -%}
{%- endmacro %}


{#- post-hook of a model built as a table by a setting that also allows building it incrementally (a var):
    the next incremental build must not trust rows this build wrote, so it starts from scratch. -#}
{% macro forget_model_as_of() -%}
    {{ return(adapter.dispatch('forget_model_as_of')()) }}
{%- endmacro %}


{% macro spark__forget_model_as_of() -%}
    alter table build_state.model_as_of drop if exists partition (model_name = '{{ this.identifier }}')
{%- endmacro %}


{% macro default__forget_model_as_of() -%}
    delete from build_state.model_as_of where model_name = '{{ this.identifier }}'
{%- endmacro %}


{#- Run output: how many of the new events are older than the lookback window (they are handled exactly). -#}
{% macro report_late_events() -%}
    {%- if execute and is_incremental_run() -%}
        {%- set query -%}
            with newest as (
                select max(occurred_at) as newest_at from {{ source('landing', 'lms_events') }}
            )
            select
                count(*) as new_events,
                count(case when events.occurred_at < {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'newest.newest_at') }} then 1 end) as late_events,
                count(distinct events.organization_id || '|' || events.student_id) as learners
            from build_state.run_events as events
            cross join newest
        {%- endset -%}
        {%- set row = run_query(query).rows[0] -%}
        {%- if row[0] > 0 -%}
            {%- do log("incremental: " ~ row[0] ~ " new event(s) for " ~ row[2] ~ " learner(s); " ~ row[1]
                ~ " older than the " ~ var('incremental_lookback_days')
                ~ "-day lookback window (their learners are recomputed from full history)", info=true) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
