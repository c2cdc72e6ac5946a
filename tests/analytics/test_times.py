"""Times: aoristic apportioning checked by hand and by a minute-by-minute count on real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.times import (
    NoTimesError,
    TimeProfile,
    aoristic_table,
    aoristic_weights,
    window_weights,
)

EXACT_TOL = 1e-9
#: minute discretisation of the brute-force check: at most one minute per window is misplaced
MINUTE_TOL = 0.02


def _frame(pairs: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occurred_from": pd.to_datetime([a for a, _ in pairs]),
            "occurred_to": pd.to_datetime([b for _, b in pairs]),
        }
    )


def test_aoristic_by_hand() -> None:
    # Monday 20:10 to 22:00 (1 h 50 min): proportional 50/110 to 20h and 60/110 to 21h;
    # Ratcliffe's aoristic value: the window touches hours 20 and 21 -> 1/2 each.
    w = aoristic_weights(np.array([20 + 10 / 60]), np.array([22.0]))
    assert w[0, 20] == pytest.approx(50 / 110, abs=EXACT_TOL)
    assert w[0, 21] == pytest.approx(60 / 110, abs=EXACT_TOL)
    assert w.sum() == pytest.approx(1.0, abs=EXACT_TOL)
    r = aoristic_weights(np.array([20 + 10 / 60]), np.array([22.0]), method="ratcliffe")
    assert r[0, 20] == r[0, 21] == pytest.approx(0.5, abs=EXACT_TOL)
    assert r.sum() == pytest.approx(1.0, abs=EXACT_TOL)
    # Sunday 23:00 to Monday 01:00 wraps the week: half to Sun 23h (bin 167), half to Mon 0h
    w = aoristic_weights(np.array([167.0]), np.array([169.0]))
    assert w[0, 167] == pytest.approx(0.5) and w[0, 0] == pytest.approx(0.5)
    # an exact time: all weight to its hour; a two-week window: 1/168 everywhere
    assert aoristic_weights(np.array([30.5]), np.array([30.5]))[0, 30] == 1.0
    assert np.allclose(aoristic_weights(np.array([0.0]), np.array([336.0])), 1 / 168)


@pytest.mark.parametrize("method", ["proportional", "ratcliffe"])
def test_fast_table_equals_sum_of_weights(method: str) -> None:
    rng = np.random.default_rng(3)
    s = rng.uniform(0, 2000, 500)
    length = np.where(rng.random(500) < 0.2, 0.0, rng.exponential(10, 500))
    length[:5] = [0.0, 168.0, 400.0, 1.0, 0.25]
    e = s + length
    expected = aoristic_weights(s, e, method=method).sum(axis=0)  # type: ignore[arg-type]
    got = aoristic_table(s, e, method=method)  # type: ignore[arg-type]
    assert np.allclose(got, expected, atol=1e-9)
    assert got.sum() == pytest.approx(500, abs=1e-9)


def test_window_share_by_hand() -> None:
    # 18:00-22:00 has 2 of its 4 hours inside 20:00-04:00; 03:00-05:00 has 1 of 2;
    # exact 23:30 is inside; exact 12:00 is outside.
    s = np.array([18.0, 27.0, 23.5, 12.0])
    e = np.array([22.0, 29.0, 23.5, 12.0])
    assert window_weights(s, e, (20.0, 4.0)).tolist() == pytest.approx([0.5, 0.5, 1.0, 0.0])


def test_time_profile_hour_by_day_table() -> None:
    f = _frame(
        [
            ("2020-01-06 20:10", "2020-01-06 22:00"),  # Monday
            ("2020-01-11 23:30", None),  # Saturday, exact
            ("2020-01-12 12:00", "2020-01-12 12:00"),  # Sunday noon
        ]
    )
    f.loc[3] = [pd.NaT, pd.NaT]  # no time: left out, counted
    tp = TimeProfile(f)
    assert tp.n_timed == 3 and tp.n_untimed == 1 and tp.n_exact == 2
    assert tp.table.loc[20, "Mon"] == pytest.approx(50 / 110)
    assert tp.table.loc[23, "Sat"] == pytest.approx(1.0)
    assert tp.table.to_numpy().sum() == pytest.approx(3.0)
    assert tp.window_share == pytest.approx(2 / 3)
    assert "67% of incidents" in tp.statement and "1 without a time" in tp.statement


def test_month_only_data_cannot_answer() -> None:
    f = pd.DataFrame({"month": pd.to_datetime(["2020-01-01"]), "occurred_from": [pd.NaT]})
    with pytest.raises(NoTimesError, match="cannot answer: source has no times"):
        TimeProfile(f)
    with pytest.raises(NoTimesError):
        TimeProfile(pd.DataFrame({"month": pd.to_datetime(["2020-01-01"])}))


@pytest.mark.shared_data
def test_aoristic_matches_minute_count_dc_burglaries(shared_data: Path) -> None:
    # Washington DC burglaries 2016 (R package aoristic): start/end windows.
    dc = pd.read_csv(shared_data / "incidents" / "aoristic_dcburglaries.csv")
    f = pd.DataFrame(
        {
            "occurred_from": pd.to_datetime(dc["StartDateTime"]),
            "occurred_to": pd.to_datetime(dc["EndDateTime"]),
        }
    ).dropna()
    f = f[f["occurred_to"] >= f["occurred_from"]]
    short = f[(f["occurred_to"] - f["occurred_from"]) <= pd.Timedelta(days=3)]
    tp = TimeProfile(short)
    assert tp.table.to_numpy().sum() == pytest.approx(len(short), abs=1e-6)
    # independent brute force: spread each window over its minutes, count minutes per hour-of-week
    brute = np.zeros(168)
    for a, b in zip(short["occurred_from"], short["occurred_to"], strict=True):
        minutes = (
            pd.date_range(a, b, freq="min", inclusive="left") if b > a else pd.DatetimeIndex([a])
        )
        how = minutes.day_of_week * 24 + minutes.hour
        brute += np.bincount(how, minlength=168) / len(minutes)
    ours = tp.table.to_numpy().T.reshape(-1)
    assert np.abs(ours - brute).max() < MINUTE_TOL * max(brute.max(), 1)
    assert 0.0 < tp.window_share < 1.0


@pytest.mark.shared_data
def test_exact_times_homicides(shared_data: Path) -> None:
    # crimedata homicides 2015 (exact date-times): the table is a plain hour x weekday count.
    h = pd.read_csv(shared_data / "incidents" / "crimedata_homicides15.csv")
    t = pd.to_datetime(h["date_single"])
    tp = TimeProfile(pd.DataFrame({"occurred_from": t, "occurred_to": t}))
    expected = pd.crosstab(t.dt.hour, t.dt.day_of_week).reindex(
        index=range(24), columns=range(7), fill_value=0
    )
    assert np.array_equal(tp.table.to_numpy(), expected.to_numpy())
    hours = t.dt.hour
    assert tp.window_share == pytest.approx(((hours >= 20) | (hours < 4)).mean(), abs=EXACT_TOL)


@pytest.mark.shared_data
def test_ratcliffe_method_matches_hour_touch_count_ny_burglaries(shared_data: Path) -> None:
    # Manhattan burglaries 2019 (R package aoristic): dates plus times as fractions of a day.
    ny = pd.read_csv(shared_data / "incidents" / "aoristic_NYburg.csv").dropna()
    start = pd.to_datetime(ny["CMPLNT_FR_DT"]) + pd.to_timedelta(ny["CMPLNT_FR_TM"], unit="D")
    end = pd.to_datetime(ny["CMPLNT_TO_DT"]) + pd.to_timedelta(ny["CMPLNT_TO_TM"], unit="D")
    keep = (end >= start) & ((end - start) <= pd.Timedelta(days=7))
    start, end = start[keep].dt.round("s"), end[keep].dt.round("s")
    tp = TimeProfile(pd.DataFrame({"occurred_from": start, "occurred_to": end}), method="ratcliffe")
    # brute force: Ratcliffe's aoristic value, 1/k to each of the k clock hours a window touches
    brute = np.zeros(168)
    for a, b in zip(start, end, strict=True):
        first = a.floor("h")
        last = b.ceil("h") if b > first else first + pd.Timedelta(hours=1)
        hours = pd.date_range(first, last, freq="h", inclusive="left")
        brute[hours.day_of_week * 24 + hours.hour] += 1.0 / len(hours)
    ours = tp.table.to_numpy().T.reshape(-1)
    assert np.allclose(ours, brute, atol=1e-9)
    assert ours.sum() == pytest.approx(int(keep.sum()))
