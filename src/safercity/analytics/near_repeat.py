"""Near-repeat victimisation: the Knox test for space-time clustering of crimes.

A pair of incidents is *close in space* and *close in time* when their distance and the days
between them fall in chosen bands. The Knox test counts the pairs in every (space band,
time band) cell and compares each count with what happens when the dates are shuffled across
the locations (Monte Carlo permutation): if burglaries near a burglary happen soon after it
more often than shuffled dates produce, there is a near-repeat pattern.

References
----------
Knox, E. G. (1964). The detection of space-time interactions. *Applied Statistics* 13, 25-29.
Johnson, S. D. et al. (2007). Space-time patterns of risk: a cross national assessment of
residential burglary victimization. *J. Quantitative Criminology* 23, 201-219.
Ratcliffe, J. H. (2009). *Near Repeat Calculator* (version 1.3), Temple University.
Steenbeek, W. (2019). *NearRepeat* R package (the NRC interval convention is documented in its
vignette "NearRepeat and the Near Repeat Calculator software: a comparison").

Implementation
--------------
Only pairs closer than the largest finite spatial break are ever visited: events are sorted
into a grid whose cell is that break, and each event is compared with events in its own and
the neighbouring cells. The close pairs are kept in bounded chunks (``max_pairs_in_memory``) so
memory stays bounded whatever the number of events; each permutation then costs one pass over
the close pairs (numba). When the last spatial band is open ("more than 300 m"), its counts are
the total number of pairs in each time band minus the close pairs: the total is unchanged by
shuffling dates, and is found from the sorted dates in O(n log n), so the far pairs (almost all
of the n(n-1)/2) are never enumerated.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

# numba's parallel kernels are only thread-safe with the tbb/omp threading layers; the web
# server may call from several threads, so parallel kernels (here and in hotspots) run one at
# a time per process
PARALLEL_LOCK = threading.Lock()

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

METRICS = ("manhattan", "euclidean")
DAY_NS = 86_400 * 10**9


#: the upper break of the Near Repeat Calculator's "Same location" band: [0, this) holds zero
#: distances only
SAME_LOCATION = float(np.nextafter(0.0, 1.0))


def nrc_single_precision(values: npt.ArrayLike) -> FloatArray:
    """Coordinates as the Near Repeat Calculator reads them: rounded to IEEE single precision
    (float32), returned as float64 holding those exact values."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64)


def _njit(**kwargs: Any) -> Callable[[F], F]:
    return cast(Callable[[F], F], numba.njit(cache=True, nogil=True, **kwargs))


# ---------------------------------------------------------------------------------------------
# numba kernels
# ---------------------------------------------------------------------------------------------


@_njit()
def _band_of(value: float, breaks: FloatArray) -> int:
    """Index b with breaks[b] <= value < breaks[b+1]; -1 below the first, -2 at/after the last."""
    if value < breaks[0]:
        return -1
    nb = breaks.shape[0] - 1
    for b in range(nb):
        if value < breaks[b + 1]:
            return b
    return -2


@_njit()
def _distance(dx: float, dy: float, euclidean: bool) -> float:
    if euclidean:
        return math.sqrt(dx * dx + dy * dy)
    return abs(dx) + abs(dy)


@_njit()
def _cell_ranges(keys: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Unique sorted keys with the [start, end) of their events (keys already sorted)."""
    n = keys.shape[0]
    count = 0
    for i in range(n):
        if i == 0 or keys[i] != keys[i - 1]:
            count += 1
    uk = np.empty(count, np.int64)
    st = np.empty(count, np.int64)
    en = np.empty(count, np.int64)
    c = -1
    for i in range(n):
        if i == 0 or keys[i] != keys[i - 1]:
            c += 1
            uk[c] = keys[i]
            st[c] = i
        en[c] = i + 1
    return uk, st, en


@_njit()
def _find_cell(uk: IntArray, key: int) -> int:
    lo = 0
    hi = uk.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if uk[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < uk.shape[0] and uk[lo] == key:
        return lo
    return -1


@_njit()
def _close_pairs_per_cell(
    x: FloatArray,
    y: FloatArray,
    cx: IntArray,
    cy: IntArray,
    ny: int,
    uk: IntArray,
    st: IntArray,
    en: IntArray,
    breaks: FloatArray,
    euclidean: bool,
    cell_lo: int,
    cell_hi: int,
    out_i: npt.NDArray[np.int32],
    out_j: npt.NDArray[np.int32],
    out_b: npt.NDArray[np.int8],
    fill: bool,
) -> int:
    """Visit each pair of events closer than ``breaks[-1]`` once, for the cells [lo, hi).

    Band index b is stored, with the pairs below ``breaks[0]`` stored as band = number of bands
    (an "excluded" row needed to subtract from totals). Returns the number of pairs found;
    only writes them when ``fill``.
    """
    nb = breaks.shape[0] - 1
    k = 0
    for c in range(cell_lo, cell_hi):
        s0 = st[c]
        e0 = en[c]
        ix = cx[s0]
        iy = cy[s0]
        # own cell: j > i
        for i in range(s0, e0):
            for j in range(i + 1, e0):
                d = _distance(x[j] - x[i], y[j] - y[i], euclidean)
                b = _band_of(d, breaks)
                if b == -2:
                    continue
                if fill:
                    out_i[k] = i
                    out_j[k] = j
                    out_b[k] = nb if b == -1 else b
                k += 1
        # forward half of the 8 neighbours: (0,+1), (+1,-1), (+1,0), (+1,+1)
        for q in range(4):
            if q == 0:
                jx = ix
                jy = iy + 1
            else:
                jx = ix + 1
                jy = iy + q - 2
            if jy < 0 or jy >= ny:
                continue
            c2 = _find_cell(uk, jx * ny + jy)
            if c2 < 0:
                continue
            for i in range(s0, e0):
                for j in range(st[c2], en[c2]):
                    d = _distance(x[j] - x[i], y[j] - y[i], euclidean)
                    b = _band_of(d, breaks)
                    if b == -2:
                        continue
                    if fill:
                        out_i[k] = i
                        out_j[k] = j
                        out_b[k] = nb if b == -1 else b
                    k += 1
    return k


@_njit()
def _pairs_per_cell_counts(
    x: FloatArray,
    y: FloatArray,
    cx: IntArray,
    cy: IntArray,
    ny: int,
    uk: IntArray,
    st: IntArray,
    en: IntArray,
    breaks: FloatArray,
    euclidean: bool,
) -> IntArray:
    """Number of close pairs attributed to each cell (to cut the work into bounded chunks)."""
    ncell = uk.shape[0]
    counts = np.zeros(ncell, np.int64)
    dummy_i = np.empty(0, np.int32)
    dummy_b = np.empty(0, np.int8)
    for c in range(ncell):
        counts[c] = _close_pairs_per_cell(
            x,
            y,
            cx,
            cy,
            ny,
            uk,
            st,
            en,
            breaks,
            euclidean,
            c,
            c + 1,
            dummy_i,
            dummy_i,
            dummy_b,
            False,
        )
    return counts


@_njit(parallel=True)
def _count_pairs_batch(
    pi: npt.NDArray[np.int32],
    pj: npt.NDArray[np.int32],
    pb: npt.NDArray[np.int8],
    times: FloatArray,
    tbreaks: FloatArray,
    n_space_rows: int,
    out: IntArray,
) -> None:
    """For each row of ``times`` (one permutation of the dates), add the close pairs' counts.

    ``out`` has shape (batch, n_space_rows, n_time_bands).
    """
    nbatch = times.shape[0]
    npairs = pi.shape[0]
    for p in numba.prange(nbatch):
        t = times[p]
        o = out[p]
        for k in range(npairs):
            dt = abs(t[pi[k]] - t[pj[k]])
            tb = _band_of(dt, tbreaks)
            if tb >= 0:
                o[pb[k], tb] += 1


@_njit()
def _pairs_below(sorted_t: FloatArray, limit: float) -> int:
    """Number of pairs i<j with t[j]-t[i] < limit (t sorted ascending); two pointers."""
    n = sorted_t.shape[0]
    total = 0
    j = 0
    for i in range(n):
        if j < i + 1:
            j = i + 1
        while j < n and sorted_t[j] - sorted_t[i] < limit:
            j += 1
        total += j - i - 1
    return total


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def to_days(dates: Any) -> FloatArray:
    """Dates (strings, dates, datetimes, datetime64) or numbers of days to float days.

    Numbers are taken as days already; anything else is parsed by pandas and measured in days
    since 1970-01-01 (fractional when a time of day is given).
    """
    arr = np.asarray(dates)
    if arr.dtype.kind in "iuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "M":
        if np.isnat(arr).any():
            raise ValueError("some dates are missing")
        whole: FloatArray = arr.astype("datetime64[ns]").astype(np.int64) / DAY_NS
        return whole
    series = pd.Series(np.asarray(dates, dtype=object))
    try:
        parsed = pd.to_datetime(series, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(series, format="mixed")
    if parsed.isna().any():
        raise ValueError("some dates are missing")
    ns = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    days: FloatArray = ns / DAY_NS
    return days


def _check_breaks(breaks: Sequence[float], what: str) -> FloatArray:
    b = np.asarray(list(breaks), dtype=np.float64)
    if b.ndim != 1 or b.size < 2:
        raise ValueError(f"{what} breaks need at least two values (one band)")
    if np.isnan(b).any() or b[0] < 0:
        raise ValueError(f"{what} breaks must be non-negative numbers")
    if np.isinf(b[:-1]).any():
        raise ValueError(f"only the last {what} break may be infinite (an open band)")
    if not np.all(np.diff(b) > 0):
        raise ValueError(f"{what} breaks must increase strictly")
    return b


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "inf"
    return f"{v:g}"


def interval_labels(breaks: FloatArray) -> list[str]:
    """Labels ``[a, b)`` for each band (``[a, inf)`` for an open last band)."""
    return [f"[{_fmt(a)}, {_fmt(b)})" for a, b in itertools.pairwise(breaks)]


def project_to_metres(
    x: npt.ArrayLike, y: npt.ArrayLike, crs: str
) -> tuple[FloatArray, FloatArray, str]:
    """Project coordinates in ``crs`` to metres; returns (x, y, target CRS).

    Projected CRSs in metres are returned unchanged. Geographic coordinates (longitude, latitude)
    go to British National Grid (EPSG:27700) when they lie in Great Britain, else to the UTM zone
    of their centre.
    """
    from pyproj import CRS, Transformer
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    src = CRS.from_user_input(crs)
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if src.is_projected:
        unit = src.axis_info[0].unit_name if src.axis_info else "metre"
        if unit not in ("metre", "meter"):
            raise ValueError(
                f"{crs} is in {unit}; give coordinates in metres or longitude/latitude"
            )
        return xa, ya, src.to_string()
    to_lonlat = Transformer.from_crs(src, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(xa, ya)
    lon = np.asarray(lon)
    lat = np.asarray(lat)
    if lon.size and lon.min() > -9.0 and lon.max() < 2.1 and lat.min() > 49.8 and lat.max() < 61.0:
        target = "EPSG:27700"
    else:
        infos = query_utm_crs_info(
            datum_name="WGS 84",
            area_of_interest=AreaOfInterest(
                float(np.median(lon)),
                float(np.median(lat)),
                float(np.median(lon)),
                float(np.median(lat)),
            ),
        )
        target = f"EPSG:{infos[0].code}"
    fwd = Transformer.from_crs("EPSG:4326", target, always_xy=True)
    px, py = fwd.transform(lon, lat)
    return np.asarray(px, dtype=np.float64), np.asarray(py, dtype=np.float64), target


# ---------------------------------------------------------------------------------------------
# the close-pair engine
# ---------------------------------------------------------------------------------------------


class _ClosePairs:
    """Close pairs (spatial distance below the largest finite break), produced in chunks."""

    def __init__(
        self,
        x: FloatArray,
        y: FloatArray,
        breaks: FloatArray,
        euclidean: bool,
        max_pairs_in_memory: int,
    ) -> None:
        self.breaks = breaks
        self.euclidean = euclidean
        self.n = x.shape[0]
        radius = float(breaks[-1])
        self.max_pairs = max(int(max_pairs_in_memory), 1)
        if self.n < 2:
            self.order = np.arange(self.n)
            self.n_cells = 0
            self.total = 0
            self.chunks: list[tuple[int, int]] = []
            return
        # a cell a hair wider than the radius: pairs closer than it are in adjacent cells even
        # after rounding in the division below
        cell = radius * (1 + 1e-7) if radius > 0 else 1.0
        x0 = float(x.min())
        y0 = float(y.min())
        cx = np.floor((x - x0) / cell).astype(np.int64)
        cy = np.floor((y - y0) / cell).astype(np.int64)
        ny = int(cy.max()) + 2
        keys = cx * ny + cy
        order = np.argsort(keys, kind="stable")
        self.order = order
        self.x = np.ascontiguousarray(x[order])
        self.y = np.ascontiguousarray(y[order])
        self.cx = np.ascontiguousarray(cx[order])
        self.cy = np.ascontiguousarray(cy[order])
        self.ny = ny
        self.uk, self.st, self.en = _cell_ranges(np.ascontiguousarray(keys[order]))
        self.n_cells = int(self.uk.shape[0])
        per_cell = _pairs_per_cell_counts(
            self.x, self.y, self.cx, self.cy, ny, self.uk, self.st, self.en, breaks, euclidean
        )
        self.total = int(per_cell.sum())
        # cut the cells into chunks of at most max_pairs pairs (a single cell may exceed it)
        chunks: list[tuple[int, int]] = []
        lo = 0
        acc = 0
        for c in range(self.n_cells):
            pc = int(per_cell[c])
            if acc + pc > self.max_pairs and c > lo:
                chunks.append((lo, c))
                lo = c
                acc = 0
            acc += pc
        chunks.append((lo, self.n_cells))
        self.chunks = chunks
        self._cached: tuple[Any, Any, Any] | None = None

    def __iter__(self) -> Iterator[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], Any]]:
        if self.n < 2:
            return
        if len(self.chunks) == 1 and self._cached is not None:
            yield self._cached
            return
        for lo, hi in self.chunks:
            size = int(
                _close_pairs_per_cell(
                    self.x,
                    self.y,
                    self.cx,
                    self.cy,
                    self.ny,
                    self.uk,
                    self.st,
                    self.en,
                    self.breaks,
                    self.euclidean,
                    lo,
                    hi,
                    np.empty(0, np.int32),
                    np.empty(0, np.int32),
                    np.empty(0, np.int8),
                    False,
                )
            )
            pi = np.empty(size, np.int32)
            pj = np.empty(size, np.int32)
            pb = np.empty(size, np.int8)
            _close_pairs_per_cell(
                self.x,
                self.y,
                self.cx,
                self.cy,
                self.ny,
                self.uk,
                self.st,
                self.en,
                self.breaks,
                self.euclidean,
                lo,
                hi,
                pi,
                pj,
                pb,
                True,
            )
            if len(self.chunks) == 1:
                self._cached = (pi, pj, pb)
            yield pi, pj, pb


# ---------------------------------------------------------------------------------------------
# the Knox test
# ---------------------------------------------------------------------------------------------


class Knox:
    """Knox test for space-time clustering (near repeats), with Monte Carlo inference.

    Computes on creation. Bands are closed below and open above, ``[a, b)``; a final break of
    ``inf`` gives an open last band ("more than ..."). Each unordered pair of incidents is
    counted once.

    Parameters
    ----------
    x, y : array_like
        Coordinates in metres (project longitude/latitude first: :func:`project_to_metres`).
    dates : array_like
        Dates or date-times (anything pandas parses), or numbers of days.
    space_breaks : sequence of float
        Spatial break points in metres, e.g. ``[0, 1, 100, 200, 300, inf]``.
    time_breaks : sequence of float
        Temporal break points in days, e.g. ``[0, 7, 14, 21, inf]``.
    metric : {"manhattan", "euclidean"}, default "manhattan"
        Distance between two incidents: ``|dx| + |dy|`` or ``sqrt(dx² + dy²)``.
    permutations : int, default 999
        Number of Monte Carlo simulations (dates shuffled across locations).
    seed : int or None
        Seed for the shuffles; the same seed gives identical results.
    keep_simulations : bool, default False
        Keep every simulated table in ``simulations`` (permutations x space x time).
    max_pairs_in_memory : int, default 20_000_000
        Close pairs held at once (about 9 bytes each); more are streamed in chunks.
    space_labels, time_labels : list of str, optional
        Band labels; interval notation by default.
    progress : callable, optional
        Called as ``progress(done, permutations)`` after each batch of simulations.

    Attributes
    ----------
    observed : ndarray of int, shape (space bands, time bands)
        Pairs in each space-time band.
    expected : ndarray of float
        Mean of the simulated counts.
    expected_median : ndarray of float
        Median of the simulated counts.
    knox_ratio : ndarray of float
        ``observed / expected`` (NaN where the expectation is 0).
    knox_ratio_median : ndarray of float
        ``observed / expected_median``.
    p_values : ndarray of float
        ``(number of simulations >= observed + 1) / (permutations + 1)``.
    z_scores : ndarray of float
        ``(observed - expected) / standard deviation of the simulations``.
    close_pairs : int
        Pairs closer than the largest finite spatial break (the work per simulation).
    pair_chunks : int
        Chunks the close pairs were streamed in (1 when they fit ``max_pairs_in_memory``).
    simulations : ndarray or None
        The simulated tables, with ``keep_simulations``.
    space_labels, time_labels : list of str

    Notes
    -----
    Cost is O(n log n + close pairs x permutations); memory is O(n + max_pairs_in_memory).
    """

    def __init__(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        dates: Any,
        space_breaks: Sequence[float],
        time_breaks: Sequence[float],
        *,
        metric: str = "manhattan",
        permutations: int = 999,
        seed: int | None = None,
        keep_simulations: bool = False,
        max_pairs_in_memory: int = 20_000_000,
        space_labels: list[str] | None = None,
        time_labels: list[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        xa = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
        ya = np.ascontiguousarray(np.asarray(y, dtype=np.float64))
        t = np.ascontiguousarray(to_days(dates))
        if not (xa.shape == ya.shape == t.shape) or xa.ndim != 1:
            raise ValueError("x, y and dates must be one-dimensional and of the same length")
        if not (np.isfinite(xa).all() and np.isfinite(ya).all() and np.isfinite(t).all()):
            raise ValueError("x, y and dates must all be present and finite")
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
        if permutations < 0:
            raise ValueError("permutations must be >= 0")
        sb = _check_breaks(space_breaks, "space")
        tb = _check_breaks(time_breaks, "time")
        self.n = int(xa.shape[0])
        self.metric = metric
        self.permutations = int(permutations)
        self.seed = seed
        self.space_breaks = sb
        self.time_breaks = tb
        self.space_labels = space_labels if space_labels is not None else interval_labels(sb)
        self.time_labels = time_labels if time_labels is not None else interval_labels(tb)
        if len(self.space_labels) != sb.size - 1 or len(self.time_labels) != tb.size - 1:
            raise ValueError("one label per band is needed")

        S = sb.size - 1
        T = tb.size - 1
        open_space = bool(np.isinf(sb[-1]))
        close_breaks = sb[:-1] if open_space else sb
        n_close_bands = close_breaks.size - 1  # bands handled by close-pair enumeration
        rows = n_close_bands + 1  # + the "below the first break" row (index n_close_bands)

        # totals per time band over all pairs: invariant under shuffling dates
        totals = np.zeros(T, dtype=np.int64)
        if open_space:
            st_sorted = np.sort(t)
            below = [_pairs_below(st_sorted, float(v)) if np.isfinite(v) else -1 for v in tb]
            all_pairs = self.n * (self.n - 1) // 2
            below = [all_pairs if v < 0 else v for v in below]
            totals = np.asarray(np.diff(np.asarray(below, dtype=np.int64)), dtype=np.int64)

        pairs: _ClosePairs | None = None
        if close_breaks.size >= 2:
            pairs = _ClosePairs(xa, ya, close_breaks, metric == "euclidean", max_pairs_in_memory)
        elif sb[0] > 0:  # only an open band [b0, inf): pairs below b0 are row 0, to subtract
            below_b0 = np.array([0.0, sb[0]])
            pairs = _ClosePairs(xa, ya, below_b0, metric == "euclidean", max_pairs_in_memory)
        self.close_pairs = 0 if pairs is None else pairs.total
        self.pair_chunks = 0 if pairs is None else len(pairs.chunks)

        t_sorted_events = t[pairs.order] if pairs is not None else t

        def tables(time_rows: FloatArray) -> IntArray:
            out = np.zeros((time_rows.shape[0], rows, T), dtype=np.int64)
            if pairs is not None:
                for pi, pj, pb in pairs:
                    with PARALLEL_LOCK:
                        _count_pairs_batch(pi, pj, pb, time_rows, tb, rows, out)
            return out

        def assemble(raw: IntArray) -> IntArray:
            tab = np.zeros((raw.shape[0], S, T), dtype=np.int64)
            n_closed = S - 1 if open_space else S
            tab[:, :n_closed, :] = raw[:, :n_closed, :]
            if open_space:
                tab[:, S - 1, :] = totals[None, :] - raw.sum(axis=1)
            return tab

        self.observed = assemble(tables(t_sorted_events[None, :]))[0]

        P = self.permutations
        sims = np.zeros((P, S, T), dtype=np.int64)
        if P:
            ss = np.random.SeedSequence(seed)
            children = ss.spawn(P)
            batch = max(1, min(P, int(4e6 // max(self.n, 1)), 256))
            done = 0
            for b0 in range(0, P, batch):
                b1 = min(P, b0 + batch)
                trows = np.empty((b1 - b0, self.n), dtype=np.float64)
                for k in range(b0, b1):
                    perm = np.random.default_rng(children[k]).permutation(self.n)
                    trows[k - b0] = t_sorted_events[perm]
                sims[b0:b1] = assemble(tables(trows))
                done = b1
                if progress is not None:
                    progress(done, P)
        self.simulations: IntArray | None = sims if keep_simulations else None
        obs = self.observed
        with np.errstate(divide="ignore", invalid="ignore"):
            if P:
                self.expected = sims.mean(axis=0)
                self.expected_median = np.median(sims, axis=0)
                sd = sims.std(axis=0)
                self.knox_ratio = np.where(self.expected > 0, obs / self.expected, np.nan)
                self.knox_ratio_median = np.where(
                    self.expected_median > 0, obs / self.expected_median, np.nan
                )
                larger = (sims >= obs[None, :, :]).sum(axis=0)
                self.p_values = (larger + 1.0) / (P + 1.0)
                self.z_scores = np.where(sd > 0, (obs - self.expected) / sd, np.nan)
            else:
                nan = np.full(obs.shape, np.nan)
                self.expected = nan.copy()
                self.expected_median = nan.copy()
                self.knox_ratio = nan.copy()
                self.knox_ratio_median = nan.copy()
                self.p_values = nan.copy()
                self.z_scores = nan.copy()
        self.nrc: dict[str, float] | None = None

    # -----------------------------------------------------------------------------------------
    @classmethod
    def near_repeat_calculator(
        cls,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        dates: Any,
        *,
        spatial_bandwidth: float,
        spatial_bands: int,
        temporal_bandwidth: float,
        temporal_bands: int,
        metric: str = "manhattan",
        permutations: int = 999,
        seed: int | None = None,
        **kwargs: Any,
    ) -> Knox:
        """Knox test set up the way Ratcliffe's Near Repeat Calculator (NRC 1.3) does.

        The NRC adds a "Same location" band and "More than" bands. Reproduced rules (checked
        against both of the NRC 1.3 runs the NearRepeat R package publishes: 970 Chicago
        burglaries, 100 m x 3 and 7 days x 3; 522 Chicago arsons, 200 m x 3 and 1 day x 3):

        * coordinates are read in **single precision** (IEEE float32), as the NRC does: a pair
          399.96 m apart in double precision can be 400 m apart in single precision and so fall
          in "401 to 600". Distances are then computed exactly from those float32 values (for
          Manhattan distances this equals the NRC's own single-precision arithmetic whenever
          coordinates are below 2**24 times their spacing, as projected metres are);
        * "Same location" is **zero distance only** (a pair 0.56 m apart is in "1 to 200");
        * its band "1 to 100" metres is computed as (0, 100) and "101 to 200" as [100, 200);
          "0 to 7" days as [0, 7) and "8 to 14" as [7, 14) (Steenbeek 2019 showed the NRC's
          tables are computed on these intervals);
        * dates only: a time of day is dropped, so intervals are whole days.

        This mode reproduces the NRC's observed table exactly, under its labels. The general
        mode (:class:`Knox` itself) keeps coordinates in double precision.
        """
        if spatial_bandwidth <= 1 or temporal_bandwidth <= 0:
            raise ValueError("the spatial bandwidth must exceed 1 m and the temporal one 0 days")
        if spatial_bands < 1 or temporal_bands < 1:
            raise ValueError("at least one spatial and one temporal band are needed")
        sbw = float(spatial_bandwidth)
        tbw = float(temporal_bandwidth)
        # [0, SAME_LOCATION): zero distance only (the smallest positive double is below every
        # non-zero distance between two float32 coordinates)
        sbreaks = [0.0, SAME_LOCATION] + [sbw * k for k in range(1, spatial_bands + 1)]
        sbreaks.append(math.inf)
        tbreaks = [0.0] + [tbw * k for k in range(1, temporal_bands + 1)] + [math.inf]
        slabels = ["Same location"]
        for k in range(spatial_bands):
            lo = 1 if k == 0 else sbw * k + 1
            slabels.append(f"{_fmt(lo)} to {_fmt(sbw * (k + 1))}")
        slabels.append(f"More than {_fmt(sbw * spatial_bands)}")
        tlabels = []
        for k in range(temporal_bands):
            lo = 0 if k == 0 else tbw * k + 1
            tlabels.append(f"{_fmt(lo)} to {_fmt(tbw * (k + 1))}")
        tlabels.append(f"More than {_fmt(tbw * temporal_bands)}")
        # the NRC reads dates only: times of day are dropped, so intervals are whole days
        whole_days = np.floor(to_days(dates))
        result = cls(
            nrc_single_precision(x),
            nrc_single_precision(y),
            whole_days,
            sbreaks,
            tbreaks,
            metric=metric,
            permutations=permutations,
            seed=seed,
            space_labels=slabels,
            time_labels=tlabels,
            **kwargs,
        )
        result.nrc = {
            "spatial_bandwidth": sbw,
            "spatial_bands": spatial_bands,
            "temporal_bandwidth": tbw,
            "temporal_bands": temporal_bands,
        }
        return result

    # -----------------------------------------------------------------------------------------
    def summary(self, *, alpha: float = 0.05, event: str = "incident") -> str:
        """A plain-English summary in the manner of the Near Repeat Calculator's.

        For each spatial band (except the open "more than" band), the run of time bands from
        the first one in which the Knox ratio is above 1 with ``p <= alpha`` is reported, with
        the increase in risk in its first band, e.g. "Within 1 to 100 metres of a burglary, the
        risk of another is 69% higher for up to 7 days (Knox ratio 1.69, p = 0.001)".
        """
        if self.permutations == 0:
            return "No simulations were run, so no significance can be judged."
        sb = self.space_breaks
        tb = self.time_breaks
        S = sb.size - 1
        last_row = S - 1 if np.isinf(sb[-1]) else S
        article = "an" if event[:1].lower() in "aeiou" else "a"
        sentences: list[str] = []
        for s in range(last_row):
            T = tb.size - 1
            run = 0
            while (
                run < T
                and not np.isinf(tb[run + 1])
                and self.p_values[s, run] <= alpha
                and self.knox_ratio[s, run] > 1
            ):
                run += 1
            if run == 0:
                continue
            ratio = float(self.knox_ratio[s, 0])
            p = float(self.p_values[s, 0])
            days = _fmt(float(tb[run]))
            unit = "day" if float(tb[run]) == 1 else "days"
            if self.nrc is not None and s == 0:
                where = "At the same location as"
                tail = "a repeat"
            else:
                label = self.space_labels[s]
                where = (
                    f"Within {label} metres of"
                    if self.nrc is not None
                    else (f"At a distance in {label.removesuffix(' m')} m from")
                )
                tail = "another"
            sentences.append(
                f"{where} {article} {event}, the risk of {tail} is "
                f"{(ratio - 1) * 100:.0f}% higher for up to {days} {unit} "
                f"(Knox ratio {ratio:.2f}, p = {p:.3f})."
            )
        if not sentences:
            return (
                f"No significant near-repeat pattern was found: no space-time band close to "
                f"{article} {event} has more pairs than shuffled dates give (p <= {alpha:g})."
            )
        return " ".join(sentences)

    def to_dict(self, *, alpha: float = 0.05, event: str = "incident") -> dict[str, Any]:
        """The results as plain lists (NaN becomes None), for JSON."""

        def clean(a: npt.NDArray[Any]) -> list[list[Any]]:
            return [
                [None if isinstance(v, float) and not math.isfinite(v) else v for v in row]
                for row in a.tolist()
            ]

        return {
            "events": self.n,
            "metric": self.metric,
            "permutations": self.permutations,
            "seed": self.seed,
            "space_bands": self.space_labels,
            "time_bands": self.time_labels,
            "space_breaks": [_fmt(v) if np.isinf(v) else float(v) for v in self.space_breaks],
            "time_breaks": [_fmt(v) if np.isinf(v) else float(v) for v in self.time_breaks],
            "observed": self.observed.tolist(),
            "expected": clean(self.expected),
            "expected_median": clean(self.expected_median),
            "knox_ratio": clean(self.knox_ratio),
            "knox_ratio_median": clean(self.knox_ratio_median),
            "p_values": clean(self.p_values),
            "z_scores": clean(self.z_scores),
            "close_pairs": self.close_pairs,
            "nrc": self.nrc,
            "summary": self.summary(alpha=alpha, event=event),
        }
