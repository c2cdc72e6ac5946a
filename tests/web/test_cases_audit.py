"""One audit row per view, change and disclosure of a person or case: who, when, what, and for
a disclosure its purpose and recipient (DPA 2018 s.62). No row carries a name."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from test_cases_world import CHILD, OFFENDER, VICTIM, VICTIM_DOB, World, world

from safercity.web.audit.models import AuditEvent

__all__ = ["world"]
pytestmark = pytest.mark.django_db


def _ids() -> set[Any]:
    return set(AuditEvent.objects.values_list("pk", flat=True))


def _new(before: set[Any]) -> list[AuditEvent]:
    return list(AuditEvent.objects.exclude(pk__in=before).order_by("created_at"))


def test_a_case_page_logs_one_view_of_the_case_and_one_of_each_person_shown(
    client: Any, world: World
) -> None:
    case, child = world.cases["marac"], world.people["child"]
    client.force_login(world.users["marac_police"])
    before = _ids()
    assert client.get(reverse("cases:case", kwargs={"pk": case.pk})).status_code == 200
    rows = _new(before)
    assert [(r.action, r.model, r.object_id, r.subject) for r in rows] == [
        ("view", "cases.Case", str(case.pk), str(case.person_id)),
        ("view", "cases.Person", str(child.pk), str(child.pk)),
    ]
    assert {r.actor_name for r in rows} == {"marac_police"}
    # a person refused (404) leaves no view row
    client.force_login(world.users["iom_probation"])
    before = _ids()
    assert client.get(reverse("cases:case", kwargs={"pk": case.pk})).status_code == 404
    assert not [r for r in _new(before) if r.action == "view"]


@pytest.mark.parametrize(
    ("name", "key", "kind"),
    [
        ("cases:person", "victim", "people"),
        ("cases:person_edit", "victim", "people"),
        ("cases:case_status", "marac", "cases"),
        ("cases:case_answers", "marac", "cases"),
        ("cases:case_team", "marac", "cases"),
        ("cases:action", "marac", "actions"),
    ],
)
def test_each_page_of_one_record_logs_one_view(
    name: str, key: str, kind: str, client: Any, world: World
) -> None:
    record = getattr(world, kind)[key]
    client.force_login(world.users["marac_police"])
    before = _ids()
    assert client.get(reverse(name, kwargs={"pk": record.pk})).status_code == 200
    views = [r for r in _new(before) if r.action == "view"]
    assert len(views) == 1 and views[0].object_id == str(record.pk)
    assert views[0].subject == str(world.people["victim"].pk)


def test_lists_and_search_log_each_person_shown_and_never_the_words_typed(
    client: Any, world: World
) -> None:
    client.force_login(world.users["marac_police"])
    before = _ids()
    client.get(reverse("cases:cohort", kwargs={"pk": world.cohorts["marac"].pk}))
    listed = _new(before)
    assert [(r.action, r.subject) for r in listed] == [("view", str(world.people["victim"].pk))]
    assert listed[0].summary == "shown in the MARAC case list"
    before = _ids()
    page = client.post(
        reverse("cases:find"), {"given_name": "Zinnia", "family_name": "Quibbleworth"}
    )
    shown = {str(r.person.pk) for r in page.context["results"]}
    assert str(world.people["victim"].pk) in shown  # and the child, by family name
    rows = _new(before)
    assert {r.subject for r in rows if r.subject} == shown
    assert any(f"searched people: {len(shown)} found" in r.summary for r in rows)
    assert not [r for r in rows if "Zinnia" in r.summary or "Quibbleworth" in r.summary]


def test_changes_are_logged_with_the_subject_and_without_personal_values(
    client: Any, world: World
) -> None:
    case = world.cases["marac"]
    client.force_login(world.users["marac_police"])
    before = _ids()
    response = client.post(
        reverse("cases:case_status", kwargs={"pk": case.pk}), {"status": "active"}
    )
    assert response.status_code == 302
    rows = _new(before)
    update = next(r for r in rows if r.action == "update" and r.model == "cases.Case")
    assert "status: 'accepted' → 'active'" in update.summary
    assert update.subject == str(case.person_id) and update.actor_name == "marac_police"
    assert any(r.action == "create" and r.model == "cases.StatusChange" for r in rows)
    before = _ids()
    # the form as the browser sends it: every field shown, one changed
    client.post(
        reverse("cases:person_edit", kwargs={"pk": world.people["victim"].pk}),
        {
            "given_name": "Zinnia",
            "family_name": "Quibbleworth-Jones",
            "date_of_birth": VICTIM_DOB.isoformat(),
            "police_reference": "CRIS-4455-ZQ",
            "nhs_number": "4857773456",
        },
    )
    (change,) = [r for r in _new(before) if r.model == "cases.Person"]
    assert change.summary.endswith("family_name changed") and "Jones" not in change.summary


def test_disclosures_name_purpose_and_recipient(client: Any, world: World) -> None:
    case = world.cases["marac"]
    client.force_login(world.users["marac_chair"])
    before = _ids()
    response = client.post(
        reverse("cases:case_export", kwargs={"pk": case.pk}),
        {"purpose": "non-molestation order bundle", "recipient": "Family court", "format": "pdf"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    (row,) = _new(before)
    assert (row.action, row.purpose, row.recipient, row.subject) == (
        "disclose",
        "non-molestation order bundle",
        "Family court",
        str(case.person_id),
    )
    before = _ids()
    client.post(
        reverse("cases:subject_access", kwargs={"pk": world.people["victim"].pk}),
        {"requested_by": "The data subject"},
    )
    (sar,) = _new(before)
    assert sar.action == "disclose" and sar.recipient == "The data subject"
    assert "article 15" in sar.purpose


def test_the_chair_sees_a_person_s_access_history(client: Any, world: World) -> None:
    victim = world.people["victim"]
    client.force_login(world.users["marac_police"])
    client.get(reverse("cases:person", kwargs={"pk": victim.pk}))
    client.force_login(world.users["marac_chair"])
    page = client.get(reverse("cases:person_history", kwargs={"pk": victim.pk}))
    events = list(page.context["page"])
    assert events[0].summary.startswith("viewed the access history")  # reading it is logged
    assert any(e.actor_name == "marac_police" and e.action == "view" for e in events)
    assert {e.subject for e in events} == {str(victim.pk)}


@pytest.fixture
def used_world(client: Any, world: World) -> World:
    """The world after every page above has been visited once by a member and the chair."""
    for user in ("marac_police", "marac_chair", "iom_probation"):
        client.force_login(world.users[user])
        for name, kw in (
            ("cases:home", {}),
            ("cases:case", {"pk": world.cases["marac"].pk}),
            ("cases:case", {"pk": world.cases["iom"].pk}),
            ("cases:person", {"pk": world.people["victim"].pk}),
            ("cases:meeting", {"pk": world.meetings["marac"].pk}),
            ("cases:person_history", {"pk": world.people["victim"].pk}),
        ):
            client.get(reverse(name, kwargs=kw))
        client.post(reverse("cases:find"), {"family_name": "Quibbleworth"})
    return world


def test_no_row_of_the_log_carries_a_name_or_a_date_of_birth(used_world: World) -> None:
    needles = [*VICTIM, *CHILD, *OFFENDER, VICTIM_DOB.isoformat(), "CRIS-4455-ZQ", "4857773456"]
    for row in AuditEvent.objects.all():
        text = " ".join([row.summary, row.object_id, row.subject, row.purpose, row.recipient])
        assert not [n for n in needles if n in text], (row.action, row.model, row.summary)
    assert AuditEvent.objects.filter(action="view").count() > 10
