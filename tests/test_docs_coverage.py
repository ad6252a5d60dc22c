"""Documentation: 100 % of models, seeds, sources and of the columns they really have are described, and no
column has a type analysts and other engines cannot use (a 128-bit integer).

The columns come from the built warehouse (dbt's catalog.json, read from information_schema by
`dbt docs generate` after a build on the e2e fixture), the descriptions from target/manifest.json: a column
added to a model without a line in its YAML fails here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.warehouse import PROJECT_DIR

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
AS_OF = "2024-03-04T18:00:00"


def _run(env: dict[str, str], *command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=PROJECT_DIR)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    folder = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "LMS_WAREHOUSE_PATH": str(folder / "lms.duckdb"), "DBT_PROFILES_DIR": str(PROJECT_DIR),
           "DBT_TARGET_PATH": str(folder / "target")}
    cli = str(BIN / "lms-warehouse")
    _run(env, cli, "ingest", "catalog", str(FIXTURE / "catalog"))
    _run(env, cli, "ingest", "events", str(FIXTURE / "events"))
    _run(env, cli, "build", "--as-of", AS_OF)
    _run(env, str(BIN / "dbt"), "docs", "generate", "--project-dir", str(PROJECT_DIR),
         "--vars", json.dumps({"as_of": AS_OF.replace("T", " ")}))
    manifest = json.loads((folder / "target" / "manifest.json").read_text())
    catalog = json.loads((folder / "target" / "catalog.json").read_text())
    assert (folder / "target" / "index.html").exists()
    return manifest, catalog


def _gaps(resources: dict, built: dict, kinds: set[str]) -> tuple[list[str], int]:
    gaps: list[str] = []
    checked = 0
    for unique_id, node in resources.items():
        if node["resource_type"] not in kinds or node["package_name"] != "lms_warehouse":
            continue
        checked += 1
        if not node["description"].strip():
            gaps.append(f"{unique_id}: no description")
        if unique_id not in built:
            gaps.append(f"{unique_id}: not in the built warehouse")
            continue
        described = {name.lower(): column["description"] for name, column in node["columns"].items()}
        for column in built[unique_id]["columns"]:
            checked += 1
            if not described.get(column.lower(), "").strip():
                gaps.append(f"{unique_id}.{column}: no description")
    return gaps, checked


def test_every_model_seed_source_and_column_has_a_description(documented: tuple[dict, dict]) -> None:
    manifest, catalog = documented
    node_gaps, nodes = _gaps(manifest["nodes"], catalog["nodes"], {"model", "seed"})
    source_gaps, sources = _gaps(manifest["sources"], catalog["sources"], {"source"})
    gaps = node_gaps + source_gaps
    coverage = 100 * (1 - len(gaps) / (nodes + sources))
    assert gaps == [], f"documentation coverage {coverage:.1f} % (< 100 %):\n" + "\n".join(gaps)


def test_documented_columns_exist(documented: tuple[dict, dict]) -> None:
    """The other way round: a YAML column the relation does not have is a stale description."""
    manifest, catalog = documented
    stale = []
    for resources, built in ((manifest["nodes"], catalog["nodes"]), (manifest["sources"], catalog["sources"])):
        for unique_id, node in resources.items():
            if unique_id in built and node["package_name"] == "lms_warehouse":
                actual = {column.lower() for column in built[unique_id]["columns"]}
                stale += [f"{unique_id}.{name}" for name in node["columns"] if name.lower() not in actual]
    assert stale == []


def test_exposures_declare_their_consumers(documented: tuple[dict, dict]) -> None:
    manifest, _ = documented
    exposures = manifest["exposures"].values()
    assert exposures, "models/exposures.yml declares no exposure"
    for exposure in exposures:
        assert exposure["description"].strip() and exposure["owner"]["name"] and exposure["depends_on"]["nodes"]


def test_no_column_is_a_128_bit_integer(documented: tuple[dict, dict]) -> None:
    """DuckDB sums integers into HUGEINT: slow to read back from a table, unknown to Spark and turned into a
    float by most clients. Models cast such sums to a 64-bit integer (macro integer_sum)."""
    _, catalog = documented
    wide = [f"{unique_id}.{name}" for unique_id, node in catalog["nodes"].items()
            for name, column in node["columns"].items() if column["type"].upper() in {"HUGEINT", "INT128"}]
    assert catalog["nodes"], "the catalog lists no relation"
    assert wide == []


# The ERD's own columns keep the ERD's types (INT flags): ../shared/design/1.05-erd-lms.md.
ERD_INT_FLAGS = {"lms_course.is_active", "lms_course.is_private", "gamification_badge.is_active",
                 "v_user_progress.video_completed", "v_user_progress.quiz_passed"}
FLAG = re.compile(r"(is|has)_[a-z0-9_]+|label_observed|video_completed|quiz_passed")  # counts are plurals


def test_one_type_per_meaning_in_every_mart(documented: tuple[dict, dict]) -> None:
    """Flags are BOOLEAN (except the ERD's INT flags); instants are TIMESTAMP holding UTC (one convention: no
    TIMESTAMP WITH TIME ZONE anywhere); lists are LIST columns, never joined strings."""
    manifest, catalog = documented
    marts = {unique_id: node for unique_id, node in catalog["nodes"].items()
             if unique_id.startswith("model.") and manifest["nodes"][unique_id]["fqn"][1] == "marts"}
    assert len(marts) > 30
    wrong = []
    for unique_id, node in marts.items():
        relation = unique_id.rsplit(".", 1)[-1]
        for name, column in node["columns"].items():
            kind = column["type"].upper()
            if FLAG.fullmatch(name) and f"{relation}.{name}" not in ERD_INT_FLAGS and kind != "BOOLEAN":
                wrong.append(f"{relation}.{name} is a flag typed {kind}")
            if "TIME ZONE" in kind or kind == "TIMESTAMPTZ":
                wrong.append(f"{relation}.{name} is {kind}: instants are TIMESTAMP in UTC")
            if name.startswith("top_") and not kind.endswith("[]"):
                wrong.append(f"{relation}.{name} is {kind}: a list is a LIST column")
    assert wrong == []


def test_a_contracted_models_not_null_rules_are_constraints_not_tests(documented: tuple[dict, dict]) -> None:
    """An enforced contract makes the engine refuse a null where a constraint says not_null: a not_null data
    test on such a column would check the same rule twice, at the cost of a node per build."""
    manifest, _ = documented
    nodes = manifest["nodes"]
    contracted = {uid for uid, node in nodes.items()
                  if node["resource_type"] == "model" and node["config"]["contract"]["enforced"]}
    assert len(contracted) >= 50
    constrained = {(uid, name) for uid in contracted for name, column in nodes[uid]["columns"].items()
                   if any(c["type"] == "not_null" for c in column.get("constraints", []))}
    assert len(constrained) > 150
    doubled = [node["name"] for node in nodes.values() if node["resource_type"] == "test"
               and (node.get("test_metadata") or {}).get("name") == "not_null"
               and (node.get("attached_node"), node.get("column_name")) in constrained]
    assert doubled == []
    untyped = [f"{nodes[uid]['name']}.{name}" for uid in contracted
               for name, column in nodes[uid]["columns"].items() if not column.get("data_type")]
    assert untyped == []


def test_the_docs_site_marks_engine_specific_models_and_describes_every_engine_variant(
        documented: tuple[dict, dict]) -> None:
    manifest, _ = documented
    ours = {m["name"]: m for m in manifest["macros"].values() if m["package_name"] == "lms_warehouse"}
    varied = sorted(name.removeprefix("spark__") for name in ours if name.startswith("spark__"))
    assert len(varied) > 20
    # the dispatching macro's description says how the engines differ; an override of dbt's own macro
    # (spark__dateadd) says it on itself
    undescribed = [name for name in varied if not (ours.get(name) or ours[f"spark__{name}"])["description"].strip()]
    assert undescribed == []
    # a model built another way on Spark (a table instead of incremental, a fold instead of a recursive CTE)
    # says how in its meta, which the docs site shows
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    built_another_way = r"incremental_materialization\(\)|incremental_settings\(|hearts_states\("
    different = [m for m in models if re.search(built_another_way, m["raw_code"])]
    assert len(different) > 20
    unmarked = [m["name"] for m in different if not m["config"]["meta"].get("engine_specific", "").strip()]
    assert unmarked == []
    hearts = next(m for m in models if m["name"] == "int_hearts_states")
    assert "recursive CTE" in hearts["config"]["meta"]["engine_specific"]
