"""Hotspots: grid counts, kernel density, Getis-Ord Gi*, hotspot accuracy and forecasting.

Everything works on a regular lattice in British National Grid metres (:class:`Grid`), whose
cell edges fall on multiples of the cell size so that maps from different runs line up.

* :func:`grid_counts` - incidents per cell.
* :class:`KernelDensity` - quartic (the analysts' default) or Gaussian kernel density, by
  linear binning onto the cell centres and FFT convolution (or separable convolution for the
  Gaussian kernel).
* :class:`GiStar` - Getis-Ord Gi* on the grid (queen neighbours including the cell, or a
  distance band), analytic z-scores, conditional-permutation pseudo p-values, false discovery
  rate, and hot/cold classes at 90/95/99% confidence.
* :class:`GiStarPolygons` - the same on polygons (LSOAs, wards) with contiguity weights built
  from their boundaries (:func:`contiguity`).
* :class:`PredictiveAccuracy` - hit rate, PAI and PEI at chosen coverages.
* :class:`ProspectiveHotspots` - the Bowers-Johnson-Pease prospective hotspot forecast.
* :func:`grid_geojson`, :func:`grid_svg` - map layers for the web map and for reports.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24, 189-206; Ord, J. K. & Getis, A. (1995). Local spatial
autocorrelation statistics. *Geographical Analysis* 27, 286-306.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57, 289-300.
Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting
spatial patterns of crime. *Security Journal* 21, 4-28 (PAI).
Hunt, J. M. (2016). Do crime hot spots move? (PEI); Chainey, S. (2013). Examining the
influence of cell size and bandwidth size on kernel density estimation crime hotspot maps.
Bowers, K. J., Johnson, S. D. & Pease, K. (2004). Prospective hot-spotting: the future of
crime mapping? *British Journal of Criminology* 44, 641-658.
Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*; Wand, M. P.
(1994). Fast computation of multivariate kernel estimators (linear binning).
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from scipy import fft as sp_fft
from scipy import ndimage, stats

from safercity.analytics.near_repeat import PARALLEL_LOCK

F = TypeVar("F", bound=Callable[..., Any])
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BNG = "EPSG:27700"
KERNELS = ("quartic", "gaussian")
GAUSSIAN_TRUNCATE = 5.0  # Gaussian kernel cut at 5 standard deviations (exp(-12.5) of peak)
CONFIDENCE_LEVELS = (0.90, 0.95, 0.99)
CLASS_LABELS = {
    3: "Hot spot, 99% confidence",
    2: "Hot spot, 95% confidence",
    1: "Hot spot, 90% confidence",
    0: "Not significant",
    -1: "Cold spot, 90% confidence",
    -2: "Cold spot, 95% confidence",
    -3: "Cold spot, 99% confidence",
}
# ArcGIS-style diverging colours for the seven classes (cold blue to hot red)
CLASS_COLOURS = {
    3: "#d62f27",
    2: "#ed7551",
    1: "#fab984",
    0: "#f0f0f0",
    -1: "#c0ccbe",
    -2: "#849eba",
    -3: "#4575b5",
}


def _njit(**kwargs: Any) -> Callable[[F], F]:
    return cast(Callable[[F], F], numba.njit(cache=True, nogil=True, **kwargs))


# ---------------------------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A regular lattice of square cells in British National Grid metres.

    Arrays on the grid have shape ``(nrows, ncols)``; row 0 is the southern row and column 0
    the western column, so cell ``(r, c)`` spans ``x0 + c*cell_size .. x0 + (c+1)*cell_size``
    and ``y0 + r*cell_size .. y0 + (r+1)*cell_size``.
    """

    x0: float
    y0: float
    cell_size: float
    nrows: int
    ncols: int
    crs: str = BNG

    @classmethod
    def from_extent(
        cls, xmin: float, ymin: float, xmax: float, ymax: float, cell_size: float, pad: float = 0
    ) -> Grid:
        """The grid covering an extent, snapped outwards to multiples of ``cell_size``."""
        if cell_size <= 0 or not math.isfinite(cell_size):
            raise ValueError("the cell size must be a positive number of metres")
        if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)) or xmax < xmin:
            raise ValueError("the extent must be finite with xmin <= xmax and ymin <= ymax")
        if ymax < ymin:
            raise ValueError("the extent must be finite with xmin <= xmax and ymin <= ymax")
        x0 = math.floor((xmin - pad) / cell_size) * cell_size
        y0 = math.floor((ymin - pad) / cell_size) * cell_size
        ncols = max(1, math.floor((xmax + pad - x0) / cell_size) + 1)
        nrows = max(1, math.floor((ymax + pad - y0) / cell_size) + 1)
        return cls(float(x0), float(y0), float(cell_size), int(nrows), int(ncols))

    @classmethod
    def from_points(
        cls, x: npt.ArrayLike, y: npt.ArrayLike, cell_size: float, pad: float = 0
    ) -> Grid:
        """The grid covering the points (plus ``pad`` metres on each side)."""
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        if xa.size == 0:
            raise ValueError("no points to build a grid from")
        return cls.from_extent(
            float(xa.min()), float(ya.min()), float(xa.max()), float(ya.max()), cell_size, pad
        )

    @classmethod
    def from_area(cls, geometry: Any, cell_size: float) -> Grid:
        """The grid covering an area's boundary (a shapely geometry in British National Grid);
        pair it with :meth:`inside` as the study-area mask."""
        xmin, ymin, xmax, ymax = (float(v) for v in geometry.bounds)
        return cls.from_extent(xmin, ymin, xmax, ymax, cell_size)

    def inside(self, geometry: Any) -> npt.NDArray[np.bool_]:
        """Cells whose centres lie inside (or on the edge of) the area: a study-area mask."""
        import shapely

        xx, yy = np.meshgrid(self.x_centres, self.y_centres)
        mask: npt.NDArray[np.bool_] = shapely.intersects_xy(geometry, xx, yy)
        return mask

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    @property
    def size(self) -> int:
        return self.nrows * self.ncols

    @property
    def x_centres(self) -> FloatArray:
        """Easting of each column's cell centres."""
        out: FloatArray = self.x0 + (np.arange(self.ncols, dtype=np.float64) + 0.5) * self.cell_size
        return out

    @property
    def y_centres(self) -> FloatArray:
        """Northing of each row's cell centres."""
        out: FloatArray = self.y0 + (np.arange(self.nrows, dtype=np.float64) + 0.5) * self.cell_size
        return out

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid's outer edges."""
        return (
            self.x0,
            self.y0,
            self.x0 + self.ncols * self.cell_size,
            self.y0 + self.nrows * self.cell_size,
        )

    def cell_of(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[IntArray, IntArray, Any]:
        """Row, column and an inside-the-grid mask for each point."""
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        c = np.floor((xa - self.x0) / self.cell_size).astype(np.int64)
        r = np.floor((ya - self.y0) / self.cell_size).astype(np.int64)
        inside = (c >= 0) & (c < self.ncols) & (r >= 0) & (r < self.nrows)
        return r, c, inside

    def to_dict(self) -> dict[str, Any]:
        return {
            "x0": self.x0,
            "y0": self.y0,
            "cell_size": self.cell_size,
            "nrows": self.nrows,
            "ncols": self.ncols,
            "crs": self.crs,
        }


def grid_counts(
    x: npt.ArrayLike, y: npt.ArrayLike, grid: Grid, weights: npt.ArrayLike | None = None
) -> FloatArray:
    """Number (or total weight) of points in each cell; points outside the grid are ignored."""
    r, c, inside = grid.cell_of(x, y)
    flat = r[inside] * grid.ncols + c[inside]
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[inside]
    counts = np.bincount(flat, weights=w, minlength=grid.size).astype(np.float64)
    return counts.reshape(grid.shape)


# ---------------------------------------------------------------------------------------------
# kernel density
# ---------------------------------------------------------------------------------------------


@_njit()
def _linear_binning(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    x0: float,
    y0: float,
    cell: float,
    nrows: int,
    ncols: int,
) -> FloatArray:
    """Share each point's weight between its four surrounding nodes (bilinear weights).

    Node (r, c) sits at (x0 + c*cell, y0 + r*cell); points whose 4 nodes are not all inside the
    node grid are dropped (the caller pads the grid by the kernel's reach).
    """
    out = np.zeros((nrows, ncols), dtype=np.float64)
    for k in range(x.shape[0]):
        u = (x[k] - x0) / cell
        v = (y[k] - y0) / cell
        c = math.floor(u)
        r = math.floor(v)
        if c < 0 or r < 0 or c + 1 >= ncols or r + 1 >= nrows:
            continue
        fu = u - c
        fv = v - r
        wk = w[k]
        out[r, c] += wk * (1.0 - fu) * (1.0 - fv)
        out[r, c + 1] += wk * fu * (1.0 - fv)
        out[r + 1, c] += wk * (1.0 - fu) * fv
        out[r + 1, c + 1] += wk * fu * fv
    return out


def kernel_value(d2: FloatArray, bandwidth: float, kernel: str) -> FloatArray:
    """Kernel at squared distances ``d2`` (m²), in events per m² per event.

    Quartic: ``3 / (pi h²) (1 - d²/h²)²`` for d < h (h = search radius), 0 beyond.
    Gaussian: ``1 / (2 pi h²) exp(-d² / (2 h²))`` (h = standard deviation), cut at 5h
    (the density routes cut it at a square of half-side 5h instead, which keeps it separable;
    either cut drops under exp(-12.5) = 4e-6 of the peak per point).
    """
    h2 = bandwidth * bandwidth
    if kernel == "quartic":
        u = 1.0 - d2 / h2
        out: FloatArray = np.where(u > 0, 3.0 / (math.pi * h2) * u * u, 0.0)
        return out
    if kernel == "gaussian":
        g: FloatArray = np.where(
            d2 <= (GAUSSIAN_TRUNCATE * bandwidth) ** 2,
            np.exp(-d2 / (2.0 * h2)) / (2.0 * math.pi * h2),
            0.0,
        )
        return g
    raise ValueError(f"kernel must be one of {KERNELS}, not {kernel!r}")


def bandwidth_rule(x: npt.ArrayLike, y: npt.ArrayLike, kernel: str = "quartic") -> float:
    """A stated default bandwidth in metres.

    Quartic (search radius): the rule ArcGIS Pro's Kernel Density uses, Silverman's rule made
    robust to spatial outliers, ``0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2`` with SD the
    standard distance and Dm the median distance to the mean centre.
    Gaussian (standard deviation): Scott's rule for two dimensions, ``s * n^(-1/6)`` with s the
    root mean of the two coordinate variances.
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    n = xa.size
    if n < 2:
        raise ValueError("at least two points are needed to choose a bandwidth")
    if kernel == "quartic":
        dx = xa - xa.mean()
        dy = ya - ya.mean()
        sd = math.sqrt(float(np.mean(dx * dx + dy * dy)))
        dm = float(np.median(np.sqrt(dx * dx + dy * dy)))
        h = 0.9 * min(sd, math.sqrt(1.0 / math.log(2.0)) * dm) * n**-0.2
    elif kernel == "gaussian":
        s = math.sqrt((float(np.var(xa, ddof=1)) + float(np.var(ya, ddof=1))) / 2.0)
        h = s * n ** (-1.0 / 6.0)
    else:
        raise ValueError(f"kernel must be one of {KERNELS}, not {kernel!r}")
    if not h > 0:
        raise ValueError("the points do not spread out: give a bandwidth")
    return float(h)


@_njit(parallel=True)
def _scatter_kde(
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    cx0: float,
    cy0: float,
    cell: float,
    nrows: int,
    ncols: int,
    h: float,
    quartic: bool,
    nchunks: int,
) -> FloatArray:
    """Exact kernel sum at the cell centres, point by point over the cells within reach.

    Centre (r, c) sits at (cx0 + c*cell, cy0 + r*cell). Each chunk of points writes its own
    buffer (no races); the buffers are summed. Unnormalised: the caller applies the constant.
    """
    n = x.shape[0]
    h2 = h * h
    reach = h if quartic else h * GAUSSIAN_TRUNCATE
    buf = np.zeros((nchunks, nrows, ncols))
    size = (n + nchunks - 1) // nchunks
    for ch in numba.prange(nchunks):
        out = buf[ch]
        kx = np.empty(ncols)
        for i in range(ch * size, min(n, (ch + 1) * size)):
            xi = x[i]
            yi = y[i]
            c_lo = max(0, math.ceil((xi - reach - cx0) / cell))
            c_hi = min(ncols - 1, math.floor((xi + reach - cx0) / cell))
            r_lo = max(0, math.ceil((yi - reach - cy0) / cell))
            r_hi = min(nrows - 1, math.floor((yi + reach - cy0) / cell))
            if c_lo > c_hi or r_lo > r_hi:
                continue
            wi = w[i]
            if not quartic:
                for c in range(c_lo, c_hi + 1):
                    dx = cx0 + c * cell - xi
                    kx[c] = math.exp(-dx * dx / (2.0 * h2))
            for r in range(r_lo, r_hi + 1):
                dy = cy0 + r * cell - yi
                dy2 = dy * dy
                if quartic:
                    for c in range(c_lo, c_hi + 1):
                        dx = cx0 + c * cell - xi
                        u = 1.0 - (dx * dx + dy2) / h2
                        if u > 0:
                            out[r, c] += wi * u * u
                else:  # separable: a row weight times the column weights (a square cut)
                    ky = wi * math.exp(-dy2 / (2.0 * h2))
                    for c in range(c_lo, c_hi + 1):
                        out[r, c] += ky * kx[c]
    total = np.zeros((nrows, ncols))
    for ch in range(nchunks):
        total += buf[ch]
    return total


class KernelDensity:
    """Kernel density of incidents on a grid, in incidents per square kilometre.

    Computes on creation, by one of two routes (``method="auto"`` takes the cheaper):

    * ``"direct"``: the exact sum ``sum_i K(|centre - point_i|)``, each point visiting only the
      cells within the kernel's reach (cost: points x cells within reach);
    * ``"fft"``: the points are linearly binned onto a grid of nodes (the cell centres, refined
      ``oversample`` times) padded by the kernel's reach, then convolved with the kernel sampled
      at the node offsets by FFT (cost: nodes x log nodes, whatever the number of points); or
      ``"separable"``, two 1-D passes, for the Gaussian kernel. The binning error is of order
      (node spacing / bandwidth)², kept near 0.2% of the peak by the default refinement.

    Parameters
    ----------
    x, y : array_like
        Incident coordinates (metres, British National Grid).
    grid : Grid
        Cells whose centres are evaluated.
    bandwidth : float, optional
        Quartic: search radius in metres; Gaussian: standard deviation in metres. Default:
        :func:`bandwidth_rule`.
    kernel : {"quartic", "gaussian"}, default "quartic"
    weights : array_like, optional
        A weight per incident (e.g. harm); default 1.
    method : {"auto", "direct", "fft", "separable"}, default "auto"
    oversample : int, optional
        Bin onto a grid this many times finer than the cells (default: fine enough that the
        spacing is at most 1/16 of the quartic radius or 1/8 of the Gaussian sd).

    Attributes
    ----------
    density : ndarray, shape grid.shape
        Incidents per km² at each cell centre.
    bandwidth : float
    bandwidth_source : str
        "given" or the rule used.
    """

    def __init__(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        grid: Grid,
        *,
        bandwidth: float | None = None,
        kernel: str = "quartic",
        weights: npt.ArrayLike | None = None,
        method: str = "auto",
        oversample: int | None = None,
    ) -> None:
        if kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, not {kernel!r}")
        if method not in ("auto", "direct", "fft", "separable"):
            raise ValueError("method must be 'auto', 'direct', 'fft' or 'separable'")
        if method == "separable" and kernel != "gaussian":
            raise ValueError("only the Gaussian kernel is separable")
        xa = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
        ya = np.ascontiguousarray(np.asarray(y, dtype=np.float64))
        if xa.shape != ya.shape:
            raise ValueError("x and y must have the same length")
        if bandwidth is None:
            bandwidth = bandwidth_rule(xa, ya, kernel)
            self.bandwidth_source = "ArcGIS Pro rule" if kernel == "quartic" else "Scott's rule"
        else:
            self.bandwidth_source = "given"
        if not (bandwidth > 0 and math.isfinite(bandwidth)):
            raise ValueError("the bandwidth must be a positive number of metres")
        self.bandwidth = float(bandwidth)
        self.kernel = kernel
        self.grid = grid
        self.n = int(xa.size)
        w = (
            np.ones(xa.size)
            if weights is None
            else np.ascontiguousarray(np.asarray(weights, dtype=np.float64))
        )
        cs = grid.cell_size
        reach = self.bandwidth * (GAUSSIAN_TRUNCATE if kernel == "gaussian" else 1.0)
        if oversample is None:
            # binning error grows as (spacing / bandwidth)²: keep the spacing at most a sixteenth
            # of the quartic radius (an eighth of the Gaussian sd), which keeps it near 0.2% of
            # the peak on real data, without letting the fine grid exceed ~16 million nodes
            finest = self.bandwidth / (16.0 if kernel == "quartic" else 8.0)
            oversample = max(1, math.ceil(cs / finest - 1e-9))
            limit = max(1, int(math.sqrt(16e6 / max(grid.size, 1))))
            oversample = min(oversample, limit)
        if oversample < 1:
            raise ValueError("oversample must be at least 1")
        self.oversample = m = int(oversample)
        if method == "auto":
            cells_in_reach = (2.0 * reach / cs + 1.0) ** 2 * (0.8 if kernel == "quartic" else 1.0)
            direct_cost = self.n * cells_in_reach
            nodes = (grid.nrows * m + 2.0 * reach / cs * m) * (
                grid.ncols * m + 2.0 * reach / cs * m
            )
            fft_cost = 6.0 * nodes * math.log2(max(nodes, 2.0))
            method = "direct" if direct_cost <= fft_cost else "fft"
        self.method = method
        if method == "direct":
            with PARALLEL_LOCK:
                dens = _scatter_kde(
                    xa,
                    ya,
                    w,
                    grid.x0 + 0.5 * cs,
                    grid.y0 + 0.5 * cs,
                    cs,
                    grid.nrows,
                    grid.ncols,
                    self.bandwidth,
                    kernel == "quartic",
                    # one buffer per thread, unless the grid is huge
                    max(1, numba.get_num_threads()) if grid.size <= 10_000_000 else 1,
                )
            h2 = self.bandwidth**2
            const = 3.0 / (math.pi * h2) if kernel == "quartic" else 1.0 / (2.0 * math.pi * h2)
            self.density: FloatArray = np.maximum(dens * const, 0.0) * 1e6
            return
        delta = cs / m
        R = math.ceil(reach / delta) + 1
        # fine node (j, i) sits at (px0 + i*delta, py0 + j*delta); cell (r, c)'s centre is the
        # fine node (R + r*m, R + c*m)
        px0 = grid.x0 + 0.5 * cs - R * delta
        py0 = grid.y0 + 0.5 * cs - R * delta
        fr = (grid.nrows - 1) * m + 1 + 2 * R
        fc = (grid.ncols - 1) * m + 1 + 2 * R
        bins = _linear_binning(xa, ya, w, px0, py0, delta, fr + 1, fc + 1)
        bins = bins[:fr, :fc]  # the extra node only held spill beyond the kernel's reach
        off = np.arange(-R, R + 1) * delta
        if method == "separable":
            g1 = np.exp(-(off**2) / (2.0 * self.bandwidth**2))
            g1[np.abs(off) > reach] = 0.0
            tmp = ndimage.correlate1d(bins, g1, axis=0, mode="constant")[R:-R:m, :]
            fine = ndimage.correlate1d(tmp, g1, axis=1, mode="constant")[:, R:-R:m]
            # the 2-D Gaussian is the outer product of 1-D ones: apply its normalising constant
            # (the separable form cuts at a square, not a disc: negligible at 5 sd)
            dens = fine / (2.0 * math.pi * self.bandwidth**2)
        else:
            d2 = off[:, None] ** 2 + off[None, :] ** 2
            K = kernel_value(d2, self.bandwidth, kernel)
            if kernel == "gaussian":  # cut at a square of half-side 5 sd, as the direct route
                K = np.exp(-d2 / (2.0 * self.bandwidth**2)) / (2.0 * math.pi * self.bandwidth**2)
                K[(np.abs(off) > reach)[:, None] | (np.abs(off) > reach)[None, :]] = 0.0
            dens = _fft_correlate_valid(bins, K)[::m, ::m]
        self.density = np.maximum(dens, 0.0) * 1e6  # per m² -> per km²

    @property
    def peak(self) -> float:
        return float(self.density.max()) if self.density.size else 0.0


def _fft_correlate_valid(a: FloatArray, k: FloatArray) -> FloatArray:
    """'valid' correlation of ``a`` with a symmetric kernel ``k`` by real FFT."""
    s0 = a.shape[0] + k.shape[0] - 1
    s1 = a.shape[1] + k.shape[1] - 1
    f0 = sp_fft.next_fast_len(s0, real=True)
    f1 = sp_fft.next_fast_len(s1, real=True)
    fa = sp_fft.rfft2(a, s=(f0, f1), workers=-1)
    fk = sp_fft.rfft2(k[::-1, ::-1], s=(f0, f1), workers=-1)
    full = sp_fft.irfft2(fa * fk, s=(f0, f1), workers=-1)
    r0 = k.shape[0] - 1
    r1 = k.shape[1] - 1
    out: FloatArray = full[r0 : a.shape[0], r1 : a.shape[1]]
    return np.ascontiguousarray(out)


@_njit()
def _exact_kde(
    qx: FloatArray, qy: FloatArray, px: FloatArray, py: FloatArray, h: float, quartic: bool
) -> FloatArray:
    out = np.zeros(qx.shape[0])
    h2 = h * h
    cut = h * GAUSSIAN_TRUNCATE
    for q in range(qx.shape[0]):
        s = 0.0
        for i in range(px.shape[0]):
            dx = qx[q] - px[i]
            dy = qy[q] - py[i]
            d2 = dx * dx + dy * dy
            if quartic:
                u = 1.0 - d2 / h2
                if u > 0:
                    s += u * u
            elif abs(dx) <= cut and abs(dy) <= cut:
                s += math.exp(-d2 / (2.0 * h2))
        out[q] = s
    scale = 3.0 / (math.pi * h2) if quartic else 1.0 / (2.0 * math.pi * h2)
    return out * scale * 1e6


def exact_density(
    qx: npt.ArrayLike,
    qy: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    bandwidth: float,
    kernel: str = "quartic",
) -> FloatArray:
    """The exact kernel sum at query points (incidents per km²): O(queries x points)."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, not {kernel!r}")
    return _exact_kde(
        np.ascontiguousarray(np.asarray(qx, dtype=np.float64)),
        np.ascontiguousarray(np.asarray(qy, dtype=np.float64)),
        np.ascontiguousarray(np.asarray(x, dtype=np.float64)),
        np.ascontiguousarray(np.asarray(y, dtype=np.float64)),
        float(bandwidth),
        kernel == "quartic",
    )


# ---------------------------------------------------------------------------------------------
# Getis-Ord Gi*
# ---------------------------------------------------------------------------------------------


def _random_draws(n_pool: int, k: int, permutations: int, seed: int | None) -> IntArray:
    """``permutations`` rows of ``k`` distinct indices drawn from ``range(n_pool)``."""
    rng = np.random.default_rng(seed)
    k = min(k, n_pool)
    if k * k > n_pool:  # small pools: sample each row without replacement directly
        out = np.empty((permutations, k), dtype=np.int64)
        for p in range(permutations):
            out[p] = rng.choice(n_pool, size=k, replace=False)
        return out
    # large pools: draw with replacement and redraw the (rare) rows with a repeat; accepting
    # only rows without repeats is exactly sampling without replacement
    out = rng.integers(0, n_pool, size=(permutations, k), dtype=np.int64)
    while True:
        srt = np.sort(out, axis=1)
        bad = np.nonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))[0]
        if bad.size == 0:
            return out
        out[bad] = rng.integers(0, n_pool, size=(bad.size, k), dtype=np.int64)


@_njit()
def _bisect(a: FloatArray, v: float, right: bool) -> int:
    lo = 0
    hi = a.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < v or (right and a[mid] == v):
            lo = mid + 1
        else:
            hi = mid
    return lo


def _draw_tables(
    y: FloatArray, M: IntArray, kvals: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """For each number of draws ``k`` in ``kvals``: each simulation's first ``k`` random indices
    sorted (``rows[t, p, :k]``), the sum of ``y`` over them (``base[t, p]``) and the suffix sums
    of ``y[j + 1] - y[j]`` over the sorted indices (``suffix[t, p, i]``, from the i-th on).

    A group whose exemplar cell is ``e`` reads index ``j`` as ``j + 1`` when ``j >= e`` (so that
    the cell itself is never drawn); its simulated sum is then ``base + suffix[i]`` with ``i``
    the number of indices below ``e``. This reads ``y`` once per simulation instead of once per
    (group, simulation, draw): the random reads into ``y`` were the cost of the worst case."""
    P = M.shape[0]
    kmax = int(kvals.max())
    rows = np.zeros((kvals.size, P, kmax), dtype=np.int64)
    base = np.zeros((kvals.size, P))
    suffix = np.zeros((kvals.size, P, kmax + 1))
    for t, k in enumerate(kvals):
        srt = np.sort(M[:, :k], axis=1)
        rows[t, :, :k] = srt
        base[t] = y[srt].sum(axis=1)
        delta = y[np.minimum(srt + 1, y.size - 1)] - y[srt]
        suffix[t, :, :k] = np.cumsum(delta[:, ::-1], axis=1)[:, ::-1]
    return rows, base, suffix


@_njit(parallel=True)
def _crand_groups(
    exemplar: IntArray,
    table: IntArray,
    kvals: IntArray,
    rows: IntArray,
    base: FloatArray,
    suffix: FloatArray,
    own: FloatArray,
    starts: IntArray,
    cells: IntArray,
    wy: FloatArray,
    larger: IntArray,
    smaller: IntArray,
    mean_out: FloatArray,
    sd_out: FloatArray,
) -> None:
    """Conditional randomisation, one null distribution per group of exchangeable cells.

    Simulation p of group g is ``own[g] + sum(y[j] for j in the first k entries of M[p])``,
    ``k`` the group's number of draws, the indices being shifted past the group's exemplar
    cell so that it is left out (as esda does, one matrix of random indices serves every
    group); the sums come from the precomputed :func:`_draw_tables`. Each group then counts,
    for each of its cells, the simulations >= and <= the cell's observed neighbourhood sum.
    Memory per group is O(permutations); no random numbers are drawn here, so the result does
    not depend on the threads.
    """
    G = exemplar.shape[0]
    P = base.shape[1]
    for g in numba.prange(G):
        e = exemplar[g]
        t = table[g]
        k = kvals[t]
        sums = np.empty(P)
        acc = 0.0
        for p in range(P):
            below = 0
            for m in range(k):
                if rows[t, p, m] < e:
                    below += 1
            s = own[g] + base[t, p] + suffix[t, p, below]
            sums[p] = s
            acc += s
        mean = acc / P
        var = 0.0
        for p in range(P):
            var += (sums[p] - mean) ** 2
        mean_out[g] = mean
        sd_out[g] = math.sqrt(var / P)
        a = starts[g]
        b = starts[g + 1]
        if b - a > 8:
            sums.sort()
            for q in range(a, b):
                c = cells[q]
                larger[c] = P - _bisect(sums, wy[c], False)
                smaller[c] = _bisect(sums, wy[c], True)
        else:
            for q in range(a, b):
                c = cells[q]
                v = wy[c]
                ge = 0
                le = 0
                for p in range(P):
                    if sums[p] >= v:
                        ge += 1
                    if sums[p] <= v:
                        le += 1
                larger[c] = ge
                smaller[c] = le


def fdr_reject(p: npt.ArrayLike, alpha: float) -> npt.NDArray[np.bool_]:
    """Benjamini-Hochberg: which hypotheses are rejected at false discovery rate ``alpha``."""
    pa = np.asarray(p, dtype=np.float64).ravel()
    m = pa.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(pa, kind="stable")
    ranked = pa[order]
    ok = ranked <= alpha * np.arange(1, m + 1) / m
    reject = np.zeros(m, dtype=bool)
    if ok.any():
        kmax = int(np.nonzero(ok)[0].max())
        reject[order[: kmax + 1]] = True
    return reject


class _GiStarCore:
    """Gi* from y, the neighbourhood sums (cell included) and the cardinalities."""

    y: FloatArray
    Gs: FloatArray
    EGs: FloatArray
    VGs: FloatArray
    Zs: FloatArray
    p_norm: FloatArray
    p_sim: FloatArray | None
    EG_sim: FloatArray | None
    seG_sim: FloatArray | None  # noqa: N815 (esda's name)
    z_sim: FloatArray | None
    p_value: FloatArray
    classes: IntArray
    larger: IntArray
    smaller: IntArray
    cardinality: FloatArray

    def _compute(
        self,
        y: FloatArray,
        wy: FloatArray,
        card: FloatArray,
        permutations: int,
        seed: int | None,
        fdr: bool,
    ) -> None:
        n = y.size
        self.n = n
        self.permutations = int(permutations)
        self.seed = seed
        self.fdr = fdr
        self.cardinality = card
        total = float(y.sum())
        mean = np.float64(total) / n  # numpy floats: an all-zero grid gives NaN, not an error
        var = np.float64((y * y).sum()) / n - mean * mean
        with np.errstate(divide="ignore", invalid="ignore"):
            self.Gs = wy / total
            self.EGs = card / n
            self.VGs = card * (n - card) / (n - 1) / n**2 * (var / mean**2)
            self.Zs = (self.Gs - self.EGs) / np.sqrt(self.VGs)
        self.p_norm = stats.norm.sf(np.abs(self.Zs))  # one-sided, as esda
        self.p_sim = self.EG_sim = self.seG_sim = self.z_sim = None
        if permutations > 0 and n > 1:
            self._permute(y, wy, card, total)
            assert self.p_sim is not None
            two_sided = np.minimum(1.0, 2.0 * self.p_sim)
            # direction from the permutation test: the tail the observed sum lies in
            direction = np.where(
                self.larger < self.smaller, 1.0, np.where(self.larger > self.smaller, -1.0, 0.0)
            )
        else:
            two_sided = np.minimum(1.0, 2.0 * self.p_norm)
            direction = np.sign(np.where(np.isfinite(self.Zs), self.Zs, 0.0))
        self.p_value = np.where(np.isfinite(two_sided), two_sided, 1.0)
        self.classes = self._classify(self.p_value, direction, fdr)

    def _permute(self, y: FloatArray, wy: FloatArray, card: FloatArray, total: float) -> None:
        P = self.permutations
        n = y.size
        draws_all = np.minimum(card.astype(np.int64) - 1, n - 1)
        # cells sharing (own value, cardinality) share the conditional null distribution
        _, value_code = np.unique(y, return_inverse=True)
        key = value_code.ravel().astype(np.int64) * (int(draws_all.max()) + 1) + draws_all
        _, group = np.unique(key, return_inverse=True)
        group = group.ravel()
        G = int(group.max()) + 1
        exemplar = np.empty(G, dtype=np.int64)
        exemplar[group[::-1]] = np.arange(n)[::-1]  # first cell of each group
        draws = draws_all[exemplar]
        own = y[exemplar]
        M = _random_draws(n - 1, int(draws.max()), P, self.seed)
        order = np.argsort(group, kind="stable")
        starts = np.searchsorted(group[order], np.arange(G + 1)).astype(np.int64)
        larger = np.empty(n, dtype=np.int64)  # simulations >= observed
        smaller = np.empty(n, dtype=np.int64)  # simulations <= observed
        mean_g = np.empty(G)
        sd_g = np.empty(G)
        draws = np.minimum(draws, M.shape[1])
        kvals, table = np.unique(draws, return_inverse=True)
        rows, base, suffix = _draw_tables(np.ascontiguousarray(y), M, kvals.astype(np.int64))
        with PARALLEL_LOCK:
            _crand_groups(
                exemplar,
                table.ravel().astype(np.int64),
                kvals.astype(np.int64),
                rows,
                base,
                suffix,
                np.ascontiguousarray(own),
                starts,
                order.astype(np.int64),
                np.ascontiguousarray(wy),
                larger,
                smaller,
                mean_g,
                sd_g,
            )
        self.larger = larger
        self.smaller = smaller
        folded = np.minimum(larger, smaller)
        self.p_sim = (folded + 1.0) / (P + 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.EG_sim = mean_g[group] / total
            self.seG_sim = sd_g[group] / total
        with np.errstate(divide="ignore", invalid="ignore"):
            self.z_sim = (self.Gs - self.EG_sim) / self.seG_sim
        self.groups = G

    @staticmethod
    def _classify(p: FloatArray, direction: FloatArray, fdr: bool) -> IntArray:
        classes = np.zeros(p.shape, dtype=np.int64)
        flat_p = p.ravel()
        for level, conf in enumerate(CONFIDENCE_LEVELS, start=1):
            alpha = 1.0 - conf
            sig = fdr_reject(flat_p, alpha) if fdr else flat_p <= alpha + 1e-12
            classes.ravel()[sig] = level
        out: IntArray = np.where(direction < 0, -classes, np.where(direction > 0, classes, 0))
        return out

    @property
    def hot_spots(self) -> int:
        return int((self.classes > 0).sum())

    @property
    def cold_spots(self) -> int:
        return int((self.classes < 0).sum())


def neighbourhood_stencil(cell_size: float, distance_band: float | None) -> FloatArray:
    """Binary stencil of the neighbours of a cell, itself included.

    ``None``: queen contiguity (the 3 x 3 block). A distance band (metres): every cell whose
    centre lies within the band of the cell's centre.
    """
    if distance_band is None:
        return np.ones((3, 3))
    if distance_band < 0:
        raise ValueError("the distance band must be >= 0 metres")
    R = math.floor(distance_band / cell_size + 1e-9)
    off = np.arange(-R, R + 1) * cell_size
    d2 = off[:, None] ** 2 + off[None, :] ** 2
    return (d2 <= distance_band**2 * (1 + 1e-12)).astype(np.float64)


class GiStar(_GiStarCore):
    """Getis-Ord Gi* hotspot statistic on a grid of counts.

    Computes on creation. Binary weights with the cell included in its own neighbourhood, as
    esda's ``G_Local(y, w, transform="B", star=True)``; the z-scores equal esda's ``Zs``.

    Parameters
    ----------
    counts : array_like, shape (nrows, ncols)
        Incidents (or any value) per cell, e.g. from :func:`grid_counts`.
    cell_size : float, default 1
        Metres per cell (only used with ``distance_band``).
    distance_band : float, optional
        Neighbours are cells whose centres are within this many metres; default queen.
    mask : array_like of bool, optional
        Cells in the study area; others are left out (not zero) and get NaN results.
    permutations : int, default 0
        Conditional randomisation: each cell's value is held and its neighbours are drawn at
        random from the other cells. As in esda, one matrix of random indices (permutations x
        largest neighbourhood) serves every cell. Cells with the same value and number of
        neighbours have the same null distribution, so they share one set of simulated sums:
        the cost is at most cells x neighbours x permutations, and far less for counts.
    seed : int, optional
    fdr : bool, default True
        Classify with Benjamini-Hochberg false discovery rate control at each level.

    Attributes
    ----------
    Gs, EGs, VGs, Zs : ndarray, shape (nrows, ncols)
        The statistic, its expectation and variance, and the analytic z-score.
    p_norm : ndarray
        One-sided normal p-value of ``|Zs|`` (esda's definition).
    p_sim : ndarray or None
        Pseudo p-value in the direction of the observed value,
        ``(min(#sims >= observed, #sims <= observed) + 1) / (P + 1)``. esda folds with
        ``P - #sims >= observed`` instead, which calls a cell with no incidents around it
        significant whenever some simulations tie with it (common with counts); the two agree
        when there are no ties.
    p_value : ndarray
        Two-sided p-value used for the classes: ``2 * p_sim`` with permutations, else
        ``2 * p_norm`` (capped at 1).
    classes : ndarray of int
        +3/+2/+1 hot spot at 99/95/90% confidence, 0 not significant, -1/-2/-3 cold spot.
    """

    def __init__(
        self,
        counts: npt.ArrayLike,
        *,
        cell_size: float = 1.0,
        distance_band: float | None = None,
        mask: npt.ArrayLike | None = None,
        permutations: int = 0,
        seed: int | None = None,
        fdr: bool = True,
    ) -> None:
        grid_y = np.asarray(counts, dtype=np.float64)
        if grid_y.ndim != 2:
            raise ValueError("counts must be a 2-D grid")
        if permutations < 0:
            raise ValueError("permutations must be >= 0")
        m = np.ones(grid_y.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if m.shape != grid_y.shape:
            raise ValueError("the mask must have the grid's shape")
        if not np.isfinite(grid_y[m]).all():
            raise ValueError("counts must be finite inside the study area")
        self.shape = grid_y.shape
        self.distance_band = distance_band
        stencil = neighbourhood_stencil(cell_size, distance_band)
        self.stencil = stencil
        yz = np.where(m, grid_y, 0.0)
        wy_full = ndimage.correlate(yz, stencil, mode="constant", cval=0.0)
        card_full = ndimage.correlate(m.astype(np.float64), stencil, mode="constant", cval=0.0)
        self._compute(yz[m], wy_full[m], card_full[m], permutations, seed, fdr)
        for name in (
            "Gs",
            "EGs",
            "VGs",
            "Zs",
            "p_norm",
            "p_sim",
            "EG_sim",
            "seG_sim",
            "z_sim",
            "p_value",
            "cardinality",
        ):
            v = getattr(self, name)
            if v is not None:
                full = np.full(self.shape, np.nan)
                full[m] = v
                setattr(self, name, full)
        cls_full = np.zeros(self.shape, dtype=np.int64)
        cls_full[m] = self.classes
        self.classes = cls_full
        self.mask = m
        self.y = grid_y


# ---------------------------------------------------------------------------------------------
# polygons
# ---------------------------------------------------------------------------------------------


def _rings(geom: Any) -> list[Any]:
    gt = geom.geom_type
    if gt == "Polygon":
        return [geom.exterior, *geom.interiors]
    if gt in ("MultiPolygon", "GeometryCollection"):
        out: list[Any] = []
        for part in geom.geoms:
            out.extend(_rings(part))
        return out
    raise ValueError(f"expected polygons, got a {gt}")


def contiguity(geometries: Sequence[Any], kind: str = "queen") -> list[list[int]]:
    """Neighbours of each polygon built from the boundaries (shapely geometries).

    ``queen``: polygons sharing at least one boundary vertex; ``rook``: sharing at least one
    boundary edge (two consecutive vertices). Like libpysal's ``Queen``/``Rook``, vertices must
    coincide exactly (true of boundaries cut from one topology, such as ONS LSOAs). The cell
    itself is not in its list.
    """
    if kind not in ("queen", "rook"):
        raise ValueError("kind must be 'queen' or 'rook'")
    owners: dict[Any, set[int]] = defaultdict(set)
    for gi, geom in enumerate(geometries):
        for ring in _rings(geom):
            coords = [tuple(c[:2]) for c in ring.coords]
            if kind == "queen":
                for c in coords:
                    owners[c].add(gi)
            else:
                for a, b in itertools.pairwise(coords):
                    if a != b:
                        owners[(a, b) if a <= b else (b, a)].add(gi)
    nbrs: list[set[int]] = [set() for _ in range(len(geometries))]
    for ids in owners.values():
        if len(ids) > 1:
            for i in ids:
                nbrs[i].update(ids)
    return [sorted(s - {i}) for i, s in enumerate(nbrs)]


class GiStarPolygons(_GiStarCore):
    """Getis-Ord Gi* on areas (LSOAs, wards) with binary contiguity weights plus the area
    itself, as esda's ``G_Local(y, w, transform="B", star=True)``.

    Parameters
    ----------
    values : array_like
        One value per area (count or rate).
    geometries : sequence of shapely polygons, optional
        The areas' boundaries; contiguity is built with :func:`contiguity`.
    neighbours : list of lists of int, optional
        Instead of geometries: each area's neighbours (itself excluded).
    contiguity_kind : {"queen", "rook"}, default "queen"
    permutations, seed, fdr
        As :class:`GiStar`.

    Attributes
    ----------
    As :class:`GiStar`, one entry per area; ``neighbours`` holds the lists used.
    """

    def __init__(
        self,
        values: npt.ArrayLike,
        geometries: Sequence[Any] | None = None,
        *,
        neighbours: list[list[int]] | None = None,
        contiguity_kind: str = "queen",
        permutations: int = 0,
        seed: int | None = None,
        fdr: bool = True,
    ) -> None:
        y = np.asarray(values, dtype=np.float64).ravel()
        if neighbours is None:
            if geometries is None:
                raise ValueError("give the areas' geometries or their neighbours")
            neighbours = contiguity(geometries, contiguity_kind)
        if len(neighbours) != y.size:
            raise ValueError("one value per area is needed")
        if not np.isfinite(y).all():
            raise ValueError("values must be finite")
        self.neighbours = neighbours
        lengths = np.array([len(nb) for nb in neighbours], dtype=np.int64)
        flat = (
            np.concatenate([np.asarray(nb, dtype=np.int64) for nb in neighbours])
            if lengths.sum()
            else np.zeros(0, np.int64)
        )
        owner = np.repeat(np.arange(y.size), lengths)
        wy = y + np.bincount(owner, weights=y[flat], minlength=y.size)
        card = lengths.astype(np.float64) + 1.0
        self.y = y
        self._compute(y, wy, card, permutations, seed, fdr)


# ---------------------------------------------------------------------------------------------
# accuracy of a hotspot map and prospective forecasting
# ---------------------------------------------------------------------------------------------


class PredictiveAccuracy:
    """Hit rate, Predictive Accuracy Index (PAI) and Predictive Efficiency Index (PEI).

    The cells with the highest scores covering each chosen share of the study area are the
    "hotspots"; the later crimes falling in them are counted.

    * hit rate = n / N (share of later crimes inside the hotspots),
    * PAI = (n / N) / (a / A) (Chainey et al. 2008),
    * PEI = n / n* where n* is the most crimes any set of the same number of cells captures
      (Hunt 2016), i.e. PAI / PAI*.

    Parameters
    ----------
    scores : array_like
        Hotspot surface (density, Gi* z, forecast risk), one per cell.
    later_counts : array_like
        Crimes per cell in the later (test) period, same shape.
    coverages : sequence of float, default (0.01, 0.05, 0.10)
        Shares of the study area flagged as hotspots.
    mask : array_like of bool, optional
        Cells in the study area.

    Attributes
    ----------
    cells : ndarray of int
        Cells flagged at each coverage: ``max(1, round(coverage x cells in area))``. Cells tied
        with the last flagged score share the remaining places pro rata (the expected capture
        of a random tie-break), so a flat surface scores PAI 1, never a lucky or unlucky
        order.
    hit_rate, pai, pei : ndarray of float, one per coverage
    """

    def __init__(
        self,
        scores: npt.ArrayLike,
        later_counts: npt.ArrayLike,
        *,
        coverages: Sequence[float] = (0.01, 0.05, 0.10),
        mask: npt.ArrayLike | None = None,
    ) -> None:
        s = np.asarray(scores, dtype=np.float64)
        c = np.asarray(later_counts, dtype=np.float64)
        if s.shape != c.shape:
            raise ValueError("scores and later counts must have the same shape")
        m = np.ones(s.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        sv = np.where(np.isfinite(s[m]), s[m], -np.inf)
        cv = c[m]
        A = sv.size
        N = float(cv.sum())
        cov = np.asarray(list(coverages), dtype=np.float64)
        if A == 0 or ((cov <= 0) | (cov > 1)).any():
            raise ValueError("coverages must be in (0, 1] and the study area non-empty")
        best = np.concatenate([[0.0], np.cumsum(np.sort(cv)[::-1])])
        k = np.minimum(A, np.maximum(1, np.rint(cov * A).astype(np.int64)))
        ranked = np.sort(sv)[::-1]
        captured = np.empty(k.size)
        for q, kq in enumerate(k):
            # cells tied with the k-th score share the remaining places pro rata
            threshold = ranked[kq - 1]
            above = sv > threshold
            tied = sv == threshold
            n_above = int(above.sum())
            captured[q] = cv[above].sum() + (kq - n_above) / int(tied.sum()) * cv[tied].sum()
        self.coverages = cov
        self.cells = k
        self.area_share = k / A
        self.crimes = N
        self.captured = captured
        with np.errstate(divide="ignore", invalid="ignore"):
            self.hit_rate = self.captured / N if N > 0 else np.full(cov.shape, np.nan)
            self.pai = self.hit_rate / self.area_share
            self.pei = np.where(best[k] > 0, self.captured / best[k], np.nan)

    def to_dict(self) -> list[dict[str, float]]:
        return [
            {
                "coverage": float(c),
                "cells": int(k),
                "hit_rate": float(h),
                "pai": float(p),
                "pei": float(e),
            }
            for c, k, h, p, e in zip(
                self.coverages, self.cells, self.hit_rate, self.pai, self.pei, strict=True
            )
        ]


class ProspectiveHotspots:
    """Bowers-Johnson-Pease prospective hotspot forecast.

    Each recent incident raises the risk of the cells around it, by ``1 / (1 + d)`` for a cell
    ``d`` cells away (distance between cell centres in cell widths, within ``space_bandwidth``
    metres) times ``1 / (1 + w)`` for an incident ``w`` whole weeks before the forecast date
    (within ``time_bandwidth`` days). Bowers, Johnson & Pease (2004) used 400 m and two months.

    Parameters
    ----------
    x, y : array_like
        Incident coordinates (metres).
    dates : array_like
        Incident dates (days, or anything :func:`safercity.analytics.near_repeat.to_days`
        reads).
    grid : Grid
    at : date-like or float
        Forecast date; incidents strictly before it and within the time bandwidth count.
    space_bandwidth : float, default 400
    time_bandwidth : float, default 56 (days)

    Attributes
    ----------
    risk : ndarray, shape grid.shape
    events_used : int
    """

    def __init__(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        dates: Any,
        grid: Grid,
        *,
        at: Any,
        space_bandwidth: float = 400.0,
        time_bandwidth: float = 56.0,
    ) -> None:
        from safercity.analytics.near_repeat import to_days

        t = to_days(dates)
        t_at = float(to_days(np.asarray([at]))[0])
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        age = t_at - t
        use = (age > 0) & (age <= time_bandwidth)
        weeks = np.floor(age[use] / 7.0)
        tw = 1.0 / (1.0 + weeks)
        binned = grid_counts(xa[use], ya[use], grid, weights=tw)
        R = math.floor(space_bandwidth / grid.cell_size + 1e-9)
        off = np.arange(-R, R + 1)
        dcells = np.sqrt(off[:, None] ** 2 + off[None, :] ** 2)
        K = np.where(dcells * grid.cell_size <= space_bandwidth * (1 + 1e-12), 1 / (1 + dcells), 0)
        self.risk: FloatArray = ndimage.correlate(binned, K, mode="constant", cval=0.0)
        self.events_used = int(use.sum())
        self.grid = grid
        self.space_bandwidth = space_bandwidth
        self.time_bandwidth = time_bandwidth


# ---------------------------------------------------------------------------------------------
# map layers
# ---------------------------------------------------------------------------------------------


def grid_geojson(
    grid: Grid,
    layers: dict[str, npt.ArrayLike],
    *,
    keep: npt.ArrayLike | None = None,
    wgs84: bool = True,
    precision: int = 6,
) -> dict[str, Any]:
    """The grid as a GeoJSON FeatureCollection of square cells with the layers as properties.

    ``keep`` selects cells (default: cells where any layer is non-zero). With ``wgs84`` the
    corners are projected to longitude/latitude (RFC 7946); otherwise they stay in British
    National Grid and the collection names its CRS.
    """
    arrays = {k: np.asarray(v) for k, v in layers.items()}
    for name, a in arrays.items():
        if a.shape != grid.shape:
            raise ValueError(f"layer {name!r} does not have the grid's shape")
    if keep is None:
        sel = np.zeros(grid.shape, dtype=bool)
        for a in arrays.values():
            sel |= np.nan_to_num(a.astype(np.float64)) != 0
    else:
        sel = np.asarray(keep, dtype=bool)
    rows, cols = np.nonzero(sel)
    cs = grid.cell_size
    xs = grid.x0 + cols * cs
    ys = grid.y0 + rows * cs
    cx = np.stack([xs, xs + cs, xs + cs, xs, xs], axis=1)
    cy = np.stack([ys, ys, ys + cs, ys + cs, ys], axis=1)
    if wgs84 and cx.size:
        from pyproj import Transformer

        tr = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
        lon, lat = tr.transform(cx.ravel(), cy.ravel())
        cx = np.round(np.asarray(lon).reshape(cx.shape), precision)
        cy = np.round(np.asarray(lat).reshape(cy.shape), precision)
    features = []
    for k in range(rows.size):
        props: dict[str, Any] = {"row": int(rows[k]), "col": int(cols[k])}
        for name, a in arrays.items():
            v = a[rows[k], cols[k]]
            if isinstance(v, np.floating):
                props[name] = float(v) if np.isfinite(v) else None
            elif isinstance(v, np.integer):
                props[name] = int(v)
            else:
                props[name] = v.item() if hasattr(v, "item") else v
        ring = [[float(cx[k, i]), float(cy[k, i])] for i in range(5)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": props,
            }
        )
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if not wgs84:
        out["crs"] = {"type": "name", "properties": {"name": grid.crs}}
    return out


def _ramp(t: float) -> str:
    """Pale yellow to dark red, t in [0, 1]."""
    stops = [(255, 255, 178), (254, 204, 92), (253, 141, 60), (240, 59, 32), (189, 0, 38)]
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    rgb = [round(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def grid_svg(
    grid: Grid,
    values: npt.ArrayLike,
    *,
    classes: bool = False,
    width: int = 800,
    title: str = "",
    chart_id: str = "hotspot-map",
    desc: str = "",
) -> str:
    """An SVG map layer of the grid (north up), for reports.

    ``classes=True`` draws Gi* classes (-3..3) in the hot/cold palette with a legend; otherwise
    values are shaded pale yellow to dark red up to the maximum, zeros left transparent. The
    image is labelled by its ``<title>`` and ``<desc>`` (ids ``chart_id``-title and -desc).
    """
    v = np.asarray(values, dtype=np.float64)
    if v.shape != grid.shape:
        raise ValueError("values must have the grid's shape")
    scale = width / grid.ncols
    height = max(1, round(grid.nrows * scale))
    legend_h = 22 * 7 + 10 if classes else 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height + legend_h}" viewBox="0 0 {width} {height + legend_h}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{html.escape(title or "hotspot map")}</title>',
        f'<desc id="{chart_id}-desc">{html.escape(desc or title or "hotspot map")}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="none" stroke="#999"/>',
    ]
    vmax = float(np.nanmax(v)) if v.size and np.isfinite(v).any() else 0.0
    rows, cols = np.nonzero(np.nan_to_num(v) != 0)
    for r, c in zip(rows, cols, strict=True):
        val = v[r, c]
        if classes:
            colour = CLASS_COLOURS.get(int(val), "#f0f0f0")
        else:
            colour = _ramp(val / vmax if vmax > 0 else 0)
        x = c * scale
        y = (grid.nrows - 1 - r) * scale
        parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="{scale:.2f}" height="{scale:.2f}" '
            f'fill="{colour}"/>'
        )
    if classes:
        for i, cls in enumerate((3, 2, 1, 0, -1, -2, -3)):
            ly = height + 8 + 22 * i
            parts.append(
                f'<rect x="8" y="{ly}" width="14" height="14" fill="{CLASS_COLOURS[cls]}" '
                f'stroke="#666"/><text x="28" y="{ly + 12}" font-size="12" '
                f'font-family="sans-serif">{html.escape(CLASS_LABELS[cls])}</text>'
            )
    else:
        parts.append(
            f'<text x="8" y="{height + 20}" font-size="12" font-family="sans-serif">'
            f"shading from 0 to {vmax:.3g} per cell layer unit; cell {grid.cell_size:g} m"
            "</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def dumps_geojson(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"))
