"""Each role's home answers its first question (issue 12: the home was a list of links)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from safercity.web.imports.models import ImportJob
from safercity.web.reports.models import AssessmentReport

pytestmark = pytest.mark.django_db


def _home(client: Any, user: Any) -> str:
    client.force_login(user)
    return str(client.get(reverse("core:home")).content.decode())


def test_an_analyst_sees_the_latest_data_and_reports(client: Any, make_user: Any) -> None:
    analyst = make_user("analyst")
    AssessmentReport.objects.create(
        area="Westminster", period="2017-01:2017-12", requested_by=analyst, status="done"
    )
    ImportJob.objects.create(
        uploaded_by=analyst,
        original_name="broken.csv",
        stored_path="/x",
        status="failed",
        message="The import failed: no rows",
    )
    page = _home(client, analyst)
    # the synthetic workspace ends in December 2017
    assert "The latest data" in page and "December 2017" in page
    assert "anti-social behaviour incidents recorded in December 2017" in page
    assert "Westminster, January 2017 to December 2017" in page
    assert "Imports needing attention" in page and "broken.csv" in page


def test_a_board_member_sees_reports_but_not_imports(client: Any, make_user: Any) -> None:
    analyst = make_user("analyst")
    ImportJob.objects.create(
        uploaded_by=analyst, original_name="broken.csv", stored_path="/x", status="failed"
    )
    AssessmentReport.objects.create(
        area="Camden", period="2017-01:2017-12", requested_by=analyst, status="failed"
    )
    page = _home(client, make_user("board_member"))
    assert "Strategic Assessments" in page and "The latest data" in page
    assert "broken.csv" not in page  # imports are not theirs
    assert "Camden" not in page  # a failed report is shown to those who can generate again


def test_a_case_worker_sees_no_crime_data_panels(client: Any, make_user: Any) -> None:
    page = _home(client, make_user("case_worker"))
    assert "The latest data" not in page and "Strategic Assessments" not in page


def test_the_public_home_invites_sign_in(client: Any) -> None:
    page = client.get(reverse("core:home")).content.decode()
    assert "Sign in" in page and "needs you" not in page


WESTMINSTER = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"


@pytest.fixture
def westminster_with_history() -> Any:
    """The Westminster example with the demo's SYNTHETIC monitoring history."""
    from safercity.strategy import load
    from safercity.strategy.demo_progress import with_history
    from safercity.web.strategy import services

    return services.load(with_history(load(WESTMINSTER))).strategy


def test_a_board_member_sees_what_is_off_track_and_what_changed(
    client: Any, make_user: Any, westminster_with_history: Any
) -> None:
    from safercity.web.strategy import services

    strategy = westminster_with_history
    day = services.default_as_at(strategy)
    views = services.monitor(strategy, day)
    page = _home(client, make_user("board_member"))
    assert "Off track" in page and "Changed since last quarter" in page
    assert "31 March 2014" in page  # the strategy's own period, not today
    off = [v.priority.title for v in views if v.rag in {"red", "amber"}]
    on = [v.priority.title for v in views if v.rag not in {"red", "amber"}]
    panel = page.split("Off track", 1)[1].split("Changed since last quarter", 1)[0]
    for title in off:
        assert title.replace("&", "&amp;") in panel
    for title in on:
        assert title.replace("&", "&amp;") not in panel


def test_an_action_owner_sees_what_is_due_from_them(
    client: Any, make_user: Any, westminster_with_history: Any
) -> None:
    from safercity.web.accounts.models import Agency
    from safercity.web.strategy import services

    strategy = westminster_with_history
    owner = make_user("action_owner")
    owner.agency, _ = Agency.objects.get_or_create(name="Metropolitan Police Service")
    owner.save()
    mine = services.led_by_me(owner, strategy)
    assert mine  # the Met leads activities in the Westminster strategy
    page = _home(client, owner)
    assert "Due from you" in page and "Off track" not in page
    activity = next(
        a.activity
        for v in services.monitor(strategy, services.default_as_at(strategy))
        for a in v.activities
        if a.activity.pk in mine and a.status != "complete"
    )
    assert reverse("strategy:activity", kwargs={"pk": activity.pk}) in page
