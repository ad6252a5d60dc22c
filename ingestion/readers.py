"""Find event files and load their raw records into one staging table, with DuckDB doing the reading.

Each file becomes a source query with columns `(file_idx, rn, raw, c, early_error)`: `raw` is the record's
text as received, `c` the text to validate, `rn` the 1-based position of the record in its file (the line
number for JSON Lines, the element index for a JSON array, the row number for Parquet). The fast JSON
Lines reader leaves `rn` null: the caller derives it from insertion order. A file that cannot be read at
all becomes one `FileFailure` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.errors import IngestError
from ingestion.sql_files import registered, set_variables, statement
from ingestion.text_stream import Stream, StreamLimit, lines, max_record_bytes

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

_MAX_JSON_DOC = 2147483647  # DuckDB's largest maximum_object_size

# What DuckDB raises for a file it cannot read (bad gzip, not Parquet, malformed JSON, odd text);
# anything else is a bug and propagates.
_UNREADABLE = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException)

# Validates the records of the view _ingest_ev_input (each reader's statement creates it) into the staging table.
Classify = Callable[[], object]


@dataclass(frozen=True)
class SourceFile:
    path: Path
    fmt: str
    compressed: bool


@dataclass(frozen=True)
class Discovery:
    files: tuple[SourceFile, ...]
    skipped: int  # files inside folders whose extension is not supported
    special: int = 0  # FIFOs, sockets and devices inside folders: never opened (a FIFO would block the read)


@dataclass(frozen=True)
class FileFailure:
    """A file (or its unreadable rest) that could not be read: it lands as one reject with record number 0 (or
    the number after the last readable record)."""

    path: Path
    reason: str
    key: str
    record_number: int = 0


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
    skipped = special = 0
    for given in paths:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            files, ignored, odd = _scan_folder(path)
            skipped += ignored
            special += odd
            found.update((f.path, f) for f in files)
        elif path.is_file():
            kind = source_kind(path)
            if kind is None:
                raise IngestError(f"{given}: unsupported file type; use one of {SUPPORTED}")
            found[path] = kind
        elif path.exists():
            raise IngestError(f"{given}: is {_special_kind(path)}, not a regular file: write the records to a file "
                              "and ingest that")
        else:
            raise IngestError(f"{given}: no such file or folder; check the path")
    return Discovery(tuple(found[p] for p in sorted(found)), skipped, special)


def _special_kind(path: Path) -> str:
    if path.is_fifo():
        return "a FIFO (named pipe)"
    if path.is_socket():
        return "a socket"
    if path.is_block_device() or path.is_char_device():
        return "a device"
    return "not a regular file"


def _scan_folder(folder: Path) -> tuple[list[SourceFile], int, int]:
    files: list[SourceFile] = []
    skipped = special = 0
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        if not path.is_file():
            special += path.exists()  # a dangling symlink is neither: nothing to read, nothing to count
            continue
        kind = source_kind(path)
        if kind is None:
            skipped += 1
        else:
            files.append(kind)
    if not files:
        raise IngestError(f"{folder}: folder holds no event file ({SUPPORTED}); check the folder")
    return files, skipped, special


def load_file(
    con: duckdb.DuckDBPyConnection,
    file_idx: int,
    source: SourceFile,
    classify: Classify,
    staged: Callable[[], tuple[int, int]] | None = None,
    drop: Callable[[], None] | None = None,
) -> FileFailure | None:
    """Hand one file's records to `classify` (as the view its reader's statement creates), or say why the file
    cannot be read.

    A gzip cut short or corrupt part-way, and a JSON array with a syntax error, keep what is readable before
    the fault: those records land (or are judged) as usual and the unreadable rest is one reject with the reason.
    A record over the size limit is one reject with its size; its neighbours land. `staged` (text bytes and rows
    staged for this file) and `drop` (remove them) let a JSON Lines file read by DuckDB be checked for lines
    its reader dropped without a word, and read again by Python.
    """
    text_bytes = None
    set_variables(con, ingest_file_idx=file_idx, ingest_path=str(source.path))
    if source.compressed:
        try:
            text_bytes, problem = _gzip_check(source.path)
        except StreamLimit as exc:
            return _failure(source.path, str(exc))
        if problem:
            if source.fmt == PARQUET:
                return _failure(source.path, problem)
            if source.fmt == LINES:
                return _load_lines_in_python(con, file_idx, source, classify)
            records, rest = _readable_records(b"".join(Stream(source.path, True)), source.fmt, problem)
            _insert_records(con, file_idx, records, classify)
            return None if rest is None else _failure(source.path, rest, record_number=len(records) + 1)
    try:
        if source.fmt == LINES:
            return _load_lines(con, file_idx, source, classify, text_bytes, staged, drop)
        if source.fmt == JSON_DOC:
            # the whole document is one JSON value to DuckDB, which sizes its read buffer by this maximum: the
            # document's own size, not 2 GiB (twice that is allocated, over the ingest's memory cap)
            size = text_bytes if text_bytes is not None else source.path.stat().st_size
            set_variables(con, ingest_max_object_size=min(_MAX_JSON_DOC, max(size + 1, 1 << 20)))
            con.execute(statement("events/input_json_document"))
        else:
            fields = _parquet_fields(con, str(source.path))
            con.execute(statement("events/input_parquet").replace("__fields__", fields))
        classify()
    except _UNREADABLE as exc:
        if source.fmt != JSON_DOC:
            return _failure(source.path, _first_line(exc))
        records = _json_array_records(b"".join(Stream(source.path, source.compressed)))
        if records is None:  # not an array: nothing before the error can be told apart
            return _failure(source.path, _first_line(exc))
        _insert_records(con, file_idx, records, classify)
    return None


# (record number, raw text, reason it cannot land or None): what the Python readers hand to the validation.
Record = tuple[int, str, str | None]


def _readable_records(data: bytes, fmt: str, cut_reason: str) -> tuple[list[Record], str | None]:
    """The elements of the readable start of a cut JSON array, the element the cut went through rejected with its
    text so far; and, when the cut fell between elements, the reason for a file-level reject of the rest."""
    records = _json_array_records(data, cut_reason) or []
    rest = f"{cut_reason}: the rest of the file could not be read"
    return records, (rest if not records or records[-1][2] is None else None)

def _json_array_records(data: bytes, cut_reason: str | None = None) -> list[Record] | None:
    """The elements of a JSON array up to its first syntax error (each with its raw text), then one reject
    for the rest naming the line and column of the error; None when the text is not an array at all."""
    import json

    text = _decoded(data.removeprefix(b"\xef\xbb\xbf"))[0]
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        return None
    records: list[Record] = []
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return records
    while True:
        try:
            _, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            reason = (f"{cut_reason}: the readable text ends inside this element (JSON error at {where}: "
                      f"{exc.msg}); the rest of the file could not be read" if cut_reason else
                      f"JSON syntax error at {where} ({exc.msg}): this element and the rest of the array were not read")
            records.append((len(records) + 1, text[position:], reason))
            return records
        records.append((len(records) + 1, text[position:end], None))
        position = _skip_space(text, end)
        if text.startswith("]", position):
            return records
        if not text.startswith(",", position):
            line, column = text.count("\n", 0, position) + 1, position - text.rfind("\n", 0, position)
            records.append((len(records) + 1, text[position:],
                            f"JSON syntax error at line {line} column {column} (expected ',' or ']'): "
                            "the rest of the array was not read"))
            return records
        position = _skip_space(text, position + 1)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _decoded(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "not valid UTF-8 text"


def _insert_records(con: duckdb.DuckDBPyConnection, file_idx: int, records: list[Record], classify: Classify) -> None:
    raw = [r[1] for r in records]
    classify_python_records(con, classify, [file_idx] * len(records), [r[0] for r in records], raw, raw,
                            [r[2] for r in records])


def classify_python_records(
    con: duckdb.DuckDBPyConnection,
    classify: Classify,
    file_idx: Sequence[int],
    rn: Sequence[int],
    raw: Sequence[str],
    c: Sequence[str | None],
    early_error: Sequence[str | None],
) -> None:
    """Validate records held in Python: input_python_records.sql reads them as an Arrow table."""
    import pyarrow as pa  # only the rarer Python paths need it; keeps the import cheap

    records = pa.table({
        "file_idx": pa.array(file_idx, pa.int32()),
        "rn": pa.array(rn, pa.int64()),
        "raw": pa.array(raw, pa.string()),
        "c": pa.array(c, pa.string()),
        "early_error": pa.array(early_error, pa.string()),
    })
    with registered(con, "_ingest_ev_records", records):
        con.execute(statement("events/input_python_records"))
        classify()


def _load_lines(
    con: duckdb.DuckDBPyConnection,
    file_idx: int,
    source: SourceFile,
    classify: Classify,
    text_bytes: int | None,
    staged: Callable[[], tuple[int, int]] | None,
    drop: Callable[[], None] | None,
) -> FileFailure | None:
    try:
        con.execute(statement("events/input_lines"))
        classify()
    except duckdb.Error:
        # DuckDB's CSV reader refuses odd text (bad UTF-8, control characters, stray CR) and long lines (a
        # NotImplementedException in its parallel reader). The failed statement left nothing behind, so Python
        # splits this one file instead.
        return _load_lines_in_python(con, file_idx, source, classify)
    if staged is None or drop is None:
        return None
    # The same reader silently drops an overlong last line: the text it staged must account for the file's
    # bytes (each row lost at most its end of line and a CR, the file a BOM).
    text, rows = staged()
    expected = source.path.stat().st_size if text_bytes is None else text_bytes
    if expected > text + 2 * rows + 3:
        drop()
        return _load_lines_in_python(con, file_idx, source, classify)
    return None


_BATCH_ROWS = 50_000  # records handed to DuckDB at once by the Python reader: memory stays bounded


def _load_lines_in_python(
    con: duckdb.DuckDBPyConnection, file_idx: int, source: SourceFile, classify: Classify
) -> FileFailure | None:
    """Stream the file's lines (decompressed as they come) in batches; a line over the record limit becomes a
    reject with its size; a gzip cut short keeps every complete line and rejects the cut one (or the rest)."""
    stream, limit = Stream(source.path, source.compressed), max_record_bytes()
    batch: list[Record] = []
    last = None
    for line in lines(stream, limit):
        last = line
        if line.size > limit:
            preview = _decoded(line.text)[0]
            batch.append((line.number, f"{preview}... [{line.size:,} bytes]",
                          f"record is {line.size:,} bytes, over the limit of {limit:,} (var ingest_max_record_bytes)"))
        elif not line.ended and stream.problem is not None:
            batch.append((line.number, _decoded(line.text)[0],
                          f"{stream.problem}: this record is cut short and the rest of the file could not be read"))
        elif line.text.strip():
            batch.append((line.number, *_decoded(line.text)))
        if len(batch) >= _BATCH_ROWS:
            _insert_records(con, file_idx, batch, classify)
            batch = []
    if batch:
        _insert_records(con, file_idx, batch, classify)
    if stream.problem is not None and (last is None or last.ended):
        return _failure(source.path, f"{stream.problem}: the rest of the file could not be read",
                        record_number=(last.number if last else 0) + 1)
    return None


def _parquet_fields(con: duckdb.DuckDBPyConnection, path: str) -> str:
    columns = con.execute("describe select * from read_parquet($path)", {"path": path}).fetchall()
    return ", ".join(_parquet_field(name, str(kind)) for name, kind, *_ in columns)


def _parquet_field(name: str, kind: str) -> str:
    column = '"' + name.replace('"', '""') + '"'
    if name in ("payload", "context") and kind == "VARCHAR":
        # A text column holding a JSON object is the object itself; anything else stays a string
        # and is rejected by validation as "not a JSON object".
        return f"{column} := case when json_valid({column}) then {column}::json else to_json({column}) end"
    return f"{column} := {column}"


def sql_literal(text: str) -> str:
    """Text as a SQL string literal, where no parameter can go: an ATTACH's path (DuckDB's parser refuses one), and
    the table name pragma_storage_info reads when a warehouse is opened (a parameter would import pandas). Values
    otherwise reach statements as parameters."""
    return "'" + text.replace("'", "''") + "'"


def _gzip_check(path: Path) -> tuple[int, str | None]:
    """Stream the gzip to its end first (DuckDB reads a truncated gzip without complaint, and a bomb must be
    stopped before anything reads it whole): its decompressed size, and why it ends early (None when whole).
    Raises StreamLimit for a file over the decompression limits."""
    stream = Stream(path, compressed=True)
    total = sum(len(chunk) for chunk in stream)
    return total, stream.problem


def _failure(path: Path, problem: str, record_number: int = 0) -> FileFailure:
    return FileFailure(path, f"could not read file {path.name}: {problem}", f"{file_md5(path)}#{record_number}",
                       record_number)


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
