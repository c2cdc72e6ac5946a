"""Retention decisions by hand: due dates, legal hold, open cases, declined referrals."""

from __future__ import annotations

import datetime as dt

from safercity.cases.retention import CaseForRetention, Policy, decide, due_on

POLICY = Policy(years=6, declined_years=1, at_end="erase")


def test_closed_cases_are_due_six_years_after_closure() -> None:
    case = CaseForRetention("closed", dt.date(2019, 3, 31))
    assert due_on(POLICY, case) == dt.date(2025, 3, 31)
    assert decide(POLICY, case, dt.date(2025, 3, 30)).action == "keep"
    on_the_day = decide(POLICY, case, dt.date(2025, 3, 31))
    assert on_the_day.action == "erase"
    assert on_the_day.reason == "closed on 2019-03-31, past the 6-year retention period"


def test_declined_referrals_have_their_own_period_and_anonymise_is_followed() -> None:
    case = CaseForRetention("declined", dt.date(2024, 2, 29))
    assert due_on(POLICY, case) == dt.date(2025, 2, 28)
    anon = Policy(6, 1, "anonymise")
    assert decide(anon, case, dt.date(2025, 2, 28)).action == "anonymise"


def test_legal_hold_and_open_cases_are_kept() -> None:
    held = CaseForRetention("closed", dt.date(2010, 1, 1), True, "domestic homicide review")
    decision = decide(POLICY, held, dt.date(2026, 1, 1))
    assert (decision.action, decision.reason) == ("keep", "legal hold (domestic homicide review)")
    assert decide(POLICY, CaseForRetention("active", None), dt.date(2090, 1, 1)).action == "keep"
    # an end date on a case that is not at an end is not trusted
    assert (
        decide(POLICY, CaseForRetention("active", dt.date(2000, 1, 1)), dt.date(2090, 1, 1)).action
        == "keep"
    )
