"""``safercity knox``: the Knox test for near-repeat victimisation on a CSV of incidents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from safercity import settings
from safercity.analytics.near_repeat import Knox, project_to_metres, to_days
from safercity.cli import UserError, add_command, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "knox",
        help="Knox test for near repeats: are incidents close in space also close in time?",
        example=(
            "safercity knox burglaries.csv --x X --y Y --date date "
            "--nrc-spatial-bandwidth 100 --nrc-spatial-bands 3 "
            "--nrc-temporal-bandwidth 7 --nrc-temporal-bands 3 --permutations 999"
        ),
        handler=run,
    )
    parser.add_argument("csv", help="CSV file with one row per incident")
    parser.add_argument("--x", required=True, help="column of x (easting or longitude)")
    parser.add_argument("--y", required=True, help="column of y (northing or latitude)")
    parser.add_argument("--date", required=True, help="column of the date (or date-time)")
    parser.add_argument(
        "--no-header",
        action="store_true",
        help="the CSV has no header row: give columns by position, 1 = first",
    )
    parser.add_argument(
        "--crs",
        default=None,
        help="coordinate system of x/y, e.g. EPSG:4326 for longitude/latitude "
        "(default: x/y are already metres)",
    )
    parser.add_argument(
        "--space-breaks",
        nargs="+",
        type=float,
        metavar="M",
        help="spatial break points in metres; bands are [a, b); end with inf for an open band",
    )
    parser.add_argument(
        "--time-breaks",
        nargs="+",
        type=float,
        metavar="DAYS",
        help="temporal break points in days; bands are [a, b); end with inf for an open band",
    )
    parser.add_argument(
        "--nrc-spatial-bandwidth",
        type=float,
        metavar="M",
        help="Near Repeat Calculator mode (all four --nrc-... options): reproduces NRC 1.3's "
        "observed table exactly: coordinates read in single precision, 'Same location' only at "
        "zero distance, bands (0, bw), [bw, 2bw)..., dates only; the general mode (--space-breaks) "
        "keeps double precision",
    )
    parser.add_argument("--nrc-spatial-bands", type=int, metavar="N")
    parser.add_argument("--nrc-temporal-bandwidth", type=float, metavar="DAYS")
    parser.add_argument("--nrc-temporal-bands", type=int, metavar="N")
    parser.add_argument("--metric", choices=["manhattan", "euclidean"], default="manhattan")
    parser.add_argument(
        "--permutations",
        type=int,
        default=settings.get("permutations"),
        help="Monte Carlo simulations (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=settings.get("seed"), help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="significance level for the summary"
    )
    parser.add_argument(
        "--event", default="incident", help="what the incidents are, for the summary"
    )


def _column(frame: pd.DataFrame, name: str, no_header: bool) -> pd.Series:
    if no_header:
        try:
            pos = int(name)
        except ValueError:
            raise UserError(
                f"with --no-header give columns by position (1, 2, ...), not {name!r}"
            ) from None
        if not 1 <= pos <= frame.shape[1]:
            raise UserError(f"column {pos} does not exist: the file has {frame.shape[1]} columns")
        return frame.iloc[:, pos - 1]
    if name not in frame.columns:
        raise UserError(
            f"no column {name!r}; the columns are: {', '.join(map(str, frame.columns))}"
        )
    return frame[name]


def _read(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    path = Path(args.csv)
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    try:
        frame = pd.read_csv(path, header=None if args.no_header else "infer")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"cannot read {path} as CSV: {exc}") from None
    x = pd.to_numeric(_column(frame, args.x, args.no_header), errors="coerce")
    y = pd.to_numeric(_column(frame, args.y, args.no_header), errors="coerce")
    raw_dates = _column(frame, args.date, args.no_header)
    dates = pd.to_datetime(raw_dates, errors="coerce", format="mixed")
    keep = x.notna() & y.notna() & dates.notna()
    dropped = int((~keep).sum())
    if int(keep.sum()) < 2:
        raise UserError("fewer than two incidents have a location and a date")
    xs = x[keep].to_numpy(dtype=np.float64)
    ys = y[keep].to_numpy(dtype=np.float64)
    days = to_days(dates[keep].to_numpy(dtype="datetime64[ns]"))
    if args.crs:
        try:
            xs, ys, _ = project_to_metres(xs, ys, args.crs)
        except Exception as exc:
            raise UserError(f"cannot project from {args.crs}: {exc}") from None
    return xs, ys, days, dropped


def run(args: argparse.Namespace) -> int:
    nrc = [
        args.nrc_spatial_bandwidth,
        args.nrc_spatial_bands,
        args.nrc_temporal_bandwidth,
        args.nrc_temporal_bands,
    ]
    use_nrc = any(v is not None for v in nrc)
    use_breaks = args.space_breaks is not None or args.time_breaks is not None
    if use_nrc == use_breaks:
        raise UserError(
            "give either --space-breaks and --time-breaks, or all four --nrc-... options"
        )
    if use_nrc and any(v is None for v in nrc):
        raise UserError("the Near Repeat Calculator mode needs all four --nrc-... options")
    if use_breaks and (args.space_breaks is None or args.time_breaks is None):
        raise UserError("give both --space-breaks and --time-breaks")
    if args.permutations < 0:
        raise UserError("--permutations must be 0 or more")
    x, y, days, dropped = _read(args)
    progress, finish = _progress(args.permutations)
    try:
        if use_nrc:
            result = Knox.near_repeat_calculator(
                x,
                y,
                days,
                spatial_bandwidth=args.nrc_spatial_bandwidth,
                spatial_bands=args.nrc_spatial_bands,
                temporal_bandwidth=args.nrc_temporal_bandwidth,
                temporal_bands=args.nrc_temporal_bands,
                metric=args.metric,
                permutations=args.permutations,
                seed=args.seed,
                progress=progress,
            )
        else:
            result = Knox(
                x,
                y,
                days,
                args.space_breaks,
                args.time_breaks,
                metric=args.metric,
                permutations=args.permutations,
                seed=args.seed,
                progress=progress,
            )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    finally:
        finish()
    out = result.to_dict(alpha=args.alpha, event=args.event)
    out["rows_without_location_or_date"] = dropped
    if args.json:
        print_json(out)
    else:
        _print_tables(result, out, dropped)
    return 0


def _progress(total: int) -> tuple[Any, Any]:
    if total == 0 or not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("simulating", total=total)
    bar.start()

    def update(done: int, _total: int) -> None:
        bar.update(task, completed=done)

    return update, bar.stop


def _print_tables(result: Knox, out: dict[str, Any], dropped: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"Knox test: {result.n} incidents, {result.metric} distance, "
        f"{result.permutations} permutations (seed {result.seed})"
        + (f"; {dropped} rows without a location or date left out" if dropped else "")
    )
    for title, key, fmt in (
        ("Observed pairs", "observed", "{:d}"),
        ("Knox ratio (observed / mean of simulations)", "knox_ratio", "{:.2f}"),
        ("p-value", "p_values", "{:.3f}"),
    ):
        table = Table(title=title)
        table.add_column("distance \\ days")
        for label in result.time_labels:
            table.add_column(label, justify="right")
        for label, row in zip(result.space_labels, out[key], strict=True):
            table.add_row(label, *("-" if v is None else fmt.format(v) for v in row))
        console.print(table)
    console.print(out["summary"])
