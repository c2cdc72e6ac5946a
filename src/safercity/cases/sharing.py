"""Information-sharing agreements, and the rule that a cohort shares only under one.

An agreement names its parties (agencies), purpose, legal basis (for example the Crime and
Disorder Act 1998 s.115 with UK GDPR article 6(1)(e)), the categories of data shared, the
cohorts it covers, and when it starts, is next reviewed and ends.

**The rule**: a cohort may share a case with an agency only when an agreement is *in force* on
that day that covers the cohort, has that agency as a party, and (when a category is asked
about) includes the category. An agreement is in force from its start to its end (no end: open)
unless it has been withdrawn. An agreement past its review date stays in force (sharing that
protects people must not stop because a meeting slipped) but is reported as *review overdue*
so the partnership reviews it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

CATEGORIES: dict[str, str] = {
    "identity": "Identity (names, date of birth, references)",
    "contact": "Contact details and addresses",
    "referral": "Referral and risk information",
    "offending": "Offending and criminal justice",
    "health": "Health, mental health and substance use",
    "safeguarding": "Safeguarding and family",
    "minutes": "Panel minutes and actions",
}


@dataclass(frozen=True)
class Agreement:
    id: str
    title: str
    parties: frozenset[str]
    cohorts: frozenset[str]
    categories: frozenset[str]
    starts: dt.date
    review: dt.date | None = None
    ends: dt.date | None = None
    withdrawn: bool = False

    def in_force(self, day: dt.date) -> bool:
        return not self.withdrawn and self.starts <= day and (self.ends is None or day <= self.ends)

    def review_overdue(self, day: dt.date) -> bool:
        return self.in_force(day) and self.review is not None and self.review < day


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    agreement: Agreement | None = None


def may_share(
    agreements: Iterable[Agreement],
    *,
    cohort: str,
    agency: str,
    day: dt.date,
    category: str | None = None,
) -> Decision:
    """May ``cohort`` share with ``agency`` on ``day`` (data of ``category``, if given)?"""
    seen_party = False
    for agreement in sorted(agreements, key=lambda a: (a.starts, a.id)):
        if cohort not in agreement.cohorts or agency not in agreement.parties:
            continue
        seen_party = True
        if not agreement.in_force(day):
            continue
        if category is not None and category not in agreement.categories:
            continue
        note = " (its review is overdue)" if agreement.review_overdue(day) else ""
        return Decision(True, f"under '{agreement.title}'{note}", agreement)
    if not seen_party:
        return Decision(False, "no information-sharing agreement covers this cohort and agency")
    if category is not None:
        return Decision(
            False,
            "no agreement in force on that day covers this cohort, agency and category "
            f"({CATEGORIES.get(category, category)})",
        )
    return Decision(False, "the agreements covering this cohort and agency are not in force")
