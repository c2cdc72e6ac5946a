"""Retention: erasure leaves no personal data in any table (every table and column scanned),
the audit log keeps pseudonymous references only, legal holds and other cases keep what they
hold, and anonymising keeps figures that add up."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from test_cases_world import (
    CHILD,
    HEALTH_ANSWER,
    HEALTH_MINUTE,
    VICTIM,
    VICTIM_DOB,
    VICTIM_POSTCODE,
    World,
    world,
)

from safercity.web.audit.models import AuditEvent
from safercity.web.cases import casework, retention
from safercity.web.cases.models import Case, CaseStatistic, Erasure, Person

__all__ = ["world"]
pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=7 * 366)


def _needles() -> list[str]:
    return [
        *VICTIM,
        *CHILD,
        "Quibbleworth-Smith",
        VICTIM_DOB.isoformat(),
        VICTIM_DOB.strftime("%d/%m/%Y"),
        VICTIM_POSTCODE,
        VICTIM_POSTCODE.replace(" ", ""),
        "CRIS-4455-ZQ",
        "4857773456",
        "zinnia.secret@example.org",
        HEALTH_ANSWER,
        HEALTH_MINUTE,
        "1 Example Street",
    ]


def scan(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text found anywhere in the database."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", errors="replace")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    else:
                        text = str(value)
                    found += [(table, column, n) for n in needles if n.lower() in text.lower()]
    return found


def _close_long_ago(case: Case, by: Any) -> None:
    casework.move(case, "active", by, on=LONG_AGO - dt.timedelta(days=30))
    casework.move(case, "closed", by, on=LONG_AGO, reason="risk reduced", exit_plan="IDVA support",
                  outcome="Risk reduced")  # fmt: skip


def _used(client: Any, w: World) -> None:
    """Pages viewed, searched, exported and disclosed, so the audit log and sessions hold as
    much as real use leaves behind."""
    for user in ("marac_police", "marac_chair"):
        client.force_login(w.users[user])
        client.get(reverse("cases:case", kwargs={"pk": w.cases["marac"].pk}))
        client.get(reverse("cases:person", kwargs={"pk": w.people["victim"].pk}))
        client.post(reverse("cases:find"), {"given_name": VICTIM[0], "family_name": VICTIM[1]})
        client.post(
            reverse("cases:case_export", kwargs={"pk": w.cases["marac"].pk}),
            {"purpose": "court bundle", "recipient": "Family court", "format": "json"},
        )
    client.post(
        reverse("cases:subject_access", kwargs={"pk": w.people["victim"].pk}),
        {"requested_by": "The data subject"},
    )


def test_erasure_leaves_no_personal_data_in_any_table(client: Any, world: World) -> None:
    from safercity.web.cases import people

    _used(client, world)
    case = world.cases["marac"]
    # a second record of the victim merged into the first: it must go too
    twin = people.create(
        {"given_name": "Zinny", "family_name": VICTIM[1], "date_of_birth": VICTIM_DOB},
        synthetic=True,
    )
    people.merge(world.people["victim"], twin, world.users["marac_chair"])
    _close_long_ago(case, world.users["marac_chair"])
    assert scan(_needles())  # the scan finds them while they are held
    victim_id, case_id = str(world.people["victim"].pk), str(case.pk)

    outcomes = retention.run(TODAY)
    (outcome,) = outcomes
    assert outcome.action == "anonymise" and outcome.case_id == case_id
    assert outcome.people_erased == 3  # the victim, the merged twin, the child only this case held
    assert scan(_needles()) == []
    assert not Person.objects.filter(pk__in=[victim_id, world.people["child"].pk, twin.pk]).exists()
    # the log kept its rows, under the pseudonymous reference, and says what happened
    assert AuditEvent.objects.filter(subject=victim_id, action="view").exists()
    erase = AuditEvent.objects.get(action="erase")
    assert erase.subject == victim_id and erase.object_id == case_id
    assert Erasure.objects.get().rows["minutes"] == 1
    # the IOM case and its person were not touched
    assert Case.objects.filter(pk=world.cases["iom"].pk).exists()


def test_anonymised_figures_still_add_up(client: Any, world: World) -> None:
    case = world.cases["marac"]
    _close_long_ago(case, world.users["marac_chair"])
    client.force_login(world.users["marac_chair"])
    url = reverse("cases:figures", kwargs={"pk": world.cohorts["marac"].pk})
    before = client.get(url).context["f"].as_dict()
    retention.run(TODAY)
    stat = CaseStatistic.objects.get()
    assert stat.referred_month.day == 1 and stat.outcome == "Risk reduced"
    after = client.get(url).context["f"].as_dict()
    # referral months are kept (days are not), so the counts by month and agency are the same
    assert after["referrals_by_month"] == before["referrals_by_month"]
    assert after["referrals_by_agency"] == before["referrals_by_agency"]
    assert after["outcomes"] == before["outcomes"] == {"Risk reduced": 1}


def test_legal_hold_open_cases_and_other_cases_keep_what_they_hold(world: World) -> None:
    case = world.cases["marac"]
    _close_long_ago(case, world.users["marac_chair"])
    casework.set_legal_hold(case, True, "domestic homicide review")
    assert retention.run(TODAY) == []
    (held,) = retention.held(TODAY)
    assert held[0].pk == case.pk and "domestic homicide review" in held[1].reason
    casework.set_legal_hold(case, False, "")
    # the victim is also referred to the IOM (an open case): the MARAC case goes, she stays
    from safercity.web.cases.models import Case as CaseModel

    iom = world.cohorts["iom"]
    casework.refer(
        casework.Referral(iom, world.people["victim"], TODAY, iom.lead_agency, "Synthetic",
                          CaseModel.Consent.NOT_SOUGHT, "", {"sentence_months": 3}),
        None,
    )  # fmt: skip
    (outcome,) = retention.run(TODAY)
    assert outcome.people_erased == 1  # the child only
    assert Person.objects.filter(pk=world.people["victim"].pk).exists()


def test_dry_run_changes_nothing_and_open_cases_are_never_due(world: World) -> None:
    assert retention.run(TODAY + dt.timedelta(days=365 * 50)) == []  # nothing has ended
    _close_long_ago(world.cases["marac"], world.users["marac_chair"])
    (listed,) = retention.run(TODAY, dry_run=True)
    assert listed.action == "anonymise" and listed.rows == {}
    assert Case.objects.filter(pk=world.cases["marac"].pk).exists()
    assert scan([VICTIM[1]])
