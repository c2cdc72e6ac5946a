"""The strategy pages over the whole Westminster strategy, the board report (HTML and PDF), and a
measure computed by the analytics from the (synthetic) workspace store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from safercity.analytics import monitoring
from safercity.analytics.store import Workspace
from safercity.strategy import load
from safercity.web.strategy import models as sm
from safercity.web.strategy import report, services

pytestmark = pytest.mark.django_db

WESTMINSTER = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"


@pytest.fixture
def westminster() -> sm.Strategy:
    return services.load(load(WESTMINSTER)).strategy


def test_every_strategy_page_renders_for_westminster(
    client: Any, make_user: Any, westminster: sm.Strategy
) -> None:
    client.force_login(make_user("board_member"))
    q = "?as_at=2011-09-30"
    page = client.get(reverse("strategy:overview") + q).content.decode()
    for p in westminster.priorities.all():
        assert p.title.replace("&", "&amp;") in page
    assert "Priorities at a glance, as at 30 September 2011" in page
    for p in westminster.priorities.all():
        body = client.get(reverse("strategy:priority", args=[p.pk]) + q).content.decode()
        for ob in p.objectives.all():
            assert f"Objective: {ob.title}".replace("&", "&amp;")[:40] in body
    nte_a7 = sm.Activity.objects.get(key="nte-a7")
    body = client.get(reverse("strategy:activity", args=[nte_a7.pk]) + q).content.decode()
    assert "Completion of training for Street Pastors July 2011" in body
    assert "Overdue" in body  # due 31 July 2011, no update by 30 September 2011
    assert "Post an update" not in body  # board members read
    measure = sm.Measure.objects.get(key="youth-a6-k2")
    body = client.get(reverse("strategy:measure", args=[measure.pk]) + q).content.decode()
    assert "Run 40 outreach sessions" in body and "No data" in body
    body = client.get(reverse("strategy:governance")).content.decode()
    assert "Night Time Economy Group" in body and "Mike More" in body
    nte_a5 = sm.Activity.objects.get(key="nte-a5")
    assert nte_a5.title.replace("&", "&amp;") in body  # what the NTE Group leads, by title
    assert "Work in collaboration with TFL" in nte_a5.title
    body = client.get(reverse("strategy:budget")).content.decode()
    # the partnership's own money and the Home Office grant apart, never added up (issue 16)
    assert "committed <strong>£573,000</strong> of its own money" in body
    assert "<strong>£420,000</strong> of external grants" in body
    assert "£993,000" not in body
    body = client.get(reverse("strategy:report") + q).content.decode()
    assert "Board performance report: Quarter 2 2011/12" in body
    # the PDF of the same report: tests/web/test_strategy_load.py (the CLI) and test_urls.py


def test_overview_without_a_strategy(client: Any, make_user: Any) -> None:
    client.force_login(make_user("analyst"))
    body = client.get(reverse("strategy:overview")).content.decode()
    assert "No partnership strategy has been loaded yet" in body


def test_statuses_of_westminster_as_at_a_day(westminster: sm.Strategy, make_user: Any) -> None:
    """As at 30 September 2011 with no updates: dated milestones past due are overdue, and so
    are recurring ones whose occurrences were all missed; "May 2011" alone is a start, not
    overdue; the Reoffending priority's plan is due by March 2012, not yet late."""
    views = {v.priority.key: v for v in services.monitor(westminster, dt.date(2011, 9, 30))}
    overdue = {
        v.milestone.key
        for p in views.values()
        for a in p.activities
        for v in a.milestones
        if v.status == "overdue"
    }
    deliverables = set(
        sm.Milestone.objects.filter(
            activity__objective__priority__strategy=westminster,
            due__lt=dt.date(2011, 9, 30),
            recurrence="",
        ).values_list("key", flat=True)
    )
    # by hand from the YAML: 13 milestones due by a date before 30 September 2011, and the 10
    # recurring ones (fortnightly, monthly, every 6 weeks, weekly, 3 times a year) whose first
    # occurrence was due before it
    recurring = {
        "nte-a3-m1",
        "youth-a1-m1",
        "youth-a2-m1",
        "youth-a7-m2",
        "youth-a8-m1",
        "youth-a14-m1",
        "youth-a15-m1",
        "sm-a4-m1",
        "sm-a4-m2",
        "sm-a4-m3",
    }
    assert len(deliverables) == 13
    assert overdue == deliverables | recurring
    starts = {"youth-a6-m1", "youth-a7-m1", "youth-a11-m1", "vawg-a9-m1"}
    status = {
        v.milestone.key: v.status
        for p in views.values()
        for a in p.activities
        for v in a.milestones
    }
    assert {status[k] for k in starts} == {"at_risk"}  # started months ago, nothing reported
    assert views["reoffending"].activities == [] and views["reoffending"].rag == "grey"
    (plan,) = views["reoffending"].plan_milestones
    assert plan.status == "not_started" and str(plan.milestone.due) == "2012-03-31"
    # a year on, the plan not produced is overdue and the priority is red, not "Not rated"
    later = {v.priority.key: v for v in services.monitor(westminster, dt.date(2012, 4, 30))}
    assert later["reoffending"].plan_milestones[0].status == "overdue"
    assert later["reoffending"].rag == "red"
    assert views["night-time-economy"].rag == "red"
    # once the owner reports every overdue dated NTE milestone complete, only the fortnightly
    # meetings (nte-a3) are still overdue: one update meets one occurrence, not all of them
    owner = make_user("action_owner")
    for a in views["night-time-economy"].activities:
        for v in a.milestones:
            if v.status == "overdue" and v.kind == "deliverable":
                services.post_update(
                    owner,
                    v.milestone,
                    status="complete",
                    narrative="done",
                    date=dt.date(2011, 9, 1),
                )
    after = {v.priority.key: v for v in services.monitor(westminster, dt.date(2011, 9, 30))}
    assert after["night-time-economy"].counts["overdue"] == 1
    (fortnightly,) = [
        v for a in after["night-time-economy"].activities for v in a.milestones if v.missed
    ]
    assert fortnightly.milestone.key == "nte-a3-m1" and fortnightly.status == "overdue"
    # fortnightly from 1 April 2011: 13 occurrences due 14 April ... 29 September (1 April +
    # 14k - 1 days), all missed; the 14th opened on 30 September
    assert fortnightly.occurrences == 14 and len(fortnightly.missed) == 13
    assert str(fortnightly.missed[-1].due) == "2011-09-29"
    assert str(fortnightly.next_due) == "2011-10-13"
    # the board report lists the updates of the quarter (July to September 2011)
    html = report.render_html(westminster, dt.date(2011, 9, 30))
    assert "No progress updates from 1 July 2011" not in html
    assert html.count(f'<td class="govuk-table__cell">{owner.get_full_name()}') > 0
    listed = report.updates_in_quarter(westminster, dt.date(2011, 9, 30))
    assert len(listed) == sum(1 for u in listed if u.date == dt.date(2011, 9, 1)) > 0
    assert report.updates_in_quarter(westminster, dt.date(2011, 6, 30)) == []


def test_quarter_of() -> None:
    assert report.quarter_of(dt.date(2011, 4, 1)) == "Quarter 1 2011/12"
    assert report.quarter_of(dt.date(2011, 12, 31)) == "Quarter 3 2011/12"
    assert report.quarter_of(dt.date(2012, 3, 31)) == "Quarter 4 2011/12"
    for day, start in (
        (dt.date(2011, 4, 1), dt.date(2011, 4, 1)),
        (dt.date(2011, 6, 30), dt.date(2011, 4, 1)),
        (dt.date(2011, 7, 1), dt.date(2011, 7, 1)),
        (dt.date(2011, 12, 31), dt.date(2011, 10, 1)),
        (dt.date(2012, 1, 1), dt.date(2012, 1, 1)),
        (dt.date(2012, 3, 31), dt.date(2012, 1, 1)),
    ):
        assert report.quarter_start(day) == start


def test_analytics_measure_from_the_workspace(synthetic_workspace: Path, settings: Any) -> None:
    """A measure computed over the store: the rolling 12-month count of burglaries equals the
    count straight from the incidents table (SYNTHETIC workspace)."""
    with Workspace(synthetic_workspace, read_only=True) as ws:
        months = [
            r[0]
            for r in ws.con.execute(
                "SELECT DISTINCT month FROM incidents WHERE category = 'Burglary' ORDER BY 1"
            ).fetchall()
        ]
        last = months[-1]
        first = dt.date(last.year - 1 + (last.month == 12), last.month % 12 + 1, 1)
        expected = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE category = 'Burglary' AND month BETWEEN ? AND ?",
            [first, last],
        ).fetchone()[0]
        monthly = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE category = 'Burglary' AND month = ?", [last]
        ).fetchone()[0]
        values = monitoring.analytics_values(ws, category=["burglary"])
        per_month = monitoring.analytics_values(ws, category=["burglary"], period="month")
    assert len(months) >= 12
    assert values[-1] == (last, float(expected))
    assert per_month[-1] == (last, float(monthly))
    # through the web app: an analytics measure reads the workspace of the settings
    made = sm.Measure.objects.create(
        activity=_activity(),
        key="burglary-12m",
        description="Burglary, rolling 12 months",
        as_written="Reduce burglary",
        unit="offences",
        direction="reduce",
        source_kind=sm.Measure.ANALYTICS,
        query={"category": ["Burglary"], "period": "rolling_12_months"},
    )
    settings.WORKSPACE = synthetic_workspace
    strategy = made.activity.objective.priority.strategy
    view = services.rate_measure(made, dt.date(2100, 1, 1), strategy)
    assert view.values == values
    assert view.rating.is_count and view.rating.comparison is not None
    # the first value is the baseline of the significance test
    assert view.rating.comparison.last_period == int(values[0][1])


def _activity() -> sm.Activity:
    from test_strategy_factories import ActivityFactory

    return ActivityFactory()
