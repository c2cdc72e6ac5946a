"""Monitoring rules (docs/monitoring.md) on small hand-checked cases."""

from __future__ import annotations

import datetime as dt

import pytest

from safercity.analytics import monitoring as m
from safercity.analytics.trends import exact_conditional_test

D = dt.date
U = m.Update
TODAY = D(2011, 9, 30)


@pytest.mark.parametrize(
    ("updates", "due", "expected"),
    [
        ([], None, "not_started"),
        ([], D(2011, 12, 31), "not_started"),  # due in 92 days: not yet at risk
        ([], D(2011, 10, 20), "at_risk"),  # due in 20 days, nobody has started
        ([], D(2011, 9, 29), "overdue"),
        ([U(D(2011, 9, 1), "complete")], D(2011, 7, 31), "complete"),  # late but done
        ([U(D(2011, 9, 1), "on_track")], D(2011, 7, 31), "overdue"),
        ([U(D(2011, 9, 1), "on_track")], None, "on_track"),
        ([U(D(2011, 9, 1), "at_risk")], None, "at_risk"),
        ([U(D(2011, 9, 1), "overdue")], D(2012, 3, 31), "at_risk"),  # owner's word, not yet due
        ([U(D(2011, 5, 1), "on_track")], None, "at_risk"),  # 152 days old: stale
        ([U(D(2011, 5, 18), "on_track")], None, "on_track"),  # 135 days old: still fresh
        ([U(D(2011, 9, 1), "not_started")], D(2011, 10, 15), "at_risk"),
        ([U(D(2011, 9, 1), "not_started")], None, "not_started"),
        # the latest update wins; an update after "today" is not yet known
        ([U(D(2011, 8, 1), "at_risk"), U(D(2011, 9, 20), "on_track")], None, "on_track"),
        ([U(D(2011, 9, 20), "on_track"), U(D(2011, 10, 5), "complete")], None, "on_track"),
    ],
)
def test_milestone_status(updates: list[m.Update], due: dt.date | None, expected: str) -> None:
    assert m.milestone_status(updates, TODAY, due=due) == expected


def test_combine_and_activity_status() -> None:
    assert m.combine([]) == "not_started"
    assert m.combine(["complete", "overdue"]) == "overdue"
    assert m.combine(["on_track", "at_risk", "not_started"]) == "at_risk"
    assert m.combine(["complete", "complete"]) == "complete"
    assert m.combine(["complete", "not_started"]) == "on_track"
    assert m.combine(["not_started", "not_started"]) == "not_started"
    # the owner closes the activity even with an overdue milestone
    assert m.activity_status([U(D(2011, 9, 1), "complete")], ["overdue"], TODAY) == "complete"
    # no own update: milestones only
    assert m.activity_status([], ["complete", "not_started"], TODAY) == "on_track"
    # own update counts with the milestones
    assert m.activity_status([U(D(2011, 9, 1), "at_risk")], ["on_track"], TODAY) == "at_risk"
    assert m.activity_status([], [], TODAY) == "not_started"


def test_rating_met_projected_tolerance_off_track() -> None:
    values = [(D(2011, 6, 30), 10.0), (D(2011, 12, 31), 20.0)]
    today = D(2012, 1, 15)
    # straight line: +10 in 184 days; to 31 July 2012 (213 days on) 20 + 10 * 213/184 = 31.58
    r = m.MeasureRating(values, today, direction="achieve", target=30, deadline=D(2012, 7, 31))
    assert r.latest == 20.0
    assert r.projected == pytest.approx(20 + 10 * 213 / 184, abs=1e-9)
    assert (r.rag, r.label) == ("green", "Projected to meet target")
    # to 30 June 2012 (182 days on): 29.89, short of 30, and 20 is 33% short: red
    r = m.MeasureRating(values, today, direction="achieve", target=30, deadline=D(2012, 6, 30))
    assert r.projected == pytest.approx(20 + 10 * 182 / 184, abs=1e-9)
    assert (r.rag, r.label) == ("red", "Off track")
    # 28 against 30 with no time left: within 10%
    r = m.MeasureRating([(D(2011, 12, 31), 28.0)], today, direction="achieve", target=30)
    assert (r.rag, r.label) == ("amber", "Within tolerance")
    r = m.MeasureRating([(D(2011, 12, 31), 31.0)], today, direction="achieve", target=30)
    assert (r.rag, r.label) == ("green", "Met")
    # a range: 20-25%; 27 is outside but within 10% of 20 above the upper end (2 <= 2)
    r = m.MeasureRating([(D(2011, 12, 31), 22.0)], today, target=20, target_upper=25)
    assert r.rag == "green"
    r = m.MeasureRating([(D(2011, 12, 31), 27.0)], today, target=20, target_upper=25)
    assert r.rag == "amber"
    # lower is better
    r = m.MeasureRating([(D(2011, 12, 31), 90.0)], today, direction="reduce", target=100)
    assert r.label == "Met"
    # values after today are not yet known
    r = m.MeasureRating([(D(2012, 2, 1), 31.0)], today, target=30)
    assert (r.rag, r.label) == ("grey", "No data")


def test_rating_without_target_uses_direction_and_baseline() -> None:
    today = D(2012, 1, 15)
    # not counts (a percentage): better than the baseline is improving, 10% is the tolerance
    up = [(D(2011, 6, 30), 10.0), (D(2011, 12, 31), 20.0)]
    pct = {"unit": "percent"}
    assert m.MeasureRating(up, today, direction="increase", **pct).label == "Improving"
    assert m.MeasureRating(up, today, direction="reduce", **pct).label == "Off track"
    assert m.MeasureRating(up, today, **pct).label == "No target"
    flat = [(D(2011, 6, 30), 100.0), (D(2011, 12, 31), 95.0)]
    assert m.MeasureRating(flat, today, direction="increase", **pct).rag == "amber"
    # counts: the E-test decides; 10 -> 20 is p = 0.069 (within normal variation), 10 -> 30
    # is a real rise (p < 0.01)
    r = m.MeasureRating(up, today, direction="increase", unit="victims")
    assert (r.rag, r.label, r.change) == ("amber", "No significant change", "none")
    more = [(D(2011, 6, 30), 10.0), (D(2011, 12, 31), 30.0)]
    r = m.MeasureRating(more, today, direction="increase", unit="victims")
    assert (r.rag, r.label, r.change) == ("green", "Significantly better", "up")
    r = m.MeasureRating(more, today, direction="reduce", unit="offences")
    assert (r.rag, r.label) == ("red", "Significantly worse")


def test_count_measure_significance_from_baseline() -> None:
    today = D(2012, 4, 30)
    # 60 against a baseline of 100: the exact conditional test gives P(X <= 60 | n=160, 1/2)
    # x2 = 0.0016; the E-test agrees that this is a real fall
    r = m.MeasureRating(
        [(D(2012, 3, 31), 60.0)], today, direction="reduce", baseline=100, unit="offences"
    )
    assert r.is_count
    assert exact_conditional_test(60, 100) == pytest.approx(0.00190, abs=3e-4)
    assert r.comparison is not None and r.comparison.p_etest < 0.01
    assert r.significant is True
    assert r.statement.startswith("60 offences, down 40.0% on 100 (E-test p = ")
    assert r.statement.endswith("a real change at 0.05)")
    # 95 against 100: within normal variation
    r = m.MeasureRating([(D(2012, 3, 31), 95.0)], today, baseline=100, unit="offences")
    assert r.significant is False
    assert r.comparison is not None and r.comparison.p_etest > 0.5
    # percentages are not counts: no test
    r = m.MeasureRating([(D(2012, 3, 31), 60.0)], today, baseline=100, unit="percent")
    assert (r.is_count, r.comparison, r.significant) == (False, None, None)
    # fractional values are not counts
    r = m.MeasureRating([(D(2012, 3, 31), 60.5)], today, baseline=100, unit="offences")
    assert r.is_count is False
    # no baseline given: the first value is the baseline
    r = m.MeasureRating([(D(2011, 3, 31), 100.0), (D(2012, 3, 31), 60.0)], today, unit="offences")
    assert r.baseline == 100.0 and r.significant is True


def test_priority_rag() -> None:
    assert m.priority_rag(["on_track", "overdue"], []) == "red"
    assert m.priority_rag(["on_track"], ["red"]) == "red"
    assert m.priority_rag(["on_track", "at_risk"], ["green"]) == "amber"
    assert m.priority_rag(["on_track"], ["amber"]) == "amber"
    assert m.priority_rag(["on_track", "not_started"], ["grey"]) == "green"
    assert m.priority_rag(["not_started"], ["grey"]) == "grey"
    assert m.priority_rag([], []) == "grey"


def test_strategy_end_is_the_end_of_the_financial_year() -> None:
    assert m.strategy_end(2014) == D(2014, 3, 31)
