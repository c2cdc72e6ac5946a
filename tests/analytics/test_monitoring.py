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
    # a range: 20-25%; 27 is outside but within 10% of the upper end (2 <= 2.5)
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


# --------------------------------------------------------------------------- boundaries
# Each rule's boundary pinned on both sides (mutation testing found them unpinned: issue 16).


def test_an_update_dated_today_counts_and_one_dated_tomorrow_does_not() -> None:
    today = D(2011, 9, 30)
    assert m.milestone_status([U(today, "complete")], today) == "complete"
    assert m.milestone_status([U(today + dt.timedelta(days=1), "complete")], today) == (
        "not_started"
    )
    assert m.activity_status([U(today, "complete")], ["overdue"], today) == "complete"
    assert m.activity_status([U(today + dt.timedelta(days=1), "complete")], ["overdue"], today) == (
        "overdue"
    )
    assert m.start_status([U(today, "complete")], today, start=D(2011, 5, 1)) == "complete"


def test_due_day_itself_is_not_overdue_and_the_day_after_is() -> None:
    due = D(2011, 9, 30)
    assert m.milestone_status([U(D(2011, 9, 1), "on_track")], due, due=due) == "on_track"
    assert m.milestone_status(
        [U(D(2011, 9, 1), "on_track")], due + dt.timedelta(days=1), due=due
    ) == ("overdue")


def test_due_soon_is_30_days_inclusive() -> None:
    today = D(2011, 9, 30)
    assert m.milestone_status([], today, due=today + dt.timedelta(days=30)) == "at_risk"
    assert m.milestone_status([], today, due=today + dt.timedelta(days=31)) == "not_started"
    started = [U(D(2011, 9, 1), "not_started")]
    assert m.milestone_status(started, today, due=today + dt.timedelta(days=30)) == "at_risk"
    assert m.milestone_status(started, today, due=today + dt.timedelta(days=31)) == "not_started"


def test_stale_after_135_days_exactly() -> None:
    today = D(2011, 9, 30)
    assert m.milestone_status([U(today - dt.timedelta(days=135), "on_track")], today) == "on_track"
    assert m.milestone_status([U(today - dt.timedelta(days=136), "on_track")], today) == "at_risk"


def test_the_later_of_two_updates_on_one_day_wins() -> None:
    day = D(2011, 9, 1)
    assert m.latest([U(day, "at_risk"), U(day, "on_track")]) == U(day, "on_track")
    assert m.latest([U(day, "on_track"), U(day, "at_risk")]) == U(day, "at_risk")
    assert m.latest([]) is None


def test_activity_with_no_updates_of_its_own_and_every_milestone_complete_is_complete() -> None:
    assert m.activity_status([], ["complete", "complete"], TODAY) == "complete"
    # its own stale update does not hold it back once it has updates... but one is needed to
    # count: with an update of its own it is a part too
    assert m.activity_status([U(D(2011, 9, 1), "on_track")], ["complete"], TODAY) == "on_track"
    assert m.activity_status([], ["complete", "on_track"], TODAY) == "on_track"
    assert m.combine(["not_started", "complete"]) == "on_track"


def test_priority_rag_each_rule_alone() -> None:
    assert m.priority_rag(["overdue"], []) == "red"
    assert m.priority_rag([], ["red"]) == "red"
    assert m.priority_rag(["at_risk"], []) == "amber"
    assert m.priority_rag([], ["amber"]) == "amber"
    assert m.priority_rag(["complete"], []) == "green"
    assert m.priority_rag(["on_track"], []) == "green"
    assert m.priority_rag([], ["green"]) == "green"
    assert m.priority_rag(["not_started"], ["grey"]) == "grey"


def test_a_value_exactly_10_percent_off_is_within_tolerance_and_beyond_it_is_not() -> None:
    today = D(2012, 1, 15)
    # against a target: 27 against 30 is exactly 10% short; 26.9 is more
    r = m.MeasureRating([(D(2011, 12, 31), 27.0)], today, direction="achieve", target=30)
    assert (r.rag, r.label) == ("amber", "Within tolerance")
    r = m.MeasureRating([(D(2011, 12, 31), 26.9)], today, direction="achieve", target=30)
    assert (r.rag, r.label) == ("red", "Off track")
    # a reduce target: 110 against 100 exactly 10% over
    r = m.MeasureRating([(D(2011, 12, 31), 110.0)], today, direction="reduce", target=100)
    assert r.rag == "amber"
    r = m.MeasureRating([(D(2011, 12, 31), 110.5)], today, direction="reduce", target=100)
    assert r.rag == "red"
    # against a baseline, with no target (a percentage: no count test): 45 against 50 is 10%
    pts = [(D(2011, 6, 30), 50.0), (D(2011, 12, 31), 45.0)]
    r = m.MeasureRating(pts, today, direction="increase", unit="percent")
    assert (r.rag, r.label) == ("amber", "Within tolerance")
    pts = [(D(2011, 6, 30), 50.0), (D(2011, 12, 31), 44.9)]
    r = m.MeasureRating(pts, today, direction="increase", unit="percent")
    assert (r.rag, r.label) == ("red", "Off track")
    pts = [(D(2011, 6, 30), 50.0), (D(2011, 12, 31), 50.0)]
    assert m.MeasureRating(pts, today, direction="increase", unit="percent").label == (
        "Within tolerance"
    )  # no change is not an improvement
    # above a range's upper end: 27.5 is 2.5 above 25 (10% of 25), 27.6 is not
    r = m.MeasureRating([(D(2011, 12, 31), 27.5)], today, target=20, target_upper=25)
    assert r.rag == "amber"
    r = m.MeasureRating([(D(2011, 12, 31), 27.6)], today, target=20, target_upper=25)
    assert r.rag == "red"
    # the range's ends are inside it
    for v in (20.0, 25.0):
        assert (
            m.MeasureRating([(D(2011, 12, 31), v)], today, target=20, target_upper=25).label
            == "Met"
        )


def test_met_exactly_at_the_target() -> None:
    today = D(2012, 1, 15)
    assert m.MeasureRating([(D(2011, 12, 31), 30.0)], today, target=30).label == "Met"
    assert (
        m.MeasureRating([(D(2011, 12, 31), 100.0)], today, direction="reduce", target=100).label
        == "Met"
    )
    r = m.MeasureRating([(D(2011, 12, 31), 100.5)], today, direction="reduce", target=100)
    assert r.label != "Met"


def test_a_measure_with_a_single_value() -> None:
    today = D(2012, 1, 15)
    one = [(D(2011, 12, 31), 20.0)]
    r = m.MeasureRating(one, today, direction="increase", deadline=D(2012, 6, 30))
    # no baseline to compare with (the first value is the baseline only with two or more),
    # no line to project
    assert (r.baseline, r.projected, r.comparison) == (None, None, None)
    assert (r.rag, r.label) == ("grey", "No target")
    r = m.MeasureRating(one, today, target=40, deadline=D(2012, 6, 30))
    assert (r.latest, r.latest_date, r.projected, r.label) == (
        20.0,
        D(2011, 12, 31),
        None,
        "Off track",
    )
    two = [(D(2011, 6, 30), 10.0), *one]
    assert m.MeasureRating(two, today, direction="increase", unit="percent").baseline == 10.0


def test_projection_only_before_the_deadline() -> None:
    pts = [(D(2011, 6, 30), 10.0), (D(2011, 12, 31), 20.0)]
    on_deadline = m.MeasureRating(pts, D(2012, 7, 31), target=30, deadline=D(2012, 7, 31))
    assert on_deadline.projected is None
    before = m.MeasureRating(pts, D(2012, 7, 30), target=30, deadline=D(2012, 7, 31))
    assert before.projected == pytest.approx(20 + 10 * 213 / 184)
    # a dated baseline is the first point of the line: 0 on 31 Dec 2010, 10, 20 -> slope
    # 10 per 182.5 days on average; without its date it is not a point
    r = m.MeasureRating(
        pts,
        D(2012, 1, 1),
        target=30,
        baseline=0,
        baseline_date=D(2010, 12, 31),
        deadline=D(2012, 7, 31),
    )
    xs = [D(2010, 12, 31).toordinal(), D(2011, 6, 30).toordinal(), D(2011, 12, 31).toordinal()]
    ys = [0.0, 10.0, 20.0]
    mx, my = sum(xs) / 3, sum(ys) / 3
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    assert r.projected == pytest.approx(my + slope * (D(2012, 7, 31).toordinal() - mx))
    flat = [(D(2011, 6, 30), 10.0), (D(2011, 6, 30), 12.0)]  # one day: no slope
    assert (
        m.MeasureRating(flat, D(2012, 1, 1), target=30, deadline=D(2012, 7, 31)).projected is None
    )


# --------------------------------------------------------------------------- relative targets


def test_double_the_baseline_a_ten_percent_rise_is_not_green() -> None:
    """Issue 16: "Double the number of victims accessing support" with a 10% rise showed green."""
    today = D(2012, 3, 31)
    double = [m.Target(times=2, end=D(2014, 3, 31))]
    pts = [(D(2011, 6, 30), 40.0), (D(2012, 3, 31), 44.0)]
    r = m.MeasureRating(pts, today, direction="increase", targets=double, unit="victims")
    assert r.target_value == 80.0  # twice the first value: the document gives no baseline
    assert r.rag == "red" and r.label == "Off track"
    r = m.MeasureRating(
        [(D(2011, 6, 30), 40.0), (D(2012, 3, 31), 80.0)],
        today,
        direction="increase",
        targets=double,
    )
    assert (r.rag, r.label) == ("green", "Met")
    # 5% fewer than a baseline of 200: 190 meets it, 191 does not (and is within tolerance)
    fewer = [m.Target(percent=-5)]
    r = m.MeasureRating([(today, 190.0)], today, direction="reduce", targets=fewer, baseline=200)
    assert (r.target_value, r.label) == (190.0, "Met")
    r = m.MeasureRating([(today, 191.0)], today, direction="reduce", targets=fewer, baseline=200)
    assert r.label == "Within tolerance"
    # a relative target without any baseline cannot be rated
    r = m.MeasureRating([(today, 191.0)], today, direction="reduce", targets=fewer)
    assert (r.rag, r.label) == ("grey", "No baseline")


def test_a_target_for_each_year_of_the_strategy() -> None:
    years = [
        m.Target(value=10, start=D(2011, 4, 1), end=D(2012, 3, 31), label="2011/12"),
        m.Target(value=20, start=D(2012, 4, 1), end=D(2013, 3, 31), label="2012/13"),
    ]
    assert m.target_for(years, D(2012, 3, 31)).label == "2011/12"
    assert m.target_for(years, D(2012, 4, 1)).label == "2012/13"
    assert m.target_for(years, D(2011, 1, 1)).label == "2011/12"  # before: the first
    assert m.target_for(years, D(2014, 1, 1)).label == "2012/13"  # after: the last to end
    assert m.target_for([], D(2012, 1, 1)) is None
    pts = [(D(2011, 12, 31), 15.0)]
    assert m.MeasureRating(pts, D(2012, 1, 1), targets=years).label == "Met"
    r = m.MeasureRating(pts, D(2012, 5, 1), targets=years)
    assert (r.target_value, r.deadline, r.rag) == (20, D(2013, 3, 31), "red")


def test_period_values_are_summed_in_the_targets_window_cumulative_ones_are_not() -> None:
    """Issue 16: a measure says whether its values are for the period or cumulative."""
    year = [m.Target(value=40, start=D(2011, 4, 1), end=D(2012, 3, 31))]
    sessions = [
        (D(2011, 3, 31), 9.0),
        (D(2011, 6, 30), 10.0),
        (D(2011, 9, 30), 12.0),
        (D(2011, 12, 31), 11.0),
    ]
    period = m.MeasureRating(sessions, D(2012, 1, 15), targets=year, basis="period")
    # 10 + 12 + 11 = 33 in the year (the March 2011 value is before the window)
    assert (period.latest, period.latest_date) == (33.0, D(2011, 12, 31))
    # running total from 0 on 1 April: projected to 31 March 2012 on the line through
    # (1 Apr, 0), (30 Jun, 10), (30 Sep, 22), (31 Dec, 33)
    assert period.projected is not None and period.projected > 40
    assert period.label == "Projected to meet target"
    cumulative = m.MeasureRating(sessions, D(2012, 1, 15), targets=year)
    assert cumulative.latest == 11.0 and cumulative.label == "Off track"
    # a count over a window not yet complete is not tested against the baseline
    assert period.comparison is None
    done = m.MeasureRating(sessions, D(2012, 4, 2), targets=year, basis="period", baseline=20)
    assert done.comparison is not None and done.comparison.this_period == 33


def test_rates_and_shares_test_their_counts() -> None:
    """A rate's values are not counts; the counts under them are tested, with exposures."""
    today = D(2012, 3, 1)
    values = [(D(2011, 3, 1), 10.0), (D(2012, 3, 1), 6.0)]  # per 1,000 of 20,000
    counts = {D(2011, 3, 1): (200.0, 20000.0), D(2012, 3, 1): (120.0, 20000.0)}
    r = m.MeasureRating(
        values, today, direction="reduce", baseline_date=D(2011, 3, 1), counts=counts
    )
    assert r.is_count and r.comparison is not None
    assert (r.comparison.this_period, r.comparison.last_period) == (120, 200)
    assert r.baseline == 10.0 and r.change == "down" and r.label == "Significantly better"
    # a baseline date the data does not reach: no baseline, no test
    r = m.MeasureRating(
        values, today, direction="reduce", baseline_date=D(2010, 3, 1), counts=counts
    )
    assert (r.baseline, r.comparison, r.rag) == (None, None, "grey")


def test_significance_with_a_target() -> None:
    today = D(2012, 3, 31)
    # not met, significantly better than the baseline: amber, not red
    r = m.MeasureRating([(today, 150.0)], today, direction="reduce", target=100, baseline=200)
    assert (r.rag, r.label) == ("amber", "Improving, target not met")
    # not met, significantly worse: red whatever the tolerance
    r = m.MeasureRating([(today, 105.0)], today, direction="reduce", target=100, baseline=60)
    assert (r.rag, r.label) == ("red", "Significantly worse")
    # met: green, the significance reported beside it
    r = m.MeasureRating([(today, 95.0)], today, direction="reduce", target=100, baseline=100)
    assert (r.rag, r.label, r.significant) == ("green", "Met", False)


# --------------------------------------------------------------------------- recurrence


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [
        ("monthly", 1, 0),
        ("monthly thereafter", 1, 0),
        ("on a monthly basis", 1, 0),
        ("Monthly", 1, 0),
        ("fortnightly", 0, 14),
        ("every 6 weeks", 0, 42),
        ("six weekly", 0, 42),
        ("every 2 months", 2, 0),
        ("quarterly", 3, 0),
        ("3 times per year", 4, 0),
        ("three times a year", 4, 0),
        ("at least weekly", 0, 7),
        ("annually", 12, 0),
        ("ongoing", 0, 0),
    ],
)
def test_parse_recurrence(text: str, months: int, days: int) -> None:
    rec = m.parse_recurrence(text)
    assert rec is not None and (rec.months, rec.days) == (months, days)
    assert rec.ongoing == (months == 0 and days == 0)


@pytest.mark.parametrize("text", ["", "sometimes", "5 times per year", "whenever needed", None])
def test_recurrence_not_understood(text: str | None) -> None:
    assert m.parse_recurrence(text) is None


def test_occurrences_monthly_from_a_first_due_date() -> None:
    """ "May 2011; monthly thereafter": due 31 May, 30 June, 31 July ..."""
    rec = m.parse_recurrence("monthly thereafter")
    assert rec is not None
    occ = m.occurrences(rec, first_due=D(2011, 5, 31), until=D(2011, 8, 31))
    assert occ == [
        (D(2011, 5, 1), D(2011, 5, 31)),
        (D(2011, 6, 1), D(2011, 6, 30)),
        (D(2011, 7, 1), D(2011, 7, 31)),
        (D(2011, 8, 1), D(2011, 8, 31)),
    ]
    # from a start: the first is due a month after it begins
    start = m.occurrences(rec, start=D(2011, 6, 1), until=D(2011, 7, 31))
    assert start == [(D(2011, 6, 1), D(2011, 6, 30)), (D(2011, 7, 1), D(2011, 7, 31))]
    six = m.parse_recurrence("every 6 weeks")
    assert six is not None
    assert m.occurrences(six, start=D(2011, 4, 1), until=D(2011, 6, 30)) == [
        (D(2011, 4, 1), D(2011, 5, 12)),
        (D(2011, 5, 13), D(2011, 6, 23)),
    ]
    assert m.occurrences(six, first_due=D(2011, 5, 12), until=D(2011, 6, 23))[-1] == (
        D(2011, 5, 13),
        D(2011, 6, 23),
    )
    with pytest.raises(ValueError, match="first due date or a start"):
        m.occurrences(six, until=D(2011, 6, 30))
    ongoing = m.parse_recurrence("ongoing")
    assert (
        ongoing is not None
        and m.occurrences(ongoing, start=D(2011, 4, 1), until=D(2012, 1, 1)) == []
    )


def _monthly(updates: list[m.Update], today: dt.date) -> m.RecurringStatus:
    rec = m.parse_recurrence("monthly thereafter")
    assert rec is not None
    return m.RecurringStatus(
        updates, today, recurrence=rec, first_due=D(2011, 5, 31), until=D(2014, 3, 31)
    )


def test_monthly_milestone_with_monthly_updates_is_on_track() -> None:
    """Issue 16: "May 2011; monthly thereafter" showed Overdue from June 2011 however many
    monthly updates were posted."""
    updates = [U(D(2011, month, 28), "on_track") for month in range(5, 10)]
    r = _monthly(updates, D(2011, 9, 30))
    assert (r.status, r.missed) == ("on_track", [])
    assert [o.met for o in r.occurrences] == [True] * 5  # May to September, September open
    assert r.upcoming is not None and r.upcoming.due == D(2011, 9, 30)
    # the day after September closes without an update: overdue, one missed
    r = _monthly(updates[:-1], D(2011, 10, 1))
    assert r.status == "overdue" and [o.due for o in r.missed] == [D(2011, 9, 30)]


def test_monthly_milestone_with_one_update_in_april_is_late_from_july() -> None:
    """Issue 16: a monthly milestone with one update in April stayed On track until August."""
    april = [U(D(2011, 4, 20), "on_track")]
    assert _monthly(april, D(2011, 5, 31)).status == "on_track"  # May's window holds it? no:
    # the first window is May: April's update is before it, so May is open and unmet on 31 May
    r = _monthly(april, D(2011, 6, 1))
    assert r.status == "overdue" and [o.due for o in r.missed] == [D(2011, 5, 31)]
    r = _monthly(april, D(2011, 7, 1))
    assert [o.due for o in r.missed] == [D(2011, 5, 31), D(2011, 6, 30)]


def test_recurring_status_rules() -> None:
    # an update on the due day meets the occurrence; the day after is the next window
    on_due = _monthly([U(D(2011, 5, 31), "on_track")], D(2011, 6, 1))
    assert on_due.status == "on_track" and on_due.missed == []
    late = _monthly([U(D(2011, 6, 1), "on_track")], D(2011, 6, 2))
    assert late.status == "overdue"  # May missed; the June update is June's
    # an update saying at risk meets nothing
    assert _monthly([U(D(2011, 5, 10), "at_risk")], D(2011, 6, 1)).status == "overdue"
    # the open occurrence's latest update says at risk: at risk
    r = _monthly([U(D(2011, 5, 10), "on_track"), U(D(2011, 6, 10), "at_risk")], D(2011, 6, 15))
    assert r.status == "at_risk"
    # before any occurrence is past: as a dated milestone due on the first (31 May)
    assert _monthly([], D(2011, 4, 15)).status == "not_started"
    assert _monthly([], D(2011, 5, 1)).status == "at_risk"  # due in 30 days
    assert _monthly([U(D(2011, 5, 2), "on_track")], D(2011, 5, 3)).status == "on_track"
    # every occurrence past and the last met: complete
    rec = m.parse_recurrence("monthly")
    assert rec is not None
    done = m.RecurringStatus(
        [U(D(2011, 5, 5), "on_track"), U(D(2011, 6, 5), "complete")],
        D(2011, 7, 1),
        recurrence=rec,
        first_due=D(2011, 5, 31),
        until=D(2011, 6, 30),
    )
    assert done.status == "complete" and done.upcoming is None


def test_start_date_milestone_is_never_overdue() -> None:
    """Issue 16: a milestone that is only a date ("May 2011") is a start, not a deliverable."""
    start = D(2011, 5, 1)
    assert m.start_status([], D(2011, 4, 30), start=start) == "not_started"
    assert m.start_status([], D(2011, 5, 31), start=start) == "not_started"  # 30 days in
    assert m.start_status([], D(2011, 6, 1), start=start) == "at_risk"  # 31 days, no word
    assert m.start_status([U(D(2011, 5, 3), "on_track")], D(2011, 6, 1), start=start) == "on_track"
    assert m.start_status([U(D(2011, 5, 3), "on_track")], D(2011, 9, 15), start=start) == (
        "on_track"
    )  # 135 days
    assert m.start_status([U(D(2011, 5, 3), "on_track")], D(2011, 9, 16), start=start) == "at_risk"
    assert m.start_status([U(D(2011, 5, 3), "at_risk")], D(2011, 5, 4), start=start) == "at_risk"
    assert m.start_status([U(D(2011, 4, 3), "at_risk")], D(2011, 4, 4), start=start) == "at_risk"
    assert m.start_status([U(D(2011, 4, 3), "on_track")], D(2011, 4, 4), start=start) == (
        "not_started"
    )
    assert m.start_status([U(D(2011, 5, 3), "not_started")], D(2011, 5, 4), start=start) == (
        "not_started"
    )
    # years later, with no update: at risk, never overdue
    assert m.start_status([], D(2014, 3, 31), start=start) == "at_risk"


def test_milestone_kind() -> None:
    assert m.milestone_kind("monthly", D(2011, 5, 31), None) == "recurring"
    assert m.milestone_kind("ongoing", None, None) == "ongoing"
    assert m.milestone_kind(None, D(2011, 5, 31), None) == "deliverable"
    assert m.milestone_kind(None, D(2011, 5, 31), D(2011, 5, 1)) == "deliverable"
    assert m.milestone_kind(None, None, D(2011, 5, 1)) == "start"
    assert m.milestone_kind(None, None, None) == "undated"


def test_financial_years_and_the_default_day() -> None:
    assert m.financial_year(D(2011, 3, 31)) == 2010
    assert m.financial_year(D(2011, 4, 1)) == 2011
    assert m.financial_year_label(2011) == "2011/12"
    assert m.financial_year_label(1999) == "1999/00"
    assert m.strategy_start(2011) == D(2011, 4, 1)
    # issue 12: the 2011-14 example opened on today ("Quarter 3 2026/27", every priority red)
    assert m.default_as_at(2011, 2014, D(2026, 12, 3)) == D(2014, 3, 31)
    assert m.default_as_at(2011, 2014, D(2012, 7, 9)) == D(2012, 7, 9)
    assert m.default_as_at(2011, 2014, D(2010, 7, 9)) == D(2011, 4, 1)
    assert m.default_as_at(2011, 2014, D(2014, 3, 31)) == D(2014, 3, 31)
    assert m.default_as_at(2011, 2014, D(2011, 4, 1)) == D(2011, 4, 1)


# --------------------------------------------------------------------------- periods


def _months(first: dt.date, counts: list[float]) -> list[tuple[dt.date, float]]:
    out = []
    y, mo = first.year, first.month
    for c in counts:
        out.append((D(y, mo, 1), c))
        mo += 1
        if mo == 13:
            y, mo = y + 1, 1
    return out


def test_period_values_by_month_and_rolling_year() -> None:
    series = _months(D(2011, 1, 1), [float(i) for i in range(1, 15)])  # Jan 2011 .. Feb 2012
    assert m.period_values(series, "month").values == series
    rolling = m.period_values(series, "rolling_12_months")
    # 12 months to December 2011: 1 + ... + 12 = 78; to January 2012: 2 + ... + 13 = 90
    assert rolling.values == [(D(2011, 12, 1), 78.0), (D(2012, 1, 1), 90.0), (D(2012, 2, 1), 102.0)]
    assert rolling.months[D(2011, 12, 1)] == 12
    assert m.period_values(series[:11], "rolling_12_months").values == []
    assert m.period_values(series[:12], "rolling_12_months").values == [(D(2011, 12, 1), 78.0)]
    # a missing month breaks a rolling year: no value for a window over it
    gap = [p for p in series if p[0] != D(2011, 6, 1)]
    assert m.period_values(gap, "rolling_12_months").values == []


def test_period_values_by_quarter_needs_all_three_months() -> None:
    series = _months(D(2011, 2, 1), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])  # Feb .. Aug 2011
    q = m.period_values(series, "quarter")
    # January-March lacks January; April-June complete = 3+4+5; July-September lacks September
    assert q.values == [(D(2011, 4, 1), 12.0)]
    assert q.months == {D(2011, 4, 1): 3}
    # calendar quarters start in January, April, July, October
    oct_dec = _months(D(2011, 10, 1), [1.0, 1.0, 1.0])
    assert m.period_values(oct_dec, "quarter").values == [(D(2011, 10, 1), 3.0)]
    jan = _months(D(2011, 12, 1), [5.0, 1.0, 2.0, 3.0])  # December, then January-March
    assert m.period_values(jan, "quarter").values == [(D(2012, 1, 1), 6.0)]


def test_period_values_by_financial_year_needs_april_to_march() -> None:
    series = _months(D(2011, 3, 1), [100.0] + [float(i) for i in range(1, 13)] + [50.0])
    # March 2011 belongs to 2010/11 (incomplete); April 2011 .. March 2012 = 1 + ... + 12 = 78;
    # April 2012 starts 2012/13 (incomplete)
    fy = m.period_values(series, "financial_year")
    assert fy.values == [(D(2011, 4, 1), 78.0)]
    assert fy.months == {D(2011, 4, 1): 12}
    assert m.period_values(series[1:12], "financial_year").values == []  # 11 months only
    with pytest.raises(ValueError, match="unknown period"):
        m.period_values(series, "fortnight")


def test_start_day_itself_and_recurrence_words() -> None:
    start = D(2011, 5, 1)
    # on its first day the work has started: an update that day counts
    assert m.start_status([U(start, "complete")], start, start=start) == "complete"
    assert m.start_status([U(start, "on_track")], start, start=start) == "on_track"
    rec = m.parse_recurrence
    assert [
        rec(t).describe() for t in ("monthly", "every 2 months", "weekly", "every 6 weeks")
    ] == [  # type: ignore[union-attr]
        "every month",
        "every 2 months",
        "every week",
        "every 6 weeks",
    ]
    assert rec("ongoing").describe() == "ongoing"  # type: ignore[union-attr]
    assert m.Recurrence("x", days=10).describe() == "every 10 days"


def test_period_values_projection_and_complete_window_exactly() -> None:
    year = [m.Target(value=40, start=D(2011, 4, 1), end=D(2012, 3, 31))]
    pts = [(D(2011, 6, 30), 10.0), (D(2011, 12, 31), 12.0)]
    r = m.MeasureRating(pts, D(2012, 1, 1), targets=year, basis="period")
    # the line through the running totals (1 April, 0), (30 June, 10), (31 December, 22)
    xs = [D(2011, 4, 1).toordinal(), D(2011, 6, 30).toordinal(), D(2011, 12, 31).toordinal()]
    ys = [0.0, 10.0, 22.0]
    mx, my = sum(xs) / 3, sum(ys) / 3
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    assert r.projected == pytest.approx(my + slope * (D(2012, 3, 31).toordinal() - mx))
    # the year's count is tested against the baseline only once the year has ended
    on_last_day = m.MeasureRating(pts, D(2012, 3, 31), targets=year, basis="period", baseline=30)
    assert on_last_day.comparison is None
    day_after = m.MeasureRating(pts, D(2012, 4, 1), targets=year, basis="period", baseline=30)
    assert day_after.comparison is not None and day_after.comparison.this_period == 22
