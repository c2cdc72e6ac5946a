"""Cases: referral, decision, the work (owner, agencies, reviews, links), the end, emergency
access. The rules come from :mod:`safercity.cases`; this module stores what they decide."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safercity.cases import eligibility, lifecycle
from safercity.cases.schedule import review_due
from safercity.web.accounts.models import Agency, User
from safercity.web.audit import services as audit
from safercity.web.audit.models import AuditEvent

from . import cohorts as cohort_services
from .models import Case, Cohort, EmergencyAccess, LinkedPerson, LinkedPlace, Person, StatusChange

#: Crockford's base 32 without I, L, O, U: no two characters look alike when read aloud
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CaseRuleError(ValueError):
    """A change the cohort's rules refuse; the message says why, in the user's words."""


def new_reference(cohort: Cohort) -> str:
    """A reference that cannot be guessed from another (random, not a sequence):
    ``MARAC-7K3Q9X``."""
    return f"{cohort.reference_prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def split_answers(cohort: Cohort, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Answers in two parts: open to the cohort's members, and restricted (health)."""
    restricted = cohort.spec.restricted_keys()
    open_part = {k: v for k, v in answers.items() if k not in restricted}
    closed_part = {k: v for k, v in answers.items() if k in restricted}
    return open_part, closed_part


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def judge(
    cohort: Cohort, person: Person, answers: dict[str, Any], referred_on: dt.date
) -> eligibility.Decision:
    facts = eligibility.facts_for(answers, born=person.date_of_birth, referred=referred_on)
    return eligibility.evaluate(cohort.spec.eligibility, facts)


@dataclass(frozen=True)
class Referral:
    cohort: Cohort
    person: Person
    referred_on: dt.date
    referring_agency: Agency
    reason: str
    consent: str
    legal_basis: str
    answers: dict[str, Any]


@transaction.atomic
def refer(referral: Referral, by: User | None, *, synthetic: bool = False) -> Case:
    """Record a referral (status ``referred``), judged against the cohort's eligibility."""
    cohort = referral.cohort
    spec = cohort.spec
    if referral.consent == Case.Consent.GIVEN:
        legal_basis = ""
    else:
        if spec.consent.approach == "required":
            raise CaseRuleError(f"the {cohort.short_name} takes no case without consent")
        legal_basis = referral.legal_basis.strip()
        allowed = spec.consent.without_consent
        if spec.consent.approach == "sought" and legal_basis not in allowed:
            raise CaseRuleError("choose the legal basis used without consent")
        if spec.consent.approach == "not_sought" and not legal_basis:
            legal_basis = spec.legal_basis.lawful_basis
    answers = {k: _json(v) for k, v in referral.answers.items() if v not in (None, "", [])}
    open_part, closed_part = split_answers(cohort, answers)
    decision = judge(cohort, referral.person, answers, referral.referred_on)
    for _ in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=new_reference(cohort),
                    cohort=cohort,
                    person=referral.person,
                    referred_on=referral.referred_on,
                    referred_by=by,
                    referring_agency=referral.referring_agency,
                    referral_reason=referral.reason,
                    consent=referral.consent,
                    legal_basis=legal_basis,
                    answers=open_part,
                    restricted_answers=closed_part,
                    eligibility=decision.label,
                    synthetic=synthetic or referral.person.synthetic,
                )
            break
        except IntegrityError:  # a reference drawn twice (one in a billion): draw again
            continue
    else:  # pragma: no cover
        raise CaseRuleError("could not draw a new case reference")
    StatusChange.objects.create(
        case=case, to_status=lifecycle.REFERRED, on=referral.referred_on, by=by, reason=""
    )
    if referral.referring_agency.pk != cohort.lead_agency_id:
        case.agencies.add(referral.referring_agency)
    return case


@transaction.atomic
def move(
    case: Case,
    target: str,
    by: User | None,
    *,
    on: dt.date | None = None,
    reason: str = "",
    exit_plan: str = "",
    outcome: str = "",
) -> Case:
    """Change a case's status as its cohort's lifecycle allows."""
    on = on or timezone.localdate()
    spec = case.cohort.spec
    try:
        lifecycle.check_transition(
            spec.lifecycle, case.status, target, reason=reason, exit_plan=exit_plan
        )
    except lifecycle.TransitionError as exc:
        raise CaseRuleError(str(exc)) from None
    if target == lifecycle.CLOSED and outcome and outcome not in spec.outcomes:
        raise CaseRuleError("choose one of the cohort's outcomes")
    before = case.status
    case.status = target
    if before == lifecycle.REFERRED and target not in lifecycle.ENDS:
        case.accepted_on = on
        case.next_review_on = review_due(on, spec.review_cadence)
    if target in lifecycle.ENDS:
        case.ended_on = on
        case.end_reason = reason
        case.exit_plan = exit_plan
        case.outcome = outcome
        case.next_review_on = None
    case.save()
    StatusChange.objects.create(
        case=case, from_status=before, to_status=target, on=on, by=by, reason=reason
    )
    return case


def reviewed(case: Case, on: dt.date) -> None:
    """A panel discussed the case on ``on``: its next review is one cadence later."""
    if not case.is_open or case.status == lifecycle.REFERRED:
        return
    case.last_reviewed_on = on
    case.next_review_on = review_due(on, case.cohort.spec.review_cadence)
    case.save(update_fields=["last_reviewed_on", "next_review_on", "updated_at"])


def check_agency(case: Case, agency: Agency, day: dt.date | None, refused: str) -> None:
    """Raise unless ``case`` may be shared with ``agency``: a member agency of the cohort, under
    an information-sharing agreement in force covering the cohort (the lead agency needs none).
    ``refused`` begins the message ("Housing cannot be involved")."""
    day = day or timezone.localdate()
    if not case.cohort.agencies.filter(pk=agency.pk).exists():
        raise CaseRuleError(f"{agency} is not a member agency of the {case.cohort.short_name}")
    decision = cohort_services.may_share(case.cohort, agency, day)
    if not decision.allowed:
        raise CaseRuleError(f"{refused}: {decision.reason}")


def add_agency(case: Case, agency: Agency, day: dt.date | None = None) -> None:
    """Involve an agency in a case (see :func:`check_agency`)."""
    check_agency(case, agency, day, f"{agency} cannot be involved")
    case.agencies.add(agency)


def link_person(case: Case, person: Person, relationship: str) -> LinkedPerson:
    if person.pk == case.person_id:
        raise CaseRuleError("a case cannot be linked to its own person")
    link, _ = LinkedPerson.objects.get_or_create(
        case=case, person=person, defaults={"relationship": relationship}
    )
    return link


def link_place(case: Case, kind: str, description: str, postcode: str = "") -> LinkedPlace:
    return LinkedPlace.objects.create(
        case=case, kind=kind, description=description, postcode=postcode
    )


def set_legal_hold(case: Case, hold: bool, reason: str) -> None:
    if hold and not reason.strip():
        raise CaseRuleError("give the reason for the legal hold")
    case.legal_hold = hold
    case.legal_hold_reason = reason.strip() if hold else ""
    case.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])


def update_answers(case: Case, answers: dict[str, Any], *, restricted_too: bool) -> None:
    """Save answers to the cohort's questions; restricted answers only from those who may
    read them (a member who cannot read them cannot blank them either)."""
    clean = {k: _json(v) for k, v in answers.items()}
    open_part, closed_part = split_answers(case.cohort, clean)
    case.answers = {**case.answers, **open_part}
    if restricted_too:
        case.restricted_answers = {**case.restricted_answers, **closed_part}
    case.answers = {k: v for k, v in case.answers.items() if v not in (None, "", [])}
    case.restricted_answers = {
        k: v for k, v in case.restricted_answers.items() if v not in (None, "", [])
    }
    case.save(update_fields=["answers", "restricted_answers", "updated_at"])


# --------------------------------------------------------------------------- emergency access

#: refused emergency-access requests a user may make in a day before every request is refused
#: (references are random, but a guess that hits must not be cheap)
MAX_REFUSALS_A_DAY = 5
REFUSED = (
    "Emergency access could not be given. Check the case reference; you can have emergency "
    "access only to cases of cohorts your agency takes part in."
)


def open_emergency(user: User, reference: str, reason: str, request: Any = None) -> EmergencyAccess:
    """Open one case to ``user`` for the cohort's ``break_glass_hours``, with a reason; the
    cohort's chairs are e-mailed. Refused (one message, whether or not the case exists) unless
    the user is a case worker whose agency is a member agency entitled to the cohort's data."""
    from safercity.web.accounts.permissions import CASE_WORKER

    reason = reason.strip()
    if len(reason) < 10:
        raise CaseRuleError("give the reason for emergency access (at least 10 characters)")
    case = Case.objects.select_related("cohort").filter(reference=reference.strip().upper()).first()
    refusals = AuditEvent.objects.filter(
        actor=user,
        action="break_glass",
        summary__startswith="emergency access refused",
        created_at__gte=timezone.now() - dt.timedelta(days=1),
    ).count()
    if (
        refusals >= MAX_REFUSALS_A_DAY
        or case is None
        or user.role != CASE_WORKER
        or not user.is_active
        or user.agency_id is None
        or not case.cohort.agencies.filter(pk=user.agency_id).exists()
        or not cohort_services.may_share(case.cohort, user.agency, timezone.localdate()).allowed
    ):
        audit.record(
            request,
            "break_glass",
            model="cases.Case",
            summary="emergency access refused (reference not found or no entitlement)",
        )
        raise CaseRuleError(REFUSED)
    hours = case.cohort.spec.break_glass_hours
    grant = EmergencyAccess.objects.create(
        user=user, case=case, reason=reason, expires_at=timezone.now() + dt.timedelta(hours=hours)
    )
    audit.record(
        request,
        "break_glass",
        case,
        summary=f"emergency access to {case} for {hours} hours (reason recorded)",
    )
    _tell_chairs(case, user, reason, hours)
    return grant


def _tell_chairs(case: Case, user: User, reason: str, hours: int) -> None:
    recipients = [u.email for u in cohort_services.chairs(case.cohort) if u.email]
    if not recipients:
        return
    link = reverse("cases:case", kwargs={"pk": case.pk})
    send_mail(
        subject=f"SaferCity: emergency access to {case.reference}",
        message=(
            f"{user.get_full_name() or user.username} ({user.agency}) opened case "
            f"{case.reference} of the {case.cohort.short_name} under emergency access for "
            f"{hours} hours.\n\nReason given: {reason}\n\nThe case: {link}\n"
            "Review it, and tell the partnership's data protection officer if it was not "
            "justified."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
