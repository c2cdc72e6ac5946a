"""The information-sharing rule: party, cohort, category, in force, review overdue."""

from __future__ import annotations

import datetime as dt

from safercity.cases.sharing import Agreement, may_share

ISA = Agreement(
    id="1",
    title="Westminster MARAC ISA",
    parties=frozenset({"police", "council", "idva"}),
    cohorts=frozenset({"marac"}),
    categories=frozenset({"identity", "referral", "minutes"}),
    starts=dt.date(2026, 1, 1),
    review=dt.date(2026, 12, 31),
    ends=dt.date(2028, 12, 31),
)


def test_a_party_to_an_agreement_in_force_may_share() -> None:
    d = may_share([ISA], cohort="marac", agency="council", day=dt.date(2026, 6, 1))
    assert d.allowed and d.agreement is ISA and d.reason == "under 'Westminster MARAC ISA'"


def test_no_agreement_no_sharing() -> None:
    assert not may_share([ISA], cohort="marac", agency="housing", day=dt.date(2026, 6, 1)).allowed
    assert not may_share([ISA], cohort="iom", agency="police", day=dt.date(2026, 6, 1)).allowed
    before = may_share([ISA], cohort="marac", agency="police", day=dt.date(2025, 12, 31))
    assert not before.allowed and "not in force" in before.reason
    after = may_share([ISA], cohort="marac", agency="police", day=dt.date(2029, 1, 1))
    assert not after.allowed
    withdrawn = Agreement(**{**ISA.__dict__, "withdrawn": True})
    assert not may_share(
        [withdrawn], cohort="marac", agency="police", day=dt.date(2026, 6, 1)
    ).allowed


def test_categories_are_enforced_and_an_overdue_review_is_reported_not_fatal() -> None:
    health = may_share(
        [ISA], cohort="marac", agency="police", day=dt.date(2026, 6, 1), category="health"
    )
    assert not health.allowed and "Health" in health.reason
    late = may_share([ISA], cohort="marac", agency="police", day=dt.date(2027, 6, 1))
    assert late.allowed and "review is overdue" in late.reason
