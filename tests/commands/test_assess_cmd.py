"""``safercity assess`` on the small synthetic workspace of tests/analytics/_report_fixture.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from safercity.cli import main

REPO = Path(__file__).resolve().parents[2]


def _fixture() -> ModuleType:
    path = REPO / "tests" / "analytics" / "_report_fixture.py"
    spec = importlib.util.spec_from_file_location("_report_fixture_for_cmd", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = _fixture().build(tmp_path_factory.mktemp("cmd") / "ws")
    return path


def test_assess_json_writes_every_output(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cons = tmp_path / "consultation.csv"
    cons.write_text("theme\nreoffending\nnight time economy\n", encoding="utf-8")
    out = tmp_path / "report"
    code = main(
        [
            "assess",
            "--workspace",
            str(workspace),
            "--area",
            "Westminster",
            "--period",
            "2019-01:2019-12",
            "--out",
            str(out),
            "--consultation",
            str(cons),
            "--seed",
            "3",
            "--permutations",
            "19",
            "--date",
            "2020-03-31",
            "--no-pdf",
            "--json",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["outputs"]["html"] == str(tmp_path / "report.html")
    assert result["outputs"]["pdf"] is None
    assert result["parameters"]["seed"] == 3 and result["parameters"]["permutations"] == 19
    assert result["parameters"]["generated_on"] == "2020-03-31"
    assert result["crime"]["this_period"] == 72 and result["crime"]["previous_period"] == 66
    assert result["missing_months"] == ["2018-03"]
    ranked = pd.read_csv(tmp_path / "report-tables" / "priorities.csv")
    assert result["recommended_priorities"] == list(ranked["candidate"].head(3))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Report date: 31 March 2020" in html and "Public consultation" in html
    assert (tmp_path / "report-figures" / "figure-1-long-run.svg").exists()
    assert (tmp_path / "report-tables" / "priorities.csv").exists()
    manifest = json.loads((tmp_path / "report-manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeds"] == {"knox": 3}


def test_assess_text_output(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "assess",
            "--workspace",
            str(workspace),
            "--area",
            "westminster",
            "--period",
            "2019-01:2019-12",
            "--out",
            str(tmp_path / "r"),
            "--permutations",
            "0",
            "--no-pdf",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert text.lstrip().startswith("Strategic Assessment for Westminster, 2019-01 to 2019-12:")
    assert "The largest significant rise in number was in burglary: up 26 crimes (100%)" in text
    # the PDF path is tested in tests/analytics/test_report.py
    assert (tmp_path / "r.html").exists() and not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2019-01:"], "start and an end"),
        (["--period", "2019-01:2019-12", "--area", "Camden"], "no incidents"),
        (["--period", "2019-01:2019-12", "--date", "31/03/2020"], "--date must be"),
        (["--period", "2019-01:2019-12", "--consultation", "missing.csv"], "missing.csv"),
    ],
)
def test_assess_errors_are_clean(
    workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    base = [
        "assess",
        "--workspace",
        str(workspace),
        "--area",
        "Westminster",
        "--out",
        str(tmp_path / "r"),
        "--no-pdf",
    ]
    code = main(base + args)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_assess_help_has_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["assess", "--help"])
    assert "safercity assess --workspace" in capsys.readouterr().out
