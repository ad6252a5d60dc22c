"""Test-only writer of the issue-4 contract's landing tables, until the real MOOC/H5P ingestion lands.

It appends a simulator dataset to `landing.mooc_records` exactly as the contract says (a new version only
when content_hash differs from the latest stored one of the same key) and one ok row per call to
`landing.http_fetch_log`. Not product code: the HTTP ingestion replaces it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import duckdb

MOOC_LANDING_DDL = (
    """create table if not exists landing.mooc_records (
        organization_id varchar not null, source varchar not null, entity varchar not null,
        course_id varchar not null, user_id varchar not null, record_json varchar not null,
        raw_json varchar not null, content_hash varchar not null, url varchar not null,
        batch_id varchar not null, fetched_at timestamp not null)""",
    """create table if not exists landing.http_fetch_log (
        batch_id varchar not null, organization_id varchar not null, source varchar not null,
        course_id varchar, user_id varchar, url varchar not null, status_code integer, ok boolean not null,
        reason varchar, records integer not null, fetched_at timestamp not null)""",
)

COURSE_ENTITIES = (("enrollments", "enrollment"), ("grades", "grade"), ("progress", "progress"),
                   ("discussions", "discussion"))
H5P_ENTITIES = (("scores", "h5p_scores"), ("videos", "h5p_video_progress"), ("dashboard", "h5p_dashboard"))


def create_mooc_landing(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists landing")
    for ddl in MOOC_LANDING_DDL:
        con.execute(ddl)


def _canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def land_dataset(
    con: duckdb.DuckDBPyConnection, dataset: dict, fetched_at: datetime, *, organization_id: str = "default"
) -> int:
    """Append one fetch of every course and H5P record of `dataset`; returns the number of new versions."""
    create_mooc_landing(con)
    batch_id = f"fixture-{fetched_at:%Y%m%d%H%M%S}"
    rows: list[tuple] = []
    for course_id, blocks in dataset["courses"].items():
        for block, entity in COURSE_ENTITIES:
            for record in blocks[block]:
                rows.append(("mooc_export", entity, course_id, str(record["user_id"]), record))
    for course_id, users in dataset["h5p"].items():
        for user_id, blocks in users.items():
            for block, entity in H5P_ENTITIES:
                record = blocks[block] if block == "dashboard" else {block: blocks[block]}
                rows.append(("h5p", entity, course_id, user_id, record))
    latest = dict(con.execute("""
        select organization_id || '|' || source || '|' || entity || '|' || course_id || '|' || user_id, content_hash
        from landing.mooc_records
        qualify row_number() over (
            partition by organization_id, source, entity, course_id, user_id order by fetched_at desc) = 1
    """).fetchall())
    new = []
    for source, entity, course_id, user_id, record in rows:
        text = _canonical(record)
        digest = hashlib.md5(text.encode()).hexdigest()
        if latest.get(f"{organization_id}|{source}|{entity}|{course_id}|{user_id}") != digest:
            url = f"http://simulator.test/{source}/{entity}/{course_id}/{user_id}"
            new.append((organization_id, source, entity, course_id, user_id, text, json.dumps(record), digest,
                        url, batch_id, fetched_at))
    if new:
        con.executemany("insert into landing.mooc_records values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new)
    con.execute(
        "insert into landing.http_fetch_log values (?, ?, 'mooc_export', null, null, ?, 200, true, null, ?, ?)",
        [batch_id, organization_id, "http://simulator.test/", len(rows), fetched_at],
    )
    return len(new)
