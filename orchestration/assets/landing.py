"""Ingestion assets: they call the same ingestion functions as the CLI and land raw records in DuckDB."""

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, asset, multi_asset

from ingestion.batches import BatchResult
from ingestion.catalog import ingest_catalog_dir
from ingestion.events import ingest_event_paths
from ingestion.landing import CATALOG_ENTITIES, catalog_table
from ingestion.warehouse import connect
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
    description="Learner events (canonical JSON, Tally deliveries) landed unchanged from LMS_LANDING_DIR; "
    "bad records go to landing.lms_event_rejects with a reason.",
)
def landed_lms_events(context: AssetExecutionContext, sources: LmsSources) -> MaterializeResult:
    folder = sources.events_dir()
    if folder is None:
        context.log.info("LMS_LANDING_DIR is not set: no event files to ingest")
        return MaterializeResult(metadata={"skipped": "LMS_LANDING_DIR not set"})
    con = connect()
    try:
        result = ingest_event_paths(
            con, [folder], organization_id=sources.organization(), progress=context.log.info
        )
    finally:
        con.close()
    context.log.info(result.summary())
    return MaterializeResult(metadata=_batch_metadata(result))


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
)
def landed_lms_catalog(context: AssetExecutionContext, sources: LmsSources):
    folder = sources.catalog_folder()
    if folder is None:
        context.log.info("LMS_CATALOG_DIR is not set: no catalog to ingest")
        for entity in CATALOG_ENTITIES:
            yield MaterializeResult(asset_key=_catalog_key(entity), metadata={"skipped": "LMS_CATALOG_DIR not set"})
        return
    con = connect()
    try:
        result = ingest_catalog_dir(con, folder, organization_id=sources.organization())
    finally:
        con.close()
    context.log.info(result.summary())
    for entity in CATALOG_ENTITIES:
        batch = result.per_entity.get(entity)
        metadata = _batch_metadata(batch) if batch else {"skipped": f"no lms_{entity}.json"}
        yield MaterializeResult(asset_key=_catalog_key(entity), metadata=metadata)
