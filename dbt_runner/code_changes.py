"""Which incremental models must be rebuilt from scratch because the code that computes their rows changed.

An incremental model keeps rows earlier builds computed, so it equals a full rebuild only while its code
stays the same. After each successful build the CLI keeps that build's manifest and vars next to the
warehouse (`<warehouse>.dbt-state/`). The next build asks dbt which incremental models are
`state:modified+` against it (their SQL, config or contract, a macro they use, or any of that upstream;
a description or an unrelated file is no change) and adds those that read a var whose value changed,
with what is downstream of them (dbt's state comparison does not see vars).

A build need not run dbt's hundreds of nodes when little changed since the warehouse's last whole build:
`build_selection` selects what can differ (dbt selectors): what is downstream of the landing tables that
grew, of modified code and of changed vars, every incremental model when a batch is pending (so the
watermark moves), and the models that read the as-of when it moved. Nothing: the warehouse is up to date.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestion.project_vars import all_project_vars

MANIFEST = "manifest.json"
VARS = "vars.json"
FILE_ID = "warehouse_file_id"  # the state belongs to this very file: a file put in its place has another inode
_INCREMENTAL = "config.materialized:incremental"
# Rows that depend on the as-of: a model that reads it (macro as_of_timestamp, the run setting), or an
# incremental model whose keys follow it ('learner_as_of*'). The incremental machinery's own macros mention
# the as-of for those models only, so they are not followed.
_AS_OF_READERS = re.compile(r"""as_of_timestamp\(|run_setting\(\s*['"]as_of['"]|['"]learner_as_of""")
_INCREMENTAL_MACROS = "macros/incremental/"


def state_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".dbt-state")


def save_build_state(warehouse: Path, manifest: Path) -> None:
    """Keep the manifest and vars of a build that succeeded: what the warehouse's rows were computed by."""
    folder = state_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(manifest, folder / MANIFEST)
    (folder / VARS).write_text(_vars_json())
    (folder / FILE_ID).write_text(_file_id(warehouse))


def _vars_json() -> str:
    return json.dumps(all_project_vars(), sort_keys=True, default=str)


def _file_id(warehouse: Path) -> str:
    return str(warehouse.stat().st_ino) if warehouse.exists() else ""


def models_to_rebuild(warehouse: Path, list_models: Callable[[list[str]], list[str]],
                      manifest: Path) -> list[str] | None:
    """Names of the incremental models to rebuild from scratch; None when the warehouse's build state is
    unknown (a new warehouse, one built before states were kept, or another file at the same path): then
    rebuild every model.

    `list_models(args)` runs `dbt ls` with these arguments and returns the model names it printed; it
    also refreshes `manifest` (the current code's)."""
    folder = _known_state(warehouse)
    if folder is None:
        return None
    modified = set(list_models(["--select", f"state:modified+,{_INCREMENTAL}", "--state", str(folder)]))
    changed_vars = _changed_vars(folder)
    if changed_vars:
        modified |= _incremental(_models_reading(_var_pattern(changed_vars), json.loads(manifest.read_text())))
    return sorted(modified)


@dataclass(frozen=True)
class SinceLastBuild:
    """What the warehouse says changed since its last whole build (build_state.whole_build)."""

    pending_batches: int  # accepted batches not in the watermark
    same_as_of: bool
    grown_tables: frozenset[str]  # landing tables (append-only) whose row count changed


@dataclass(frozen=True)
class BuildSelection:
    selectors: list[str]  # empty: nothing to build
    code_changed: bool  # dbt's state:modified names a node: the selectors need `--state`
    state: Path


def build_selection(warehouse: Path, since: SinceLastBuild | None, list_nodes: Callable[[list[str]], list[str]],
                    manifest: Path) -> BuildSelection | None:
    """What a build must run: None when everything (no whole build recorded, or an unknown build state).

    `list_nodes(args)` runs `dbt ls` and returns the node names it printed (it refreshes `manifest`)."""
    folder = _known_state(warehouse)
    if folder is None or since is None:
        return None
    code_changed = bool(list_nodes(["--select", "state:modified", "--state", str(folder)]))
    nodes = json.loads(manifest.read_text())
    selectors = ["state:modified+"] if code_changed else []
    changed_vars = _changed_vars(folder)
    if changed_vars:
        selectors += sorted(_names(_models_reading(_var_pattern(changed_vars), nodes)))
    selectors += sorted(f"source:{source['source_name']}.{source['name']}+" for source in nodes["sources"].values()
                        if source["schema"] == "landing" and source["identifier"] in since.grown_tables)
    if since.pending_batches:
        selectors.append(_INCREMENTAL)
    if not since.same_as_of:
        selectors += sorted(_names(_models_reading(_AS_OF_READERS, nodes, skip_macros_under=_INCREMENTAL_MACROS)))
    return BuildSelection(selectors, code_changed, folder)


def _known_state(warehouse: Path) -> Path | None:
    """The warehouse's build state folder, or None when its last build is unknown (a new warehouse, one
    built before states were kept, or another file at the same path)."""
    folder = state_dir(warehouse)
    if not all((folder / name).is_file() for name in (MANIFEST, VARS, FILE_ID)):
        return None
    if (folder / FILE_ID).read_text() != _file_id(warehouse):
        return None  # the warehouse file was replaced (a new demo, a restored copy): its build is unknown
    return folder


def _changed_vars(folder: Path) -> set[str]:
    old_vars = json.loads((folder / VARS).read_text())
    new_vars = json.loads(_vars_json())  # as saved: dates and the like compare as their text
    return {name for name in old_vars.keys() | new_vars.keys() if old_vars.get(name) != new_vars.get(name)}


def _var_pattern(names: set[str]) -> re.Pattern[str]:
    return re.compile(r"""var\(\s*['"]({})['"]""".format("|".join(map(re.escape, names))))


def _models_reading(pattern: re.Pattern[str], manifest: dict[str, Any],
                    skip_macros_under: str | None = None) -> dict[str, dict[str, Any]]:
    """The models whose SQL, or a macro they use (directly or through other macros, except those whose file
    is under `skip_macros_under`), matches `pattern`, and every model downstream of one: their manifest
    nodes by unique id."""
    macros = manifest["macros"]

    def reads(macro_ids: list[str], seen: set[str]) -> bool:
        for macro_id in macro_ids:
            if macro_id in seen or macro_id not in macros:
                continue
            if skip_macros_under and macros[macro_id]["original_file_path"].startswith(skip_macros_under):
                continue
            seen.add(macro_id)
            macro = macros[macro_id]
            if pattern.search(macro["macro_sql"]) or reads(macro["depends_on"]["macros"], seen):
                return True
        return False

    nodes = manifest["nodes"]
    readers = [uid for uid, node in nodes.items() if node["resource_type"] == "model"
               and (pattern.search(node["raw_code"]) or reads(node["depends_on"]["macros"], set()))]
    affected, stack = set(), readers
    while stack:
        uid = stack.pop()
        if uid not in affected:
            affected.add(uid)
            stack += [c for c in manifest["child_map"].get(uid, []) if c in nodes]
    return {uid: nodes[uid] for uid in affected if nodes[uid]["resource_type"] == "model"}


def _names(models: dict[str, dict[str, Any]]) -> set[str]:
    return {node["name"] for node in models.values()}


def _incremental(models: dict[str, dict[str, Any]]) -> set[str]:
    return {node["name"] for node in models.values() if node["config"]["materialized"] == "incremental"}
