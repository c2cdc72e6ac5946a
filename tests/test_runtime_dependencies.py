"""What the product needs at run time: pyarrow is a development tool (the benchmark's pandas
route writes Parquet with it), not a dependency; the commands run with it unavailable."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: run a ``safercity`` command as if pyarrow were not installed (any import of it fails)
WITHOUT_PYARROW = """
import sys
sys.modules["pyarrow"] = None
from safercity.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_pyarrow_is_a_development_dependency_only() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [d.split(">")[0].split("=")[0].split("[")[0].strip() for d in project["dependencies"]]
    assert "pyarrow" not in names
    assert any(d.startswith("pyarrow") for d in project["optional-dependencies"]["dev"])


def test_no_module_of_the_product_imports_pyarrow() -> None:
    for path in (REPO / "src" / "safercity").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "pyarrow" for n in names), path


@pytest.mark.shared_data
@pytest.mark.slow
def test_the_commands_run_without_pyarrow(shared_data: Path, tmp_path: Path) -> None:
    """Import (CSV folder, API JSON archive), status, trends, places, quarantine and the
    Strategic Assessment: DuckDB's and pandas' paths that could want pyarrow at run time
    (``.df()``, registering frames, pandas' string columns) work without it."""
    ws = str(tmp_path / "ws")
    api = shared_data / "police-uk-api/westminster-wards-2016-2018/crime-street-json.tar.gz"
    commands = [
        ["ingest", str(shared_data / "police-uk/city-of-london-2016-2017"), str(api)],
        ["status", "--json"],
        ["trends", "--json"],
        ["places", "--json"],
        ["quarantine", "--json"],
        ["assess", "--area", "City of London", "--period", "2016-07:2017-06", "--no-pdf",
         "--permutations", "19", "--out", str(tmp_path / "report")],
    ]  # fmt: skip
    for command in commands:
        run = subprocess.run(
            [sys.executable, "-c", WITHOUT_PYARROW, *command, "--workspace", ws],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, (command, run.stderr[-2000:])
    assert (tmp_path / "report.html").stat().st_size > 10_000
