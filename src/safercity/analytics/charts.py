"""Plain SVG charts for the Strategic Assessment: line, bar, heat table and area map.

Written by hand (no plotting library) so the output is small, deterministic (the same data give
the same bytes: coordinates are rounded to 0.1, nothing depends on time or randomness) and
renders identically in a browser and in WeasyPrint's PDF.

Accessibility (WCAG 2.2): every chart is an ``<svg role="img">`` with a ``<title>`` and a
``<desc>`` (the alt text) referenced by ``aria-labelledby``; the report puts the chart's data
table beside it. Colours come from the Okabe & Ito (2008) colour-blind-safe palette for series
and a single-hue sequential blue scale (ColorBrewer "Blues", Harrower & Brewer 2003) for
quantities, and nothing is shown by colour alone: series also differ in dash pattern and marker
and are labelled at their ends, heat-table cells print their values, map classes are listed in a
legend with their ranges (and the map's table gives every value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import shapely

#: Okabe & Ito (2008) colour-blind-safe palette (black left out: used for text and axes)
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: dash patterns paired with the colours, so series differ without colour
SERIES_DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")
#: marker shapes paired with the colours
SERIES_MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
#: ColorBrewer "Blues" (5 classes, colour-blind safe, printer friendly), light to dark
SEQUENTIAL = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
#: text and axes: near-black on white (contrast 15:1)
INK = "#0b0c0c"
#: grid lines
GRID = "#b1b4b6"
FONT = "font-family:Arial,Helvetica,sans-serif"


def _f(x: float) -> str:
    """A coordinate rounded to 0.1, without a trailing ``.0`` (deterministic, compact)."""
    v = round(float(x), 1)
    if v == 0:
        v = 0.0
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_colour(fill: str) -> str:
    """Black or white text, whichever has the higher WCAG contrast on ``fill`` ("#rrggbb")."""
    r, g, b = (int(fill[i : i + 2], 16) / 255.0 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return "#000000" if on_black >= on_white else "#ffffff"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi] (steps 1, 2, 2.5 or 5 x 10^k)."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = mag * 10
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            step = m * mag
            break
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.5:
        ticks.append(round(v, 10))
        v += step
        if len(ticks) > 50:
            break
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _tick_label(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:g}"


def _open(
    width: int, height: int, chart_id: str, title: str, desc: str, css_class: str | None = None
) -> list[str]:
    # a page with a strict Content Security Policy allows no style attribute: the class names
    # the chart for the page's stylesheet (which sets the font) instead
    look = f'class="{escape(css_class)}"' if css_class else f'style="{FONT}"'
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}" {look}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{_f(x - 3)}" y="{_f(y - 3)}" width="6" height="6" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{_f(x)},{_f(y - 4)} {_f(x + 4)},{_f(y + 3)} {_f(x - 4)},{_f(y + 3)}"'
            f' fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{_f(x)},{_f(y - 4)} {_f(x + 4)},{_f(y)} {_f(x)},{_f(y + 4)} '
            f'{_f(x - 4)},{_f(y)}" fill="{colour}"/>'
        )
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3" fill="{colour}"/>'


@dataclass
class Series:
    """One line: a name and a value per x label (None = no data: the line breaks there)."""

    name: str
    values: Sequence[float | None]


@dataclass
class RefLine:
    """A horizontal reference line (e.g. an SPC mean or limit), dashed grey, labelled."""

    label: str
    value: float


def line_chart(
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    y_label: str = "",
    width: int = 640,
    height: int = 300,
    ref_lines: Sequence[RefLine] = (),
    label_every: int | None = None,
    zero_based: bool = True,
    css_class: str | None = None,
    label_from_end: bool = False,
) -> str:
    """A line chart of one or more series over the same x labels.

    Gaps (None) break the line, so a missing month is never drawn as a zero. Each series has its
    own colour, dash pattern and marker, and is named at its last point and in a legend.
    ``css_class``: for web pages, a class on the ``<svg>`` instead of its inline font style (a
    Content Security Policy without 'unsafe-inline' refuses style attributes).
    ``label_from_end``: when not every x label fits, count the labelled ones back from the last
    (the latest month is always labelled) rather than on from the first.
    """
    left, right, top, bottom = 64, 150, 16, 56
    pw, ph = width - left - right, height - top - bottom
    vals = [float(v) for s in series for v in s.values if v is not None and math.isfinite(v)]
    vals += [r.value for r in ref_lines if math.isfinite(r.value)]
    lo = 0.0 if zero_based or not vals else min(vals)
    hi = max(vals) if vals else 1.0
    if not zero_based and vals:
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        lo, hi = lo - pad, hi + pad
    ticks = nice_ticks(lo, hi)
    y0, y1 = ticks[0], ticks[-1]
    n = len(labels)

    def x_at(i: int) -> float:
        return left + (pw * (i + 0.5) / n if n else 0.0)

    def y_at(v: float) -> float:
        return top + ph - ph * (v - y0) / (y1 - y0 if y1 > y0 else 1.0)

    out = _open(width, height, chart_id, title, desc, css_class)
    for t in ticks:
        y = y_at(t)
        out.append(
            f'<line x1="{left}" y1="{_f(y)}" x2="{left + pw}" y2="{_f(y)}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_f(y + 4)}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{escape(_tick_label(t))}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="{INK}"/>'
    )
    every = label_every or max(1, math.ceil(n / 12))
    for i, lab in enumerate(labels):
        k = n - 1 - i if label_from_end else i
        if k % every == 0 or (i == n - 1 and n <= 13):
            x = x_at(i)
            out.append(
                f'<text x="{_f(x)}" y="{top + ph + 14}" font-size="10" text-anchor="end" '
                f'transform="rotate(-40 {_f(x)} {top + ph + 14})" fill="{INK}">'
                f"{escape(lab)}</text>"
            )
    if y_label:
        out.append(
            f'<text x="14" y="{_f(top + ph / 2)}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {_f(top + ph / 2)})" fill="{INK}">{escape(y_label)}</text>'
        )
    for r in ref_lines:
        y = y_at(r.value)
        out.append(
            f'<line x1="{left}" y1="{_f(y)}" x2="{left + pw}" y2="{_f(y)}" stroke="#505a5f" '
            'stroke-width="1" stroke-dasharray="3 3"/>'
        )
        out.append(
            f'<text x="{left + pw + 4}" y="{_f(y + 4)}" font-size="10" fill="{INK}">'
            f"{escape(r.label)}</text>"
        )
    for k, s in enumerate(series):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[k % len(SERIES_DASHES)]
        marker = SERIES_MARKERS[k % len(SERIES_MARKERS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None or not math.isfinite(float(v)):
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((x_at(i), y_at(float(v))))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in runs:
            if len(run) >= 2:
                pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"'
                    f"{dash_attr}/>"
                )
            for x, y in run:
                out.append(_marker(marker, x, y, colour))
        # legend entry (colour + dash + marker + name)
        ly = top + 10 + 18 * k
        lx = left + pw + 8
        if ref_lines:
            ly = top + ph - 18 * (len(series) - k)
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        out.append(_marker(marker, lx + 11, ly, colour))
        out.append(
            f'<text x="{lx + 26}" y="{ly + 4}" font-size="11" fill="{INK}">'
            f"{escape(_clip(s.name, 18))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def bar_chart(
    chart_id: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    desc: str,
    value_format: str = "{:,.0f}",
    width: int = 640,
    bar_height: int = 18,
    label_width: int = 200,
    css_class: str | None = None,
) -> str:
    """A horizontal bar chart (one bar per label, values printed at the bar ends);
    ``css_class`` as for :func:`line_chart`."""
    n = len(labels)
    top, gap = 8, 6
    height = top * 2 + n * (bar_height + gap) + 20
    left = label_width
    pw = width - left - 80
    hi = max([float(v) for v in values if math.isfinite(float(v))] + [0.0])
    ticks = nice_ticks(0.0, hi if hi > 0 else 1.0, 4)
    x1v = ticks[-1]
    out = _open(width, height, chart_id, title, desc, css_class)
    base_y = top + n * (bar_height + gap)
    for t in ticks:
        x = left + pw * t / x1v
        out.append(
            f'<line x1="{_f(x)}" y1="{top}" x2="{_f(x)}" y2="{base_y}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{_f(x)}" y="{base_y + 14}" font-size="10" text-anchor="middle" '
            f'fill="{INK}">{escape(_tick_label(t))}</text>'
        )
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_height + gap)
        w = pw * float(v) / x1v if math.isfinite(float(v)) and x1v > 0 else 0.0
        out.append(
            f'<text x="{left - 6}" y="{_f(y + bar_height * 0.7)}" font-size="11" '
            f'text-anchor="end" fill="{INK}">{escape(_clip(lab, 32))}</text>'
        )
        out.append(
            f'<rect x="{left}" y="{y}" width="{_f(max(w, 0.0))}" height="{bar_height}" '
            f'fill="{SERIES_COLOURS[0]}"/>'
        )
        out.append(
            f'<text x="{_f(left + max(w, 0.0) + 4)}" y="{_f(y + bar_height * 0.7)}" '
            f'font-size="11" fill="{INK}">{escape(value_format.format(float(v)))}</text>'
        )
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base_y}" stroke="{INK}"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def class_breaks(values: Sequence[float], k: int = 5) -> list[float]:
    """Upper bounds of up to ``k`` classes for whole-number counts, deterministic.

    Zero is a class of its own when any value is zero (places with no incidents should not
    share a shade with places that have some); the positive values are split at their
    quantiles into the remaining classes (bounds rounded up to whole numbers, duplicates
    removed). The last bound is the maximum.
    """
    arr = np.asarray([float(v) for v in values if math.isfinite(float(v))], dtype=float)
    if arr.size == 0:
        return [0.0]
    out: list[float] = []
    pos = arr[arr > 0]
    n_classes = k
    if (arr <= 0).any():
        out.append(0.0)
        n_classes = k - 1
    if pos.size:
        qs = np.quantile(pos, np.linspace(0, 1, n_classes + 1)[1:], method="linear")
        for q in qs:
            b = float(math.ceil(q - 1e-9))
            if not out or b > out[-1]:
                out.append(b)
        if out[-1] < float(pos.max()):
            out.append(float(math.ceil(pos.max())))
    return out


def classify(value: float, breaks: Sequence[float]) -> int:
    """Index of the first class whose upper bound is >= value."""
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks) - 1


def class_labels(breaks: Sequence[float]) -> list[str]:
    """Legend labels for whole-number classes: ``"0–3"``, ``"4–10"``, ..."""
    labels = []
    lo = 0.0
    for b in breaks:
        lo_text = f"{lo:,.0f}"
        labels.append(f"{lo_text}–{b:,.0f}" if b > lo else f"{b:,.0f}")
        lo = b + 1
    return labels


def path_data(geom: Any, tx: Any) -> str:
    """The SVG path data (``d``) of a polygon or multipolygon, its coordinates mapped by
    ``tx(xs, ys) -> (xs, ys)`` (e.g. British National Grid metres to the drawing)."""
    parts: list[str] = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            coords = np.asarray(ring.coords)
            if len(coords) < 3:
                continue
            xs, ys = tx(coords[:, 0], coords[:, 1])
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in zip(xs, ys, strict=True))
            parts.append(f"M{pts}Z")
    return " ".join(parts)


def area_map(
    chart_id: str,
    geometries: Sequence[Any],
    values: Sequence[float],
    names: Sequence[str],
    *,
    title: str,
    desc: str,
    value_name: str = "incidents",
    width: int = 640,
    height: int = 460,
    breaks: Sequence[float] | None = None,
    simplify_m: float = 5.0,
) -> str:
    """A choropleth of polygons (British National Grid metres) shaded in 5 sequential classes.

    Each polygon carries a ``<title>`` (its name and value, shown on hover); the legend lists
    every class with its range. Polygons are simplified by ``simplify_m`` metres for size.
    """
    geoms = [shapely.simplify(g, simplify_m, preserve_topology=True) for g in geometries]
    br = list(breaks) if breaks is not None else class_breaks(values)
    legend_w = 150
    out = _open(width, height, chart_id, title, desc)
    valid = [g for g in geoms if g is not None and not g.is_empty]
    if not valid:
        out.append(f'<text x="10" y="20" font-size="12" fill="{INK}">No boundaries to draw</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(valid, dtype=object))
    pw, ph = width - legend_w - 20, height - 20
    scale = min(pw / max(x1 - x0, 1.0), ph / max(y1 - y0, 1.0))
    ox = 10 + (pw - scale * (x1 - x0)) / 2
    oy = 10 + (ph - scale * (y1 - y0)) / 2

    def tx(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ox + (xs - x0) * scale, oy + (y1 - ys) * scale

    for g, v, name in zip(geoms, values, names, strict=True):
        if g is None or g.is_empty:
            continue
        c = SEQUENTIAL[min(classify(float(v), br), len(SEQUENTIAL) - 1)]
        out.append(
            f'<path d="{path_data(g, tx)}" fill="{c}" stroke="#505a5f" stroke-width="0.4" '
            f'fill-rule="evenodd"><title>{escape(name)}: {float(v):,.0f} '
            f"{escape(value_name)}</title></path>"
        )
    lx = width - legend_w + 4
    out.append(
        f'<text x="{lx}" y="24" font-size="11" font-weight="bold" fill="{INK}">'
        f"{escape(_clip(value_name, 22))}</text>"
    )
    for i, lab in enumerate(class_labels(br)):
        y = 34 + 20 * i
        c = SEQUENTIAL[min(i, len(SEQUENTIAL) - 1)]
        out.append(
            f'<rect x="{lx}" y="{y}" width="16" height="14" fill="{c}" stroke="#505a5f" '
            'stroke-width="0.5"/>'
        )
        out.append(f'<text x="{lx + 22}" y="{y + 11}" font-size="11" fill="{INK}">{lab}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def heat_table(
    chart_id: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    matrix: Sequence[Sequence[float]],
    *,
    title: str,
    desc: str,
    value_format: str = "{:.0f}",
    cell_w: int = 56,
    cell_h: int = 16,
) -> str:
    """A grid (e.g. hour of day x day of week) shaded in 5 classes, each cell printing its value
    (text colour chosen for contrast), so the shading is never the only carrier of meaning."""
    m = np.asarray(matrix, dtype=float)
    left, top = 56, 22
    width = left + cell_w * len(col_labels) + 10
    height = top + cell_h * len(row_labels) + 10
    hi = float(np.nanmax(m)) if m.size else 0.0
    out = _open(width, height, chart_id, title, desc)
    for j, c in enumerate(col_labels):
        out.append(
            f'<text x="{_f(left + cell_w * (j + 0.5))}" y="{top - 6}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{escape(c)}</text>'
        )
    for i, r in enumerate(row_labels):
        y = top + cell_h * i
        out.append(
            f'<text x="{left - 6}" y="{_f(y + cell_h * 0.75)}" font-size="10" text-anchor="end" '
            f'fill="{INK}">{escape(r)}</text>'
        )
        for j in range(len(col_labels)):
            v = float(m[i, j])
            k = 0 if hi <= 0 or not math.isfinite(v) else min(4, int(5 * v / hi - 1e-9))
            fill = SEQUENTIAL[max(k, 0)]
            x = left + cell_w * j
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" '
                'stroke="#ffffff" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{_f(x + cell_w / 2)}" y="{_f(y + cell_h * 0.75)}" font-size="9" '
                f'text-anchor="middle" fill="{text_colour(fill)}">'
                f"{escape(value_format.format(v))}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


__all__ = [
    "SEQUENTIAL",
    "SERIES_COLOURS",
    "RefLine",
    "Series",
    "area_map",
    "bar_chart",
    "class_breaks",
    "class_labels",
    "classify",
    "heat_table",
    "line_chart",
    "nice_ticks",
    "path_data",
    "text_colour",
]
