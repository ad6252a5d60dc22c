"""Which incremental models must be rebuilt from scratch because the code that computes their rows changed.

An incremental model keeps rows earlier builds computed, so it equals a full rebuild only while its code
stays the same. After each successful build the CLI keeps that build's manifest and vars next to the
warehouse (`<warehouse>.dbt-state/`). The next build asks dbt which incremental models are
`state:modified+` against it (their SQL, config or contract, a macro they use, or any of that upstream;
a description or an unrelated file is no change) and adds those that read a var whose value changed,
with what is downstream of them (dbt's state comparison does not see vars).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingestion.project_vars import all_project_vars

MANIFEST = "manifest.json"
VARS = "vars.json"
FILE_ID = "warehouse_file_id"  # the state belongs to this very file: a file put in its place has another inode
_INCREMENTAL = "config.materialized:incremental"


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
    folder = state_dir(warehouse)
    if not all((folder / name).is_file() for name in (MANIFEST, VARS, FILE_ID)):
        return None
    if (folder / FILE_ID).read_text() != _file_id(warehouse):
        return None  # the warehouse file was replaced (a new demo, a restored copy): its build is unknown
    modified = set(list_models(["--select", f"state:modified+,{_INCREMENTAL}", "--state", str(folder)]))
    old_vars = json.loads((folder / VARS).read_text())
    new_vars = json.loads(_vars_json())  # as saved: dates and the like compare as their text
    changed_vars = {name for name in old_vars.keys() | new_vars.keys() if old_vars.get(name) != new_vars.get(name)}
    if changed_vars:
        modified |= _incremental_models_reading(changed_vars, json.loads(manifest.read_text()))
    return sorted(modified)


def _incremental_models_reading(names: set[str], manifest: dict[str, Any]) -> set[str]:
    """The incremental models that read one of these vars, in their SQL or a macro they use (directly or
    through other macros), or are downstream of a model that does."""
    pattern = re.compile(r"""var\(\s*['"]({})['"]""".format("|".join(map(re.escape, names))))
    macros = manifest["macros"]

    def reads(macro_ids: list[str], seen: set[str]) -> bool:
        for macro_id in macro_ids:
            if macro_id in seen or macro_id not in macros:
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
    return {nodes[uid]["name"] for uid in affected
            if nodes[uid]["resource_type"] == "model" and nodes[uid]["config"]["materialized"] == "incremental"}
