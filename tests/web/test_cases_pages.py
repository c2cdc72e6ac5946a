"""Case work through its pages: referral with duplicates offered, eligibility and consent, the
lifecycle's rules, an agenda built and minuted, actions under the sharing rule, merge and undo,
transfer packets, configuration, home panels and reminders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from test_cases_world import VICTIM, VICTIM_DOB, World, agency, world

from safercity.web.cases import access, disclosure, home, meetings, people
from safercity.web.cases.models import (
    Action,
    Case,
    Cohort,
    Person,
    PersonMerge,
    PossibleDuplicate,
    SharingAgreement,
)

__all__ = ["world"]
pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def test_a_referral_offers_likely_duplicates_first(client: Any, world: World) -> None:
    marac = world.cohorts["marac"]
    client.force_login(world.users["marac_police"])
    url = reverse("cases:refer", kwargs={"pk": marac.pk})
    # 'Zinny' for 'Zinnia', the same date of birth: the existing record is offered
    form = {"given_name": "Zinny", "family_name": VICTIM[1], **_date("date_of_birth", VICTIM_DOB)}
    page = client.post(url, form)
    assert page.status_code == 200
    (candidate,) = page.context["candidates"]
    assert candidate.person.pk == world.people["victim"].pk and candidate.match.strength == "likely"
    assert Person.objects.count() == 3
    # using it goes to the referral of that person; "none of these" makes a new record
    made = client.post(url, {**form, "confirm": "new"})
    new = Person.objects.exclude(pk__in=[p.pk for p in world.people.values()]).get()
    assert made["Location"] == reverse("cases:referral", kwargs={"pk": marac.pk, "person": new.pk})
    # the referral: consent refused needs the legal basis used; eligibility judged
    referral = reverse("cases:referral", kwargs={"pk": marac.pk, "person": new.pk})
    data = {
        **_date("referred_on", TODAY),
        "referring_agency": str(agency("Metropolitan Police Service").pk),
        "referral_reason": "Synthetic",
        "consent": "refused",
        "q_referral_criterion": "visible_high_risk",
        "q_dash_score": "9",
    }
    page = client.post(referral, data)
    assert "Select the legal basis used without consent" in page.content.decode()
    data["legal_basis"] = marac.spec.consent.without_consent[0]
    done = client.post(referral, data)
    case = Case.objects.get(person=new)
    assert done["Location"] == reverse("cases:case", kwargs={"pk": case.pk})
    assert case.eligibility == "Not eligible" and case.status == "referred"
    assert case.reference.startswith("MARAC-") and len(case.reference) == 12
    # a person the user cannot see is not referable by guessing their id
    offender = reverse(
        "cases:referral", kwargs={"pk": marac.pk, "person": world.people["offender"].pk}
    )
    assert client.get(offender).status_code == 404


def test_the_lifecycle_s_rules_are_shown_as_errors(client: Any, world: World) -> None:
    case = world.cases["marac"]
    client.force_login(world.users["marac_police"])
    url = reverse("cases:case_status", kwargs={"pk": case.pk})
    page = client.post(url, {"status": "closed", "reason": "done"})
    assert "give the exit plan agreed for closing the case" in page.content.decode()
    client.post(url, {"status": "active"})
    client.post(
        url,
        {
            "status": "closed",
            "reason": "Risk reduced",
            "exit_plan": "IDVA support",
            "outcome": "Risk reduced",
        },
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.ended_on, case.next_review_on) == (
        "closed",
        "Risk reduced",
        TODAY,
        None,
    )
    assert [h.to_status for h in case.history.all()] == ["referred", "accepted", "active", "closed"]


def test_an_agenda_is_built_minuted_and_the_review_moves_on(client: Any, world: World) -> None:
    case = world.cases["marac"]
    meeting = world.meetings["marac"]
    case.next_review_on = meeting.date - dt.timedelta(days=3)
    case.save()
    client.force_login(world.users["marac_police"])
    client.post(reverse("cases:meeting_agenda", kwargs={"pk": meeting.pk}))
    items = list(meeting.items.all())
    assert [(i.case_id, i.reason) for i in items] == [(case.pk, "review due")] or any(
        i.case_id == case.pk for i in items
    )
    client.post(
        reverse("cases:minute", kwargs={"pk": meeting.pk, "case": case.pk}),
        {"discussion": "Synthetic minute"},
    )
    case.refresh_from_db()
    assert case.last_reviewed_on == meeting.date
    assert case.next_review_on == world.cohorts["marac"].spec.review_cadence.after(meeting.date)
    attendance = {f"present_{a.pk}": "on" for a in world.cohorts["marac"].agencies.all()[:2]}
    assert (
        client.post(
            reverse("cases:meeting_attendance", kwargs={"pk": meeting.pk}), attendance
        ).status_code
        == 302
    )
    assert meeting.attendance.filter(present=True).count() == 2


def test_actions_and_agencies_only_under_an_agreement(client: Any, world: World) -> None:
    case = world.cases["marac"]
    client.force_login(world.users["marac_police"])
    housing = agency("CityWest Homes")  # a member agency that no agreement covers
    page = client.post(
        reverse("cases:action_new", kwargs={"pk": case.pk}),
        {"agency": str(housing.pk), "description": "Synthetic", **_date("due_on", TODAY)},
    )
    assert "no information-sharing agreement covers this cohort and agency" in page.content.decode()
    assert not Action.objects.filter(agency=housing).exists()
    page = client.post(
        reverse("cases:case_team", kwargs={"pk": case.pk}),
        {"form": "agency", "agency": str(housing.pk)},
    )
    assert "cannot be involved" in page.content.decode()
    SharingAgreement.objects.get(title="MARAC agreement").parties.add(housing)
    client.post(
        reverse("cases:case_team", kwargs={"pk": case.pk}),
        {"form": "agency", "agency": str(housing.pk)},
    )
    assert case.agencies.filter(pk=housing.pk).exists()


def test_merge_and_undo(client: Any, world: World) -> None:
    victim, child = world.people["victim"], world.people["child"]
    child_case_links = list(child.links.values_list("pk", flat=True))
    client.force_login(world.users["marac_chair"])
    client.post(reverse("cases:merge", kwargs={"pk": victim.pk}), {"other": str(child.pk)})
    child.refresh_from_db()
    assert child.merged_into_id == victim.pk
    record = PersonMerge.objects.get()
    assert victim.names.filter(given_name="Pip").exists()
    assert (
        client.get(reverse("cases:person", kwargs={"pk": child.pk})).status_code == 404
    )  # merged away
    client.post(reverse("cases:unmerge", kwargs={"pk": record.pk}))
    child.refresh_from_db()
    assert child.merged_into_id is None and not victim.names.filter(given_name="Pip").exists()
    assert list(child.links.values_list("pk", flat=True)) == child_case_links
    assert client.post(reverse("cases:unmerge", kwargs={"pk": record.pk})).status_code == 404


def test_transfer_to_another_partnership_and_back_in(client: Any, world: World) -> None:
    case = world.cases["marac"]
    rbkc = agency("Royal Borough of Kensington and Chelsea MARAC")
    client.force_login(world.users["marac_chair"])
    url = reverse("cases:case_transfer", kwargs={"pk": case.pk})
    refused = client.post(url, {"recipient": str(rbkc.pk), "purpose": "moved"})
    assert "no information-sharing agreement covers" in refused.content.decode()
    SharingAgreement.objects.get(title="MARAC agreement").parties.add(rbkc)
    packet = client.post(url, {"recipient": str(rbkc.pk), "purpose": "moved"})
    assert packet["Content-Type"] == "application/zip"
    data = packet.content
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert set(zf.namelist()) == {"case.json", "case.pdf", "manifest.json"}
        document = json.loads(zf.read("case.json"))
    assert document["recipient"] == rbkc.name and document["synthetic"] is True
    assert document["case"]["restricted_answers"]  # the receiving MARAC's chair reads them
    # the other side: a new referral, a new person, the likely duplicate offered
    imported, found = disclosure.import_packet(
        disclosure.read_packet(data), world.cohorts["marac"], agency("Metropolitan Police Service")
    )
    assert imported.status == "referred" and imported.transferred_from == document["packet"]
    assert imported.person.pk != case.person_id and [f.person.pk for f in found] == [case.person_id]
    assert PossibleDuplicate.objects.filter(person=imported.person, other=case.person).exists()
    assert "Transferred from" in imported.referral_reason
    with pytest.raises(disclosure.TransferError, match="imported already"):
        disclosure.import_packet(
            disclosure.read_packet(data),
            world.cohorts["marac"],
            agency("Metropolitan Police Service"),
        )
    # a packet changed on the way is refused
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            dst.writestr(
                name,
                body.replace(b"Synthetic referral", b"Changed referral")
                if name == "case.json"
                else body,
            )
    with pytest.raises(disclosure.TransferError, match="does not match"):
        disclosure.read_packet(tampered.getvalue())
    with pytest.raises(disclosure.TransferError, match="not a case transfer"):
        disclosure.read_packet(b"not a zip")


def test_configuration_pages(client: Any, world: World) -> None:
    marac = world.cohorts["marac"]
    client.force_login(world.users["admin"])
    url = reverse("cases:cohort_config", kwargs={"pk": marac.pk})
    text = marac.definition_yaml.replace("  every: 1 month", "  every: whenever")
    page = client.post(url, {"definition": text})
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "whenever" in t)
    assert f"line {line}: review.every" in page.content.decode()
    saved = client.post(
        url, {"definition": marac.definition_yaml.replace("every: 1 month", "every: 6 weeks")}
    )
    assert saved.status_code == 302
    assert str(Cohort.objects.get(pk=marac.pk).spec.review_cadence) == "6 weeks"
    # the key cannot change (cases hang on it)
    page = client.post(
        url, {"definition": marac.definition_yaml.replace("key: marac", "key: other")}
    )
    assert "the key of a cohort cannot change" in page.content.decode()
    # a user whose agency is not a member agency cannot be made a member
    fire = world.users["fire_in_marac"]
    fire.cohort_memberships.all().delete()
    client.post(
        reverse("cases:member_add", kwargs={"pk": marac.pk}),
        {"user": str(fire.pk), "role": "member"},
    )
    assert not fire.cohort_memberships.exists()
    page = client.get(url)
    assert "not a member agency" in page.content.decode()


def test_home_panels_answer_the_case_worker_s_first_questions(world: World) -> None:
    case = world.cases["marac"]
    case.owner = world.users["marac_council"]
    case.next_review_on = TODAY - dt.timedelta(days=2)
    case.save()
    panels = {p.title: p for p in home.panels(world.users["marac_council"])}
    assert set(panels) == {"My cases due for review", "My overdue actions", "Next panel meetings"}
    (due,) = panels["My cases due for review"].items
    assert due.tag == "Overdue" and case.reference in due.text
    (action,) = panels["My overdue actions"].items
    assert action.url == reverse("cases:action", kwargs={"pk": world.actions["marac"].pk})
    assert panels["Next panel meetings"].items[0].text.startswith("MARAC: ")
    text = json.dumps([dataclasses.asdict(p) for p in panels.values()])
    assert VICTIM[1] not in text
    assert home.panels(world.users["iom_probation"])[1].items == []
    assert home.panels(world.users["admin"]) == []


def test_reminders_of_overdue_actions(world: World) -> None:
    sent = meetings.remind(TODAY)
    assert [(r.case_reference, r.to) for r in sent] == [
        (world.cases["marac"].reference, "marac_council@example.org")
    ]
    (message,) = mail.outbox
    assert world.cases["marac"].reference in message.subject and VICTIM[1] not in message.body
    assert meetings.remind(TODAY) == []  # not again within the week
    assert len(meetings.remind(TODAY + dt.timedelta(days=8))) == 1


def test_navigation_has_cases_for_cohort_members_only(client: Any, world: World) -> None:
    def nav(user: str) -> list[str]:
        client.force_login(world.users[user])
        return [i["label"] for i in client.get("/").context["service_nav"]]

    assert "Cases" in nav("marac_police")
    assert "Cases" not in nav("outsider")
    assert "Admin" in nav("admin") and "Cases" not in nav("admin")
    client.force_login(world.users["admin"])
    assert "Case work set-up" in client.get(reverse("accounts:users")).content.decode()


def test_people_search_is_by_post_and_finds_by_nickname_and_sound(
    client: Any, world: World
) -> None:
    client.force_login(world.users["iom_probation"])
    assert client.get(reverse("cases:find") + "?family_name=Vexington").context["results"] is None
    found = client.post(reverse("cases:find"), {"family_name": "Vexingtonn"}).context["results"]
    assert [r.person.pk for r in found] == [world.people["offender"].pk]
    assert people.search(people.Query("", "Quibbleworth"), access.Access()) == []
