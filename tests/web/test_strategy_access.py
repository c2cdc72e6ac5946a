"""Who may change what: action owners update only what a body they act for leads; every change
leaves exactly one audit row naming who made it; board members, analysts and case workers read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from test_strategy_factories import (
    ActivityBodyFactory,
    ActivityFactory,
    BodyFactory,
    small_strategy,
)

from safercity.web.audit.models import AuditEvent
from safercity.web.strategy import models as sm
from safercity.web.strategy import services

pytestmark = pytest.mark.django_db


def _agency(name: str) -> Any:
    from factories import AgencyFactory

    return AgencyFactory(name=name)


def _ids() -> set[Any]:
    return set(AuditEvent.objects.values_list("pk", flat=True))


def _date(text: str, name: str = "date") -> dict[str, str]:
    """The GOV.UK date input's three boxes for "dd/mm/yyyy"."""
    day, month, year = text.split("/")
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def _post_update(client: Any, activity: Any, date: str = "01/07/2011", **extra: str) -> Any:
    data = {
        "target": "activity",
        "status": "on_track",
        "narrative": "Street Pastors trained",
        "evidence": "",
        **_date(date),
        **extra,
    }
    return client.post(reverse("strategy:activity", args=[activity.pk]), data)


def test_action_owner_updates_what_their_body_leads_with_one_audit_row(
    client: Any, make_user: Any
) -> None:
    made = small_strategy(lead_name="Victim Support")
    owner = make_user("action_owner", username="vs-owner", agency=_agency("Victim Support"))
    client.force_login(owner)
    page = client.get(reverse("strategy:activity", args=[made["activity"].pk]))
    assert b"Post an update" in page.content
    before = _ids()
    response = _post_update(client, made["activity"])
    assert response.status_code == 302
    update = sm.ProgressUpdate.objects.get()
    assert (update.activity, update.status, update.author_user) == (
        made["activity"],
        "on_track",
        owner,
    )
    assert update.date == dt.date(2011, 7, 1)
    rows = AuditEvent.objects.exclude(pk__in=before)
    assert [(r.action, r.model, r.object_id, r.actor_name) for r in rows] == [
        ("create", "strategy.ProgressUpdate", str(update.pk), "vs-owner")
    ]
    # an update on a milestone of the activity
    before = _ids()
    response = _post_update(
        client, made["activity"], target=f"milestone:{made['milestone'].pk}", status="complete"
    )
    assert response.status_code == 302
    assert made["milestone"].updates.get().status == "complete"
    assert AuditEvent.objects.exclude(pk__in=before).count() == 1


@pytest.mark.parametrize(
    ("role", "agency", "expected"),
    [
        ("action_owner", "Youth Offending Team", 403),  # another body's action owner
        ("board_member", "Victim Support", 403),
        ("analyst", "Victim Support", 403),
        ("case_worker", "Victim Support", 403),
        ("administrator", "Westminster City Council", 302),
    ],
)
def test_others_cannot_update(
    client: Any, make_user: Any, role: str, agency: str, expected: int
) -> None:
    made = small_strategy(lead_name="Victim Support")
    client.force_login(make_user(role, agency=_agency(agency)))
    page = client.get(reverse("strategy:activity", args=[made["activity"].pk]))
    assert page.status_code == 200
    assert (b"Post an update" in page.content) == (expected == 302)
    before = _ids()
    assert _post_update(client, made["activity"]).status_code == expected
    changed = AuditEvent.objects.exclude(pk__in=before).count()
    assert sm.ProgressUpdate.objects.count() == changed == (1 if expected == 302 else 0)


def test_the_public_cannot_update(client: Any) -> None:
    made = small_strategy()
    response = _post_update(client, made["activity"])
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not sm.ProgressUpdate.objects.exists()


def test_invalid_update_shows_errors_and_changes_nothing(client: Any, make_user: Any) -> None:
    made = small_strategy(lead_name="Victim Support")
    client.force_login(make_user("action_owner", agency=_agency("Victim Support")))
    response = _post_update(client, made["activity"], status="", narrative="", date="31/02/2011")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Select a status" in body and "Enter the progress made" in body
    assert "must be a real date" in body
    assert not sm.ProgressUpdate.objects.exists()


def test_bodies_an_agency_acts_for() -> None:
    """By name (without a parenthesised suffix, & = and), other names, parts of it (parent), and
    governance bodies it is a member of."""
    made = small_strategy(lead_name="Probation Service")
    p = made["strategy"].partnership
    council = BodyFactory(
        partnership=p, key="council", name="Westminster City Council", other_names=["the council"]
    )
    lyps = BodyFactory(partnership=p, key="lyps", name="Locality Young People Service")
    lyps.parent = council
    lyps.save()
    group = BodyFactory(
        partnership=p,
        key="group",
        name="Substance Misuse & Crime Group",
        category=sm.Body.GOVERNANCE,
        members=["council"],
    )
    other = BodyFactory(partnership=p, key="yot", name="Youth Offending Team")
    # a thematic subgroup of a group the council is a member of is not the council's
    subgroup = BodyFactory(
        partnership=p, key="subgroup", name="Night Time Economy Group", category=sm.Body.GOVERNANCE
    )
    subgroup.parent = group
    subgroup.save()

    class Person:
        is_authenticated = True
        is_active = True
        role = "action_owner"

        def __init__(self, agency: Any) -> None:
            self.agency = agency

    mine = services.bodies_for(Person(_agency("Westminster City Council")), p)
    assert mine == {council.pk, lyps.pk, group.pk}
    probation = services.bodies_for(Person(_agency("Probation Service (London)")), p)
    assert probation == {made["lead"].pk}
    smg = services.bodies_for(Person(_agency("Substance Misuse and Crime Group")), p)
    assert smg == {group.pk}
    assert other.pk not in mine
    # an explicit link from an account agency to a body
    health = _agency("Central London Primary Care Trust")
    other.account_agencies.add(health)
    assert services.bodies_for(Person(health), p) == {other.pk}
    # so a council action owner updates an activity LYPS leads, not one the YOT leads
    led_by_lyps = ActivityFactory(objective=made["activity"].objective)
    ActivityBodyFactory(activity=led_by_lyps, body=lyps)
    led_by_yot = ActivityFactory(objective=made["activity"].objective)
    ActivityBodyFactory(activity=led_by_yot, body=other)
    owner = Person(_agency("Westminster City Council"))
    assert services.can_update_activity(owner, led_by_lyps)
    assert not services.can_update_activity(owner, led_by_yot)
    # a body that only supports does not make its agency an updater
    ActivityBodyFactory(activity=led_by_yot, body=council, role=sm.ActivityBody.SUPPORT)
    assert not services.can_update_activity(owner, led_by_yot)


def test_measure_values_by_the_owner_only(client: Any, make_user: Any) -> None:
    made = small_strategy(lead_name="Victim Support")
    url = reverse("strategy:measure", args=[made["measure"].pk])
    data = {"value": "12", **_date("30/09/2011"), "evidence": "Session log"}
    client.force_login(make_user("action_owner", agency=_agency("Youth Offending Team")))
    assert client.post(url, data).status_code == 403
    client.force_login(make_user("board_member", agency=_agency("Victim Support")))
    assert client.post(url, data).status_code == 403
    owner = make_user("action_owner", username="vs", agency=_agency("Victim Support"))
    client.force_login(owner)
    before = _ids()
    assert client.post(url, data).status_code == 302
    value = made["measure"].values.get()
    assert (value.value, value.date, value.evidence, value.author) == (
        12.0,
        dt.date(2011, 9, 30),
        "Session log",
        owner,
    )
    rows = AuditEvent.objects.exclude(pk__in=before)
    assert [(r.action, r.model, r.actor_name) for r in rows] == [
        ("create", "strategy.MeasureValue", "vs")
    ]
    page = client.get(url + "?as_at=2011-10-01").content.decode()
    assert "Session log" in page and "<polyline" not in page  # one value: no line to draw
    client.post(url, {"value": "31", **_date("31/12/2011"), "evidence": "Log"})
    page = client.get(url + "?as_at=2012-01-01").content.decode()
    assert "<polyline" in page and "Met" in page
    # a count measure: the change from the first value (no baseline given) is tested
    assert "31 sessions, up 158.3% on 12 (E-test p = " in page


def test_spend_by_administrators_only(client: Any, make_user: Any) -> None:
    made = small_strategy()
    url = reverse("strategy:budget")
    data = {
        "commitment": str(made["commitment"].pk),
        "amount_gbp": "4000",
        **_date("30/06/2011"),
        "description": "Street Pastors training",
    }
    client.force_login(make_user("action_owner"))
    assert client.post(url, data).status_code == 403
    client.force_login(make_user("administrator", username="boss"))
    before = _ids()
    assert client.post(url, data).status_code == 302
    rows = AuditEvent.objects.exclude(pk__in=before)
    assert [(r.action, r.model, r.actor_name) for r in rows] == [
        ("create", "strategy.Spend", "boss")
    ]
    budget = services.budget(made["strategy"], dt.date(2011, 9, 30))
    key = made["priority"].key
    row = budget["by_priority"][key]
    assert (row["partnership"], row["spent"], row["remaining"]) == (39_000, 4_000, 35_000)
    assert budget["totals"]["partnership"] == {
        "committed": 39_000,
        "spent": 4_000,
        "remaining": 35_000,
    }
    assert "£35,000" in client.get(url + "?as_at=2011-09-30").content.decode()
    # a report as at a day before the spend does not count it (issue 16)
    before_spend = services.budget(made["strategy"], dt.date(2011, 6, 29))
    assert before_spend["totals"]["partnership"]["spent"] == 0


def test_administrator_links_an_agency_to_a_body(client: Any, make_user: Any) -> None:
    made = small_strategy(lead_name="Night Time Economy Group")
    health = _agency("Central London Primary Care Trust")
    owner = make_user("action_owner", agency=health)
    assert not services.can_update_activity(owner, made["activity"])
    url = reverse("strategy:governance")
    data = {"body": str(made["lead"].pk), "agency": str(health.pk), "link": "link"}
    client.force_login(make_user("board_member"))
    assert client.post(url, data).status_code == 403
    client.force_login(make_user("administrator", username="boss"))
    before = _ids()
    assert client.post(url, data).status_code == 302
    rows = AuditEvent.objects.exclude(pk__in=before)
    assert [(r.action, r.model, r.object_id, r.actor_name) for r in rows] == [
        ("update", "strategy.Body", str(made["lead"].pk), "boss")
    ]
    assert "Central London Primary Care Trust" in rows[0].summary
    assert services.can_update_activity(owner, made["activity"])
    assert (
        "Accounts of Central London Primary Care Trust act for it"
        in client.get(url).content.decode()
    )
    assert client.post(url, {**data, "link": "unlink"}).status_code == 302
    assert not services.can_update_activity(owner, made["activity"])


def test_who_updates_what_in_westminster(make_user: Any) -> None:
    from test_strategy_load import WESTMINSTER

    from safercity.strategy import load

    model = load(WESTMINSTER)
    strategy = services.load(model).strategy
    leads = {a.id: set(a.lead) for _, a in model.activities()}
    police = make_user("action_owner", agency=_agency("Metropolitan Police Service"))
    mine = {a.key for a in sm.Activity.objects.filter(pk__in=services.led_by_me(police, strategy))}
    # the MPS by its other name, and its ASSET team (a part of it)
    assert mine == {k for k, v in leads.items() if v & {"metropolitan-police", "mps-asset"}}
    assert len(mine) == 9
    council = make_user("action_owner", agency=_agency("Westminster City Council"))
    mine = {a.key for a in sm.Activity.objects.filter(pk__in=services.led_by_me(council, strategy))}
    assert mine == {k for k, v in leads.items() if "lyps" in v}  # its Locality Young People Service
    # probation is a member of the board, which leads no activity; the board's subgroups are not
    # probation's
    probation = make_user("action_owner", agency=_agency("Probation Service (London)"))
    assert services.led_by_me(probation, strategy) == set()
    board = make_user("board_member", agency=_agency("Victim Support"))
    assert services.led_by_me(board, strategy) == set()
