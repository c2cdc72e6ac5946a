"""Cohort figures on a handful of cases worked by hand."""

from __future__ import annotations

import datetime as dt

from safercity.cases.figures import ActionFacts, CaseFacts, CohortFigures, nearest_rank

D = dt.date


def test_figures_by_hand() -> None:
    cases = [
        CaseFacts(D(2026, 1, 5), "Police", "active", D(2026, 1, 13), first_panel_on=D(2026, 1, 13)),
        CaseFacts(
            D(2026, 1, 20),
            "Council",
            "closed",
            D(2026, 2, 10),
            D(2026, 5, 1),
            "Risk reduced",
            D(2026, 2, 10),
        ),
        CaseFacts(
            D(2026, 2, 1), "Police", "declined", None, D(2026, 2, 10), first_panel_on=D(2026, 2, 10)
        ),
        CaseFacts(D(2026, 2, 3), "IDVA", "referred"),
        CaseFacts(D(2026, 7, 1), "Police", "referred"),  # after the day: not counted
    ]
    actions = [
        ActionFacts(D(2026, 2, 1), D(2026, 1, 30)),  # on time
        ActionFacts(D(2026, 2, 1), D(2026, 2, 2)),  # late
        ActionFacts(D(2026, 3, 1)),  # open and past due: late
        ActionFacts(D(2026, 9, 1)),  # not yet due
    ]
    f = CohortFigures(cases, actions, D(2026, 6, 1))
    assert f.size == 1  # the first case; the second closed on 1 May
    assert f.referrals_by_month == {"2026-01": 2, "2026-02": 2}
    assert f.referrals_by_agency == {"Police": 2, "Council": 1, "IDVA": 1}
    assert f.days_to_first_panel == [8, 21, 9]
    assert f.median_days_to_first_panel == 9
    assert f.p90_days_to_first_panel == 21
    assert (f.actions_due, f.actions_on_time) == (3, 1)
    assert f.share_on_time == 1 / 3
    assert f.outcomes == {"Risk reduced": 1}
    assert f.declined == 1
    assert f.as_dict()["cases_discussed"] == 3


def test_nearest_rank() -> None:
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([5, 1, 3, 2, 4], 0.9) == 5
    assert nearest_rank([5, 1, 3, 2, 4], 0.5) == 3
    assert nearest_rank([1, 2, 3, 4], 0.5) == 2
