"""A file's bytes as a bounded stream: gzip decompressed chunk by chunk under the project's limits, split into
lines of at most the record limit. Memory stays bounded whatever the input: a line over the limit is skipped
to its end (only a preview is kept), and a compression bomb is stopped after a few megabytes.

The limits are dbt vars read by ingestion (dbt_project.yml):
- `ingest_max_record_bytes` (16 MiB): a longer record is rejected with its size and position;
- `ingest_max_decompressed_bytes` (8 GiB) and `ingest_max_compression_ratio` (200): a gzip file that
  decompresses to more, or expands more (checked once 64 MiB came out), is rejected as a whole.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingestion.project_vars import project_var

_READ = 1 << 16
_OUT = 1 << 22
_RATIO_CHECKED_AFTER = 64 << 20
PREVIEW_CHARS = 1000  # what a rejected oversized record keeps of its text


def max_record_bytes() -> int:
    return int(project_var("ingest_max_record_bytes"))


class StreamLimit(Exception):
    """The file breaks a whole-file limit: it is rejected as a whole, with this reason."""


@dataclass
class Stream:
    """The decompressed (or plain) bytes of a file; `problem` says, once iterated, why the stream ended early
    (a truncated or corrupt gzip), else None. Raises StreamLimit while iterating when a limit is broken."""

    path: Path
    compressed: bool
    problem: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            if not self.compressed:
                while chunk := handle.read(_OUT):
                    yield chunk
                return
            yield from self._gunzip(handle)

    def _gunzip(self, handle) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
        cap = int(project_var("ingest_max_decompressed_bytes"))
        ratio = float(project_var("ingest_max_compression_ratio"))
        size = max(self.path.stat().st_size, 1)
        decompressor, started, total = zlib.decompressobj(wbits=31), False, 0
        while chunk := handle.read(_READ):
            data = chunk
            while data:
                try:
                    out = decompressor.decompress(data, _OUT)
                except zlib.error as exc:
                    self.problem = f"corrupt gzip ({exc})"
                    return
                started = True
                total += len(out)
                if total > cap:
                    raise StreamLimit(f"decompresses to more than {cap:,} bytes (var ingest_max_decompressed_bytes): "
                                      "split the file, or raise the var")
                if total > _RATIO_CHECKED_AFTER and total > ratio * size:
                    raise StreamLimit(f"expands more than {ratio:g} times (var ingest_max_compression_ratio): a "
                                      "compression bomb, or raise the var")
                if out:
                    yield out
                if decompressor.eof:  # another gzip member may follow
                    data, decompressor, started = decompressor.unused_data, zlib.decompressobj(wbits=31), False
                else:
                    data = decompressor.unconsumed_tail
        if started and not decompressor.eof:
            self.problem = "truncated gzip (the stream ends early)"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the (decompressed) file
    text: bytes  # the line without its end of line; a preview when `size` is over the limit
    size: int  # the line's whole size in bytes
    ended: bool  # False for a last line without end of line (maybe cut short by a broken stream)


def lines(chunks: Iterator[bytes] | Stream, limit: int) -> Iterator[Line]:
    """Split a stream into lines, holding at most `limit` bytes of one line."""
    buffer, size, number = bytearray(), 0, 0
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start: end if end >= 0 else len(chunk)]
            size += len(piece)
            if len(buffer) <= limit:
                buffer += piece[: limit + 1 - len(buffer)]
            if end < 0:
                break
            number += 1
            yield _line(number, buffer, size, limit, ended=True)
            buffer, size, start = bytearray(), 0, end + 1
    if size:
        yield _line(number + 1, buffer, size, limit, ended=False)


def _line(number: int, buffer: bytearray, size: int, limit: int, *, ended: bool) -> Line:
    text = bytes(buffer)
    if number == 1:
        text = text.removeprefix(b"\xef\xbb\xbf")
    if size <= limit:
        return Line(number, text.removesuffix(b"\r"), size, ended)
    return Line(number, text[:PREVIEW_CHARS], size, ended)
