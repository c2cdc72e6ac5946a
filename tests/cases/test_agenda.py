"""The agenda rule on a hand-made set of cases."""

from __future__ import annotations

import datetime as dt

from safercity.cases.agenda import CaseForAgenda, build

D = dt.date


def test_new_referrals_first_then_the_most_overdue_reviews_up_to_capacity() -> None:
    meeting = D(2026, 2, 18)
    cases = [
        CaseForAgenda("late-referral", "referred", D(2026, 2, 16)),  # after the papers deadline
        CaseForAgenda("ref-b", "referred", D(2026, 2, 2)),
        CaseForAgenda("ref-a", "referred", D(2026, 1, 20)),
        CaseForAgenda("rev-due-today", "active", D(2025, 6, 1), D(2026, 2, 18)),
        CaseForAgenda("rev-20-days", "active", D(2025, 9, 1), D(2026, 1, 29)),
        CaseForAgenda("rev-later", "active", D(2025, 9, 1), D(2026, 3, 1)),  # not yet due
        CaseForAgenda("rev-elsewhere", "active", D(2025, 1, 1), D(2026, 1, 1), True),
        CaseForAgenda("closed", "closed", D(2025, 1, 1), D(2026, 1, 1)),
        CaseForAgenda("declined", "declined", D(2026, 1, 1)),
        CaseForAgenda("accepted-due", "accepted", D(2026, 1, 3), D(2026, 2, 3)),  # 15 days
        CaseForAgenda("contract-no-date", "on_contract", D(2026, 1, 3)),  # never reviewed: no
    ]
    agenda = build(meeting, cases, papers_days=5)
    assert [(i.case_id, i.reason, i.days_overdue) for i in agenda.items] == [
        ("ref-a", "new referral", 0),
        ("ref-b", "new referral", 0),
        ("rev-20-days", "review due", 20),
        ("accepted-due", "review due", 15),
        ("rev-due-today", "review due", 0),
    ]
    assert agenda.carried_forward == []
    capped = build(meeting, cases, papers_days=5, capacity=3)
    assert [i.case_id for i in capped.items] == ["ref-a", "ref-b", "rev-20-days"]
    assert [i.case_id for i in capped.carried_forward] == ["accepted-due", "rev-due-today"]
    assert [i.case_id for i in capped.new_referrals] == ["ref-a", "ref-b"]
    assert [i.case_id for i in capped.reviews] == ["rev-20-days"]


def test_ties_keep_the_oldest_referral_first() -> None:
    cases = [
        CaseForAgenda("b", "active", D(2025, 5, 1), D(2026, 1, 1)),
        CaseForAgenda("a", "active", D(2025, 4, 1), D(2026, 1, 1)),
        CaseForAgenda("c", "active", D(2025, 4, 1), D(2026, 1, 1)),
    ]
    assert [i.case_id for i in build(D(2026, 1, 10), cases).items] == ["a", "c", "b"]
