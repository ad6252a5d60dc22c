"""All dbt models, seeds and tests as Dagster assets; `dbt build` so tests become asset checks."""

from dagster import AssetExecutionContext, Config
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from lms_warehouse.dbt_runner import dbt_build_args, point_dbt_at_warehouse
from lms_warehouse.timeutil import parse_as_of
from orchestration.project import dbt_project


class DbtBuildConfig(Config):
    as_of: str | None = None  # ISO-8601; default: the time the run starts
    full_refresh: bool = False


# Several landing tables are written by one ingestion asset (events, their rejects and batch counts),
# so several dbt sources legitimately map to the same asset key.
translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def lms_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    point_dbt_at_warehouse()
    args = dbt_build_args(parse_as_of(config.as_of), full_refresh=config.full_refresh)
    yield from dbt.cli(args, context=context).stream()
