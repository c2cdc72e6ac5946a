"""Spatial statistics benchmark: SaferCity against its peers, side by side, one run.

    .venv/bin/python benchmarks/spatial.py            # everything (a few minutes on 2 cores)
    .venv/bin/python benchmarks/spatial.py --quick    # smaller brute-force samples (esda's
                                                      # Gi* is measured the same in both)

Data (real, from ../shared/data; never copied into the project):

* police.uk street-level crime, West Yorkshire, 2016-07, 2017-07 and 2018-07 (all categories),
  longitude/latitude projected to British National Grid with pyproj;
* Chicago residential burglaries 2016 (NearRepeat R package), EPSG:26971 metres, dates.

Where a size needs more events than the data hold, the real events are replicated with a small
random jitter, and the table says so. Peer timings that would take too long at full size are
measured on a smaller problem and extrapolated linearly in the quantity that drives their cost;
those rows say "extrapolated".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"

ROWS: list[tuple[str, str, str, str, str]] = []  # (task, tool, size, time, note)
#: esda's Gi* permutations are measured on a block of ESDA_BLOCK x ESDA_BLOCK cells in
#: ESDA_RUNS rounds, in the quick and the full run alike (one method, one ratio)
ESDA_BLOCK = 100
ESDA_RUNS = 3


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best = math.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def fmt_s(t: float) -> str:
    if t < 1:
        return f"{t * 1000:.0f} ms"
    if t < 120:
        return f"{t:.2f} s"
    return f"{t / 60:.1f} min"


def add(task: str, tool: str, size: str, t: float | str, note: str = "") -> None:
    ROWS.append((task, tool, size, t if isinstance(t, str) else fmt_s(t), note))


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


def west_yorkshire_bng() -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    frames = [
        pd.read_csv(p, usecols=["Longitude", "Latitude"])
        for p in sorted((SHARED / "police-uk" / "west-yorkshire").glob("*.csv"))
    ]
    d = pd.concat(frames).dropna()
    tr = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    e, n = tr.transform(d["Longitude"].to_numpy(), d["Latitude"].to_numpy())
    return np.asarray(e), np.asarray(n)


def chicago_burglary() -> pd.DataFrame:
    d = pd.read_csv(SHARED / "incidents" / "chicago_burglary_2016.csv").dropna()
    d["days"] = (pd.to_datetime(d["date"]) - pd.Timestamp("1970-01-01")).dt.days.astype(float)
    return d


def replicate(x: np.ndarray, y: np.ndarray, n: int, jitter_m: float, seed: int = 0) -> Any:
    rng = np.random.default_rng(seed)
    reps = math.ceil(n / x.size)
    xs = np.concatenate([x + rng.normal(0, jitter_m, x.size) for _ in range(reps)])[:n]
    ys = np.concatenate([y + rng.normal(0, jitter_m, y.size) for _ in range(reps)])[:n]
    return xs, ys


# ---------------------------------------------------------------------------------------------
# Gi*
# ---------------------------------------------------------------------------------------------


def bench_gi(quick: bool) -> None:
    from esda.getisord import G_Local
    from libpysal.weights import lat2W

    from safercity.analytics.hotspots import GiStar, Grid, grid_counts

    e, n = west_yorkshire_bng()
    side = 500
    cs = math.ceil(max(np.ptp(e), np.ptp(n)) / side) + 1.0
    grid = Grid(math.floor(e.min()), math.floor(n.min()), cs, side, side)
    counts = grid_counts(e, n, grid)
    size = f"{grid.size:,} cells ({cs:.0f} m), {int(counts.sum()):,} incidents"
    data_note = "West Yorkshire police.uk, 3 months"

    GiStar(counts[:20, :20], permutations=9, seed=1)  # numba warm-up (compiled once, cached)
    t_ours, ours = timed(lambda: GiStar(counts), repeat=3)
    add("Gi* analytic z", "SaferCity GiStar", size, t_ours, data_note)

    def esda_analytic() -> Any:
        w = lat2W(side, side, rook=False)
        return G_Local(counts.ravel(), w, transform="B", star=True, permutations=0)

    t_esda, lg = timed(esda_analytic)
    same = float(np.nanmax(np.abs(lg.Zs - ours.Zs.ravel())))
    add("Gi* analytic z", "esda lat2W + G_Local", size, t_esda, f"max |dz| = {same:.1e}")
    add("Gi* analytic z", "ratio esda / SaferCity", "", f"{t_esda / t_ours:,.0f}x", "")

    P = 999
    t_perm, gp = timed(lambda: GiStar(counts, permutations=P, seed=1))
    add(
        "Gi* 999 permutations",
        "SaferCity GiStar",
        size,
        t_perm,
        f"{gp.groups} (count, neighbours) groups share draws",
    )
    # The worst case for SaferCity: continuous values, every cell its own group. esda is
    # measured the same way in both modes (issue 18): on the same 100 x 100 block (10,000
    # cells), extrapolated linearly in cells to the full grid, in ESDA_RUNS rounds that each
    # time SaferCity's worst case too, so the ratio comes with its spread over rounds.
    rng = np.random.default_rng(0)
    cont = counts + rng.uniform(0, 0.5, counts.shape)  # counts plus noise (labelled)
    block = ESDA_BLOCK
    sub = cont[:block, :block] if counts[:block, :block].sum() > 0 else cont[-block:, -block:]
    ws = lat2W(block, block, rook=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G_Local(
            sub.ravel()[:400],
            lat2W(20, 20, rook=False),
            transform="B",
            star=True,
            permutations=9,
            seed=1,
        )  # warm-up: esda's numba compilation
        t_conts: list[float] = []
        t_smalls: list[float] = []
        for r in range(ESDA_RUNS):
            t_conts.append(timed(lambda r=r: GiStar(cont, permutations=P, seed=r))[0])
            t_smalls.append(
                timed(
                    lambda r=r: G_Local(
                        sub.ravel(), ws, transform="B", star=True, permutations=P, seed=r
                    )
                )[0]
            )
    scale = grid.size / sub.size
    ratios = sorted(t * scale / o for t, o in zip(t_smalls, t_conts, strict=True))
    ratio_perm = sorted(t * scale / t_perm for t in t_smalls)
    spread = f"{ESDA_RUNS} rounds"
    add(
        "Gi* 999 permutations",
        "SaferCity GiStar, no shared draws",
        f"{grid.size:,} cells",
        f"{fmt_s(float(np.median(t_conts)))} ({fmt_s(min(t_conts))}-{fmt_s(max(t_conts))})",
        f"counts + U(0, 0.5) noise: every cell distinct; median (range) of {spread}",
    )
    add(
        "Gi* 999 permutations",
        "esda G_Local (n_jobs=-1)",
        f"{sub.size:,} cells measured",
        f"{fmt_s(float(np.median(t_smalls)))} ({fmt_s(min(t_smalls))}-{fmt_s(max(t_smalls))})",
        f"same noisy values; median (range) of {spread}; "
        f"{np.median(t_smalls) / sub.size * 1e6:,.0f} us a cell",
    )
    add(
        "Gi* 999 permutations",
        "esda G_Local (n_jobs=-1)",
        f"{grid.size:,} cells",
        f"~{fmt_s(float(np.median(t_smalls)) * scale)}",
        f"extrapolated x{scale:.0f} from {sub.size:,} cells (cost is cells x permutations)",
    )
    add(
        "Gi* 999 permutations",
        "ratio esda / SaferCity",
        "",
        f"~{np.median(ratio_perm):,.0f}x ({ratio_perm[0]:,.0f}-{ratio_perm[-1]:,.0f})",
        "real counts: cells sharing (count, neighbours) share draws",
    )
    add(
        "Gi* 999 permutations",
        "ratio esda / SaferCity (worst case)",
        "",
        f"~{np.median(ratios):,.1f}x ({ratios[0]:,.1f}-{ratios[-1]:,.1f})",
        f"every cell distinct; median (range) over {spread}, each round timing both",
    )


# ---------------------------------------------------------------------------------------------
# KDE
# ---------------------------------------------------------------------------------------------


def bench_kde(quick: bool) -> None:
    from KDEpy import FFTKDE
    from scipy.stats import gaussian_kde

    from safercity.analytics.hotspots import Grid, KernelDensity, exact_density

    e, n = west_yorkshire_bng()
    N = 1_000_000
    x, y = replicate(e, n, N, jitter_m=50.0)
    side = 400
    cs = math.ceil(max(np.ptp(x), np.ptp(y)) / side) + 1.0
    grid = Grid(math.floor(x.min()), math.floor(y.min()), cs, side, side)
    size = f"{N:,} pts, {grid.size:,} cells ({cs:.0f} m)"
    note = f"West Yorkshire x{math.ceil(N / e.size)}, 50 m jitter"
    h = 250.0  # Gaussian sd, metres
    rng = np.random.default_rng(1)
    q = rng.integers(0, grid.size, 300)

    def err_vs_exact(values: np.ndarray, qx: np.ndarray, qy: np.ndarray, peak: float) -> float:
        exact = exact_density(qx, qy, x, y, h, "gaussian")
        return float(np.abs(values - exact).max() / peak)

    for m in ("direct", "fft"):  # warm-up (numba compiles once, then caches)
        KernelDensity(x[:100], y[:100], grid, bandwidth=h, kernel="gaussian", method=m)
    for method in ("auto", "fft", "separable"):
        t, kde = timed(
            lambda m=method: KernelDensity(x, y, grid, bandwidth=h, kernel="gaussian", method=m),
            repeat=3,
        )
        # accuracy at the peak cell and 300 random cells against the exact sum
        flat = kde.density.ravel()
        cells = np.concatenate([q, [int(np.argmax(flat))]])
        r, c = np.unravel_index(cells, grid.shape)
        peak_exact = float(
            exact_density(grid.x_centres[c[-1:]], grid.y_centres[r[-1:]], x, y, h, "gaussian")[0]
        )
        err = err_vs_exact(flat[cells], grid.x_centres[c], grid.y_centres[r], peak_exact)
        add(
            "KDE Gaussian sd 250 m",
            f"SaferCity KernelDensity ({method}{' -> ' + kde.method if method == 'auto' else ''})",
            size,
            t,
            f"max error {err * 100:.2f}% of peak; {note}",
        )
        if method == "auto":
            t_ours = t
    for method in ("auto", "fft"):
        t_q, kq = timed(
            lambda m=method: KernelDensity(x, y, grid, bandwidth=600.0, kernel="quartic", method=m),
            repeat=3,
        )
        label = f"{method}{' -> ' + kq.method if method == 'auto' else ''}"
        add("KDE quartic r 600 m", f"SaferCity KernelDensity ({label})", size, t_q, note)

    data = np.column_stack([x, y])

    def kdepy() -> Any:
        return FFTKDE(kernel="gaussian", bw=h).fit(data).evaluate((side, side))

    t_k, (pts, vals) = timed(kdepy, repeat=3)
    vals = vals * N * 1e6  # probability density per m² -> incidents per km²
    sel = np.concatenate([rng.integers(0, vals.size, 300), [int(np.argmax(vals))]])
    peak_exact = float(exact_density(pts[sel[-1:], 0], pts[sel[-1:], 1], x, y, h, "gaussian")[0])
    err_k = err_vs_exact(vals[sel], pts[sel, 0], pts[sel, 1], peak_exact)
    add(
        "KDE Gaussian sd 250 m",
        "KDEpy FFTKDE",
        f"{N:,} pts, {side}x{side} grid",
        t_k,
        f"max error {err_k * 100:.2f}% of peak (its own grid)",
    )
    add("KDE Gaussian sd 250 m", "ratio KDEpy / SaferCity", "", f"{t_k / t_ours:,.1f}x", "")
    fine = side * 4  # KDEpy on a finer grid, to approach the same accuracy

    def kdepy_fine() -> Any:
        return FFTKDE(kernel="gaussian", bw=h).fit(data).evaluate((fine, fine))

    t_kf, (pts_f, vals_f) = timed(kdepy_fine)
    vals_f = vals_f * N * 1e6
    self_f = np.concatenate([rng.integers(0, vals_f.size, 300), [int(np.argmax(vals_f))]])
    peak_f = float(
        exact_density(pts_f[self_f[-1:], 0], pts_f[self_f[-1:], 1], x, y, h, "gaussian")[0]
    )
    err_kf = err_vs_exact(vals_f[self_f], pts_f[self_f, 0], pts_f[self_f, 1], peak_f)
    add(
        "KDE Gaussian sd 250 m",
        "KDEpy FFTKDE, finer grid",
        f"{N:,} pts, {fine}x{fine} grid",
        t_kf,
        f"max error {err_kf * 100:.2f}% of peak (its own grid)",
    )
    add("KDE Gaussian sd 250 m", "ratio KDEpy fine / SaferCity", "", f"{t_kf / t_ours:,.1f}x", "")

    sub = 2_000 if quick else 5_000
    kde_sp = gaussian_kde(data[:sub].T)  # its own (data-covariance) bandwidth: timing only
    centres = np.array(np.meshgrid(grid.x_centres, grid.y_centres)).reshape(2, -1)
    t_s, _ = timed(lambda: kde_sp(centres))
    t_s_full = t_s * N / sub
    add("KDE Gaussian", "scipy gaussian_kde", f"{sub:,} pts, {grid.size:,} cells", t_s, "measured")
    add(
        "KDE Gaussian",
        "scipy gaussian_kde",
        size,
        f"~{fmt_s(t_s_full)}",
        f"extrapolated x{N // sub} in points (cost is points x cells)",
    )
    add("KDE Gaussian", "ratio scipy / SaferCity", "", f"~{t_s_full / t_ours:,.0f}x", "")


# ---------------------------------------------------------------------------------------------
# Knox
# ---------------------------------------------------------------------------------------------

S_BREAKS = [0.0, 1.0, 100.0, 200.0, 300.0, 400.0, math.inf]
T_BREAKS = [0.0, 7.0, 14.0, 21.0, 28.0, math.inf]


def knox_events(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    d = chicago_burglary()
    if n <= len(d):
        d = d.iloc[:n]
        return d.X.to_numpy(), d.Y.to_numpy(), d.days.to_numpy(), "Chicago burglary 2016"
    rng = np.random.default_rng(0)
    reps = math.ceil(n / len(d))
    x = np.concatenate([d.X.to_numpy() + rng.uniform(-50, 50, len(d)) for _ in range(reps)])
    y = np.concatenate([d.Y.to_numpy() + rng.uniform(-50, 50, len(d)) for _ in range(reps)])
    t = np.concatenate([d.days.to_numpy() + rng.integers(-3, 4, len(d)) for _ in range(reps)])
    return x[:n], y[:n], t[:n], f"Chicago burglary 2016 x{reps}, 50 m / 3 day jitter"


def brute_force_tables(
    x: np.ndarray, y: np.ndarray, t: np.ndarray, perms: int, seed: int
) -> tuple[np.ndarray, float]:
    """NumPy brute force: all n(n-1)/2 distances held in memory; returns observed, s/perm."""
    from scipy.spatial.distance import pdist

    d = pdist(np.column_stack([x, y]), metric="cityblock")
    sband = np.searchsorted(S_BREAKS, d, side="right") - 1
    del d
    T = len(T_BREAKS) - 1

    def table(tt: np.ndarray) -> np.ndarray:
        dt = pdist(tt[:, None], metric="cityblock")
        tband = np.searchsorted(T_BREAKS, dt, side="right") - 1
        return np.bincount(sband * T + tband, minlength=(len(S_BREAKS) - 1) * T).reshape(-1, T)

    obs = table(t)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(perms):
        table(rng.permutation(t))
    per = (time.perf_counter() - t0) / max(perms, 1)
    return obs, per


def peak_rss_gb() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss, not inherited on exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e6
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def knox_case(case: str) -> dict[str, Any]:
    """Run one Knox case in this (fresh) process; report time and this process's peak RSS."""
    from safercity.analytics.near_repeat import Knox

    base = peak_rss_gb()
    kind, n_s, p_s = case.split(":")
    n, P = int(n_s), int(p_s)
    x, y, t, label = knox_events(n)
    out: dict[str, Any] = {"label": label, "n": n, "P": P}
    if kind == "ours":
        Knox(x[:200], y[:200], t[:200], S_BREAKS, T_BREAKS, permutations=2, seed=1)  # warm-up
        base = peak_rss_gb()
        t0 = time.perf_counter()
        k = Knox(x, y, t, S_BREAKS, T_BREAKS, permutations=P, seed=1)
        out["seconds"] = time.perf_counter() - t0
        out["observed"] = k.observed.tolist()
        out["close_pairs"] = k.close_pairs
    else:
        t0 = time.perf_counter()
        obs, per = brute_force_tables(x, y, t, P, 1)
        out["seconds_per_perm"] = per
        out["seconds_observed"] = time.perf_counter() - t0 - per * P
        out["observed"] = obs.tolist()
    out["peak_gb"] = peak_rss_gb()
    out["baseline_gb"] = base
    return out


def run_case(case: str) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = "ignore"
    res = subprocess.run(
        [sys.executable, __file__, "--case", case],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def bench_knox(quick: bool) -> None:
    o10 = run_case("ours:10000:999")
    size10 = f"{o10['n']:,} events x 999 perms"
    add(
        "Knox 999 perms",
        "SaferCity Knox",
        size10,
        o10["seconds"],
        f"{o10['label']}; {o10['close_pairs']:,} close pairs; peak RSS {o10['peak_gb']:.2f} GB",
    )
    bf_perms = 2 if quick else 5
    b10 = run_case(f"brute:10000:{bf_perms}")
    same = "observed tables equal" if b10["observed"] == o10["observed"] else "TABLES DIFFER"
    t_bf = b10["seconds_observed"] + 999 * b10["seconds_per_perm"]
    add(
        "Knox 999 perms",
        "NumPy brute force (pdist)",
        size10,
        f"~{fmt_s(t_bf)}",
        f"extrapolated from {bf_perms} perms; peak RSS {b10['peak_gb']:.2f} GB; {same}",
    )
    add(
        "Knox 999 perms", "ratio brute force / SaferCity", "", f"~{t_bf / o10['seconds']:,.0f}x", ""
    )

    o100 = run_case("ours:100000:99")
    add(
        "Knox 99 perms",
        "SaferCity Knox",
        f"{o100['n']:,} events x 99 perms",
        o100["seconds"],
        f"{o100['label']}; {o100['close_pairs']:,} close pairs; "
        f"peak RSS {o100['peak_gb']:.2f} GB (interpreter + libraries {o100['baseline_gb']:.2f})",
    )
    n_pairs = 100_000 * 99_999 // 2
    add(
        "Knox 99 perms",
        "NumPy brute force (pdist)",
        "100,000 events",
        "not run",
        f"{n_pairs:,} pairs: ~{n_pairs * 8 * 3 / 1e9:.0f} GB of pair arrays",
    )
    add(
        "Knox",
        "R NearRepeat / Ratcliffe NRC",
        "",
        "not run",
        "no R or Windows here; the issue cites ~6 GB at 10,000 events for NearRepeat",
    )


# ---------------------------------------------------------------------------------------------


def print_table() -> None:
    headers = ("task", "tool", "size", "time", "note")
    widths = [max(len(h), *(len(r[i]) for r in ROWS)) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for r in ROWS:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller peer samples")
    ap.add_argument("--only", choices=["gi", "kde", "knox"], action="append")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(knox_case(args.case)))
        return 0
    if not SHARED.is_dir():
        print(f"real data folder {SHARED} is missing", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} cores, load average {load:.1f} at start (the cores are "
        f"shared: all timings, ours and the peers', run under the same load); "
        f"numpy {np.__version__}",
        flush=True,
    )
    parts = args.only or ["gi", "kde", "knox"]
    if "gi" in parts:
        bench_gi(args.quick)
    if "kde" in parts:
        bench_kde(args.quick)
    if "knox" in parts:
        bench_knox(args.quick)
    print_table()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
