"""Badge awards the LMS itself sent: gamification_award.json in the catalog folder, when there is one."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from ingestion.awards import AWARDS_FILE, awards_file_in, ingest_awards
from ingestion.landing import AWARDS_TABLE
from ingestion.warehouse import write_session
from orchestration.assets.landing import _batch_metadata
from orchestration.policies import WAREHOUSE_POOL
from orchestration.resources import LmsSources


@asset(
    key=AWARDS_TABLE.split("."),
    group_name="landing",
    pool=WAREHOUSE_POOL,
    description=f"Badge awards sent by the LMS ({AWARDS_FILE} in LMS_CATALOG_DIR, optional), landed unchanged; "
    "dbt merges them with the awards the warehouse computes (gamification_award).",
)
def landed_gamification_awards(context: AssetExecutionContext, sources: LmsSources) -> MaterializeResult:
    folder = sources.catalog_folder()
    file = awards_file_in(folder) if folder else None
    if file is None:
        context.log.info(f"no {AWARDS_FILE} in LMS_CATALOG_DIR: no LMS awards to ingest")
        return MaterializeResult(metadata={"skipped": f"no {AWARDS_FILE}"})
    with write_session(progress=context.log.info) as con:
        result = ingest_awards(con, file, organization_id=sources.organization())
    context.log.info(result.summary())
    return MaterializeResult(metadata=_batch_metadata(result))
