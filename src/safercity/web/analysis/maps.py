"""The hotspot map: incidents per grid square, kernel density and Getis-Ord Gi* hot and cold
spots, on the boundaries and names of the places they fall in.

The numbers are those of ``safercity hotspots`` for the same choices: the grid, the kernel
density and the Gi* statistic come from the engine (``safercity.analytics.hotspots``) with the
command's rules: the grid covers the area's boundary (and any incident just outside it) or, for
the whole workspace, the incidents; the study area is the boundary; quartic kernel with the
ArcGIS Pro bandwidth rule; Gi* on queen neighbours with as many conditional permutations as the
command would run (enough for false discovery rate control over every cell) and the settings'
seed. ``tests/web/test_maps.py`` checks the page's API against the command's ``--json``.

The boundaries drawn under the layer are built in (2011 LSOAs and local authorities, from
``safercity.analytics.geography``) or loaded (wards), so the map needs no tile server; a hot
square is named by the police.uk location text of its incidents ("On or near Shopping Area")
and by its LSOA, ward and borough.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import places, services
from .services import Filters

#: the layers, as headings say them
LAYERS = {
    "counts": "incidents per square",
    "density": "kernel density of incidents per square kilometre",
    "gi": "Getis-Ord Gi* hot and cold spots",
}
#: the same, short, for the form's choice
LAYER_CHOICES = {
    "counts": "Incidents per square",
    "density": "Kernel density",
    "gi": "Hot spots (Gi*)",
}
CELL_SIZES = (100, 250, 500, 1000)
#: incidents and density: ColorBrewer "OrRd", 5 classes (light to dark)
SEQUENTIAL = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
#: squares listed under the map, named by place
TOP_CELLS = 20
#: kernel density squares below this share of the peak are not drawn (as the command's GeoJSON)
DENSITY_FLOOR = 0.01
#: a police.uk location that names no place
NO_PLACE = {"", "no location"}
#: borough and ward outlines are drawn simplified to this many metres (a map, not a survey)
OUTLINE_TOLERANCE_M = 20.0


@dataclass(frozen=True)
class Boundary:
    area_type: str  # "lsoa", "ward" or "local_authority"
    code: str
    name: str
    geometry: Any  # British National Grid


def boundaries(filters: Filters) -> list[Boundary]:
    """The boundaries drawn under the map: the area's LSOAs, its loaded wards and its
    local authorities."""
    area = services.area_only(filters)
    return services.cached(  # type: ignore[no-any-return]
        "boundaries", lambda: _boundaries(area), area
    )


def _boundaries(filters: Filters) -> list[Boundary]:
    import shapely

    from safercity.analytics.geography import builtin_lsoas

    sc = places.scope(filters)
    geo = builtin_lsoas()
    index = {str(c): i for i, c in enumerate(geo.codes)}
    out = []
    for code, name in zip(sc.lsoas.index, sc.lsoas["lsoa_name"], strict=True):
        if str(code) in index:
            out.append(Boundary("lsoa", str(code), str(name), geo.polygons[index[str(code)]]))
    for ward in places.wards_in(filters) or []:
        if ward["polygon"] is not None:
            simple = shapely.simplify(ward["polygon"], OUTLINE_TOLERANCE_M, preserve_topology=True)
            out.append(Boundary("ward", ward["code"], ward["name"], simple))
    for la in sc.local_authorities:
        polygon = places.la_polygon(la)
        if polygon is not None:
            simple = shapely.simplify(polygon, OUTLINE_TOLERANCE_M, preserve_topology=True)
            out.append(Boundary("local_authority", la, la, simple))
    return out


def boundaries_geojson(filters: Filters) -> dict[str, Any]:
    """WGS84 GeoJSON (RFC 7946) of the boundaries, each with a point for its name."""
    area = services.area_only(filters)
    return services.cached(  # type: ignore[no-any-return]
        "boundaries-geojson", lambda: _boundaries_geojson(boundaries(area)), area
    )


def _boundaries_geojson(items: list[Boundary]) -> dict[str, Any]:
    import shapely

    from safercity.analytics.geography import from_bng

    def to_wgs84(xy: Any) -> Any:
        return np.column_stack(from_bng(xy[:, 0], xy[:, 1]))

    features = []
    for b in items:
        shape = shapely.set_precision(shapely.transform(b.geometry, to_wgs84), 1e-5)
        label = shapely.point_on_surface(b.geometry)
        lon, lat = (float(v[0]) for v in from_bng(np.array([label.x]), np.array([label.y])))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "area_type": b.area_type,
                    "code": b.code,
                    "name": b.name,
                    "label": [round(lon, 5), round(lat, 5)],
                },
                "geometry": shapely.geometry.mapping(shape),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def quantile_classes(values: list[float], k: int = 5) -> list[tuple[float, float]]:
    """Up to ``k`` classes of values with about equal numbers of squares in each (quantile
    breaks), so that one extreme square does not wash out the rest of the map."""
    if not values:
        return []
    ordered = sorted(values)
    n = len(ordered)
    highs: list[float] = []
    for q in range(1, k + 1):
        high = ordered[min(n - 1, math.ceil(q * n / k) - 1)]
        if not highs or high > highs[-1]:
            highs.append(high)
    lows = [ordered[0]] + [h for h in highs[:-1]]
    return list(zip(lows, highs, strict=True))


def hotspot_map(filters: Filters, cell_size: int, layer: str) -> dict[str, Any]:
    """The map's layer, its legend, the squares to draw and the busiest squares by place."""
    return services.cached(  # type: ignore[no-any-return]
        "hotspots", lambda: _hotspot_map(filters, cell_size, layer), filters, cell_size, layer
    )


PLACE_COLUMNS = ("location", "lsoa_code", "lsoa_name", "ward_name", "local_authority")


def _hotspot_map(filters: Filters, cell_size: int, layer: str) -> dict[str, Any]:
    from safercity import settings
    from safercity.analytics.hotspots import (
        CLASS_COLOURS,
        CLASS_LABELS,
        GiStar,
        Grid,
        KernelDensity,
        grid_counts,
    )
    from safercity.commands.hotspots import _auto_permutations, _resolution_note

    size = float(cell_size)
    frame = services.incidents(filters, ("month", "easting", "northing", *PLACE_COLUMNS))
    has = frame["easting"].notna() & frame["northing"].notna()
    located = frame[has].reset_index(drop=True)
    x = located["easting"].to_numpy(dtype=np.float64)
    y = located["northing"].to_numpy(dtype=np.float64)
    result: dict[str, Any] = {
        "layer": layer,
        "layer_label": LAYERS[layer],
        "cell_size_m": cell_size,
        "incidents": int(x.size),
        "without_location": int((~has).sum()),
        "cells": [],
        "classes": [],
        "top_cells": [],
        "boundaries": boundaries_geojson(filters),
        "wards_known": False,
    }
    if x.size < 2:
        result["problem"] = (
            "There are not enough incidents with a location for a map (two at least)."
            if len(frame)
            else "No incidents match these choices."
        )
        return result
    polygon = places.study_polygon(filters)
    if polygon is not None:  # the area's extent (and any incident just outside its boundary)
        ax0, ay0, ax1, ay1 = (float(v) for v in polygon.bounds)
        grid = Grid.from_extent(
            min(ax0, float(x.min())),
            min(ay0, float(y.min())),
            max(ax1, float(x.max())),
            max(ay1, float(y.max())),
            size,
        )
    else:
        grid = Grid.from_points(x, y, size)
    counts = grid_counts(x, y, grid)
    mask = None if polygon is None else (grid.inside(polygon) | (counts > 0))
    tests = int(grid.size if mask is None else mask.sum())
    kde = KernelDensity(x, y, grid)
    result["grid"] = {
        **grid.to_dict(),
        "study_area": f"boundary of {filters.area}" if polygon is not None else "data extent",
        "cells_in_study_area": tests,
    }
    result["kernel_density"] = {
        "kernel": kde.kernel,
        "bandwidth_m": kde.bandwidth,
        "bandwidth_from": kde.bandwidth_source,
        "peak_per_km2": kde.peak,
    }
    gi = None
    if layer == "gi":
        gi = GiStar(
            counts,
            cell_size=grid.cell_size,
            mask=mask,
            permutations=_auto_permutations(None, tests, True),
            seed=settings.get("seed"),
            fdr=True,
        )
        result["gi_star"] = {
            "neighbours": "queen",
            "permutations": gi.permutations,
            "seed": settings.get("seed"),
            "fdr": gi.fdr,
            "classes": {
                CLASS_LABELS[k]: int((gi.classes == k).sum()) for k in sorted(CLASS_LABELS)[::-1]
            },
        }
        result["note"] = _resolution_note(gi.permutations, tests, gi.fdr)

    inside = np.ones(grid.shape, dtype=bool) if mask is None else mask
    if layer == "counts":
        value = counts.astype(np.float64)
        drawn = counts > 0
    elif layer == "density":
        value = kde.density
        drawn = inside & (kde.density >= DENSITY_FLOOR * kde.peak) & (kde.density > 0)
    else:
        assert gi is not None
        value = np.where(np.isfinite(gi.Zs), gi.Zs, -np.inf)
        drawn = gi.classes != 0
    rows, cols = np.nonzero(drawn)
    order = np.lexsort((cols, rows, -value[rows, cols]))
    result["cells_with_value"] = int(rows.size)
    keep = order[: services.MAX_CELLS]
    rows, cols = rows[keep], cols[keep]
    if layer == "gi":
        assert gi is not None
        bands = [int(gi.classes[r, c]) for r, c in zip(rows, cols, strict=True)]
        present = Counter(bands)
        result["classes"] = [
            {
                "band": k,
                "label": CLASS_LABELS[k],
                "colour": CLASS_COLOURS[k],
                "squares": present.get(k, 0),
            }
            for k in (3, 2, 1, -1, -2, -3)
        ]
        colour = {k: CLASS_COLOURS[k] for k in CLASS_LABELS}
    else:
        drawn_values = [float(value[r, c]) for r, c in zip(rows, cols, strict=True)]
        breaks = quantile_classes(drawn_values)
        bands = [
            next(k for k, (_, hi) in enumerate(breaks, start=1) if v <= hi) for v in drawn_values
        ]
        present = Counter(bands)
        result["classes"] = [
            {
                "band": k,
                "label": _class_label(lo, hi, layer, first=k == 1),
                "colour": SEQUENTIAL[k - 1 + (5 - len(breaks))],
                "squares": present.get(k, 0),
                "low": lo,
                "high": hi,
            }
            for k, (lo, hi) in enumerate(breaks, start=1)
        ]
        colour = {c["band"]: c["colour"] for c in result["classes"]}
    cells = [
        _cell(grid, counts, kde.density, gi, int(r), int(c)) | {"band": b, "colour": colour[b]}
        for r, c, b in zip(rows, cols, bands, strict=True)
    ]
    _add_wgs84(cells, size)
    result["cells"] = cells
    # the busiest squares, by the layer's measure over the whole grid (as the command's top_cells)
    flat = np.where(inside, value, -np.inf).ravel()
    top = [int(i) for i in np.argsort(-flat, kind="stable")[:TOP_CELLS] if flat[int(i)] > 0]
    top_cells = [_cell(grid, counts, kde.density, gi, *divmod(i, grid.ncols)) for i in top]
    _add_wgs84(top_cells, size)
    _name_cells(top_cells, grid, located)
    result["top_cells"] = top_cells
    result["wards_known"] = bool(located["ward_name"].notna().any())
    return result


def _class_label(lo: float, hi: float, layer: str, first: bool) -> str:
    if layer == "counts":
        low = int(lo) if first else int(lo) + 1
        return f"{low:,}" if low >= hi else f"{low:,} to {int(hi):,}"
    low_text = _density(lo) if first else f"over {_density(lo)}"
    return f"{low_text} to {_density(hi)}"


def _density(v: float) -> str:
    """Three significant figures, thousands separated: '3,583', '87.0', '0.512'."""
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def _cell(grid: Any, counts: Any, density: Any, gi: Any, r: int, c: int) -> dict[str, Any]:
    size = grid.cell_size
    cell: dict[str, Any] = {
        "row": r,
        "col": c,
        "x": round(grid.x0 + c * size),
        "y": round(grid.y0 + r * size),
        "easting": float(grid.x_centres[c]),
        "northing": float(grid.y_centres[r]),
        "incidents": int(counts[r, c]),
        "density_per_km2": float(density[r, c]),
    }
    if gi is not None:
        from safercity.analytics.hotspots import CLASS_LABELS

        z = float(gi.Zs[r, c])
        cell["z"] = z if math.isfinite(z) else None
        cell["p"] = float(gi.p_value[r, c])
        cell["class"] = CLASS_LABELS[int(gi.classes[r, c])]
        cell["gi_class"] = int(gi.classes[r, c])
    return cell


def _add_wgs84(cells: list[dict[str, Any]], size: float) -> None:
    if not cells:
        return
    from safercity.analytics.geography import from_bng

    xs = np.array([c["x"] for c in cells] + [c["x"] + size for c in cells], dtype=np.float64)
    ys = np.array([c["y"] for c in cells] + [c["y"] + size for c in cells], dtype=np.float64)
    lons, lats = from_bng(xs, ys)
    n = len(cells)
    for k, c in enumerate(cells):
        c["south"], c["west"] = round(float(lats[k]), 5), round(float(lons[k]), 5)
        c["north"], c["east"] = round(float(lats[n + k]), 5), round(float(lons[n + k]), 5)


def _mode(values: Any) -> tuple[str, int] | None:
    """The commonest text that names a place, and how often (ties: the first alphabetically)."""
    counts = Counter(v for v in values if isinstance(v, str) and v.strip().lower() not in NO_PLACE)
    if not counts:
        return None
    best = max(counts.values())
    return min(k for k, n in counts.items() if n == best), best


def _name_cells(cells: list[dict[str, Any]], grid: Any, located: pd.DataFrame) -> None:
    """Name each square by its incidents' police.uk location text and areas; a square with no
    incident (a density or Gi* hot spot can be one) by those of the squares around it, and its
    area by the built-in LSOA at its centre."""
    if not cells:
        return
    r_all, c_all, _ = grid.cell_of(located["easting"], located["northing"])
    columns = {c: located[c].to_numpy(dtype=object) for c in PLACE_COLUMNS}
    for cell in cells:
        here = (r_all == cell["row"]) & (c_all == cell["col"])
        cell["nearby"] = not here.any()
        if not here.any():
            here = (np.abs(r_all - cell["row"]) <= 1) & (np.abs(c_all - cell["col"]) <= 1)
        place = _mode(columns["location"][here])
        cell["place"] = place[0] if place else None
        cell["place_incidents"] = place[1] if place else 0
        cell["place_of"] = int(here.sum())
        for key, column in (
            ("lsoa_name", "lsoa_name"),
            ("ward", "ward_name"),
            ("borough", "local_authority"),
        ):
            found = _mode(columns[column][here])
            cell[key] = found[0] if found else None
    unknown = [cell for cell in cells if cell["nearby"] or not cell["lsoa_name"]]
    if unknown:
        codes = places.locate(
            np.array([c["easting"] for c in unknown]), np.array([c["northing"] for c in unknown])
        )
        names = places.names_of_lsoas([c for c in codes if c])
        for cell, code in zip(unknown, codes, strict=True):
            if code and code in names:
                cell["lsoa_name"], cell["borough"] = names[code]


def fallback_svg(filters: Filters, data: dict[str, Any], width: int = 720) -> dict[str, Any]:
    """The layer on its boundaries as SVG in British National Grid (north up), for pages
    without JavaScript: boundary paths, square rectangles and the boroughs' (and wards') names."""
    return services.cached(  # type: ignore[no-any-return]
        "map-svg",
        lambda: _fallback_svg(filters, data, width),
        filters,
        data["cell_size_m"],
        data["layer"],
        width,
    )


def _fallback_svg(filters: Filters, data: dict[str, Any], width: int) -> dict[str, Any]:
    import shapely

    from safercity.analytics.charts import path_data

    cells = data["cells"]
    items = boundaries(filters)
    size = data["cell_size_m"]
    extents = [shapely.bounds(b.geometry) for b in items if b.area_type == "local_authority"]
    if cells:
        xs = [c["x"] for c in cells]
        ys = [c["y"] for c in cells]
        extents.append(np.array([min(xs), min(ys), max(xs) + size, max(ys) + size]))
    if not extents:
        return {}
    box = np.vstack(extents)
    x0, y0 = float(box[:, 0].min()), float(box[:, 1].min())
    x1, y1 = float(box[:, 2].max()), float(box[:, 3].max())
    scale = width / max(x1 - x0, y1 - y0, 1.0)

    def tx(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (xs - x0) * scale, (y1 - ys) * scale

    paths = []
    labels = []
    for b in items:
        paths.append({"area_type": b.area_type, "d": path_data(b.geometry, tx), "name": b.name})
        if b.area_type != "lsoa":
            p = shapely.point_on_surface(b.geometry)
            lx, ly = tx(np.array([p.x]), np.array([p.y]))
            labels.append(
                {
                    "area_type": b.area_type,
                    "x": round(float(lx[0]), 1),
                    "y": round(float(ly[0]), 1),
                    "text": b.name,
                }
            )

    def _f(v: float) -> str:  # drawing units to 0.1, no trailing ".0"
        return f"{round(v, 1):g}"

    # the squares as one path per colour ("M x y h s v s h -s z" each): a fifth of the bytes of
    # a <rect> per square
    side = _f(max(size * scale, 0.5))
    squares: dict[str, list[str]] = {}
    for c in cells:
        x = _f((c["x"] - x0) * scale)
        y = _f((y1 - c["y"] - size) * scale)
        squares.setdefault(c["colour"], []).append(f"M{x} {y}h{side}v{side}h-{side}z")
    return {
        "width": round((x1 - x0) * scale),
        "height": round((y1 - y0) * scale),
        "paths": paths,
        "labels": labels,
        "squares": [{"colour": k, "d": "".join(v)} for k, v in squares.items()],
    }
