"""MOOC and H5P ingestion over HTTP: the same functions as `lms-warehouse ingest mooc|h5p`.

One asset step fetches the MOOC source first (export API or Open edX, LMS_MOOC_API), then H5P for the
users whose enrollments just landed; both write `landing.mooc_records` and `landing.http_fetch_log`.
Failed requests do not fail the step (what succeeded is landed): the ERROR check `fetches_succeeded`
on `landing/mooc_records` fails with their count and first reasons.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from ingestion.h5p import ingest_h5p
from ingestion.mooc_export import ingest_mooc_export
from ingestion.mooc_landing import FetchRunResult
from ingestion.openedx_api import ingest_openedx
from ingestion.warehouse import connect
from orchestration.resources import LmsSources

MOOC_RECORDS_KEY = AssetKey(["landing", "mooc_records"])
FETCH_LOG_KEY = AssetKey(["landing", "http_fetch_log"])
CHECK_NAME = "fetches_succeeded"


@multi_asset(
    specs=[
        AssetSpec(
            key=MOOC_RECORDS_KEY,
            group_name="exports",
            description="MOOC (export API or Open edX) and H5P records in the export-API shape, append-only "
            "history: a new version only when the content changed. Configured by LMS_MOOC_BASE_URL, "
            "LMS_MOOC_COURSE_IDS, LMS_MOOC_API and LMS_H5P_BASE_URL.",
        ),
        AssetSpec(
            key=FETCH_LOG_KEY,
            group_name="exports",
            description="One row per HTTP request of the MOOC and H5P fetches: URL, status, ok, reason, records.",
        ),
    ],
    check_specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=MOOC_RECORDS_KEY,
            description="Every MOOC and H5P request of the run succeeded (failures: landing.http_fetch_log).",
        )
    ],
    name="landed_mooc_and_h5p",
)
def landed_mooc_and_h5p(context: AssetExecutionContext, sources: LmsSources):
    mooc_url, h5p_url, courses = sources.mooc_url(), sources.h5p_url(), sources.mooc_courses()
    if not mooc_url and not h5p_url:
        context.log.info("LMS_MOOC_BASE_URL and LMS_H5P_BASE_URL are not set: no MOOC or H5P data to fetch")
        yield from _results({"skipped": "LMS_MOOC_BASE_URL and LMS_H5P_BASE_URL not set"}, [])
        return
    if not courses:
        raise ValueError("LMS_MOOC_COURSE_IDS is empty: list the MOOC course ids to fetch, comma-separated")
    api = sources.mooc_api_name()
    if api not in ("export", "openedx"):
        raise ValueError(f"LMS_MOOC_API={api!r}: use 'export' or 'openedx'")
    runs: list[FetchRunResult] = []
    con = connect()
    try:
        if mooc_url:
            ingest = ingest_openedx if api == "openedx" else ingest_mooc_export
            runs.append(ingest(con, mooc_url, courses, organization_id=sources.organization(),
                               progress=context.log.info))
        if h5p_url:
            runs.append(ingest_h5p(con, h5p_url, courses, organization_id=sources.organization(),
                                   progress=context.log.info))
    finally:
        con.close()
    for run in runs:
        context.log.info(run.summary())
    metadata: dict[str, object] = {}
    for run in runs:
        metadata.update({
            f"{run.source}_batch_id": run.batch_id,
            f"{run.source}_records_new": run.counts.new,
            f"{run.source}_records_unchanged": run.counts.unchanged,
            f"{run.source}_requests": run.requests,
            f"{run.source}_failed_requests": run.failed_requests,
        })
    yield from _results(metadata, runs)


def _results(metadata: dict[str, object], runs: list[FetchRunResult]):
    yield MaterializeResult(asset_key=MOOC_RECORDS_KEY, metadata=metadata)
    yield MaterializeResult(asset_key=FETCH_LOG_KEY, metadata={
        "requests": sum(run.requests for run in runs), "failed_requests": sum(run.failed_requests for run in runs)
    })
    failed = sum(run.failed_requests for run in runs)
    reasons = [f"{run.source} {line}" for run in runs for line in run.failure_lines(3)][:5]
    yield AssetCheckResult(
        asset_key=MOOC_RECORDS_KEY,
        check_name=CHECK_NAME,
        passed=failed == 0,
        severity=AssetCheckSeverity.ERROR,
        description=None if failed == 0 else f"{failed} requests failed; first: {'; '.join(reasons)}",
        metadata={
            "failed_requests": failed,
            "failed_courses": ", ".join(c for run in runs for c in run.failed_courses),
            "first_reasons": "\n".join(reasons),
        },
    )
