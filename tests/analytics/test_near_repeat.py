"""Knox test: observed tables against a brute-force O(n^2) count, the NRC's published table,
hand-checked tiny cases, the exact permutation expectation, and reproducibility."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safercity.analytics.near_repeat import Knox, project_to_metres, to_days

INF = math.inf


def brute_force(
    x: np.ndarray, y: np.ndarray, t: np.ndarray, sb: list[float], tb: list[float], metric: str
) -> np.ndarray:
    """Every pair i<j, each distance computed exactly as the docstring defines it."""
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    dy = y[j] - y[i]
    d = np.abs(dx) + np.abs(dy) if metric == "manhattan" else np.sqrt(dx * dx + dy * dy)
    dt = np.abs(t[i] - t[j])
    out = np.zeros((len(sb) - 1, len(tb) - 1), dtype=np.int64)
    for s in range(len(sb) - 1):
        ins = (d >= sb[s]) & (d < sb[s + 1])
        for k in range(len(tb) - 1):
            out[s, k] = int(np.count_nonzero(ins & (dt >= tb[k]) & (dt < tb[k + 1])))
    return out


def _chicago(shared: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(shared / "incidents" / name, header=None, names=["X", "Y", "date"])


# --- hand-checked ---------------------------------------------------------------------------


def test_two_events_hand_checked_nrc_pathological_case() -> None:
    # Steenbeek's NRC example: one pair 100 m (Manhattan) and 3 days apart.
    x, y = [0.0, 0.0], [0.0, 100.0]
    dates = ["2019-01-01", "2019-01-04"]
    k = Knox.near_repeat_calculator(
        x,
        y,
        dates,
        spatial_bandwidth=200,
        spatial_bands=2,
        temporal_bandwidth=3,
        temporal_bands=2,
        permutations=0,
    )
    assert k.space_labels == ["Same location", "1 to 200", "201 to 400", "More than 400"]
    assert k.time_labels == ["0 to 3", "4 to 6", "More than 6"]
    expected = np.zeros((4, 3), dtype=int)
    expected[1, 1] = 1  # the NRC puts it in "1 to 200" x "4 to 6": [1, 200) x [3, 6)
    np.testing.assert_array_equal(k.observed, expected)
    k100 = Knox.near_repeat_calculator(
        x,
        y,
        dates,
        spatial_bandwidth=100,
        spatial_bands=2,
        temporal_bandwidth=3,
        temporal_bands=2,
        permutations=0,
    )
    assert k100.observed[2, 1] == 1 and k100.observed.sum() == 1  # "101 to 200"


def test_nrc_mode_uses_whole_days() -> None:
    # 23:00 and 01:00 the next day are 2 hours apart but on dates one day apart, as the NRC sees
    k = Knox.near_repeat_calculator(
        [0.0, 0.0],
        [0.0, 50.0],
        ["2019-01-01 23:00", "2019-01-02 01:00"],
        spatial_bandwidth=100,
        spatial_bands=1,
        temporal_bandwidth=1,
        temporal_bands=2,
        permutations=0,
    )
    assert k.time_labels == ["0 to 1", "2 to 2", "More than 2"]
    np.testing.assert_array_equal(k.observed[1], [0, 1, 0])  # [1, 2) days: "2 to 2"
    generic = Knox(
        [0.0, 0.0],
        [0.0, 50.0],
        ["2019-01-01 23:00", "2019-01-02 01:00"],
        [0, 100],
        [0, 1, 2],
        permutations=0,
    )
    np.testing.assert_array_equal(generic.observed, [[1, 0]])  # 2 hours: [0, 1) days


def test_four_events_hand_checked_both_metrics() -> None:
    # points: A(0,0) d0, B(3,4) d2, C(0,10) d10, D(3,4) d30 (same place as B)
    x = [0.0, 3.0, 0.0, 3.0]
    y = [0.0, 4.0, 10.0, 4.0]
    t = [0, 2, 10, 30]
    # Manhattan: AB 7, AC 10, AD 7, BC 9, BD 0, CD 9; days: AB 2, AC 10, AD 30, BC 8, BD 28, CD 20
    k = Knox(x, y, t, [0, 1, 8, 10], [0, 7, 21, INF], permutations=0)
    # [0,1): BD(28)->[21,inf)  [1,8): AB(2)->[0,7), AD(30)->[21,inf)  [8,10): BC(8), CD(20)
    np.testing.assert_array_equal(k.observed, [[0, 0, 1], [1, 0, 1], [0, 2, 0]])
    # Euclidean: AB 5, AC 10, AD 5, BC sqrt(45)=6.708, BD 0, CD 6.708
    ke = Knox(x, y, t, [0, 1, 6, 10], [0, 7, 21, INF], metric="euclidean", permutations=0)
    # [1,6): AB(2), AD(30)  [6,10): BC(8), CD(20); AC=10 is outside [.., 10)
    np.testing.assert_array_equal(ke.observed, [[0, 0, 1], [1, 0, 1], [0, 2, 0]])
    ko = Knox(x, y, t, [0, 1, 8, INF], [0, 7, 21, INF], permutations=0)
    np.testing.assert_array_equal(ko.observed, [[0, 0, 1], [1, 0, 1], [0, 3, 0]])  # + AC


def test_p_value_formula_and_ratios_from_simulations() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 500, 60).astype(float)
    y = rng.integers(0, 500, 60).astype(float)
    t = rng.integers(0, 60, 60)
    k = Knox(
        x, y, t, [0, 100, 200, INF], [0, 7, 14, INF], permutations=49, seed=3, keep_simulations=True
    )
    sims = k.simulations
    assert sims is not None and sims.shape == (49, 3, 3)
    obs = k.observed
    np.testing.assert_array_equal(k.p_values, ((sims >= obs).sum(axis=0) + 1) / 50)
    np.testing.assert_allclose(k.expected, sims.mean(axis=0), rtol=0, atol=0)
    np.testing.assert_allclose(k.knox_ratio, obs / sims.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(k.knox_ratio_median, obs / np.median(sims, axis=0), rtol=1e-15)
    np.testing.assert_allclose(k.z_scores, (obs - sims.mean(0)) / sims.std(0), rtol=1e-12)
    # every simulated table keeps the pair total of each band margin fixed
    assert (sims.sum(axis=(1, 2)) == obs.sum()).all()


# --- against brute force ------------------------------------------------------------------


@given(
    pts=st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 20)),
        min_size=0,
        max_size=40,
    ),
    sgaps=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    tgaps=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    s0=st.integers(0, 3),
    t0=st.integers(0, 2),
    open_space=st.booleans(),
    open_time=st.booleans(),
    metric=st.sampled_from(["manhattan", "euclidean"]),
    chunk=st.sampled_from([1, 7, 20_000_000]),
)
@settings(max_examples=150, deadline=None)
def test_observed_equals_brute_force_random_inputs_with_ties(
    pts: list[tuple[int, int, int]],
    sgaps: list[int],
    tgaps: list[int],
    s0: int,
    t0: int,
    open_space: bool,
    open_time: bool,
    metric: str,
    chunk: int,
) -> None:
    # integer coordinates, days and breaks: many pairs fall exactly on band edges
    arr = np.array(pts, dtype=float).reshape(-1, 3)
    sb = list(np.cumsum([s0, *sgaps]).astype(float))
    tb = list(np.cumsum([t0, *tgaps]).astype(float))
    if open_space:
        sb.append(INF)
    if open_time:
        tb.append(INF)
    k = Knox(
        arr[:, 0],
        arr[:, 1],
        arr[:, 2],
        sb,
        tb,
        metric=metric,
        permutations=0,
        max_pairs_in_memory=chunk,
    )
    np.testing.assert_array_equal(
        k.observed, brute_force(arr[:, 0], arr[:, 1], arr[:, 2], sb, tb, metric)
    )


@given(
    xy=st.lists(
        st.tuples(st.floats(0, 1000), st.floats(0, 1000), st.floats(0, 50)), min_size=2, max_size=60
    ),
    metric=st.sampled_from(["manhattan", "euclidean"]),
)
@settings(max_examples=60, deadline=None)
def test_observed_equals_brute_force_real_valued(
    xy: list[tuple[float, float, float]], metric: str
) -> None:
    a = np.array(xy)
    sb = [0.0, 50.0, 125.5, 400.0, INF]
    tb = [0.0, 3.5, 7.0, 30.0]
    k = Knox(a[:, 0], a[:, 1], a[:, 2], sb, tb, metric=metric, permutations=0)
    np.testing.assert_array_equal(
        k.observed, brute_force(a[:, 0], a[:, 1], a[:, 2], sb, tb, metric)
    )


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["chicago_be_month1.csv", "chicago_arson.csv"])
@pytest.mark.parametrize("metric", ["manhattan", "euclidean"])
def test_observed_equals_brute_force_chicago(shared_data: Path, name: str, metric: str) -> None:
    d = _chicago(shared_data, name)
    t = to_days(d.date)
    x = d.X.to_numpy()
    y = d.Y.to_numpy()
    for sb, tb in (
        ([0, 1, 100, 200, 300, INF], [0, 7, 14, 21, INF]),
        ([0, 0.1, 200, 400, 600], [0, 1, 2, 3, INF]),
        ([50, 500, 1000, INF], [1, 10, 30]),
    ):
        k = Knox(x, y, d.date, sb, tb, metric=metric, permutations=0, max_pairs_in_memory=500)
        np.testing.assert_array_equal(k.observed, brute_force(x, y, t, sb, tb, metric))


@pytest.mark.shared_data
def test_nrc_mode_reproduces_the_calculators_published_table(shared_data: Path) -> None:
    # Near Repeat Calculator 1.3 verbose output for chicago_be_month1.csv, 100 m x 3 bands,
    # 7 days x 3 bands, Manhattan ("Observed frequencies distribution"), as published in the
    # NearRepeat R package (inst/extdata/chicago_be_month1_NRverbose_2019-09-23_143005.csv).
    nrc_observed = [
        [28, 5, 5, 2],
        [44, 13, 8, 4],
        [97, 56, 19, 16],
        [77, 67, 45, 20],
        [182194, 146149, 95237, 45879],
    ]
    d = _chicago(shared_data, "chicago_be_month1.csv")
    k = Knox.near_repeat_calculator(
        d.X,
        d.Y,
        d.date,
        spatial_bandwidth=100,
        spatial_bands=3,
        temporal_bandwidth=7,
        temporal_bands=3,
        permutations=199,
        seed=831,
    )
    np.testing.assert_array_equal(k.observed, nrc_observed)
    assert k.space_labels == [
        "Same location",
        "1 to 100",
        "101 to 200",
        "201 to 300",
        "More than 300",
    ]
    assert k.time_labels == ["0 to 7", "8 to 14", "15 to 21", "More than 21"]
    text = k.summary(event="burglary")
    assert "Within 1 to 100 metres of a burglary, the risk of another is" in text
    pct = round((k.knox_ratio[1, 0] - 1) * 100)
    assert f"{pct}% higher for up to 7 days" in text


@pytest.mark.shared_data
def test_nrc_mode_reproduces_the_calculators_second_published_table(shared_data: Path) -> None:
    # Near Repeat Calculator 1.3 verbose output for chicago_arson.csv (522 arsons), 200 m x 3
    # bands, 1 day x 3 bands, Manhattan, as published in the NearRepeat R package
    # (inst/extdata/chicago_arson_NRverbose_2019-09-23_145637.csv, "Observed frequencies
    # distribution"; its blank cells are zeros). In double precision with "same location"
    # taken as under 1 m, four cells differed by one pair each.
    nrc_observed = [
        [0, 2, 0, 8],
        [9, 1, 1, 45],
        [4, 0, 0, 140],
        [6, 0, 0, 234],
        [393, 710, 770, 133658],
    ]
    d = _chicago(shared_data, "chicago_arson.csv")
    k = Knox.near_repeat_calculator(
        d.X,
        d.Y,
        d.date,
        spatial_bandwidth=200,
        spatial_bands=3,
        temporal_bandwidth=1,
        temporal_bands=3,
        permutations=0,
    )
    np.testing.assert_array_equal(k.observed, nrc_observed)
    assert k.space_labels == [
        "Same location",
        "1 to 200",
        "201 to 400",
        "401 to 600",
        "More than 600",
    ]
    assert k.time_labels == ["0 to 1", "2 to 2", "3 to 3", "More than 3"]


def test_nrc_mode_single_precision_and_zero_distance_hand_checked() -> None:
    # float32 holds multiples of 1/32 m near 359,000 m: 359399.99 is read as 359400.0, so a
    # pair 399.99 m apart in double precision is 400 m apart to the calculator ("401 to 600");
    # a pair 0.5 m apart is not at the same location ("1 to 200"); only identical points are.
    x = [359000.0, 359399.99, 370000.0, 370000.5, 380000.0, 380000.0]
    y = [570000.0] * 6
    dates = ["2016-01-01", "2016-01-01", "2016-02-01", "2016-02-01", "2016-03-01", "2016-03-01"]
    nrc = dict(spatial_bandwidth=200, spatial_bands=3, temporal_bandwidth=1, temporal_bands=3)
    k = Knox.near_repeat_calculator(x, y, dates, permutations=0, **nrc)  # type: ignore[arg-type]
    same_day = k.observed[:, 0]
    assert same_day.tolist() == [1, 1, 0, 1, 0]  # same location, 1-200, 201-400, 401-600, more
    # the general mode keeps double precision: the first pair is 399.99 m apart, [200, 400)
    g = Knox(x, y, dates, [0, 200, 400, 600, INF], [0, 1, INF], permutations=0)
    assert g.observed[:, 0].tolist() == [2, 1, 0, 0]


# --- inference -----------------------------------------------------------------------------


@pytest.mark.shared_data
def test_simulated_means_converge_to_the_exact_permutation_expectation(shared_data: Path) -> None:
    # Shuffling dates sends each pair's dates to a uniformly random pair of the dates, so
    # E[O_st] = N_s * N_t / N exactly (N_s pairs in space band s, N_t in time band t).
    d = _chicago(shared_data, "chicago_arson.csv")
    sb, tb = [0, 200, 400, 800, INF], [0, 2, 7, 14, INF]
    P = 999
    k = Knox(d.X, d.Y, d.date, sb, tb, permutations=P, seed=11, keep_simulations=True)
    n_pairs = k.observed.sum()
    exact = np.outer(k.observed.sum(axis=1), k.observed.sum(axis=0)) / n_pairs
    assert k.simulations is not None
    se = k.simulations.std(axis=0) / math.sqrt(P)
    Z_TOL = 4.5  # 16 cells: a 4.5-standard-error band is essentially never crossed by chance
    assert np.all(np.abs(k.expected - exact) <= Z_TOL * se + 1e-9)


def test_same_seed_same_results_and_chunking_does_not_change_them() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2000, 400)
    y = rng.uniform(0, 2000, 400)
    t = rng.integers(0, 90, 400)
    args = (x, y, t, [0, 100, 300, INF], [0, 7, 30, INF])
    a = Knox(*args, permutations=99, seed=42, keep_simulations=True)
    b = Knox(*args, permutations=99, seed=42, keep_simulations=True, max_pairs_in_memory=50)
    c = Knox(*args, permutations=99, seed=43, keep_simulations=True)
    assert b.pair_chunks > 1 and a.pair_chunks == 1
    assert a.simulations is not None and b.simulations is not None and c.simulations is not None
    np.testing.assert_array_equal(a.simulations, b.simulations)
    np.testing.assert_array_equal(a.p_values, b.p_values)
    assert not np.array_equal(a.simulations, c.simulations)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="increase"):
        Knox([0, 1], [0, 1], [0, 1], [0, 100, 50], [0, 7])
    with pytest.raises(ValueError, match="only the last"):
        Knox([0, 1], [0, 1], [0, 1], [0, INF, 50], [0, 7])
    with pytest.raises(ValueError, match="metric"):
        Knox([0, 1], [0, 1], [0, 1], [0, 100], [0, 7], metric="chebyshev")
    with pytest.raises(ValueError, match="same length"):
        Knox([0, 1], [0], [0, 1], [0, 100], [0, 7])


def test_dates_and_projection() -> None:
    np.testing.assert_array_equal(to_days(["1970-01-02", "1970-01-03 12:00"]), [1.0, 2.5])
    # Leeds Town Hall (lon/lat) lands in British National Grid near E 429,900 N 433,900
    px, py, crs = project_to_metres([-1.5500], [53.8000], "EPSG:4326")
    assert crs == "EPSG:27700"
    assert abs(px[0] - 429_900) < 1_000 and abs(py[0] - 433_900) < 1_000


@pytest.mark.shared_data
def test_summary_names_metres_once(shared_data: Path) -> None:
    # labels that carry their unit ("1 to 100 m", as the Strategic Assessment's) read
    # "in 1 to 100 m from", not "in 1 to 100 m m from"
    d = _chicago(shared_data, "chicago_be_month1.csv")
    k = Knox(
        d.X,
        d.Y,
        d.date,
        [0, 1, 100, 200, INF],
        [0, 7, 14, INF],
        permutations=99,
        seed=5,
        space_labels=["same place", "1 to 100 m", "100 to 200 m", "200 m or more"],
    )
    text = k.summary(event="burglary")
    assert "1 to 100 m from a burglary" in text and " m m " not in text
