"""Cohorts in the database: loading and editing their YAML definitions, memberships, and the
information-sharing register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from safercity.cases import config
from safercity.cases import sharing as rules
from safercity.web.accounts.models import Agency, User

from .models import Cohort, CohortMembership, SharingAgreement


@dataclass(frozen=True)
class Loaded:
    cohort: Cohort
    created: bool


def _agency(name: str, kind: str) -> Agency:
    agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    return agency


@transaction.atomic
def save_definition(text: str, source: str = "<text>", *, expect_key: str | None = None) -> Loaded:
    """Check a cohort's YAML and store it (a new cohort, or the cohort of its ``key`` updated).
    Raises :class:`safercity.cases.config.CohortFileError` naming each problem."""
    spec = config.parse(text, source)
    if expect_key is not None and spec.key != expect_key:
        raise config.CohortFileError(
            source,
            [config.Problem("key", None, f"the key of a cohort cannot change ({expect_key})")],
        )
    members = [_agency(a.name, a.kind) for a in spec.member_agencies]
    lead = next(a for a in members if a.name == spec.lead_agency)
    cohort = Cohort.objects.filter(key=spec.key).first()
    created = cohort is None
    if cohort is None:
        cohort = Cohort(key=spec.key)
    cohort.name = spec.name
    cohort.short_name = spec.short_name
    cohort.reference_prefix = spec.reference_prefix
    cohort.definition_yaml = text
    cohort.definition = spec.model_dump(mode="json")
    cohort.lead_agency = lead
    cohort.save()
    cohort.agencies.set(members)
    cohort.share_with.set([_agency(a.name, a.kind) for a in spec.share_with])
    return Loaded(cohort, created)


def load_bundled() -> list[Loaded]:
    """Load (or refresh) every cohort shipped with SaferCity."""
    return [save_definition(text, name) for name, text in config.bundled()]


def add_member(cohort: Cohort, user: User, role: str = CohortMembership.Role.MEMBER) -> None:
    CohortMembership.objects.update_or_create(cohort=cohort, user=user, defaults={"role": role})


def chairs(cohort: Cohort) -> list[User]:
    return [
        m.user
        for m in cohort.memberships.filter(role=CohortMembership.Role.CHAIR).select_related("user")
        if m.user.is_active
    ]


# --------------------------------------------------------------------------- sharing


def agreements(day: dt.date | None = None) -> list[rules.Agreement]:
    """The register as the rule reads it: parties by agency id, cohorts by key."""
    out = []
    for a in SharingAgreement.objects.prefetch_related("parties", "cohorts"):
        out.append(
            rules.Agreement(
                id=str(a.pk),
                title=a.title,
                parties=frozenset(str(p.pk) for p in a.parties.all()),
                cohorts=frozenset(c.key for c in a.cohorts.all()),
                categories=frozenset(a.categories),
                starts=a.starts,
                review=a.review,
                ends=a.ends,
                withdrawn=a.withdrawn,
            )
        )
    return out


def agreements_of(agency_id: Any, cohort_ids: Iterable[Any]) -> list[rules.Agreement]:
    """The agreements naming one agency for some cohorts (one query), as the rule reads them."""
    rows = (
        SharingAgreement.objects.filter(parties=agency_id, cohorts__in=list(cohort_ids))
        .values_list(
            "pk", "title", "cohorts__key", "categories", "starts", "review", "ends", "withdrawn"
        )
        .distinct()
    )
    return [
        rules.Agreement(
            id=str(pk),
            title=title,
            parties=frozenset({str(agency_id)}),
            cohorts=frozenset({key}),
            categories=frozenset(categories),
            starts=starts,
            review=review,
            ends=ends,
            withdrawn=withdrawn,
        )
        for pk, title, key, categories, starts, review, ends, withdrawn in rows
    ]


def may_share(
    cohort: Cohort,
    agency: Agency,
    day: dt.date,
    category: str | None = None,
    register: Iterable[rules.Agreement] | None = None,
) -> rules.Decision:
    """May ``cohort`` share with ``agency`` on ``day``? The lead agency holds the cohort's data
    and needs no agreement with itself; every other agency needs one in force."""
    if agency.pk == cohort.lead_agency_id:
        return rules.Decision(True, "the cohort's lead agency")
    return rules.may_share(
        agreements() if register is None else register,
        cohort=cohort.key,
        agency=str(agency.pk),
        day=day,
        category=category,
    )


def seed_agreements(starts: dt.date) -> list[SharingAgreement]:
    """One agreement per cohort between its member agencies (and the neighbouring boroughs it
    shares with), as a partnership's register starts: for the demo and a new installation."""
    made = []
    for cohort in Cohort.objects.prefetch_related("agencies", "share_with"):
        title = f"{cohort.short_name} information-sharing agreement"
        agreement, _ = SharingAgreement.objects.get_or_create(
            title=title,
            defaults={
                "purpose": f"Sharing the information the {cohort.name} needs to protect "
                "people and reduce crime and disorder.",
                "legal_basis": "; ".join(
                    [
                        cohort.spec.legal_basis.lawful_basis,
                        *cohort.spec.legal_basis.statutory_powers,
                    ]
                ),
                "categories": list(rules.CATEGORIES),
                "starts": starts,
                "review": starts.replace(year=starts.year + 1),
            },
        )
        agreement.parties.set([*cohort.agencies.all(), *cohort.share_with.all()])
        agreement.cohorts.set([cohort])
        made.append(agreement)
    return made
