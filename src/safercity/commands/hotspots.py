"""``safercity hotspots``: grid counts, kernel density and Getis-Ord Gi* hot and cold spots."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from safercity import settings
from safercity.analytics.hotspots import (
    CLASS_LABELS,
    GiStar,
    Grid,
    KernelDensity,
    PredictiveAccuracy,
    ProspectiveHotspots,
    dumps_geojson,
    grid_counts,
    grid_geojson,
    grid_svg,
)
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import add_filter_arguments, load_filtered

MAX_CELLS = 25_000_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "hotspots",
        help="Hotspots on a British National Grid lattice: counts, kernel density (quartic or "
        "Gaussian) and Getis-Ord Gi* hot/cold spots at 90/95/99% with false discovery rate.",
        example=(
            "safercity hotspots --workspace ws --area Leeds --category Burglary "
            "--cell-size 100 --geojson hotspots.geojson --svg hotspots.svg"
        ),
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument(
        "--csv", help="read incidents from this CSV instead of the workspace (with --x/--y)"
    )
    parser.add_argument("--x", help="CSV column of x (easting, or longitude with --crs)")
    parser.add_argument("--y", help="CSV column of y (northing, or latitude with --crs)")
    parser.add_argument(
        "--crs",
        default=None,
        help="CSV coordinate system, e.g. EPSG:4326 (default: British National Grid metres)",
    )
    parser.add_argument(
        "--cell-size",
        type=float,
        default=float(settings.get("cell_size_m")),
        help="cell size in metres (default: %(default)s)",
    )
    parser.add_argument("--kernel", choices=["quartic", "gaussian"], default="quartic")
    parser.add_argument(
        "--bandwidth",
        type=float,
        default=None,
        help="quartic search radius / Gaussian standard deviation in metres "
        "(default: the ArcGIS Pro rule for quartic, Scott's rule for Gaussian)",
    )
    parser.add_argument(
        "--distance-band",
        type=float,
        default=None,
        help="Gi* neighbours within this many metres (default: queen, the 3 x 3 cells)",
    )
    parser.add_argument(
        "--permutations",
        type=int,
        default=None,
        help="Gi* conditional permutations, 0 for analytic p-values (default: enough that "
        "the smallest attainable p-value, 2/(permutations+1), can pass false discovery rate "
        "control at 90%% over all the cells: at least 9,999, at most 999,999; cells with the "
        "same count share draws, so this stays cheap)",
    )
    parser.add_argument("--seed", type=int, default=settings.get("seed"))
    parser.add_argument(
        "--no-fdr", action="store_true", help="classify without false discovery rate control"
    )
    parser.add_argument(
        "--by",
        choices=["grid", "lsoa"],
        default="grid",
        help="grid cells (default), or Gi* on the LSOAs of --area with queen contiguity "
        "from their boundaries",
    )
    parser.add_argument("--top", type=int, default=10, help="hot cells to list (default: 10)")
    parser.add_argument(
        "--evaluate-from",
        metavar="YYYY-MM",
        help="build the surfaces from incidents before this month and report hit rate, PAI and "
        "PEI against those from it on, with a Bowers-Johnson-Pease prospective forecast",
    )
    parser.add_argument(
        "--forecast-window",
        type=float,
        default=56.0,
        metavar="DAYS",
        help="how far back the prospective forecast looks (default: 56 days, as Bowers, "
        "Johnson and Pease); its spatial reach is 400 m",
    )
    parser.add_argument(
        "--coverages",
        type=float,
        nargs="+",
        default=[0.01, 0.05, 0.10],
        help="shares of the area flagged as hotspots for --evaluate-from (default: 0.01 0.05 0.1)",
    )
    parser.add_argument("--geojson", help="write the cells (WGS84) with their results here")
    parser.add_argument("--svg", help="write an SVG map layer here")
    parser.add_argument(
        "--svg-layer",
        choices=["gi", "density", "counts"],
        default="gi",
        help="what the SVG shows (default: Gi* classes)",
    )


def _points(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, int, str, Any]:
    if args.csv:
        if not (args.x and args.y):
            raise UserError("--csv needs --x and --y (the coordinate columns)")
        path = Path(args.csv)
        if not path.is_file():
            raise UserError(f"no such file: {path}")
        try:
            frame = pd.read_csv(path)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise UserError(f"cannot read {path} as CSV: {exc}") from None
        for col in (args.x, args.y):
            if col not in frame.columns:
                raise UserError(f"no column {col!r}; the columns are: {', '.join(frame.columns)}")
        x = pd.to_numeric(frame[args.x], errors="coerce")
        y = pd.to_numeric(frame[args.y], errors="coerce")
        keep = x.notna() & y.notna()
        xs = x[keep].to_numpy(dtype=np.float64)
        ys = y[keep].to_numpy(dtype=np.float64)
        if args.crs:
            from pyproj import CRS, Transformer

            try:
                src = CRS.from_user_input(args.crs)
                tr = Transformer.from_crs(src, "EPSG:27700", always_xy=True)
            except Exception as exc:
                raise UserError(f"unknown coordinate system {args.crs!r}: {exc}") from None
            px, py = tr.transform(xs, ys)
            xs = np.asarray(px, dtype=np.float64)
            ys = np.asarray(py, dtype=np.float64)
            ok = np.isfinite(xs) & np.isfinite(ys)
            xs, ys = xs[ok], ys[ok]
            dropped = int((~keep).sum()) + int((~ok).sum())
        else:
            dropped = int((~keep).sum())
        return xs, ys, dropped, str(path), None
    if args.x or args.y or args.crs:
        raise UserError("--x, --y and --crs go with --csv")
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(ws, args)
    if frame.empty:
        raise UserError("no incidents match these options")
    has = frame["easting"].notna() & frame["northing"].notna()
    xs = frame.loc[has, "easting"].to_numpy(dtype=np.float64)
    ys = frame.loc[has, "northing"].to_numpy(dtype=np.float64)
    # when: the exact time where the source has one, else the month
    when = pd.to_datetime(frame.loc[has, "month"])
    if "occurred_from" in frame.columns:
        exact = pd.to_datetime(frame.loc[has, "occurred_from"])
        when = exact.where(exact.notna(), when)
    return xs, ys, int((~has).sum()), f"workspace {args.workspace}", when.to_numpy()


def _area_polygon(area: str | None) -> Any:
    """The built-in boundary of a local authority (None when unknown or not given)."""
    if not area:
        return None
    from safercity.analytics.geography import local_authority_polygon

    try:
        return local_authority_polygon(area)
    except KeyError:
        return None


def _run_lsoa(args: argparse.Namespace) -> int:
    """Gi* on the LSOAs of --area: counts from the incidents' LSOA codes."""
    from pyproj import Transformer
    from shapely import transform as shp_transform
    from shapely.geometry import mapping

    from safercity.analytics.geography import builtin_lsoas, lsoas_of_local_authority
    from safercity.analytics.hotspots import GiStarPolygons

    if args.csv:
        raise UserError("--by lsoa works on a workspace (incidents carry their LSOA code)")
    if not args.area:
        raise UserError("--by lsoa needs --area (a local authority)")
    if args.svg:
        raise UserError("--svg draws grids; use --geojson for LSOAs")
    try:
        lsoas = lsoas_of_local_authority(args.area)
    except KeyError as exc:
        raise UserError(str(exc).strip("'\"")) from None
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(ws, args)
    if frame.empty:
        raise UserError("no incidents match these options")
    geo = builtin_lsoas()
    index = {str(c): i for i, c in enumerate(geo.codes)}
    codes = [str(c) for c in lsoas["lsoa_code"]]
    geoms = [geo.polygons[index[c]] for c in codes]
    per = frame["lsoa_code"].value_counts()
    counts = np.array([int(per.get(c, 0)) for c in codes], dtype=np.float64)
    outside = int(len(frame) - counts.sum())
    try:
        gi = GiStarPolygons(
            counts,
            geoms,
            permutations=_auto_permutations(args.permutations, len(codes), not args.no_fdr),
            seed=args.seed,
            fdr=not args.no_fdr,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    classes = {CLASS_LABELS[k]: int((gi.classes == k).sum()) for k in sorted(CLASS_LABELS)[::-1]}
    z = np.where(np.isfinite(gi.Zs), gi.Zs, -np.inf)
    names = lsoas["lsoa_name"].astype(str).tolist()
    rows = [
        {
            "lsoa_code": codes[i],
            "lsoa_name": names[i],
            "incidents": int(counts[i]),
            "neighbours": len(gi.neighbours[i]),
            "z": _finite(float(gi.Zs[i])),
            "p": float(gi.p_value[i]),
            "class": CLASS_LABELS[int(gi.classes[i])],
        }
        for i in range(len(codes))
    ]
    top = [rows[i] for i in np.argsort(-z, kind="stable")[: max(0, args.top)]]
    outputs: dict[str, str] = {}
    if args.geojson:
        tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)

        def to_wgs84(xy: np.ndarray) -> np.ndarray:
            lon, lat = tr.transform(xy[:, 0], xy[:, 1])
            return np.round(np.column_stack([lon, lat]), 6)

        features = [
            {
                "type": "Feature",
                "geometry": mapping(shp_transform(g, to_wgs84)),
                "properties": row,
            }
            for g, row in zip(geoms, rows, strict=True)
        ]
        Path(args.geojson).write_text(
            dumps_geojson({"type": "FeatureCollection", "features": features}), encoding="utf-8"
        )
        outputs["geojson"] = str(args.geojson)
    result: dict[str, Any] = {
        "source": f"workspace {args.workspace}",
        "by": "lsoa",
        "area": args.area,
        "lsoas": len(codes),
        "incidents": int(counts.sum()),
        "incidents_outside_these_lsoas": outside,
        "gi_star": {
            "neighbours": "queen contiguity, built from the LSOA boundaries",
            "permutations": gi.permutations,
            "seed": args.seed,
            "fdr": gi.fdr,
            "classes": classes,
        },
        "top_areas": top,
        "outputs": outputs,
        "note": _resolution_note(gi.permutations, len(codes), gi.fdr),
    }
    if args.json:
        print_json(result)
        return 0
    print(
        f"{int(counts.sum()):,} incidents in the {len(codes)} LSOAs of {args.area}"
        + (f"; {outside:,} without a matching LSOA left out" if outside else "")
    )
    print(f"Getis-Ord Gi* on LSOAs (queen contiguity, {gi.permutations} permutations):")
    for label, n in classes.items():
        if n:
            print(f"  {label:<28} {n:>8,}")
    if result["note"]:
        print(f"  Note: {result['note']}")
    for t in top:
        z_text = "-" if t["z"] is None else f"{t['z']:.2f}"
        print(f"  {t['lsoa_name']} ({t['lsoa_code']}): {t['incidents']}, z {z_text}, {t['class']}")
    for kind, path in outputs.items():
        print(f"Wrote {kind}: {path}")
    return 0


def _evaluate(
    args: argparse.Namespace,
    grid: Grid,
    mask: Any,
    counts: np.ndarray,
    density: np.ndarray,
    z: np.ndarray,
    points: tuple[Any, ...],
) -> dict[str, Any]:
    """PAI, PEI and hit rate of each surface against the incidents from the split month."""
    x_all, y_all, when, before, split = points
    later = grid_counts(x_all[~before], y_all[~before], grid)
    forecast = ProspectiveHotspots(
        x_all[before],
        y_all[before],
        when[before],
        grid,
        at=split.to_datetime64(),
        time_bandwidth=args.forecast_window,
    )
    surfaces = {
        "kernel density": density,
        "Gi* z": np.where(np.isfinite(z), z, -np.inf),
        "counts": counts,
        "prospective (BJP)": forecast.risk,
    }
    out = {}
    for name, surface in surfaces.items():
        acc = PredictiveAccuracy(surface, later, coverages=args.coverages, mask=mask)
        out[name] = acc.to_dict()
    return {
        "from": str(split.date()),
        "later_incidents": int(later.sum()),
        "later_outside_grid": int((~before).sum() - later.sum()),
        "coverages": list(args.coverages),
        "forecast_window_days": args.forecast_window,
        "forecast_incidents_used": forecast.events_used,
        "surfaces": out,
    }


def _auto_permutations(requested: int | None, tests: int, fdr: bool) -> int:
    """The permutations to run: as requested, or enough for FDR over ``tests`` cells."""
    if requested is not None:
        return requested
    need = 2.0 * tests / 0.10 if fdr else 20.0
    digits = max(4, min(6, math.ceil(math.log10(need + 1))))
    return int(10**digits - 1)


def _resolution_note(permutations: int, tests: int, fdr: bool) -> str | None:
    """Warn when the smallest permutation p-value cannot pass the FDR or 99% thresholds."""
    if permutations <= 0:
        return None
    smallest = 2.0 / (permutations + 1)  # two-sided
    needed = 0.10 / tests if fdr else 0.10  # one cell alone at 90% under Benjamini-Hochberg
    if smallest <= needed:
        return None
    want = math.ceil(2.0 / needed)
    return (
        f"with {permutations:,} permutations the smallest p-value is {smallest:.2g}; a lone "
        f"cell needs {needed:.2g} for 90% confidence among {tests:,} tests"
        + (" with false discovery rate control" if fdr else "")
        + f": use --permutations {want:,} or more to resolve the strongest hot spots"
    )


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def run(args: argparse.Namespace) -> int:
    if args.cell_size <= 0:
        raise UserError("--cell-size must be a positive number of metres")
    if args.permutations is not None and args.permutations < 0:
        raise UserError("--permutations must be 0 or more")
    if args.bandwidth is not None and args.bandwidth <= 0:
        raise UserError("--bandwidth must be a positive number of metres")
    if args.by == "lsoa":
        return _run_lsoa(args)
    x, y, dropped, source, when = _points(args)
    evaluation_points = None
    if args.evaluate_from:
        if when is None:
            raise UserError("--evaluate-from needs a workspace (incidents with months)")
        try:
            split = pd.Timestamp(
                args.evaluate_from + ("-01" if len(args.evaluate_from) == 7 else "")
            )
        except ValueError:
            raise UserError("--evaluate-from takes a month, e.g. 2018-07") from None
        before = when < split.to_datetime64()
        if before.sum() < 2 or (~before).sum() < 1:
            raise UserError("--evaluate-from must leave incidents both before and from that month")
        evaluation_points = (x, y, when, before, split)
    if x.size < 2:
        raise UserError("fewer than two incidents have a location")
    polygon = None if args.csv else _area_polygon(args.area)
    if polygon is not None:  # the area's extent (and any incident just outside its boundary)
        ax0, ay0, ax1, ay1 = (float(v) for v in polygon.bounds)
        grid = Grid.from_extent(
            min(ax0, float(x.min())),
            min(ay0, float(y.min())),
            max(ax1, float(x.max())),
            max(ay1, float(y.max())),
            args.cell_size,
        )
    else:
        grid = Grid.from_points(x, y, args.cell_size)
    if grid.size > MAX_CELLS:
        raise UserError(
            f"the grid would have {grid.size:,} cells: choose a larger --cell-size or an --area"
        )
    if evaluation_points is not None:  # surfaces from the earlier incidents only
        _, _, _, before, _ = evaluation_points
        x, y = x[before], y[before]
    counts = grid_counts(x, y, grid)
    # study area: cells inside the area's boundary, and any cell holding an incident
    mask = None if polygon is None else (grid.inside(polygon) | (counts > 0))
    try:
        kde = KernelDensity(x, y, grid, bandwidth=args.bandwidth, kernel=args.kernel)
        gi = GiStar(
            counts,
            cell_size=grid.cell_size,
            distance_band=args.distance_band,
            mask=mask,
            permutations=_auto_permutations(
                args.permutations, int(grid.size if mask is None else mask.sum()), not args.no_fdr
            ),
            seed=args.seed,
            fdr=not args.no_fdr,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None

    classes = {CLASS_LABELS[k]: int((gi.classes == k).sum()) for k in sorted(CLASS_LABELS)[::-1]}
    z = np.where(np.isfinite(gi.Zs), gi.Zs, -np.inf).ravel()
    top_idx = np.argsort(-z, kind="stable")[: max(0, args.top)]
    top = []
    for idx in top_idx:
        r, c = divmod(int(idx), grid.ncols)
        top.append(
            {
                "row": r,
                "col": c,
                "easting": float(grid.x_centres[c]),
                "northing": float(grid.y_centres[r]),
                "incidents": int(counts[r, c]),
                "density_per_km2": float(kde.density[r, c]),
                "z": _finite(float(gi.Zs[r, c])),
                "p": float(gi.p_value[r, c]),
                "class": CLASS_LABELS[int(gi.classes[r, c])],
            }
        )
    outputs: dict[str, str] = {}
    if args.geojson:
        fc = grid_geojson(
            grid,
            {
                "incidents": counts.astype(np.int64),
                "density_per_km2": np.round(kde.density, 4),
                "gi_z": np.round(gi.Zs, 4),
                "gi_p": np.round(gi.p_value, 5),
                "gi_class": gi.classes,
            },
            keep=(counts > 0) | (gi.classes != 0) | (kde.density > 0.01 * kde.peak),
        )
        Path(args.geojson).write_text(dumps_geojson(fc), encoding="utf-8")
        outputs["geojson"] = str(args.geojson)
    if args.svg:
        if args.svg_layer == "gi":
            svg = grid_svg(grid, gi.classes, classes=True, title="Getis-Ord Gi* hot and cold spots")
        elif args.svg_layer == "density":
            svg = grid_svg(grid, kde.density, title=f"{args.kernel} kernel density per km²")
        else:
            svg = grid_svg(grid, counts, title="incidents per cell")
        Path(args.svg).write_text(svg, encoding="utf-8")
        outputs["svg"] = str(args.svg)

    evaluation = None
    if evaluation_points is not None:
        evaluation = _evaluate(args, grid, mask, counts, kde.density, gi.Zs, evaluation_points)
    result: dict[str, Any] = {
        "source": source,
        "incidents": int(x.size),
        "without_location": dropped,
        "grid": {
            **grid.to_dict(),
            "study_area": f"boundary of {args.area}" if polygon is not None else "data extent",
            "cells_in_study_area": int(grid.size if mask is None else mask.sum()),
        },
        "kernel_density": {
            "kernel": kde.kernel,
            "bandwidth_m": kde.bandwidth,
            "bandwidth_from": kde.bandwidth_source,
            "peak_per_km2": kde.peak,
        },
        "gi_star": {
            "neighbours": "queen"
            if args.distance_band is None
            else f"within {args.distance_band:g} m",
            "permutations": gi.permutations,
            "seed": args.seed,
            "fdr": gi.fdr,
            "classes": classes,
        },
        "top_cells": top,
        "outputs": outputs,
        "evaluation": evaluation,
        "note": _resolution_note(
            gi.permutations, int(grid.size if mask is None else mask.sum()), gi.fdr
        ),
    }
    if args.json:
        print_json(result)
        return 0
    print(
        f"{x.size:,} incidents ({source}); {dropped:,} without a location left out. "
        f"Grid {grid.ncols} x {grid.nrows} cells of {grid.cell_size:g} m from "
        f"E {grid.x0:.0f} N {grid.y0:.0f}."
    )
    print(
        f"Kernel density: {kde.kernel}, bandwidth {kde.bandwidth:.0f} m "
        f"({kde.bandwidth_source}); peak {kde.peak:.1f} incidents per km²."
    )
    print(
        f"Getis-Ord Gi* ({result['gi_star']['neighbours']} neighbours, "
        f"{'conditional permutations: ' + str(gi.permutations) if gi.permutations else 'analytic'}"
        f"{', FDR' if gi.fdr else ''}):"
    )
    for label, n in classes.items():
        if n:
            print(f"  {label:<28} {n:>8,}")
    if result["note"]:
        print(f"  Note: {result['note']}")
    if top:
        print("Hottest cells (by Gi* z):")
        for t in top:
            z_text = "-" if t["z"] is None else f"{t['z']:.2f}"
            print(
                f"  E {t['easting']:.0f} N {t['northing']:.0f}: {t['incidents']} incidents, "
                f"z {z_text}, {t['class']}"
            )
    if evaluation is not None:
        print(
            f"Hotspot accuracy against the {evaluation['later_incidents']:,} incidents from "
            f"{evaluation['from']} (surfaces from the {x.size:,} before):"
        )
        for name, rows in evaluation["surfaces"].items():
            text = ", ".join(
                f"{r['coverage']:.0%}: hit {r['hit_rate']:.0%} PAI {r['pai']:.1f} "
                f"PEI {r['pei']:.2f}"
                for r in rows
            )
            print(f"  {name:<22} {text}")
    for kind, path in outputs.items():
        print(f"Wrote {kind}: {path}")
    return 0
