"""The case-work demo: every seeded cohort with SYNTHETIC people and cases (Faker en_GB), its
meetings, minutes and actions, and a demo case worker and chair per cohort.

Every person is marked synthetic (``Person.synthetic``; shown with a "Synthetic" tag and on
every print). Names, dates of birth and postcodes are drawn by Faker's en_GB provider and a
seeded generator, so two runs with the same seed make the same people. Loading is idempotent:
when synthetic cases are already there, only the demo users are refreshed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from safercity.cases import lifecycle, names
from safercity.web.accounts.models import Agency, User

from . import casework, cohorts, meetings, people
from .models import Case, Cohort, LinkedPerson, Person, PossibleDuplicate

#: cases per cohort, from the seed's figures where it gives them (the gangs panel reviews 10-12
#: young people each time; ABC monitors about 100, 20-25% on contracts)
SIZES = {
    "marac": 40,
    "gangs-panel": 24,
    "rapid-returners": 15,
    "iom": 30,
    "abc": 100,
    "triage": 25,
    "dip": 30,
}
#: ages at referral, inside each cohort's eligibility
AGES = {
    "marac": (18, 70),
    "gangs-panel": (13, 24),
    "rapid-returners": (19, 55),
    "iom": (18, 24),
    "abc": (10, 17),
    "triage": (10, 17),
    "dip": (18, 60),
}
#: Westminster's outward codes
OUTWARD = [
    "W1D",
    "W1F",
    "W1K",
    "W2",
    "W9",
    "W10",
    "NW1",
    "NW8",
    "SW1A",
    "SW1E",
    "SW1P",
    "SW1V",
    "WC2N",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    cohort: str
    agency: str


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(OUTWARD)} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def _born(rng: random.Random, today: dt.date, ages: tuple[int, int]) -> dt.date:
    age = rng.randint(*ages)
    return today - dt.timedelta(days=age * 365 + rng.randint(30, 330))


def users(password: str) -> list[Login]:
    """A demo case worker (of the lead agency) and a chair (a health agency where the cohort
    has one, so the chair also reads health answers) for each cohort."""
    logins = []
    for cohort in Cohort.objects.order_by("short_name"):
        agencies = list(cohort.agencies.order_by("name"))
        chair_agency = next(
            (a for a in agencies if a.kind == Agency.Kind.HEALTH), cohort.lead_agency
        )
        for suffix, role, agency in (
            ("worker", "member", cohort.lead_agency),
            ("chair", "chair", chair_agency),
        ):
            username = f"{cohort.key}-{suffix}"
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name = cohort.short_name
            user.last_name = "Chair" if role == "chair" else "Case Worker"
            user.email = f"{username}@example.org"
            user.role = User.Role.CASE_WORKER
            user.agency = agency
            user.is_active = True
            user.locked_until = None
            user.set_password(password)
            user.save()
            cohorts.add_member(cohort, user, role)
            logins.append(Login(username, role, cohort.short_name, agency.name))
    return logins


def _refer(cohort: Cohort, person: Person, on: dt.date, rng: random.Random, fake: Faker) -> Case:
    spec = cohort.spec
    answers: dict[str, Any] = {}
    for q in spec.form:
        if q.stage != "referral":
            continue
        if q.type == "integer":
            low, high = int(q.min or 0), int(q.max if q.max is not None else 10)
            answers[q.key] = rng.randint(low, min(high, low + 20))
        elif q.type == "number":
            answers[q.key] = round(rng.uniform(1, 11.5), 1)
        elif q.type == "yes_no":
            answers[q.key] = (
                True
                if q.key in {"admits_offence", "parent_or_carer_informed"}
                else rng.random() < 0.5
            )
        elif q.type == "choice":
            answers[q.key] = rng.choice(q.choices).value
        elif q.type == "choices":
            answers[q.key] = [c.value for c in rng.sample(q.choices, k=min(2, len(q.choices)))]
        elif q.type == "date":
            answers[q.key] = on - dt.timedelta(days=rng.randint(5, 60))
        else:
            answers[q.key] = "SYNTHETIC: " + fake.sentence(nb_words=8)
    if cohort.key == "marac":
        answers["dash_score"] = rng.randint(14, 24)
    if cohort.key == "rapid-returners":
        answers["days_to_return"] = rng.randint(7, 90)
    if cohort.key == "iom":
        answers["sentence_months"] = rng.choice([3, 4, 6, 8, 10])
    agency = rng.choice(list(cohort.agencies.all()))
    consent = (
        Case.Consent.GIVEN
        if spec.consent.approach == "required" or rng.random() < 0.6
        else (Case.Consent.NOT_SOUGHT)
    )
    basis = (spec.consent.without_consent or [spec.legal_basis.lawful_basis])[0]
    return casework.refer(
        casework.Referral(
            cohort,
            person,
            on,
            agency,
            "SYNTHETIC referral: " + fake.sentence(nb_words=12),
            consent,
            basis,
            answers,
        ),
        None,
        synthetic=True,
    )


@transaction.atomic
def load(*, seed: int = 20110401, today: dt.date | None = None) -> dict[str, int]:
    """Load the demo's people, cases, meetings, minutes and actions (once)."""
    today = today or timezone.localdate()
    cohorts.load_bundled()
    cohorts.seed_agreements(today - dt.timedelta(days=400))
    if Case.objects.filter(synthetic=True).exists():
        return {"people": 0, "cases": 0, "meetings": 0}
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    made = {"people": 0, "cases": 0, "meetings": 0, "minutes": 0, "actions": 0}
    for cohort in Cohort.objects.order_by("key"):
        if cohort.key not in SIZES:
            continue
        worker = User.objects.filter(username=f"{cohort.key}-worker").first()
        held = meetings.schedule(
            cohort, today - dt.timedelta(days=180), today + dt.timedelta(days=90)
        )
        made["meetings"] += len(held)
        for _ in range(SIZES[cohort.key]):
            female = (cohort.key == "marac" and rng.random() < 0.9) or rng.random() < 0.3
            person = people.create(
                {
                    "given_name": fake.first_name_female() if female else fake.first_name_male(),
                    "family_name": fake.last_name(),
                    "date_of_birth": _born(rng, today, AGES[cohort.key]),
                    "sex": "female" if female else "male",
                },
                synthetic=True,
            )
            if cohort.spec.collects("address"):
                people.add_address(
                    person,
                    {"line1": fake.street_address(), "town": "London", "postcode": _postcode(rng)},
                )
            made["people"] += 1
            referred = today - dt.timedelta(days=rng.randint(3, 330))
            case = _refer(cohort, person, referred, rng, fake)
            made["cases"] += 1
            case.owner = worker
            case.save(update_fields=["owner", "updated_at"])
            roll = rng.random()
            if roll < 0.12:
                continue  # a new referral waiting for the panel
            if roll < 0.18:
                casework.move(
                    case,
                    lifecycle.DECLINED,
                    None,
                    on=referred + dt.timedelta(days=10),
                    reason=cohort.spec.decline_reasons[0],
                )
                continue
            first = next(iter(cohort.spec.lifecycle.next_statuses(lifecycle.REFERRED)))
            casework.move(case, first, None, on=referred + dt.timedelta(days=7))
            if cohort.key == "marac" and rng.random() < 0.6:
                child = people.create(
                    {
                        "given_name": fake.first_name(),
                        "family_name": person.family_name,
                        "date_of_birth": _born(rng, today, (1, 15)),
                    },
                    synthetic=True,
                )
                casework.link_person(case, child, LinkedPerson.Relationship.CHILD)
                made["people"] += 1
            if rng.random() < 0.7:
                agency = rng.choice(list(cohort.agencies.all()))
                due = referred + dt.timedelta(days=rng.randint(14, 90))
                action = meetings.add_action(
                    case,
                    agency=agency,
                    description="SYNTHETIC: " + fake.sentence(nb_words=6),
                    due_on=due,
                    day=today,
                )
                made["actions"] += 1
                if due < today and rng.random() < 0.6:
                    meetings.complete_action(action, due - dt.timedelta(days=rng.randint(0, 5)))
            if (
                roll > 0.85
                and case.accepted_on
                and case.accepted_on < today - dt.timedelta(days=60)
            ):
                casework.move(
                    case,
                    lifecycle.CLOSED,
                    None,
                    on=today - dt.timedelta(days=rng.randint(1, 50)),
                    reason=cohort.spec.closure_reasons[0],
                    exit_plan="SYNTHETIC exit plan: " + fake.sentence(nb_words=8),
                    outcome=rng.choice(cohort.spec.outcomes),
                )
        # the meetings already past were held: their agendas built, some cases minuted
        for meeting in cohort.meetings.filter(date__lt=today).order_by("date"):
            meetings.build_agenda(meeting)
            for item in meeting.items.select_related("case")[:8]:
                meetings.record_minute(
                    meeting,
                    item.case,
                    worker,
                    discussion="SYNTHETIC minute: " + fake.paragraph(nb_sentences=2),  # type: ignore[arg-type]
                    decisions="SYNTHETIC: " + fake.sentence(nb_words=6),
                )
                made["minutes"] += 1
            meeting.status = meeting.Status.HELD
            meeting.save(update_fields=["status", "updated_at"])
        upcoming = meetings.next_meeting(cohort, today)
        if upcoming is not None:
            meetings.build_agenda(upcoming)
    # the same young person known to two cohorts under a nickname: offered as a duplicate
    abc = Case.objects.filter(cohort__key="abc", synthetic=True).select_related("person").first()
    gangs = Cohort.objects.filter(key="gangs-panel").first()
    if abc is not None and gangs is not None:
        nickname = sorted(names.nicknames(abc.person.given_name)) or [abc.person.given_name]
        twin = people.create(
            {
                "given_name": nickname[0].capitalize(),
                "family_name": abc.person.family_name,
                "date_of_birth": abc.person.date_of_birth,
                "sex": abc.person.sex,
            },
            synthetic=True,
        )
        _refer(gangs, twin, today - dt.timedelta(days=2), rng, fake)
        query = people.Query(twin.given_name, twin.family_name, twin.date_of_birth)
        for found in [
            f for f in people.likely_duplicates(query, None) if f.person.pk == abc.person_id
        ]:
            PossibleDuplicate.objects.create(
                person=twin,
                other=found.person,
                score=found.match.score,
                reasons=", ".join(found.match.reasons),
            )
        made["people"] += 1
        made["cases"] += 1
    return made
