"""``safercity fetch police-uk``: download street-level crime from the police.uk API and import it."""

from __future__ import annotations

import argparse

from safercity import settings
from safercity.analytics.fetch import FetchError, area_polygons, fetch_police_uk, parse_months
from safercity.analytics.ingest import FileProblem, ingest_paths
from safercity.cli import (
    UserError,
    add_command,
    add_workspace_argument,
    print_json,
    progress_bar,
    updating_workspace,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "fetch",
        help="Download police.uk street-level crime for an area and months through the police.uk "
        "API (paced, retried, polygons split at the 10,000-crime cap, resumable), then import it.",
        example="safercity fetch police-uk --force 'Metropolitan Police' --area Westminster "
        "--months 2017-07:2018-06",
        handler=run,
    )
    parser.add_argument("source", choices=("police-uk",), help="where to fetch from")
    parser.add_argument("--force", help="police force name, e.g. 'West Yorkshire'")
    parser.add_argument("--months", required=True, help="YYYY-MM or YYYY-MM:YYYY-MM")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--area", help="boundary file (GeoJSON/shapefile) or local authority name")
    where.add_argument("--lsoa", help="comma-separated LSOA codes")
    parser.add_argument(
        "--api", default=settings.get("police_uk_api"), help="API base URL (%(default)s)"
    )
    add_workspace_argument(parser)


def run(args: argparse.Namespace) -> int:
    try:
        months = parse_months(args.months)
        lsoa = [c.strip() for c in args.lsoa.split(",")] if args.lsoa else None
        polygons = area_polygons(area=args.area, lsoa=lsoa, force=args.force)
    except (ValueError, KeyError) as exc:
        raise UserError(str(exc).strip('"')) from exc
    label = args.area or (f"lsoa-{len(lsoa)}" if lsoa else args.force)
    with progress_bar("fetching", quiet=args.json) as bar:
        task = bar.add_task("", total=len(months) * len(polygons))
        try:
            got = fetch_police_uk(
                args.workspace,
                months,
                polygons,
                label=str(label),
                base_url=args.api,
                progress=lambda done, total, m: bar.update(task, completed=done, description=m),
            )
        except FetchError as exc:
            raise UserError(
                f"{exc}; what was saved is kept: run the same command to resume"
            ) from exc
    try:
        with updating_workspace(args.workspace) as ws:
            summary = ingest_paths(ws, got.files)
    except FileProblem as exc:
        raise UserError(str(exc)) from exc
    out = {
        "months": got.months,
        "requests": got.requests,
        "reused": got.cached,
        "splits": got.splits,
        "retries": got.retries,
        "import": summary.totals(),
    }
    if args.json:
        print_json(out)
    else:
        t = summary.totals()
        print(
            f"{len(months)} month(s): {got.requests} request(s), {got.cached} reused, "
            f"{got.splits} split(s) at the 10,000 cap, {got.retries} retr(y/ies); "
            f"{t['rows_stored']} rows stored, {t['rows_already_stored']} already held, "
            f"{t['rows_quarantined']} quarantined"
        )
    return 1 if summary.failed else 0
