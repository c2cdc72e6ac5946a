"""Running the strategy in the browser (issue 16): priority leads and administrators edit the
plan and the budget (audited, export still round-trips), spend is corrected by adjustments,
the annual refresh makes a new version, governance bodies hold meetings; and the pages' day
(issue 12): the strategy's own period by default, an invalid date an error."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from safercity.strategy import dumps, load, parse
from safercity.web.audit.models import AuditEvent
from safercity.web.strategy import models as sm
from safercity.web.strategy import report, services

pytestmark = pytest.mark.django_db

WESTMINSTER = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"
SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def westminster() -> sm.Strategy:
    return services.load(load(WESTMINSTER)).strategy


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def _nte_lead(make_user: Any) -> Any:
    from factories import AgencyFactory

    # the NTE priority is led by the Night Time Economy Group (its thematic subgroup)
    return make_user("action_owner", agency=AgencyFactory(name="Night Time Economy Group"))


def _new_audit(before: set[Any]) -> list[tuple[str, str]]:
    return [(e.action, e.model) for e in AuditEvent.objects.exclude(pk__in=before)]


def _round_trips(strategy: sm.Strategy) -> None:
    text = dumps(services.export(strategy))
    sm.Partnership.objects.all().delete()
    again = services.export(services.load(parse(text)).strategy)
    assert dumps(again) == text


def test_priority_lead_adds_an_activity_and_a_milestone_audited(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    lead = _nte_lead(make_user)
    nte = westminster.priorities.get(key="night-time-economy")
    objective = nte.objectives.get(key="nte-o3")
    assert services.is_priority_lead(lead, nte)
    youth = westminster.priorities.get(key="youth-crime")
    assert not services.can_edit_priority(lead, youth)
    client.force_login(lead)
    url = reverse("strategy:activity_add", args=[objective.pk])
    page = client.get(url).content.decode()
    assert "Add an activity" in page and 'type="checkbox"' in page
    group = sm.Body.objects.get(key="night-time-economy-group")
    ncrs = sm.Body.objects.get(key="ncrs")
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(
        url, {"text": "Run a night bus pilot.", "lead": [str(group.pk)], "support": [str(ncrs.pk)]}
    )
    assert response.status_code == 302
    made = sm.Activity.objects.get(text="Run a night bus pilot.")
    assert made.key == "nte-a10" and [b.key for b in made.leads()] == ["night-time-economy-group"]
    assert ("create", "strategy.Activity") in _new_audit(before)
    assert sum(1 for a in _new_audit(before) if a == ("create", "strategy.ActivityBody")) == 2
    # a milestone that recurs, added to it
    response = client.post(
        reverse("strategy:milestone_add", args=[made.pk]),
        {
            "text": "Review the pilot",
            "kind": "recurring",
            "recurrence": "every 2 months",
            **_date("due", dt.date(2011, 11, 30)),
        },
    )
    assert response.status_code == 302
    milestone = made.milestones.get()
    assert (milestone.key, milestone.recurrence, milestone.due) == (
        "nte-a10-m1",
        "every 2 months",
        dt.date(2011, 11, 30),
    )
    # the same lead may not touch another priority
    other = youth.objectives.first()
    assert client.get(reverse("strategy:activity_add", args=[other.pk])).status_code == 403
    client.force_login(make_user("board_member"))
    assert client.post(url, {"text": "x", "lead": [str(group.pk)]}).status_code == 403
    _round_trips(westminster)


def test_bad_edits_are_refused_with_errors(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    client.force_login(make_user("administrator"))
    activity = sm.Activity.objects.get(key="nte-a5")
    group = sm.Body.objects.get(key="night-time-economy-group")
    response = client.post(
        reverse("strategy:activity_edit", args=[activity.pk]),
        {"text": "Same", "lead": [str(group.pk)], "support": [str(group.pk)]},
    )
    assert response.status_code == 400
    assert "cannot both lead and support" in response.content.decode()
    milestone = sm.Milestone.objects.get(key="nte-a5-m1")
    response = client.post(
        reverse("strategy:milestone_edit", args=[milestone.pk]),
        {"text": "x", "kind": "recurring", "recurrence": "now and then"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter how often it recurs" in body and "Enter when the first occurrence is due" in body
    activity.refresh_from_db()
    assert activity.text.startswith("Work in collaboration with TFL")


def test_milestone_date_change_drops_the_documents_words(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    client.force_login(make_user("administrator"))
    milestone = sm.Milestone.objects.get(key="nte-a5-m1")
    assert milestone.due_as_written == "June 2011"
    url = reverse("strategy:milestone_edit", args=[milestone.pk])
    assert (
        client.post(
            url,
            {"text": milestone.text, "kind": "deliverable", **_date("due", dt.date(2011, 6, 30))},
        ).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert milestone.due_as_written == "June 2011"  # unchanged date: the words stay
    assert (
        client.post(
            url,
            {"text": milestone.text, "kind": "deliverable", **_date("due", dt.date(2011, 8, 31))},
        ).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert (milestone.due, milestone.due_as_written) == (dt.date(2011, 8, 31), "")
    _round_trips(westminster)


def test_measure_with_a_relative_target_per_year(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    client.force_login(make_user("administrator"))
    measure = sm.Measure.objects.get(key="youth-a6-k1")  # "Double the numbers ..."
    page = client.get(reverse("strategy:measure_edit", args=[measure.pk])).content.decode()
    assert (
        'value="times" checked' in page.replace('id="id_target_kind_2" ', "").replace("  ", " ")
        or "times" in page
    )
    data = {
        "description": measure.description,
        "as_written": measure.as_written,
        "unit": "victims",
        "direction": "increase",
        "target_kind": "times",
        "target": "2",
        "target_2011": "1.5",
        "values_are": "period",
        "source_kind": "owner_entered",
        "baseline": "40",
        **_date("baseline_date", dt.date(2011, 3, 31)),
    }
    response = client.post(reverse("strategy:measure_edit", args=[measure.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    measure.refresh_from_db()
    assert measure.target_relative == {"times": 2.0}
    assert measure.targets == [{"year": 2011, "target": None, "target_relative": {"times": 1.5}}]
    assert measure.values_are == "period" and measure.baseline["value"] == 40
    # values for the period: 20 and 25 in 2011/12 = 45, short of 1.5 x 40 = 60
    owner = make_user("administrator", username="boss2")
    services.enter_value(owner, measure, date=dt.date(2011, 9, 30), value=20, evidence="log")
    services.enter_value(owner, measure, date=dt.date(2012, 3, 31), value=25, evidence="log")
    view = services.rate_measure(measure, dt.date(2012, 3, 31), westminster)
    assert (view.rating.latest, view.rating.target_value) == (45.0, 60.0)
    assert view.rating.target_now is not None and view.rating.target_now.label == "2011/12"
    _round_trips(westminster)


def test_commitment_profile_and_forecast(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    client.force_login(make_user("administrator"))
    commitment = sm.BudgetCommitment.objects.get(key="budget-nte")
    url = reverse("strategy:commitment_edit", args=[commitment.pk])
    bad = {
        "amount_gbp": "39000",
        "purpose": commitment.purpose,
        "profile_2011": "13000",
        "quarters_2011": "3000, 4000, 4000, 1000",
    }
    response = client.post(url, bad)
    assert (
        response.status_code == 400
        and "adds up to £12,000, not £13,000" in response.content.decode()
    )
    good = bad | {"quarters_2011": "3000, 4000, 4000, 2000", "profile_2012": "13000"}
    assert client.post(url, good).status_code == 302
    commitment.refresh_from_db()
    assert commitment.profile == [
        {"year": 2011, "amount_gbp": 13000, "quarters": [3000, 4000, 4000, 2000]},
        {"year": 2012, "amount_gbp": 13000, "quarters": None},
    ]
    services.record_spend(
        make_user("administrator", username="fin"),
        commitment,
        date=dt.date(2011, 8, 1),
        amount_gbp=5000,
        description="Street Pastors training",
        activity=sm.Activity.objects.get(key="nte-a7"),
    )
    money = services.budget(westminster, dt.date(2011, 9, 30))
    row = next(c for c in money["commitments"] if c["commitment"].key == "budget-nte")
    # Q1 3,000 + Q2 4,000 profiled to 30 September; 5,000 spent; forecast 5,000 + 4,000 + 2,000
    assert (row["year"].profile_to_date, row["year"].spent_to_date, row["year"].forecast) == (
        7000,
        5000,
        11000,
    )
    assert money["by_activity"][0]["spent"] == 5000
    page = client.get(reverse("strategy:budget") + "?as_at=2011-09-30").content.decode()
    assert "£11,000" in page and "Spend by activity" in page
    with pytest.raises(ValueError, match="not one of the commitment's priority"):
        services.record_spend(
            make_user("administrator", username="fin2"),
            commitment,
            date=dt.date(2011, 8, 1),
            amount_gbp=1,
            description="x",
            activity=sm.Activity.objects.get(key="youth-a1"),
        )
    _round_trips(westminster)


def test_spend_is_corrected_by_an_adjustment_never_edited(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    admin = make_user("administrator", username="boss")
    commitment = sm.BudgetCommitment.objects.get(key="budget-youth")
    entry = services.record_spend(
        admin, commitment, date=dt.date(2011, 6, 15), amount_gbp=8000, description="Mentors"
    )
    client.force_login(admin)
    url = reverse("strategy:spend_adjust", args=[entry.pk])
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(
        url, {"amount_gbp": "-9000", **_date("date", dt.date(2011, 10, 3)), "reason": "typo"}
    )
    assert response.status_code == 200 and "below £0" in response.content.decode()
    response = client.post(
        url,
        {
            "amount_gbp": "-800",
            **_date("date", dt.date(2011, 10, 3)),
            "reason": "Invoice entered twice in part",
        },
    )
    assert response.status_code == 302
    assert _new_audit(before) == [("create", "strategy.Spend")]
    entry.refresh_from_db()
    assert entry.amount_gbp == 8000  # the entry itself is unchanged
    adjustment = entry.adjustments.get()
    assert (adjustment.amount_gbp, adjustment.reason) == (-800, "Invoice entered twice in part")
    # the Q1 report (as at 30 June) is the same before and after the correction (issue 16)
    assert (
        services.budget(westminster, dt.date(2011, 6, 30))["totals"]["partnership"]["spent"] == 8000
    )
    assert (
        services.budget(westminster, dt.date(2011, 10, 3))["totals"]["partnership"]["spent"] == 7200
    )
    client.force_login(make_user("board_member"))
    assert client.get(url).status_code == 403
    exported = services.export(westminster)
    assert [(s.amount_gbp, s.corrects) for s in exported.budget.spend] == [
        (8000, None),
        (-800, entry.key),
    ]
    _round_trips(westminster)


def test_pages_open_on_the_strategys_own_period(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    """Issue 12: the 2011-14 example opened as "Quarter 3 2026/27" with every priority red."""
    client.force_login(make_user("board_member"))
    page = client.get(reverse("strategy:overview")).content.decode()
    assert "Priorities at a glance, as at 31 March 2014" in page
    assert "the strategy's last day (it ended then)" in page
    body = client.get(reverse("strategy:report")).content.decode()
    assert "Board performance report: Quarter 4 2013/14" in body
    assert "2026" not in body.split("<main", 1)[1].split("</main>", 1)[0]
    # the period picker: every quarter of the strategy
    assert body.count('<option value="20') == 12
    picked = client.get(reverse("strategy:report") + "?quarter=2011-09-30")
    assert picked.status_code == 302 and picked["Location"].endswith("?as_at=2011-09-30")


@pytest.mark.parametrize(
    "query",
    ["?as_at=2011-13-45", "?as_at=yesterday", "?as_at_day=31&as_at_month=2&as_at_year=2012"],
)
def test_an_invalid_as_at_date_is_an_error_not_today(
    client: Any, make_user: Any, westminster: sm.Strategy, query: str
) -> None:
    client.force_login(make_user("board_member"))
    for name in ("strategy:overview", "strategy:report", "strategy:budget", "strategy:report_pdf"):
        response = client.get(reverse(name) + query)
        body = response.content.decode()
        assert response.status_code == 400, name
        assert "must be a real date" in body and "There is a problem" in body
        assert "Priorities at a glance" not in body and "Board performance report:" not in body


def test_action_owner_sees_titles_due_dates_and_status(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    """Issue 12: action owners saw activity codes ("youth-a2") instead of titles."""
    from factories import AgencyFactory

    owner = make_user("action_owner", agency=AgencyFactory(name="Youth Offending Team"))
    client.force_login(owner)
    page = client.get(reverse("strategy:overview") + "?as_at=2011-06-30").content.decode()
    table = page.split('id="my-activities"', 1)[1].split("</table>", 1)[0]
    assert "Continue to run cross-border meetings" in table  # youth-a2, by its title
    assert ">youth-a2<" not in table
    # every 6 weeks from 1 April 2011: due 12 May, 23 June, then 4 August, the next due
    assert "4 August 2011" in table
    assert "govuk-tag" in table


def test_refresh_makes_a_new_version_carrying_open_activities(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    admin = make_user("administrator")
    done = sm.Activity.objects.get(key="nte-a9")
    services.post_update(
        admin, done, status="complete", narrative="Trained", date=dt.date(2012, 3, 1)
    )
    open_one = sm.Activity.objects.get(key="nte-a5")
    services.post_update(
        admin, open_one, status="on_track", narrative="Going", date=dt.date(2012, 3, 1)
    )
    client.force_login(admin)
    data = {
        "year": "2012",
        "changes": "Reoffending action plan added – produced during 2011/12\nNight bus pilot",
        "you_said_1": "Drug dealing near estates worries us",
        "we_did_1": "Targeted patrols on three estates",
        "consultation_1": "consultation:2012-priorities#q3",
        "you_said_2": "Only said",
    }
    response = client.post(reverse("strategy:refresh"), data)
    assert response.status_code == 400 and "Enter what was done" in response.content.decode()
    del data["you_said_2"]
    assert client.post(reverse("strategy:refresh"), data).status_code == 302
    new = services.current_strategy()
    assert new is not None and new.pk != westminster.pk and new.previous_id == westminster.pk
    assert new.title == "Crime & Disorder Reduction Strategy 2011 – 14 (refreshed for 2012/13)"
    keys = set(
        sm.Activity.objects.filter(objective__priority__strategy=new).values_list("key", flat=True)
    )
    assert "nte-a9" not in keys and "nte-a5" in keys  # complete: left in the old version
    carried = sm.Activity.objects.get(objective__priority__strategy=new, key="nte-a5")
    assert carried.carried_from_id == open_one.pk
    from safercity.web.strategy.progress import history

    assert [u.narrative for u in history(carried)] == ["Going"]  # its history still counts
    assert new.refresh["you_said_we_did"] == [
        {
            "you_said": "Drug dealing near estates worries us",
            "we_did": "Targeted patrols on three estates",
            "consultation": "consultation:2012-priorities#q3",
        }
    ]
    whats = [c["what"] for c in new.refresh["changes"]]
    assert whats[:2] == ["Reoffending action plan added", "Night bus pilot"]
    assert any("42 open activities carried over" in w for w in whats)
    # the old version is kept as it was
    assert sm.Activity.objects.filter(objective__priority__strategy=westminster).count() == 43
    page = client.get(reverse("strategy:versions")).content.decode()
    assert "You said, we did" in page and "Targeted patrols on three estates" in page
    # the new version is a valid strategy file of its own
    exported = services.export(new)
    assert exported.strategy.refresh is not None and exported.strategy.refresh.year == 2012
    assert parse(dumps(exported)) == exported


def test_governance_meetings_papers_decisions_actions(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    admin = make_user("administrator")
    board = sm.Body.objects.get(key="safer-westminster-partnership")
    client.force_login(admin)
    response = client.post(
        reverse("strategy:meeting_add", args=[board.pk]),
        {
            **_date("date", dt.date(2011, 7, 14)),
            "title": "Quarter 1 review",
            "decisions": "Agree the plan\nFund the pilot",
        },
    )
    assert response.status_code == 302
    meeting = board.meetings.get()
    url = reverse("strategy:meeting", args=[meeting.pk])
    assert meeting.decisions == ["Agree the plan", "Fund the pilot"]
    assert (
        client.post(
            url, {"what": "paper", **_date("paper-as_at", dt.date(2011, 6, 30))}
        ).status_code
        == 302
    )
    paper = meeting.papers.get()
    assert (
        paper.title == "Board performance report: Quarter 1 2011/12"
        and "<!DOCTYPE html>" in paper.html
    )
    nte = sm.Body.objects.get(key="night-time-economy-group")
    assert (
        client.post(
            url,
            {
                "what": "action",
                "action-text": "Report on the night bus",
                "action-owner": str(nte.pk),
                **_date("action-due", dt.date(2011, 9, 30)),
            },
        ).status_code
        == 302
    )
    action = meeting.actions.get()
    # the board report as at 30 September lists the action overdue
    html = report.render_html(westminster, dt.date(2011, 10, 1))
    assert "Board action overdue: Report on the night bus" in html
    assert client.post(url, {"what": "done", "action": str(action.pk)}).status_code == 302
    action.refresh_from_db()
    assert action.done is not None
    shown = client.get(reverse("strategy:paper", args=[paper.pk]))
    assert shown.status_code == 200 and "frame-ancestors 'none'" in shown["Content-Security-Policy"]
    gov = client.get(reverse("strategy:governance") + "?as_at=2011-12-31").content.decode()
    assert "Last met 14 July 2011" in gov
    client.force_login(make_user("board_member"))
    assert client.get(url).status_code == 200
    assert client.post(url, {"what": "done", "action": str(action.pk)}).status_code == 403
    exported = services.export(westminster)
    swp = next(g for g in exported.partnership.governance_bodies if g.id == board.key)
    assert swp.meetings[0].decisions == ["Agree the plan", "Fund the pilot"]
    assert swp.meetings[0].papers[0].board_report_as_at == dt.date(2011, 6, 30)
    _round_trips(westminster)


def test_board_report_snapshot(settings: Any, tmp_path: Path, westminster: sm.Strategy) -> None:
    """The board report with the SYNTHETIC demo history, as at 30 September 2012 (no store: the
    outcome measures say so). Rerun with SAFERCITY_UPDATE_SNAPSHOTS=1 when a change is meant."""
    from safercity.strategy.demo_progress import with_history

    settings.WORKSPACE = tmp_path / "no-store"
    services.load(with_history(load(WESTMINSTER)))
    html = report.render_html(westminster, dt.date(2012, 9, 30))
    snap = SNAPSHOTS / "board-report-2012-09-30.html"
    if os.environ.get("SAFERCITY_UPDATE_SNAPSHOTS") == "1" or not snap.exists():
        snap.parent.mkdir(exist_ok=True)
        snap.write_text(html, encoding="utf-8", newline="\n")
        if os.environ.get("SAFERCITY_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {snap} was missing and has been written: check it in")
    assert html == snap.read_text(encoding="utf-8"), (
        "the board report changed; if intended, rerun with SAFERCITY_UPDATE_SNAPSHOTS=1"
    )
    # what the snapshot shows, in order: exceptions first
    order = [
        "Exceptions",
        "Priorities at a glance",
        "Changes since last quarter",
        "Due next quarter: Quarter 3 2012/13",
        "Measures by priority and lead",
        "Updates this quarter",
        "Budget",
    ]
    positions = [html.index(f">{h}") for h in order]
    assert positions == sorted(positions)
    assert "Led by Night Time Economy Group" in html
