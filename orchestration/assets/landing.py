"""Ingestion assets: they call the same ingestion functions as the CLI and land raw records in DuckDB."""

from dagster import AssetExecutionContext, AssetSpec, BackfillPolicy, MaterializeResult, asset, multi_asset

from ingestion.batches import BatchResult
from ingestion.catalog import ingest_catalog_dir
from ingestion.events import ingest_event_paths
from ingestion.landing import CATALOG_ENTITIES, catalog_table
from ingestion.landing_layout import day_folders
from ingestion.warehouse import write_session
from ingestion.xapi_lrs import PullWindow, ingest_lrs
from orchestration.partitions import XAPI_PULL_TAG, daily_event_partitions, partition_days
from orchestration.policies import WAREHOUSE_POOL
from orchestration.resources import LmsSources


def _batch_metadata(result: BatchResult) -> dict[str, object]:
    return {
        "batch_id": result.batch_id,
        "records_read": result.records_read,
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
    }


@asset(
    key=["landing", "lms_events"],
    group_name="landing",
    partitions_def=daily_event_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
    description="Learner events (canonical JSON, Tally deliveries) landed unchanged from LMS_LANDING_DIR; "
    "bad records go to landing.lms_event_rejects with a reason. A daily partition (or a backfill's range) "
    "reads the dated folders LMS_LANDING_DIR/YYYY-MM-DD/ of its days; a run tagged lms/landing_scope=all (the "
    "hourly refresh, `lms-warehouse run`) reads the whole folder, files outside dated folders included. "
    "With LMS_XAPI_ENDPOINT set, every run also pulls the LRS's new statements (with the overlap of "
    "`ingest xapi`); a run tagged lms/xapi_pull=full (the weekly_xapi_full schedule) pulls them all again.",
)
def landed_lms_events(context: AssetExecutionContext, sources: LmsSources) -> MaterializeResult:
    folder, endpoint = sources.events_dir(), sources.xapi_url()
    if folder is None and endpoint is None:
        context.log.info("neither LMS_LANDING_DIR nor LMS_XAPI_ENDPOINT is set: no events to ingest")
        return MaterializeResult(metadata={"skipped": "LMS_LANDING_DIR not set"})
    days = partition_days(context)
    paths = [] if folder is None else [folder] if days is None else day_folders(folder, days)
    metadata: dict[str, object] = {}
    with write_session(progress=context.log.info) as con:
        if paths:
            result = ingest_event_paths(con, paths, organization_id=sources.organization(),
                                        progress=context.log.info)
            context.log.info(result.summary())
            metadata = {**_batch_metadata(result), "folders": ", ".join(str(p) for p in paths)}
        elif folder is not None:
            context.log.info(f"no dated folder with event files for {days[0]}..{days[-1]} in {folder}")
            metadata = {"skipped": f"no event files for {days[0]}..{days[-1]}"}
        if endpoint is not None:
            window = PullWindow.from_settings(full=context.run.tags.get(XAPI_PULL_TAG) == "full")
            pulled = ingest_lrs(con, endpoint, organization_id=sources.organization(), window=window,
                                progress=context.log.info)
            context.log.info(pulled.summary())
            metadata.update({f"xapi_{name}": value for name, value in _batch_metadata(pulled).items()})
            metadata["xapi_pull"] = "full" if window.full else "incremental"
    return MaterializeResult(metadata=metadata)


def _catalog_key(entity: str) -> list[str]:
    return catalog_table(entity).split(".")


@multi_asset(
    specs=[
        AssetSpec(
            key=_catalog_key(entity),
            group_name="landing",
            description=f"Unified.to Lms{entity.title()} records landed unchanged (append-only history).",
        )
        for entity in CATALOG_ENTITIES
    ],
    name="landed_lms_catalog",
    pool=WAREHOUSE_POOL,
)
def landed_lms_catalog(context: AssetExecutionContext, sources: LmsSources):
    folder = sources.catalog_folder()
    if folder is None:
        context.log.info("LMS_CATALOG_DIR is not set: no catalog to ingest")
        for entity in CATALOG_ENTITIES:
            yield MaterializeResult(asset_key=_catalog_key(entity), metadata={"skipped": "LMS_CATALOG_DIR not set"})
        return
    with write_session(progress=context.log.info) as con:
        result = ingest_catalog_dir(con, folder, organization_id=sources.organization())
    context.log.info(result.summary())
    for entity in CATALOG_ENTITIES:
        batch = result.per_entity.get(entity)
        metadata = _batch_metadata(batch) if batch else {"skipped": f"no lms_{entity}.json"}
        yield MaterializeResult(asset_key=_catalog_key(entity), metadata=metadata)
