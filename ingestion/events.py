"""Land learner events: read files with DuckDB, validate and de-duplicate them with set-based SQL.

One call is one batch. Every record read ends up in exactly one place: `landing.lms_events` (accepted),
nowhere but the counts (a duplicate of a landed event), or `landing.lms_event_rejects` (with a reason).
All landing writes of a batch happen in one transaction, so a crash never leaves half a batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingestion import conversions, nesting, tally
from ingestion.batches import BatchResult, new_batch_id, record_batch, utc_now
from ingestion.errors import IngestError
from ingestion.event_versions import current_event_version
from ingestion.landing import ensure_landing_schema
from ingestion.project_vars import project_var
from ingestion.readers import (
    Classify,
    FileFailure,
    SourceFile,
    classify_python_records,
    discover,
    file_md5,
    load_file,
)
from ingestion.sql_files import set_variables, statement
from ingestion.text_stream import PREVIEW_CHARS, max_record_bytes
from ingestion.xapi import redact_emails

KIND = "events"
MEMORY_LIMIT_ENV = "LMS_INGEST_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"
_STAGING = "_ingest_ev_staging"
_ROWS = "_ingest_ev_rows"
_VERDICTS = "_ingest_ev_verdict"
_FILE_REJECTS = "_ingest_ev_file_rejects"
_TEMP_OBJECTS = (("view", _ROWS), ("view", "_ingest_ev_input"), ("table", _VERDICTS), ("table", _FILE_REJECTS),
                 ("table", _STAGING))

Progress = Callable[[str], None]

# The statements, in the order a batch runs them (ingestion/sql/events/).
_MACROS = "events/validation_macros"  # the rules' building blocks, as temp macros
_CREATE_STAGING = "events/create_staging"
_CREATE_FILE_REJECTS = "events/create_file_rejects"
_CLASSIFY = "events/classify_records"  # the whole validation of a record, in priority order
_ROWS_VIEW = "events/rows_view"
_VERDICT = "events/judge_repeated_ids"
_COUNTS = "events/count_outcomes"
_INSERT_EVENTS = "events/insert_accepted_events"
_INSERT_REJECTS = "events/insert_rejects"
# The bookkeeping around them: a file's staged rows (readers.load_file), the nesting limit, redacted rejects.
_MEASURE_STAGED = "events/measure_staged_file"
_DROP_STAGED = "events/drop_staged_file"
_COUNT_STAGED = "events/count_staged_records"
_INSERT_FILE_REJECT = "events/insert_file_reject"
_DEEP_CANDIDATES = "events/deep_candidates"
_REJECT_TOO_DEEP = "events/reject_too_deep"
_REJECTS_TO_REDACT = "events/rejects_to_redact"
_REDACT_REJECT = "events/redact_reject"


@dataclass(frozen=True)
class _Loaded:
    paths: tuple[str, ...]
    first_rowids: tuple[int, ...]  # staging rowid of each file's first line, for the fast reader's rows
    failures: tuple[FileFailure, ...]


def ingest_event_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    organization_id: str = "default",
    quiz_catalog: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Land every record of the given files and folders as one batch; return its reconciled counts."""
    say = progress or (lambda _line: None)
    ensure_landing_schema(con)
    found = discover([paths] if isinstance(paths, str | Path) else paths)
    skipped = f" (skipped {found.skipped} with unsupported extensions)" if found.skipped else ""
    say(f"found {len(found.files)} event file(s){skipped}")
    if found.special:
        say(f"note: skipped {found.special} FIFO(s), socket(s) or device(s) in the folders: only regular files "
            "are read")
    return _ingest(con, lambda classify: _load_all(con, found.files, classify, say), organization_id, quiz_catalog,
                   say)


def ingest_event_texts(
    con: duckdb.DuckDBPyConnection,
    texts: Sequence[str],
    *,
    source: str,
    organization_id: str = "default",
    quiz_catalog: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Land records received in memory (e.g. statements from an LRS) as one batch whose source is `source`;
    record numbers are the 1-based positions in `texts`."""
    say = progress or (lambda _line: None)
    ensure_landing_schema(con)
    return _ingest(con, lambda classify: _load_texts(con, texts, source, classify), organization_id, quiz_catalog,
                   say)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    load: Callable[[Classify], _Loaded],
    organization_id: str,
    quiz_catalog: Path | None,
    say: Progress,
) -> BatchResult:
    batch_id, started_at = new_batch_id(), utc_now()
    with _session_settings(con), _temp_objects(con):
        _prepare(con)
        classify = _classifier(con, organization_id)
        loaded = load(classify)
        _reject_too_deep(con)
        set_variables(con, ingest_paths=list(loaded.paths), ingest_first_rowids=list(loaded.first_rowids))
        con.execute(statement(_ROWS_VIEW))
        _convert_foreign(con, classify, quiz_catalog, say)
        result = _land(con, batch_id, loaded, organization_id, started_at)
    return result  # the caller prints result.summary() once, where its output goes


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    for name in (_MACROS, _CREATE_STAGING, _CREATE_FILE_REJECTS):
        con.execute(statement(name))


def _classifier(con: duckdb.DuckDBPyConnection, organization_id: str) -> Classify:
    """Validate the records of the view `_ingest_ev_input` into the staging table (classify_records.sql)."""
    earliest, latest = plausible_event_window(utc_now())
    parameters = {
        "organization": organization_id,
        "current_version": current_event_version(),
        "earliest": earliest,
        "latest": latest,
        "max_depth": nesting.max_nesting_depth(),
    }
    # the readers' views (which cannot take a parameter) apply the record size limit
    set_variables(con, ingest_max_record_bytes=max_record_bytes(), ingest_preview_chars=PREVIEW_CHARS)
    return lambda: con.execute(statement(_CLASSIFY), parameters)


def _load_all(con: duckdb.DuckDBPyConnection, files: Sequence[SourceFile], classify: Classify, say: Progress
              ) -> _Loaded:
    failures: list[FileFailure] = []
    first_rowids: list[int] = []
    for file_idx, source in enumerate(files):
        def staged(idx: int = file_idx) -> tuple[int, int]:
            return con.execute(statement(_MEASURE_STAGED), {"file_idx": idx}).fetchone()

        def drop(idx: int = file_idx) -> None:
            con.execute(statement(_DROP_STAGED), {"file_idx": idx})

        try:
            failure = load_file(con, file_idx, source, classify, staged, drop)
        except Exception as exc:  # a file is the unit of failure: whatever breaks inside it stays inside it
            drop(file_idx)
            failure = FileFailure(source.path, f"could not read file {source.path.name}: {type(exc).__name__}: "
                                  f"{(str(exc).strip().splitlines() or [''])[0]}", f"{file_md5(source.path)}#0")
        first_rowid, count = con.execute(statement(_COUNT_STAGED), {"file_idx": file_idx}).fetchone()
        first_rowids.append(first_rowid)
        if failure:
            failures.append(failure)
            con.execute(statement(_INSERT_FILE_REJECT), {
                "file_idx": file_idx, "source_file": str(failure.path), "reason": failure.reason,
                "reject_key": failure.key, "record_number": failure.record_number})
            say(failure.reason)
        elif count == 0:
            say(f"note: {source.path} is empty (no record): nothing to land from it")
        else:
            say(f"read {source.path.name}: {count:,} record(s)")
    return _Loaded(tuple(str(f.path) for f in files), tuple(first_rowids), tuple(failures))


def _load_texts(con: duckdb.DuckDBPyConnection, texts: Sequence[str], source: str, classify: Classify) -> _Loaded:
    count = len(texts)
    classify_python_records(con, classify, [0] * count, range(1, count + 1), texts, texts, [None] * count)
    return _Loaded((source,), (0,), ())


def _reject_too_deep(con: duckdb.DuckDBPyConnection) -> None:
    """Reject the records nested deeper than the limit (ingestion/nesting.py); only the records holding more
    brackets than the limit (`many_brackets`, counted while they were classified) are measured in Python."""
    limit = nesting.max_nesting_depth()
    deep = [{"reason": nesting.too_deep_reason(depth, limit), "staged_row": rowid}
            for rowid, raw in con.execute(statement(_DEEP_CANDIDATES)).fetchall()
            if (depth := nesting.nesting_depth(raw)) > limit]
    if deep:
        con.executemany(statement(_REJECT_TOO_DEEP), deep)


def _convert_foreign(con: duckdb.DuckDBPyConnection, classify: Classify, quiz_catalog: Path | None, say: Progress
                     ) -> None:
    """Swap each record in another system's shape (Tally, xAPI, Open edX) for the canonical event it stands
    for, validated the same way; a record that is none of them comes back unchanged."""
    records = con.execute(f"select file_idx, record_number, raw from {_ROWS} where needs_conversion").fetchall()
    if not records:
        return
    catalog = tally.load_quiz_catalog(Path(quiz_catalog) if quiz_catalog is not None else None)
    salt = conversions.pseudonym_salt()
    converted = [_converted(raw, catalog, salt) for _, _, raw in records]
    con.execute(f"delete from {_STAGING} where needs_conversion")
    classify_python_records(con, classify, [r[0] for r in records], [r[1] for r in records], [r[2] for r in records],
                      [canon for canon, _ in converted], [error for _, error in converted])
    changed = sum(1 for (canon, error), (_, _, raw) in zip(converted, records, strict=True) if canon != raw or error)
    say(f"converted {changed:,} record(s) from Tally, xAPI or Open edX")


def _converted(raw: str, catalog: tally.QuizCatalog, salt: str) -> conversions.Converted:
    """One record's conversion; an unexpected failure rejects that record, never the batch."""
    try:
        return conversions.convert_raw(raw, catalog, salt)
    except Exception as exc:
        return None, f"could not convert the record: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


def plausible_event_window(now: datetime) -> tuple[datetime, datetime]:
    """When an event may have occurred: from the var event_time_earliest (2000-01-01) to the var
    event_time_max_days_ahead (1) days after the ingest. Outside it an instant is a broken clock or a
    placeholder (0001-01-01, 9999-12-31), and one such event would stretch every daily series to it."""
    earliest = datetime.fromisoformat(str(project_var("event_time_earliest")))
    return earliest.replace(tzinfo=None), now + timedelta(days=float(project_var("event_time_max_days_ahead")))


def _land(
    con: duckdb.DuckDBPyConnection, batch_id: str, loaded: _Loaded, organization_id: str, started_at: datetime
) -> BatchResult:
    """Verdicts, counts and every landing write of the batch, all in one transaction."""
    failures = len(loaded.failures)
    batch = {"batch_id": batch_id, "organization": organization_id}
    con.execute("begin transaction")
    try:
        con.execute(statement(_VERDICT))
        read, accepted, duplicates, rejected = con.execute(statement(_COUNTS)).fetchone()
        (held_back,) = con.execute(f"select count(*) from {_VERDICTS} where status <> 'accepted'").fetchone()
        con.execute(statement(_INSERT_EVENTS), {"batch_id": batch_id, "loaded_at": started_at, "held_back": held_back})
        con.execute(statement(_INSERT_REJECTS), {**batch, "rejected_at": started_at})
        _redact_rejects(con, batch_id)
        result = BatchResult(batch_id, KIND, loaded.paths, read + failures, accepted, duplicates,
                             rejected + failures,
                             tuple(str(f.path) for f in loaded.failures if f.record_number == 0))
        record_batch(con, result, organization_id=organization_id, started_at=started_at, finished_at=utc_now())
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _redact_rejects(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    """E-mail addresses in this batch's rejected texts become pseudonyms before the batch commits."""
    rows = con.execute(statement(_REJECTS_TO_REDACT), {"batch_id": batch_id}).fetchall()
    salt = conversions.pseudonym_salt()
    changed = [{"raw_text": redacted, "batch_id": batch_id, "reject_key": key} for key, raw in rows
               if (redacted := redact_emails(raw, salt)) != raw]
    if changed:
        con.executemany(statement(_REDACT_REJECT), changed)


@contextmanager
def _session_settings(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Timestamps without an offset are UTC: the session time zone decides that for the cast. Insertion order
    is preserved: record numbers of JSON Lines files are staging rowids (sql/events/input_lines.sql). DuckDB's memory is
    capped ($LMS_INGEST_MEMORY_LIMIT, default 2GB): the staged records spill to the warehouse's temporary folder
    instead of holding a whole file's text in memory."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    try:  # first: the one setting a user gives, so a wrong one leaves every setting as it was
        con.execute("set memory_limit = $limit", {"limit": limit})
    except duckdb.Error:
        raise IngestError(f"{MEMORY_LIMIT_ENV}={limit!r} is not a memory size DuckDB knows: set it like 2GB or "
                          "1500MB, or unset it (default 2GB)") from None
    settings = {"TimeZone": "UTC", "preserve_insertion_order": "true"}
    previous = {name: con.execute("select current_setting($name)::varchar", {"name": name}).fetchone()[0]
                for name in settings}
    for name, value in settings.items():
        con.execute(f"set {name} = $value", {"value": value})
    try:
        yield
    finally:
        for name, value in previous.items():
            con.execute(f"set {name} = $value", {"value": value})
        con.execute("reset memory_limit")  # it reads back rounded (18.7 GiB); no ingest path sets it otherwise


@contextmanager
def _temp_objects(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    try:
        yield
    finally:
        for kind, name in _TEMP_OBJECTS:
            con.execute(f"drop {kind} if exists {name}")
