"""The product's layers import only downward: ingestion, then the dbt runner, then orchestration, then the CLI
(lms_warehouse). The product imports nothing from the tooling (devtools/: demo, benchmarks, API simulators), except
the two CLI commands that exist to run it, and only when they run."""

from __future__ import annotations

import ast
import sys

import pytest

from ingestion.warehouse import PROJECT_DIR
from lms_warehouse.cli import main

LAYERS = ("ingestion", "dbt_runner", "orchestration", "lms_warehouse")  # bottom to top
PRODUCT = LAYERS
# command function -> the only place a product module may load devtools (inside the function, on demand)
ON_DEMAND = {("lms_warehouse/cli.py", "cmd_demo"), ("lms_warehouse/commands/mooc.py", "cmd_simulate")}
TOOLING = ("devtools", "starlette", "uvicorn")


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_the_product_loads_devtools_only_in_the_commands_that_run_it() -> None:
    offending = []
    for package in PRODUCT:
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            relative = path.relative_to(PROJECT_DIR).as_posix()
            tree = ast.parse(path.read_text())
            allowed = {id(node) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                       and (relative, node.name) in ON_DEMAND}
            exempt = {id(inner) for node in ast.walk(tree) if id(node) in allowed for inner in ast.walk(node)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in exempt:
                    offending += [f"{relative}: {name}" for name in _imports(node)
                                  if name.split(".")[0] in TOOLING]
    assert offending == []
    # the exemptions are real: both commands do load devtools
    for relative, _ in ON_DEMAND:
        assert "devtools" in (PROJECT_DIR / relative).read_text()


def test_each_layer_imports_only_the_layers_below_it() -> None:
    upward = []
    for level, package in enumerate(LAYERS):
        above = LAYERS[level + 1:]
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            names = _imports(ast.parse(path.read_text()))
            upward += [f"{path.relative_to(PROJECT_DIR).as_posix()}: {name}" for name in names
                       if name.split(".")[0] in above]
    assert upward == []
    # the check sees real imports: the CLI does use the layers below it
    cli_imports = _imports(ast.parse((PROJECT_DIR / "lms_warehouse" / "pipeline.py").read_text()))
    assert any(name.startswith("orchestration") for name in cli_imports)


@pytest.mark.parametrize(("command", "module"), [(["demo"], "devtools.demo.run"),
                                                 (["simulate"], "devtools.simulators.mooc_api")])
def test_without_the_devtools_extra_the_commands_that_need_it_say_so_in_one_line(
        command: list[str], module: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what a missing package looks like to an import
    assert main(command) != 0
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"`{command[0]}` needs the devtools extra" in line
    assert "pip install -e '.[devtools]'" in line
