"""``safercity population``: load residents by ethnic group from an ONS census table."""

from __future__ import annotations

import argparse

from safercity.analytics.population import load_population
from safercity.cli import (
    UserError,
    add_command,
    add_workspace_argument,
    print_json,
    updating_workspace,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "population",
        help="Load residents by ethnic group (White, Mixed, Asian, Black, Other) from an ONS "
        "census table by local authority or LSOA (2011 KS201EW, 2021 TS021, wide or long, or "
        "a republication such as the GLA LSOA Atlas), for stop-and-search rates and "
        "disproportionality ratios.",
        example="safercity population load TS021-ethnic-group-lsoa.csv --census 2021 "
        "--workspace safercity-data",
        handler=run,
    )
    parser.add_argument("action", choices=("load",), help="what to do")
    parser.add_argument("file", help="the census table (CSV)")
    parser.add_argument(
        "--census",
        type=int,
        choices=(2011, 2021),
        help="census year (default: read from the column headers)",
    )
    add_workspace_argument(parser)


def run(args: argparse.Namespace) -> int:
    with updating_workspace(args.workspace) as ws:
        try:
            loaded = load_population(ws.con, args.file, census_year=args.census)
        except (ValueError, OSError) as exc:
            raise UserError(str(exc)) from exc
    out = {
        "source": loaded.source,
        "census_year": loaded.census_year,
        "geography": loaded.geography,
        "areas": loaded.areas,
        "ethnic_groups": loaded.groups,
        "residents": loaded.persons,
    }
    if args.json:
        print_json(out)
    else:
        print(
            f"loaded Census {loaded.census_year} residents by ethnic group for {loaded.areas:,} "
            f"area(s) ({loaded.geography}): {loaded.persons:,.0f} residents in "
            f"{', '.join(loaded.groups)}"
        )
    return 0
