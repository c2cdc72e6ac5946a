"""The Westminster strategy loads into the database with the document's counts and budget; a
second load changes nothing; load -> export -> load is lossless, history included; the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import USE_POSTGRES
from safercity.strategy import dumps, load, parse, summary
from safercity.web.audit.models import AuditEvent
from safercity.web.strategy import models as sm
from safercity.web.strategy import services

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
WESTMINSTER = REPO / "examples" / "westminster-2011-14.yaml"


@pytest.fixture(scope="module")
def westminster() -> Any:
    return load(WESTMINSTER)


def _counts(strategy: sm.Strategy) -> dict[str, int]:
    in_s = {"objective__priority__strategy": strategy}
    deep = {"activity__objective__priority__strategy": strategy}
    return {
        "priorities": strategy.priorities.count(),
        "outcomes": sm.Outcome.objects.filter(priority__strategy=strategy).count(),
        "objectives": sm.Objective.objects.filter(priority__strategy=strategy).count(),
        "activities": sm.Activity.objects.filter(**in_s).count(),
        "milestones": sm.Milestone.objects.filter(**deep).count(),
        "measures": sm.Measure.objects.filter(**deep).count(),
        "governance_bodies": strategy.partnership.bodies.filter(category="governance").count(),
        "agencies": strategy.partnership.bodies.filter(category="agency").count(),
    }


def test_westminster_loads_with_the_documents_counts_and_budget(westminster: Any) -> None:
    result = services.load(westminster)
    strategy = result.strategy
    # the document: 5 priorities, 43 activities, 47 milestones, 20 measures (see the YAML's
    # encoding rules), 12 governance bodies, 20 agencies and services
    assert _counts(strategy) == {
        "priorities": 5,
        "outcomes": 12,
        "objectives": 15,
        "activities": 43,
        "milestones": 47,
        "measures": 20,
        "governance_bodies": 12,
        "agencies": 20,
    }
    budget = services.budget(strategy, dt.date(2011, 9, 30))
    # "at least £39,000", "£294,000", "£35,000", "£195,000", "£10,000" of the partnership's own
    # money; the £420,000 Home Office grant apart (issue 16: not £993,000 committed)
    assert budget["totals"]["partnership"] == {
        "committed": 573_000,
        "spent": 0,
        "remaining": 573_000,
    }
    assert budget["totals"]["external"]["committed"] == 420_000
    assert {k: v["partnership"] for k, v in budget["by_priority"].items()} == {
        "night-time-economy": 39_000,
        "youth-crime": 294_000,
        "reoffending": 35_000,
        "violence-against-women-and-girls": 195_000,
        "substance-misuse": 10_000,
    }
    assert budget["by_priority"]["substance-misuse"]["external"] == 420_000
    assert {k: v["committed"] for k, v in budget["by_funding_source"].items()} == {
        "swp-resources": 573_000,
        "home-office-grant": 420_000,
        "core-resources": 0,
        "other-external-funding": 0,
    }
    # the same figures as the file's own summary
    s = summary(westminster)
    assert budget["totals"]["partnership"]["committed"] == s["budget_partnership_gbp"]
    assert budget["totals"]["external"]["committed"] == s["budget_external_gbp"]
    # lead and support bodies in the document's order
    nte_a1 = sm.Activity.objects.get(key="nte-a1")
    assert [b.key for b in nte_a1.leads()] == ["substance-misuse-and-crime-group"]
    assert [b.key for b in nte_a1.supports()] == ["communications-team", "corporate-policy-team"]


def test_second_load_changes_nothing(westminster: Any) -> None:
    first = services.load(westminster)
    assert first.created > 250
    before = AuditEvent.objects.count()
    second = services.load(westminster)
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    assert second.strategy.pk == first.strategy.pk
    assert AuditEvent.objects.count() == before
    assert sm.Strategy.objects.count() == 1
    assert _counts(second.strategy)["activities"] == 43


def test_round_trip_is_lossless(westminster: Any) -> None:
    strategy = services.load(westminster).strategy
    exported = services.export(strategy)
    assert exported == westminster
    assert dumps(exported) == dumps(westminster)
    # and through the YAML text into an empty database
    text = dumps(exported)
    sm.Partnership.objects.all().delete()
    again = services.export(services.load(parse(text)).strategy)
    assert dumps(again) == text


def test_round_trip_keeps_history(westminster: Any, make_user: Any) -> None:
    strategy = services.load(westminster).strategy
    owner = make_user("action_owner", first_name="Vic", last_name="Tory")
    activity = sm.Activity.objects.get(key="youth-a6")
    services.post_update(
        owner,
        activity,
        status="on_track",
        narrative="Worker in post",
        evidence="Board paper 3",
        date=dt.date(2011, 6, 1),
    )
    milestone = sm.Milestone.objects.get(key="youth-a6-m1")
    services.post_update(
        owner, milestone, status="complete", narrative="Done", date=dt.date(2011, 5, 20)
    )
    measure = sm.Measure.objects.get(key="youth-a6-k2")
    services.enter_value(owner, measure, date=dt.date(2011, 9, 30), value=12, evidence="Log")
    text = dumps(services.export(strategy))
    model = parse(text)
    a6 = next(a for _, a in model.activities() if a.id == "youth-a6")
    assert [(u.status, u.narrative, u.evidence) for u in a6.updates] == [
        ("on_track", "Worker in post", "Board paper 3")
    ]
    assert a6.milestones[0].updates[0].status == "complete"
    assert [(v.value, v.evidence) for v in a6.measures[1].data_source.values] == [(12.0, "Log")]
    # loading the export again adds nothing; into an empty database, it is the same strategy
    assert services.load(model).updates_added == 0
    sm.Partnership.objects.all().delete()
    result = services.load(model)
    assert (result.updates_added, result.values_added) == (2, 1)
    assert dumps(services.export(result.strategy)) == text


def test_reload_applies_changes_and_audits_them(westminster: Any) -> None:
    services.load(westminster)
    data = westminster.model_copy(deep=True)
    activity = next(a for _, a in data.activities() if a.id == "nte-a2")
    activity.text = "Scope all options for recouping costs (revised)."
    removed = activity.milestones.pop()
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    result = services.load(data)
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert sm.Activity.objects.get(key="nte-a2").text.endswith("(revised).")
    assert not sm.Milestone.objects.filter(key=removed.id).exists()
    rows = AuditEvent.objects.exclude(pk__in=before)
    assert sorted((r.action, r.model) for r in rows) == [
        ("delete", "strategy.Milestone"),
        ("update", "strategy.Activity"),
    ]


@pytest.mark.skipif(USE_POSTGRES, reason="uses its own SQLite workspace: the SQLite run covers it")
def test_cli_load_on_a_fresh_workspace(tmp_path: Path) -> None:
    """As `safercity demo` runs it: a new workspace, its own SQLite database, migrated first."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.pop("DATABASE_URL", None)
    argv = [sys.executable, "-m", "safercity.cli", "strategy", "load", str(WESTMINSTER)]
    done = subprocess.run(
        [*argv, "--json", "--workspace", str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] > 250
    assert (tmp_path / "ws" / "web.sqlite3").is_file()


def test_cli_load_again_export_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In this process (as `safercity demo` calls it), on the test database."""
    from safercity import cli

    monkeypatch.setenv("SAFERCITY_WORKSPACE", str(tmp_path))
    ws = ["--workspace", str(tmp_path)]
    assert cli.main(["strategy", "export", "--from-db", *ws]) == 2
    assert "no strategy is loaded" in capsys.readouterr().err
    assert cli.main(["strategy", "report", "--out", str(tmp_path / "r.html"), *ws]) == 2
    assert "no strategy is loaded" in capsys.readouterr().err
    assert cli.main(["strategy", "load", str(WESTMINSTER), "--json", *ws]) == 0
    assert json.loads(capsys.readouterr().out)["created"] > 250
    assert cli.main(["strategy", "load", str(WESTMINSTER), "--json", *ws]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["created"], out["updated"], out["deleted"]) == (0, 0, 0)
    assert sm.Strategy.objects.count() == 1
    assert cli.main(["strategy", "export", "--from-db", *ws]) == 0
    assert capsys.readouterr().out == dumps(load(WESTMINSTER))
    pdf = tmp_path / "board.pdf"
    assert cli.main(["strategy", "report", "--out", str(pdf), "--as-at", "2012-03-31", *ws]) == 0
    import pypdf  # a dev dependency: a missing one fails

    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    for words in (
        "Board performance report: Quarter 4 2011/12",
        "Exceptions",
        "Changes since last quarter",
        "Due next quarter: Quarter 1 2012/13",
        "Updates this quarter",
        "Budget by priority",
        "How the ratings are worked out",
    ):
        assert words in text
    html = tmp_path / "board.html"
    assert cli.main(["strategy", "report", "--out", str(html), "--as-at", "2011-09-30", *ws]) == 0
    text = html.read_text(encoding="utf-8")
    assert "Board performance report: Quarter 2 2011/12" in text
    assert "Safer Westminster Partnership" in text
    assert cli.main(["strategy", "export", str(WESTMINSTER), "--from-db", *ws]) == 2
    assert "not both" in capsys.readouterr().err


def test_round_trip_of_every_kind_of_field(westminster: Any) -> None:
    """Parts the Westminster file does not use: an analytics measure with a dated baseline, an
    owner-entered measure with its owner, values and updates, a milestone with a start."""
    data = westminster.model_dump(mode="json")
    activity = data["priorities"][0]["action_plan"]["objectives"][0]["activities"][0]
    activity["milestones"][0] |= {
        "start": "2011-04-30",
        "start_as_written": "2011/12",  # occurs in the milestone text
        "updates": [
            {"date": "2011-05-01", "author": "A N Other", "status": "on_track", "narrative": "Go"}
        ],
    }
    activity["measures"] = [
        {
            "id": "nte-violence-12m",
            "description": "Violence against the person in the NTE, rolling 12 months",
            "as_written": "Reduce violent crime associated with the night time economy by 2014",
            "unit": "offences",
            "direction": "reduce",
            "baseline": {"value": 5120, "date": "2010-12-01", "period": "2010", "source": "MPS"},
            "target": 4800,
            "due": "2014-03-31",
            "due_as_written": "2014",
            "data_source": {
                "kind": "analytics",
                "category": ["Violence and sexual offences"],
                "theme": "night time economy",
                "area": "Westminster",
                "period": "rolling_12_months",
            },
        },
        {
            "id": "nte-messages",
            "description": "Premises showing the messages",
            "as_written": "Premises showing responsible drinking messages",
            "unit": "premises",
            "data_source": {
                "kind": "owner_entered",
                "owner": "communications-team",
                "evidence": "Licensing visits",
                "values": [
                    {"date": "2011-09-30", "value": 40, "entered_by": "Comms", "evidence": "Visits"}
                ],
            },
            "updates": [
                {
                    "date": "2011-10-01",
                    "author": "Comms",
                    "status": "at_risk",
                    "narrative": "Slow",
                    "evidence": "Minutes",
                }
            ],
        },
    ]
    text = dumps(parse(dumps(westminster.model_validate(data))))
    model = parse(text)
    strategy = services.load(model).strategy
    assert dumps(services.export(strategy)) == text
    measure = sm.Measure.objects.get(key="nte-violence-12m")
    assert measure.source_kind == "analytics" and measure.query["theme"] == "night time economy"
    assert sm.Measure.objects.get(key="nte-messages").owner.key == "communications-team"


def test_the_demo_action_owner_can_update_westminster_activities(westminster: Any) -> None:
    """make demo loads Westminster and seeds one login per role: the action owner must have
    something to update (the Met leads nine activities in the document)."""
    from safercity.web.accounts.models import User
    from safercity.web.accounts.services import seed_demo

    services.load(westminster)
    seed_demo("a-long-demo-password-1")
    owner = User.objects.get(username="actionowner")
    activities = sm.Activity.objects.all()
    mine = [a for a in activities if services.can_update_activity(owner, a)]
    assert len(mine) >= 9
    assert len(mine) < activities.count()  # only what the Met leads
