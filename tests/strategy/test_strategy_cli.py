"""``safercity strategy`` validate / summary / export / schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safercity import cli
from safercity.strategy import json_schema, load

REPO = Path(__file__).resolve().parents[2]
WESTMINSTER = str(REPO / "examples" / "westminster-2011-14.yaml")


def test_summary_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["strategy", "summary", WESTMINSTER, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    wanted = {
        "priorities": 5,
        "objectives": 15,
        "activities": 43,
        "milestones": 48,
        "measures": 24,
        "outcome_measures": 4,
        "governance_bodies": 12,
        "agencies": 20,
        # the partnership's own money and the Home Office grant apart (issue 16)
        "budget_partnership_gbp": 573_000,
        "budget_external_gbp": 420_000,
    }
    assert {key: out[key] for key in wanted} == wanted


def test_summary_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["strategy", "summary", WESTMINSTER]) == 0
    out = capsys.readouterr().out
    assert "£573,000" in out and "£420,000" in out
    assert "£993,000" not in out  # never added up as one commitment


def test_validate_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["strategy", "validate", WESTMINSTER]) == 0
    assert "valid" in capsys.readouterr().out
    assert cli.main(["strategy", "validate", WESTMINSTER, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


def test_validate_bad_file_names_path_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path(WESTMINSTER).read_text(encoding="utf-8")
    text = text.replace("amount_gbp: 39000", "amount_gbp: lots")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "amount_gbp: lots" in s)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    assert cli.main(["strategy", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"bad.yaml:{line}: budget.commitments[0].amount_gbp: " in err
    assert cli.main(["strategy", "validate", str(bad), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False
    assert out["problems"][0]["path"] == "budget.commitments[0].amount_gbp"
    assert out["problems"][0]["line"] == line


def test_missing_file_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["strategy", "summary", "no-such.yaml"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_export_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.yaml"
    assert cli.main(["strategy", "export", WESTMINSTER, "--out", str(out)]) == 0
    assert load(out) == load(WESTMINSTER)
    assert cli.main(["strategy", "export", WESTMINSTER]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["strategy", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()


def test_bare_strategy_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["strategy"]) == 0
    assert "safercity strategy" in capsys.readouterr().out


@pytest.mark.parametrize("action", ["validate", "summary", "export", "schema"])
def test_every_action_has_an_example(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["strategy", action, "--help"])
    help_text = capsys.readouterr().out
    assert f"safercity strategy {action}" in help_text.split("example:", 1)[1]
