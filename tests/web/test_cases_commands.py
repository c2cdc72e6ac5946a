"""``safercity cases``: retention, import with bad rows, transfer, subject access, remind,
figures, cohorts and the demo, in this process on the test database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from test_cases_world import VICTIM, World, world

from safercity import cli
from safercity.web.cases.models import Case, Person, PossibleDuplicate

__all__ = ["world"]
pytestmark = pytest.mark.django_db

MAPPING = """\
columns:
  given_name: First name
  family_name: Surname
  date_of_birth: {column: DOB, format: "%d/%m/%Y"}
  postcode: Postcode
  referred_on: {column: Referred, format: "%d/%m/%Y"}
  referring_agency: Referrer
  referral_reason: Reason
  status: Status
  ended_on: {column: Closed, format: "%d/%m/%Y"}
  answers.dash_score: DASH
values:
  status: {Open: active, Closed: closed, New: referred}
  referring_agency: {MPS: Metropolitan Police Service}
defaults:
  consent: not_sought
"""
ROWS = """\
First name,Surname,DOB,Postcode,Referred,Referrer,Reason,Status,Closed,DASH
Ada,Synthetica,01/02/1990,W2 1AA,03/03/2025,MPS,Synthetic,Open,,15
Zinnia,Quibbleworth,14/07/1988,SW1E 6QP,04/03/2025,MPS,Synthetic,New,,
Bea,Synthetica,31/02/1991,W2 1AA,05/03/2025,MPS,Synthetic,Open,,12
Cy,Synthetica,01/01/1992,nowhere,06/03/2025,Nobody,Synthetic,Open,,40
Di,Synthetica,01/01/1993,W9 1AB,07/03/2024,MPS,Synthetic,Closed,01/06/2024,
,,,,,,,,,
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SAFERCITY_WORKSPACE", str(tmp_path))
    return ["--workspace", str(tmp_path)]


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_import_keeps_good_rows_reports_bad_ones_and_offers_duplicates(
    tmp_path: Path, ws: list[str], world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "rows.csv").write_text(ROWS)
    args = ["cases", "import", str(tmp_path / "rows.csv"), "--cohort", "marac",
            "--mapping", str(tmp_path / "m.yaml"), "--json", *ws]  # fmt: skip
    before = Case.objects.count()
    assert cli.main([*args, "--dry-run"]) == 0
    dry = _json(capsys)
    assert Case.objects.count() == before and dry["imported"] == 0
    assert cli.main(args) == 0
    result = _json(capsys)
    assert (result["rows"], result["imported"], result["set_aside"]) == (5, 3, 2)
    problems = {(p["line"], p["field"]) for p in result["problems"]}
    assert problems == {
        (4, "date_of_birth"),  # 31 February
        (5, "referring_agency"),
        (5, "postcode"),
        (5, "answers.dash_score"),  # 40 > 27
    }
    assert Case.objects.count() == before + 3
    closed = Case.objects.get(person__given_name="Di")
    assert (closed.status, closed.ended_on) == ("closed", dt.date(2024, 6, 1))
    # Zinnia Quibbleworth is held already: a new record, offered to the chair for merging
    (dup,) = result["possible_duplicates"]
    assert dup["line"] == 3 and dup["other"] == str(world.people["victim"].pk)
    assert PossibleDuplicate.objects.filter(other=world.people["victim"]).count() == 1


def test_import_mapping_errors_are_one_message(
    tmp_path: Path, ws: list[str], world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text("columns:\n  shoe_size: Shoes\n")
    (tmp_path / "rows.csv").write_text(ROWS)
    code = cli.main(["cases", "import", str(tmp_path / "rows.csv"), "--cohort", "marac",
                     "--mapping", str(tmp_path / "m.yaml"), *ws])  # fmt: skip
    assert code == 2 and "columns.shoe_size: not a field" in capsys.readouterr().err
    code = cli.main(["cases", "import", str(tmp_path / "rows.csv"), "--cohort", "nope",
                     "--mapping", str(tmp_path / "m.yaml"), *ws])  # fmt: skip
    assert code == 2 and "no cohort 'nope'" in capsys.readouterr().err


def test_retention_command(ws: list[str], world: World, capsys: pytest.CaptureFixture[str]) -> None:
    from safercity.web.cases import casework

    case = world.cases["marac"]
    long_ago = dt.date.today() - dt.timedelta(days=7 * 366)
    casework.move(case, "active", None, on=long_ago)
    casework.move(case, "closed", None, on=long_ago, reason="done", exit_plan="none needed")
    assert cli.main(["cases", "retention", "--dry-run", "--json", *ws]) == 0
    listed = _json(capsys)
    assert [c["case"] for c in listed["cases"]] == [str(case.pk)] and listed["dry_run"]
    assert Case.objects.filter(pk=case.pk).exists()
    assert cli.main(["cases", "retention", "--json", *ws]) == 0
    done = _json(capsys)
    assert done["cases"][0]["people_erased"] == 2
    assert not Person.objects.filter(family_name=VICTIM[1]).exists()
    assert cli.main(["cases", "retention", "--today", "yesterday", *ws]) == 2


def test_transfer_subject_access_remind_figures_and_cohorts(
    tmp_path: Path, ws: list[str], world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_cases_world import agency

    from safercity.web.cases.models import SharingAgreement

    case = world.cases["marac"]
    to = "Royal Borough of Kensington and Chelsea MARAC"
    out = tmp_path / "packet.zip"
    args = [
        "cases",
        "transfer-export",
        case.reference,
        "--to",
        to,
        "--by",
        "marac_chair",
        "--out",
        str(out),
        *ws,
    ]
    assert cli.main(args) == 2 and "no information-sharing agreement" in capsys.readouterr().err
    SharingAgreement.objects.get(title="MARAC agreement").parties.add(agency(to))
    assert cli.main([*args[:6], "marac_police", *args[7:]]) == 2  # not a chair
    capsys.readouterr()
    assert cli.main(args) == 0 and out.stat().st_size > 1000
    capsys.readouterr()
    assert cli.main(["cases", "transfer-import", str(out), "--cohort", "marac", "--from",
                     "Metropolitan Police Service", "--json", *ws]) == 0  # fmt: skip
    assert _json(capsys)["possible_duplicates"] == 1
    sar = tmp_path / "sar.json"
    assert (
        cli.main(
            ["cases", "subject-access", str(world.people["victim"].pk), "--out", str(sar), *ws]
        )
        == 0
    )
    document = json.loads(sar.read_text())
    assert document["scope"] == "every cohort" and len(document["cases"]) == 1
    assert document["recipients"][0]["recipient"] == to  # the transfer was a disclosure
    assert document["cases"][0]["linked_people"] == [
        "Child in the household"
    ]  # no third party's name
    assert cli.main(["cases", "subject-access", "not-a-uuid", "--out", str(sar), *ws]) == 2
    capsys.readouterr()
    assert cli.main(["cases", "remind", "--dry-run", "--json", *ws]) == 0
    assert [r["case"] for r in _json(capsys)["reminders"]] == [case.reference]
    assert cli.main(["cases", "figures", "--cohort", "marac", "--json", *ws]) == 0
    figures = _json(capsys)["marac"]
    assert figures["actions_due"] == 1 and sum(figures["referrals_by_month"].values()) == 2
    assert cli.main(["cases", "cohorts", "--json", *ws]) == 0
    assert {c["key"] for c in _json(capsys)} == {"marac", "iom"}


def test_cohort_files_are_checked_with_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from safercity.cases import config

    text = dict(config.bundled())["iom.yaml"].replace("every: 1 month", "every: now and then")
    path = tmp_path / "iom.yaml"
    path.write_text(text)
    assert cli.main(["cases", "cohorts", str(path), "--json"]) == 2
    (problem,) = _json(capsys)["problems"]
    assert problem["path"] == "review.every" and problem["line"] is not None
    assert cli.main(["cases", "cohorts", "--schema"]) == 0
    assert "CohortDefinition" in capsys.readouterr().out


def test_demo_loads_synthetic_people_in_every_cohort_with_logins(
    ws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["cases", "demo", "--password", "demo-password-for-tests", "--json", *ws]) == 0
    out = _json(capsys)
    keys = {"marac", "gangs-panel", "rapid-returners", "iom", "abc", "triage", "dip"}
    assert {login["username"] for login in out["logins"]} == {
        f"{k}-{r}" for k in keys for r in ("worker", "chair")
    }
    assert set(Case.objects.values_list("cohort__key", flat=True)) == keys
    assert not Person.objects.filter(synthetic=False).exists()
    assert not Case.objects.filter(synthetic=False).exists()
    assert PossibleDuplicate.objects.exists()  # the nickname twin
    # a second run loads nothing more
    count = Case.objects.count()
    assert cli.main(["cases", "demo", "--password", "demo-password-for-tests", "--json", *ws]) == 0
    assert _json(capsys)["loaded"]["cases"] == 0 and Case.objects.count() == count
