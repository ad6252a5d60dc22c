"""Find event files and load their raw records into one staging table, with DuckDB doing the reading.

Each file becomes a source query with columns `(file_idx, rn, raw, c, early_error)`: `raw` is the record's
text as received, `c` the text to validate, `rn` the 1-based position of the record in its file (the line
number for JSON Lines, the element index for a JSON array, the row number for Parquet). The fast JSON
Lines reader leaves `rn` null: the caller derives it from insertion order. A file that cannot be read at
all becomes one `FileFailure` instead.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.errors import IngestError

LINES, JSON_DOC, PARQUET = "lines", "json", "parquet"
_FORMATS: dict[str, str] = {
    ".ndjson": LINES,
    ".jsonl": LINES,
    ".json": JSON_DOC,
    ".ndjson.gz": LINES,
    ".jsonl.gz": LINES,
    ".json.gz": JSON_DOC,
    ".parquet": PARQUET,
    # Open edX tracking logs (tracking.log, rotated and gzipped): one event per line, maybe behind a prefix.
    ".log": LINES,
    ".log.gz": LINES,
}
SUPPORTED = ", ".join(_FORMATS)

# The default 2 MB line limit keeps the fast reader fast; longer lines take the Python fallback.
# The file is read in parallel straight into the validation. Its rows still reach the staging table in file
# order: DuckDB's CSV reader keeps insertion order, the validation is projections only (no join, no
# grouping), and with preserve_insertion_order (the default) an INSERT of such a query writes rows in source
# order. So a line's rowid in the staging table, less the file's first rowid, is its position in the file.
_LINES_SQL = """
select {idx} as file_idx, null::bigint as rn, line as raw, line as c, null::varchar as early_error
from read_csv({path}, columns = {{'line': 'VARCHAR'}}, delim = chr(1), quote = '', escape = '', header = false,
              auto_detect = false, compression = 'auto')
"""

# A .json file is one value, an array of values, or (leniently) several values one after another.
_JSON_DOC_SQL = """
with docs as (
    select row_number() over () as doc, json
    from read_json({path}, format = 'unstructured', records = false, columns = {{'json': 'JSON'}},
                   maximum_object_size = 2147483647, compression = 'auto_detect')
),
elements as (
    select doc, 1 as element, json::varchar as raw from docs where json_type(json) is distinct from 'ARRAY'
    union all
    select doc, unnest(range(1, json_array_length(json)::bigint + 1)) as element,
           unnest(json_extract(json, '$[*]'))::varchar as raw
    from docs where json_type(json) = 'ARRAY'
)
select {idx} as file_idx, row_number() over (order by doc, element) as rn, coalesce(raw, 'null') as raw,
       coalesce(raw, 'null') as c, null::varchar as early_error
from elements
"""

_PARQUET_SQL = """
select {idx} as file_idx, file_row_number + 1 as rn, to_json(struct_pack({fields}))::varchar as raw,
       to_json(struct_pack({fields}))::varchar as c, null::varchar as early_error
from read_parquet({path}, file_row_number = true)
"""

_ARROW_VIEW = "_ingest_arrow_lines"
_ARROW_SQL = f"select {{idx}} as file_idx, rn, raw, raw as c, read_error as early_error from {_ARROW_VIEW}"

# What DuckDB raises for a file it cannot read (bad gzip, not Parquet, malformed JSON, odd text);
# anything else is a bug and propagates.
_UNREADABLE = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException)

# Runs "insert ... select ... from (<source>)" for one file's source query.
Insert = Callable[[str], None]


@dataclass(frozen=True)
class SourceFile:
    path: Path
    fmt: str
    compressed: bool


@dataclass(frozen=True)
class Discovery:
    files: tuple[SourceFile, ...]
    skipped: int  # files inside folders whose extension is not supported


@dataclass(frozen=True)
class FileFailure:
    """A file that could not be read: it lands as one reject with record number 0."""

    path: Path
    reason: str
    key: str


def source_kind(path: Path) -> SourceFile | None:
    name = path.name.lower()
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return SourceFile(path, _FORMATS[suffix], suffix.endswith(".gz"))
    return None


def discover(paths: Sequence[Path | str]) -> Discovery:
    """Expand folders recursively; each file once, all in sorted path order."""
    if not paths:
        raise IngestError("no input given: name one or more event files or folders")
    found: dict[Path, SourceFile] = {}
    skipped = 0
    for given in paths:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            files, ignored = _scan_folder(path)
            skipped += ignored
            found.update((f.path, f) for f in files)
        elif path.is_file():
            kind = source_kind(path)
            if kind is None:
                raise IngestError(f"{given}: unsupported file type; use one of {SUPPORTED}")
            found[path] = kind
        else:
            raise IngestError(f"{given}: no such file or folder; check the path")
    return Discovery(tuple(found[p] for p in sorted(found)), skipped)


def _scan_folder(folder: Path) -> tuple[list[SourceFile], int]:
    files: list[SourceFile] = []
    skipped = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        kind = source_kind(path)
        if kind is None:
            skipped += 1
        else:
            files.append(kind)
    if not files:
        raise IngestError(f"{folder}: folder holds no event file ({SUPPORTED}); check the folder")
    return files, skipped


def load_file(con: duckdb.DuckDBPyConnection, file_idx: int, source: SourceFile, insert: Insert) -> FileFailure | None:
    """Feed one file's records to `insert` as a source query, or say why the file cannot be read."""
    if source.compressed:
        problem = _gzip_problem(source.path)
        if problem:
            return _failure(source.path, problem)
    path = sql_literal(str(source.path))
    try:
        if source.fmt == LINES:
            _load_lines(con, file_idx, source, insert)
        elif source.fmt == JSON_DOC:
            insert(_JSON_DOC_SQL.format(idx=file_idx, path=path))
        else:
            insert(_PARQUET_SQL.format(idx=file_idx, path=path, fields=_parquet_fields(con, path)))
    except _UNREADABLE as exc:
        return _failure(source.path, _first_line(exc))
    return None


def _load_lines(con: duckdb.DuckDBPyConnection, file_idx: int, source: SourceFile, insert: Insert) -> None:
    try:
        insert(_LINES_SQL.format(idx=file_idx, path=sql_literal(str(source.path))))
    except _UNREADABLE:
        # DuckDB's CSV reader refuses odd text (bad UTF-8, control characters, stray CR, very long
        # lines). The failed statement left nothing behind, so Python splits this one file instead.
        _load_lines_in_python(con, file_idx, source, insert)


def _load_lines_in_python(con: duckdb.DuckDBPyConnection, file_idx: int, source: SourceFile, insert: Insert) -> None:
    import pyarrow as pa  # only this rarer path needs it; keeps the import cheap

    opener = gzip.open if source.compressed else open
    with opener(source.path, "rb") as handle:
        data = handle.read()
    data = data.removeprefix(b"\xef\xbb\xbf")
    numbers: list[int] = []
    texts: list[str] = []
    errors: list[str | None] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        line = line.removesuffix(b"\r")
        if not line.strip():
            continue
        numbers.append(number)
        try:
            texts.append(line.decode("utf-8"))
            errors.append(None)
        except UnicodeDecodeError:
            texts.append(line.decode("utf-8", errors="replace"))
            errors.append("not valid UTF-8 text")
    lines = pa.table(
        {
            "rn": pa.array(numbers, pa.int64()),
            "raw": pa.array(texts, pa.string()),
            "read_error": pa.array(errors, pa.string()),
        }
    )
    con.register(_ARROW_VIEW, lines)
    try:
        insert(_ARROW_SQL.format(idx=file_idx))
    finally:
        con.unregister(_ARROW_VIEW)


def _parquet_fields(con: duckdb.DuckDBPyConnection, path: str) -> str:
    columns = con.execute(f"describe select * from read_parquet({path})").fetchall()
    return ", ".join(_parquet_field(name, str(kind)) for name, kind, *_ in columns)


def _parquet_field(name: str, kind: str) -> str:
    column = '"' + name.replace('"', '""') + '"'
    if name in ("payload", "context") and kind == "VARCHAR":
        # A text column holding a JSON object is the object itself; anything else stays a string
        # and is rejected by validation as "not a JSON object".
        return f"{column} := case when json_valid({column}) then {column}::json else to_json({column}) end"
    return f"{column} := {column}"


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def timestamp_literal(value: datetime) -> str:
    """A naive timestamp as a SQL literal, exact to the microsecond."""
    return f"cast({sql_literal(value.isoformat())} as timestamp)"


def _gzip_problem(path: Path) -> str | None:
    """DuckDB reads a truncated gzip without complaint, so the stream is checked to its end first."""
    try:
        with gzip.open(path, "rb") as handle:
            while handle.read(1 << 22):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        return f"corrupt or truncated gzip ({exc})"
    return None


def _failure(path: Path, problem: str) -> FileFailure:
    return FileFailure(path, f"could not read file {path.name}: {problem}", f"{file_md5(path)}#0")


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
