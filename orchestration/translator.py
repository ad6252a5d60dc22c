"""How dbt nodes appear in Dagster: groups that follow the project's layers and domains, described checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject


def group_for(fqn: list[str], resource_type: str) -> str | None:
    """`staging`, `intermediate` or `marts_<domain>` from the model's folder (models/marts/core/x.sql:
    marts_core); `seeds` for seeds; None (Dagster's default) for anything else."""
    if resource_type == "seed":
        return "seeds"
    if resource_type != "model" or len(fqn) < 3:
        return None
    layer = fqn[1]
    return f"marts_{fqn[2]}" if layer == "marts" and len(fqn) > 3 else layer


def describe_test(test: Mapping[str, Any]) -> str:
    """The test's own description, else one sentence built from the generic test and its arguments."""
    if test.get("description"):
        return test["description"]
    meta = test.get("test_metadata") or {}
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k != "model"}
    column = kwargs.pop("column_name", None) or test.get("column_name")
    subject = f"`{column}`" if column else "every row"
    sentences = {
        "not_null": f"{subject} is never null",
        "unique": f"{subject} is unique",
        "accepted_values": f"{subject} is one of {kwargs.get('values')}",
        "relationships": f"every {subject} is a `{kwargs.get('field')}` of {kwargs.get('to')}",
        "unique_combination_of_columns": f"one row per {tuple(kwargs.get('combination_of_columns') or ())}",
        "expression_is_true": f"every row satisfies `{kwargs.get('expression')}`",
        "value_between": f"{subject} lies between {kwargs.get('min_value')} and {kwargs.get('max_value')}",
        "is_json_array_of_strings": f"{subject} is a JSON array of strings",
    }
    name = meta.get("name")
    sentence = sentences.get(name) or (f"dbt test {name} ({kwargs})" if name else f"dbt test {test.get('name')}")
    where = (test.get("config") or {}).get("where") or ""
    # the recomputed-rows part of a where config (vars recomputed_* in dbt_project.yml) is how, not what
    where, recomputed, _ = where.partition(_RECOMPUTED_ROWS)
    where = where.strip().removesuffix(" and").strip()
    if recomputed and where.startswith("(") and where.endswith(")"):
        where = where[1:-1]
    severity = ((test.get("config") or {}).get("severity") or "error").lower()
    return (sentence + (f", where {where}" if where else "")
            + (" (an incremental build checks the rows it recomputed)" if recomputed else "")
            + (" (warns only)" if severity == "warn" else "") + ".")


_RECOMPUTED_ROWS = "((select every_row from build_state.run_scope)"


class LmsDbtTranslator(DagsterDbtTranslator):
    """Groups by layer and marts domain; every check described (dbt's generic tests carry no description)."""

    def __init__(self) -> None:
        # Several landing tables are written by one ingestion asset (events, their rejects and batch counts),
        # so several dbt sources legitimately map to the same asset key.
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        group = group_for(list(dbt_resource_props.get("fqn") or []), dbt_resource_props.get("resource_type", ""))
        return group or super().get_group_name(dbt_resource_props)

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return AssetCheckSpec(
            name=spec.name, asset=spec.asset_key, description=describe_test(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps, blocking=spec.blocking, metadata=spec.metadata,
        )
