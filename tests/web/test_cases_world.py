"""A small case-work world for the case tests (imported by tests/web/test_cases_*.py).

Two cohorts (MARAC and IOM, as shipped), their information-sharing agreements, and users that
differ in exactly one thing each: cohort, role in it, agency kind, agency membership, agreement.
People are SYNTHETIC, with names no other test uses, so that a name found in a page is a leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from safercity.cases import config

VICTIM = ("Zinnia", "Quibbleworth")
CHILD = ("Pip", "Quibbleworth")
OFFENDER = ("Orlando", "Vexington")
VICTIM_DOB = dt.date(1988, 7, 14)
VICTIM_POSTCODE = "SW1E 6QP"
HEALTH_ANSWER = "HEALTH-SECRET-ANSWER"
HEALTH_MINUTE = "HEALTH-SECRET-MINUTE"


@dataclass
class World:
    cohorts: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    cases: dict[str, Any] = field(default_factory=dict)
    meetings: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, Any] = field(default_factory=dict)


def agency(name: str) -> Any:
    from safercity.web.accounts.models import Agency

    return Agency.objects.get(name=name)


def build(today: dt.date | None = None) -> World:
    from factories import UserFactory

    from safercity.web.accounts.models import Agency
    from safercity.web.cases import casework, cohorts, meetings, people
    from safercity.web.cases.models import Case, LinkedPerson, SharingAgreement

    today = today or dt.date.today()
    w = World()
    shipped = dict(config.bundled())
    for key in ("marac", "iom"):
        w.cohorts[key] = cohorts.save_definition(shipped[f"{key}.yaml"], f"{key}.yaml").cohort
    police = agency("Metropolitan Police Service")
    council = agency("Westminster City Council")
    pct = agency("Central London Primary Care Trust")
    probation = agency("Probation Service (London)")
    housing = agency("CityWest Homes")
    fire, _ = Agency.objects.get_or_create(name="London Fire Brigade", defaults={"kind": "fire"})
    marac_isa = SharingAgreement.objects.create(
        title="MARAC agreement", purpose="MARAC", legal_basis="CDA 1998 s.115",
        categories=["identity", "referral", "health", "minutes"], starts=today - dt.timedelta(days=30),
    )  # fmt: skip
    marac_isa.parties.set(
        [police, council, pct, agency("Independent domestic violence advocacy service")]
    )
    marac_isa.cohorts.set([w.cohorts["marac"]])
    iom_isa = SharingAgreement.objects.create(
        title="IOM agreement", purpose="IOM", legal_basis="CDA 1998 s.115",
        categories=["identity", "referral", "offending"], starts=today - dt.timedelta(days=30),
    )  # fmt: skip
    iom_isa.parties.set([police, council, probation])
    iom_isa.cohorts.set([w.cohorts["iom"]])

    def user(
        name: str, role: str, agency_: Any, cohort: str | None = None, as_: str = "member"
    ) -> Any:
        u = UserFactory(username=name, role=role, agency=agency_, email=f"{name}@example.org")
        if cohort:
            cohorts.add_member(w.cohorts[cohort], u, as_)
        w.users[name] = u
        return u

    user("marac_police", "case_worker", police, "marac")
    user("marac_chair", "case_worker", pct, "marac", "chair")
    user("marac_council", "case_worker", council, "marac")
    user("iom_probation", "case_worker", probation, "iom")
    user("admin", "administrator", council)
    user("fire_in_marac", "case_worker", fire, "marac")  # not a member agency
    user("housing_in_marac", "case_worker", housing, "marac")  # no agreement covers it
    user("outsider", "case_worker", police)  # no cohort

    victim = people.create(
        {"given_name": VICTIM[0], "family_name": VICTIM[1], "date_of_birth": VICTIM_DOB,
         "police_reference": "CRIS-4455-ZQ", "nhs_number": "4857773456",
         "email": "zinnia.secret@example.org"},
        synthetic=True,
    )  # fmt: skip
    people.add_address(victim, {"line1": "1 Example Street", "postcode": VICTIM_POSTCODE})
    people.add_name(victim, "Zin", "Quibbleworth-Smith", "alias")
    child = people.create({"given_name": CHILD[0], "family_name": CHILD[1]}, synthetic=True)
    offender = people.create(
        {"given_name": OFFENDER[0], "family_name": OFFENDER[1], "date_of_birth": dt.date(2003, 2, 1),
         "probation_reference": "X123456"},
        synthetic=True,
    )  # fmt: skip
    w.people.update(victim=victim, child=child, offender=offender)
    marac = casework.refer(
        casework.Referral(
            w.cohorts["marac"], victim, today - dt.timedelta(days=20), police, "Synthetic referral",
            Case.Consent.GIVEN, "",
            {"referral_criterion": "visible_high_risk", "dash_score": 16, "health_information": HEALTH_ANSWER},
        ),
        w.users["marac_police"],
    )  # fmt: skip
    casework.move(marac, "accepted", w.users["marac_chair"], on=today - dt.timedelta(days=15))
    casework.link_person(marac, child, LinkedPerson.Relationship.CHILD)
    iom = casework.refer(
        casework.Referral(
            w.cohorts["iom"], offender, today - dt.timedelta(days=10), probation, "Synthetic referral",
            Case.Consent.NOT_SOUGHT, "", {"sentence_months": 6, "health": "need"},
        ),
        w.users["iom_probation"],
    )  # fmt: skip
    w.cases.update(marac=marac, iom=iom)
    for key in ("marac", "iom"):
        w.meetings[key] = meetings.schedule(w.cohorts[key], today, today + dt.timedelta(days=70))[0]
    meetings.build_agenda(w.meetings["marac"])
    meetings.record_minute(
        w.meetings["marac"], marac, w.users["marac_chair"], discussion="Synthetic discussion",
        health_notes=HEALTH_MINUTE,
    )  # fmt: skip
    w.actions["marac"] = meetings.add_action(
        marac, agency=council, description="Synthetic action", due_on=today - dt.timedelta(days=1),
        owner=w.users["marac_council"],
    )  # fmt: skip
    w.actions["iom"] = meetings.add_action(
        iom,
        agency=probation,
        description="Synthetic IOM action",
        due_on=today + dt.timedelta(days=5),
    )
    return w


@pytest.fixture
def world(db: None) -> World:
    return build()


def test_the_world_is_as_described(world: World) -> None:
    from safercity.web.cases import access

    acc = {name: access.for_user(u) for name, u in world.users.items()}
    marac, iom = world.cohorts["marac"].pk, world.cohorts["iom"].pk
    assert set(acc["marac_police"].cohorts) == {marac}
    assert acc["marac_chair"].chairs(marac) and acc["marac_chair"].health
    assert set(acc["iom_probation"].cohorts) == {iom}
    assert not acc["admin"].any and not acc["outsider"].any
    assert acc["fire_in_marac"].blocked == {
        marac: "your agency is not a member agency of the cohort"
    }
    assert "no information-sharing agreement" in acc["housing_in_marac"].blocked[marac]
