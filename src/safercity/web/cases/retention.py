"""Retention: erase or anonymise the cases past their cohort's retention period.

Erasure really erases. For each case due (and not on legal hold):

* with ``anonymise`` a :class:`~.models.CaseStatistic` row is kept first: months, not days;
  the referring agency, not the referrer; the outcome; nothing about the person;
* the case goes with everything recorded on it: status history, answers, minutes, actions,
  agenda items, links to people and places, emergency access grants;
* the person goes too, with their names, addresses and merged records, when no other case and
  no other link holds them; so does a person linked to the case (a child in the household)
  whom nothing else holds.

The audit log is append-only and keeps its rows. They name people by a pseudonymous
reference (the erased record's UUID) and never by name: ``__str__`` of every case-work model
is a reference, change rows give values only of fields that are not personal, lists and
searches log no query text, and disclosure purposes are the user's words about the purpose.
After erasure no table holds the person's names, date of birth, postcode or references
(``tests/web/test_cases_retention.py`` checks every table and column).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Min

from safercity.cases import retention as rules
from safercity.web.audit import services as audit

from .models import (
    AgendaItem,
    Case,
    CaseStatistic,
    Erasure,
    LinkedPerson,
    Person,
    PersonMerge,
    PossibleDuplicate,
)


@dataclass
class Outcome:
    case_id: str
    cohort: str
    action: str
    reason: str
    due_on: str | None
    people_erased: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "cohort": self.cohort,
            "action": self.action,
            "reason": self.reason,
            "due_on": self.due_on,
            "people_erased": self.people_erased,
            "rows": self.rows,
        }


def review(today: dt.date) -> list[tuple[Case, rules.Decision]]:
    """Every ended case with what retention decides for it today."""
    out = []
    ended = (
        Case.objects.filter(ended_on__isnull=False)
        .select_related("cohort")
        .order_by("ended_on", "pk")
    )
    for case in ended:
        facts = rules.CaseForRetention(
            case.status, case.ended_on, case.legal_hold, case.legal_hold_reason
        )
        out.append((case, rules.decide(case.cohort.spec.retention_policy, facts, today)))
    return out


def _month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def _statistic(case: Case) -> CaseStatistic:
    first = AgendaItem.objects.filter(case=case, discussed=True).aggregate(d=Min("meeting__date"))[
        "d"
    ]
    return CaseStatistic.objects.create(
        cohort=case.cohort,
        referred_month=_month(case.referred_on),
        referring_agency=case.referring_agency.name,
        accepted_month=_month(case.accepted_on),
        status=case.status,
        ended_month=_month(case.ended_on),
        outcome=case.outcome,
        days_to_first_panel=(first - case.referred_on).days if first else None,
    )


def _held(person: Person) -> bool:
    """Does anything still hold this person (a case, a link, a merged record with a case)?"""
    if person.cases.exists() or person.links.exists():
        return True
    return any(_held(m) for m in person.merged_from.all())


def _erase_person(person: Person, counts: Counter[str]) -> int:
    erased = 0
    for merged in list(person.merged_from.all()):
        erased += _erase_person(merged, counts)
    PossibleDuplicate.objects.filter(person=person).delete()
    PossibleDuplicate.objects.filter(other=person).delete()
    PersonMerge.objects.filter(kept=person).delete()
    PersonMerge.objects.filter(merged=person).delete()
    counts["names"] += person.names.count()
    counts["addresses"] += person.addresses.count()
    person.delete()
    counts["people"] += 1
    return erased + 1


@transaction.atomic
def erase_case(case: Case, action: str, reason: str) -> Outcome:
    """Erase (or anonymise) one case and whoever it alone holds."""
    counts: Counter[str] = Counter()
    if action == "anonymise":
        _statistic(case)
        counts["statistics kept"] += 1
    person = case.person
    linked = [
        link.person for link in LinkedPerson.objects.filter(case=case).select_related("person")
    ]
    for name, related in (
        ("status changes", case.history),
        ("minutes", case.minutes),
        ("actions", case.actions),
        ("agenda items", case.agenda_items),
        ("linked people", case.linked_people),
        ("linked places", case.linked_places),
        ("emergency access", case.emergency_access),
    ):
        counts[name] += related.count()
    case_id, person_id, cohort = str(case.pk), str(person.pk), case.cohort
    case.delete()
    counts["cases"] += 1
    people_erased = 0
    for candidate in [person, *linked]:
        candidate = Person.objects.filter(pk=candidate.pk).first()  # type: ignore[assignment]
        if candidate is None:
            continue
        if candidate.merged_into_id is not None:
            root = candidate.merged_into
            if root is not None and not _held(root):
                people_erased += _erase_person(root, counts)
            continue
        if not _held(candidate):
            people_erased += _erase_person(candidate, counts)
    Erasure.objects.create(
        cohort=cohort,
        case_ref=case_id,
        person_ref=person_id,
        action=action,
        person_erased=people_erased > 0,
        rows=dict(counts),
    )
    audit.record(
        None,
        "erase",
        model="cases.Case",
        object_id=case_id,
        subject=person_id,
        summary=f"{'anonymised' if action == 'anonymise' else 'erased'} under the "
        f"{cohort.short_name} retention period: {reason}; {people_erased} person record(s) erased",
    )
    return Outcome(case_id, cohort.key, action, reason, None, people_erased, dict(counts))


def run(today: dt.date, *, dry_run: bool = False) -> list[Outcome]:
    """Erase or anonymise every case due today (``dry_run``: only list them)."""
    outcomes = []
    for case, decision in review(today):
        if decision.action == "keep":
            continue
        due = decision.due_on.isoformat() if decision.due_on else None
        if dry_run:
            outcomes.append(
                Outcome(str(case.pk), case.cohort.key, decision.action, decision.reason, due)
            )
            continue
        outcome = erase_case(case, decision.action, decision.reason)
        outcome.due_on = due
        outcomes.append(outcome)
    return outcomes


def held(today: dt.date) -> list[tuple[Case, rules.Decision]]:
    """Cases past their period but kept under legal hold (reported with the run)."""
    return [
        (c, d)
        for c, d in review(today)
        if d.reason.startswith("legal hold") and d.due_on is not None and d.due_on <= today
    ]
