"""Hotspots: Gi* against esda and hand values, KDE against the exact sum on real data,
contiguity against libpysal, FDR against statsmodels, PAI/PEI and BJP by hand."""

from __future__ import annotations

import itertools
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import shape

from safercity.analytics.hotspots import (
    GiStar,
    GiStarPolygons,
    Grid,
    KernelDensity,
    PredictiveAccuracy,
    ProspectiveHotspots,
    contiguity,
    exact_density,
    fdr_reject,
    grid_counts,
    grid_geojson,
    grid_svg,
)

ESDA_TOL = 1e-10  # the tolerance for Gi* z-scores against esda
KDE_TOL = 0.005  # the tolerance: 0.5% of the peak density


def _chicago(shared: Path) -> pd.DataFrame:
    d = pd.read_csv(shared / "incidents" / "chicago_burglary_2016.csv")
    return d.dropna()


# --- grid ---------------------------------------------------------------------------------


def test_grid_snaps_to_multiples_of_the_cell_and_counts() -> None:
    g = Grid.from_extent(430_020, 433_950, 430_310, 434_000, 100)
    assert (g.x0, g.y0, g.ncols, g.nrows) == (430_000, 433_900, 4, 2)
    np.testing.assert_array_equal(g.x_centres, [430_050, 430_150, 430_250, 430_350])
    c = grid_counts([430_001, 430_099, 430_350, 500_000], [433_901, 433_999, 434_050, 0], g)
    np.testing.assert_array_equal(c, [[2, 0, 0, 0], [0, 0, 0, 1]])


def test_grid_from_an_area_and_its_mask() -> None:
    from shapely.geometry import Polygon

    tri = Polygon([(1000, 1000), (1400, 1000), (1000, 1400)])
    g = Grid.from_area(tri, 100)
    assert (g.x0, g.y0, g.ncols, g.nrows) == (1000, 1000, 5, 5)
    m = g.inside(tri)
    # centres (1050 + 100c, 1050 + 100r) with x + y <= 2400: c + r <= 3 (c + r = 3 on the edge)
    expected = np.add.outer(np.arange(5), np.arange(5)) <= 3
    np.testing.assert_array_equal(m, expected)


# --- Gi* ----------------------------------------------------------------------------------


def test_gi_star_hand_checked_1x4() -> None:
    # y = 1 2 3 4; n = 4, mean 2.5, variance 1.25; queen neighbourhoods with the cell itself
    gi = GiStar([[1.0, 2.0, 3.0, 4.0]])
    s = math.sqrt(1.25)
    expected = [-2 / (s * math.sqrt(4 / 3)), -1.5 / s, 1.5 / s, 2 / (s * math.sqrt(4 / 3))]
    np.testing.assert_allclose(gi.Zs[0], expected, rtol=1e-12)
    np.testing.assert_allclose(gi.Gs[0], [3 / 10, 6 / 10, 9 / 10, 7 / 10], rtol=1e-15)
    np.testing.assert_array_equal(gi.cardinality[0], [2, 3, 3, 2])


@pytest.mark.shared_data
def test_gi_star_z_equals_esda_queen_and_distance_band(shared_data: Path) -> None:
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand, lat2W

    d = _chicago(shared_data)
    grid = Grid.from_points(d.X, d.Y, 400)
    counts = grid_counts(d.X, d.Y, grid)
    ours = GiStar(counts)
    w = lat2W(*counts.shape, rook=False)
    esda = G_Local(counts.ravel(), w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours.Zs.ravel(), esda.Zs, rtol=0, atol=ESDA_TOL)

    band = 1000.0  # metres: a disc of cells, 5 x 5 minus corners
    ours_b = GiStar(counts, cell_size=grid.cell_size, distance_band=band)
    xx, yy = np.meshgrid(grid.x_centres, grid.y_centres)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = DistanceBand(np.column_stack([xx.ravel(), yy.ravel()]), threshold=band, binary=True)
        esda_b = G_Local(counts.ravel(), wb, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours_b.Zs.ravel(), esda_b.Zs, rtol=0, atol=ESDA_TOL)


def test_permutation_null_matches_the_exact_conditional_distribution() -> None:
    # 2 x 3 grid: the corner cell (0, 0) has 3 neighbours besides... itself + 3 = card 4, so
    # its null sum is y_i + 3 values drawn from the 5 others: enumerate all C(5, 3) = 10.
    y = np.array([[4.0, 0.5, 2.0], [1.0, 3.0, 7.0]])
    P = 20_000
    gi = GiStar(y, permutations=P, seed=7)
    flat = y.ravel()
    obs = flat[0] + flat[1] + flat[3] + flat[4]
    others = np.delete(flat, 0)
    sums = [flat[0] + sum(c) for c in itertools.combinations(others, 3)]
    exact_ge = np.mean([s >= obs for s in sums])
    exact_le = np.mean([s <= obs for s in sums])
    p_exact = min(exact_ge, exact_le)
    assert gi.p_sim is not None
    se = math.sqrt(p_exact * (1 - p_exact) / P)
    assert abs(gi.p_sim[0, 0] - p_exact) < 5 * se + 2 / P
    exact_mean = np.mean(sums) / flat.sum()
    assert gi.EG_sim is not None
    assert abs(gi.EG_sim[0, 0] - exact_mean) < 0.01 * exact_mean


@pytest.mark.shared_data
def test_permutations_reproducible_and_means_converge_on_real_counts(shared_data: Path) -> None:
    d = _chicago(shared_data)
    grid = Grid.from_points(d.X, d.Y, 500)
    counts = grid_counts(d.X, d.Y, grid)
    P = 1999  # 2 / (P + 1) = 0.001 is small enough for FDR over these ~4,600 cells
    a = GiStar(counts, permutations=P, seed=3)
    b = GiStar(counts, permutations=P, seed=3)
    c = GiStar(counts, permutations=P, seed=4)
    assert a.p_sim is not None and b.p_sim is not None and c.p_sim is not None
    np.testing.assert_array_equal(a.p_sim, b.p_sim)
    assert not np.array_equal(a.p_sim, c.p_sim)
    # E[sum under conditional randomisation] = y_i + (card - 1) * (total - y_i) / (n - 1)
    n = counts.size
    total = counts.sum()
    exact = (counts + (a.cardinality - 1) * (total - counts) / (n - 1)) / total
    assert a.EG_sim is not None and a.seG_sim is not None
    assert np.all(np.abs(a.EG_sim - exact) <= 5 * a.seG_sim / math.sqrt(P) + 1e-12)
    # hot classes sit where the analytic z is high
    assert a.hot_spots > 0
    assert np.nanmin(a.Zs[a.classes > 0]) > 0


def test_fdr_matches_statsmodels_and_classes() -> None:
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(1)
    p = np.concatenate([rng.uniform(0, 0.02, 30), rng.uniform(0, 1, 300)])
    for alpha in (0.01, 0.05, 0.1):
        np.testing.assert_array_equal(
            fdr_reject(p, alpha), multipletests(p, alpha=alpha, method="fdr_bh")[0]
        )
    y = np.zeros((20, 20))
    y[2:5, 2:5] = 9.0
    y[14:17, 14:17] = 3.0
    gi = GiStar(y, fdr=False)
    two = np.minimum(1, 2 * gi.p_norm)
    expected = np.select([two <= 0.01, two <= 0.05, two <= 0.10], [3, 2, 1], 0)
    np.testing.assert_array_equal(np.abs(gi.classes), expected)
    assert gi.classes[3, 3] == 3 and (np.sign(gi.classes) >= 0).all()
    fdr = GiStar(y, fdr=True)
    assert 0 < fdr.hot_spots <= gi.hot_spots


def test_no_incidents_gives_nothing_significant() -> None:
    gi = GiStar(np.zeros((5, 5)), permutations=99, seed=1)
    assert np.isnan(gi.Zs).all() and (gi.classes == 0).all()
    assert gi.p_sim is not None and (gi.p_sim == 1).all()


def test_mask_leaves_cells_out() -> None:
    y = np.arange(16, dtype=float).reshape(4, 4)
    mask = np.ones((4, 4), dtype=bool)
    mask[:, 3] = False
    gi = GiStar(y, mask=mask)
    ref = GiStar(y[:, :3])
    np.testing.assert_allclose(gi.Zs[:, :3], ref.Zs, rtol=1e-12)
    assert np.isnan(gi.Zs[:, 3]).all() and (gi.classes[:, 3] == 0).all()


# --- polygons -----------------------------------------------------------------------------


@pytest.mark.shared_data
def test_polygons_contiguity_and_gi_star_equal_libpysal_esda(shared_data: Path) -> None:
    from esda.getisord import G_Local
    from libpysal.weights import Queen, Rook

    gj = json.loads((shared_data / "boundaries" / "westminster-lsoa-2011.geojson").read_text())
    geoms = [shape(f["geometry"]) for f in gj["features"]]
    density = np.array([f["properties"]["POPDEN"] for f in gj["features"]], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = Queen.from_iterable(geoms)
        r = Rook.from_iterable(geoms)
        ours = contiguity(geoms, "queen")
        assert [sorted(q.neighbors[i]) for i in range(len(geoms))] == ours
        assert [sorted(r.neighbors[i]) for i in range(len(geoms))] == contiguity(geoms, "rook")
        esda = G_Local(density, q, transform="B", star=True, permutations=0)
    gi = GiStarPolygons(density, geoms)
    np.testing.assert_allclose(gi.Zs, esda.Zs, rtol=0, atol=ESDA_TOL)
    gp = GiStarPolygons(density, neighbours=ours, permutations=99, seed=1)
    assert gp.p_sim is not None and gp.p_sim.shape == (128,)


# --- kernel density -------------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("kernel", "bandwidth", "method"),
    [
        ("quartic", 600.0, "fft"),
        ("quartic", 600.0, "direct"),
        ("gaussian", 250.0, "fft"),
        ("gaussian", 250.0, "separable"),
        ("gaussian", 250.0, "direct"),
    ],
)
def test_kde_equals_exact_sum_on_real_data(
    shared_data: Path, kernel: str, bandwidth: float, method: str
) -> None:
    d = _chicago(shared_data)
    grid = Grid.from_points(d.X, d.Y, 150)
    kde = KernelDensity(d.X, d.Y, grid, bandwidth=bandwidth, kernel=kernel, method=method)
    # exact sum at the 200 densest cells and 800 random cells
    rng = np.random.default_rng(0)
    flat = kde.density.ravel()
    sel = np.unique(np.concatenate([np.argsort(flat)[-200:], rng.integers(0, flat.size, 800)]))
    r, c = np.unravel_index(sel, grid.shape)
    qx = grid.x_centres[c]
    qy = grid.y_centres[r]
    exact = np.zeros(sel.size)
    px = d.X.to_numpy()
    py = d.Y.to_numpy()
    h2 = bandwidth**2
    for lo in range(0, sel.size, 100):  # plain NumPy direct sum, independent of the module
        dx = qx[lo : lo + 100, None] - px[None, :]
        dy = qy[lo : lo + 100, None] - py[None, :]
        d2 = dx * dx + dy * dy
        if kernel == "quartic":
            u = np.clip(1 - d2 / h2, 0, None)
            exact[lo : lo + 100] = (3 / (math.pi * h2) * u * u).sum(axis=1) * 1e6
        else:
            exact[lo : lo + 100] = (np.exp(-d2 / (2 * h2)) / (2 * math.pi * h2)).sum(1) * 1e6
    peak = exact.max()
    assert kde.method == method
    assert np.abs(flat[sel] - exact).max() <= KDE_TOL * peak
    if method == "direct":  # exact up to rounding (and the Gaussian's cut at 5 sd)
        assert np.abs(flat[sel] - exact).max() <= 1e-4 * peak
    # the module's own exact sum (Gaussian cut at 5 sd: within 1e-4 of the peak)
    ours_exact = exact_density(qx, qy, px, py, bandwidth, kernel)
    assert np.abs(ours_exact - exact).max() <= 1e-4 * peak


def test_kde_integrates_to_the_number_of_points() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(2000, 3000, 500)
    y = rng.uniform(2000, 3000, 500)
    grid = Grid.from_extent(0, 0, 5000, 5000, 50)
    for kernel, h in (("quartic", 300.0), ("gaussian", 120.0)):
        kde = KernelDensity(x, y, grid, bandwidth=h, kernel=kernel)
        mass = kde.density.sum() * (grid.cell_size / 1000) ** 2
        assert abs(mass - 500) < 0.5


# --- accuracy and forecasting -------------------------------------------------------------


def test_pai_pei_hit_rate_hand_checked() -> None:
    scores = np.array([[5.0, 4.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 0.0, 0.0]])
    later = np.array([[2.0, 0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 6.0, 0.0]])
    acc = PredictiveAccuracy(scores, later, coverages=[0.1, 0.2, 0.3])
    # 10 cells, 10 later crimes; 1 cell -> 2 crimes; 2 cells -> 2; 3 cells -> 3
    np.testing.assert_array_equal(acc.cells, [1, 2, 3])
    np.testing.assert_allclose(acc.hit_rate, [0.2, 0.2, 0.3])
    np.testing.assert_allclose(acc.pai, [2.0, 1.0, 1.0])
    # best possible: 6, 6+2, 6+2+1
    np.testing.assert_allclose(acc.pei, [2 / 6, 2 / 8, 3 / 9])
    # ties at the cut share the places: 4 cells flagged from 7 cells tied at 0 after the top 3
    tie = PredictiveAccuracy(scores, later, coverages=[0.4])
    np.testing.assert_allclose(tie.captured, [3 + 1 / 7 * (1 + 6)])
    flat = PredictiveAccuracy(np.zeros(10), np.arange(10.0), coverages=[0.3])
    np.testing.assert_allclose(flat.pai, [1.0])


def test_prospective_hotspots_hand_checked() -> None:
    grid = Grid.from_extent(0, 0, 499, 99, 100)  # 1 row x 5 cells
    # one event in cell 0, 10 days before (1 whole week), one 70 days before (too old)
    risk = ProspectiveHotspots(
        [50.0, 450.0], [50.0, 50.0], [90.0, 30.0], grid, at=100.0, space_bandwidth=250
    )
    tw = 1 / (1 + 1)
    np.testing.assert_allclose(risk.risk[0], [tw * 1, tw / 2, tw / 3, 0, 0])
    assert risk.events_used == 1


# --- map layers ---------------------------------------------------------------------------


def test_geojson_and_svg_layers() -> None:
    grid = Grid.from_extent(429_900, 433_800, 430_099, 433_999, 100)  # Leeds, 2 x 2
    vals = np.array([[0.0, 2.5], [0.0, 0.0]])
    cls = np.array([[0, 3], [-2, 0]])
    gj = grid_geojson(grid, {"density": vals, "class": cls})
    assert len(gj["features"]) == 2
    f = next(f for f in gj["features"] if f["properties"]["col"] == 1)
    assert f["properties"] == {"row": 0, "col": 1, "density": 2.5, "class": 3}
    lon, lat = f["geometry"]["coordinates"][0][0]
    assert -1.6 < lon < -1.5 and 53.7 < lat < 53.9
    bng = grid_geojson(grid, {"density": vals}, wgs84=False)
    assert bng["features"][0]["geometry"]["coordinates"][0][0] == [430_000.0, 433_800.0]
    svg = grid_svg(grid, cls, classes=True, title="Gi*")
    assert svg.startswith("<svg") and svg.count('fill="#d62f27"') == 2  # cell + legend
    assert "Cold spot, 95% confidence" in svg


def test_concurrent_calls_from_threads_give_the_serial_results() -> None:
    # the web server calls from several threads; numba's parallel kernels must not clash
    from concurrent.futures import ThreadPoolExecutor

    from safercity.analytics.near_repeat import Knox

    rng = np.random.default_rng(4)
    x = rng.uniform(0, 3000, 400)
    y = rng.uniform(0, 3000, 400)
    t = rng.integers(0, 60, 400)
    grid = Grid.from_extent(0, 0, 3000, 3000, 100)
    counts = grid_counts(x, y, grid)

    def work(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        kde = KernelDensity(x, y, grid, bandwidth=300.0, method="direct")
        gi = GiStar(counts, permutations=99, seed=i % 2)
        k = Knox(x, y, t, [0, 100, 200, math.inf], [0, 7, 14], permutations=19, seed=i % 2)
        assert gi.p_sim is not None
        return kde.density, gi.p_sim, k.p_values

    serial = [work(i) for i in range(2)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(work, range(6)))
    for i, res in enumerate(parallel):
        for a, b in zip(res, serial[i % 2], strict=True):
            np.testing.assert_array_equal(a, b)


def test_draw_tables_give_the_shifted_sums_of_conditional_randomisation() -> None:
    # the simulated sum of a cell e is the sum of y over its draws, each index j read as j + 1
    # when j >= e (so e itself is never drawn); the tables must give exactly that for every
    # exemplar, number of draws and simulation
    from safercity.analytics.hotspots import _draw_tables, _random_draws

    rng = np.random.default_rng(7)
    y = rng.integers(0, 9, 40).astype(float)
    M = _random_draws(y.size - 1, 8, 25, seed=3)
    kvals = np.array([0, 3, 5, 8], dtype=np.int64)
    rows, base, suffix = _draw_tables(y, M, kvals)
    for t, k in enumerate(kvals):
        for e in range(y.size):
            for p in range(M.shape[0]):
                idx = M[p, :k]
                direct = y[np.where(idx >= e, idx + 1, idx)].sum()
                below = int((rows[t, p, :k] < e).sum())
                assert base[t, p] + suffix[t, p, below] == direct
