"""``safercity status``: what the workspace holds."""

from __future__ import annotations

import argparse

from safercity.analytics.status import workspace_status
from safercity.cli import add_command, add_workspace_argument, open_workspace, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "status",
        help="Show what a workspace holds: sources, months, rows per category, rows without "
        "location, rows without a local authority (by reason), quarantined rows.",
        example="safercity status --workspace safercity-data --json",
        handler=run,
    )
    add_workspace_argument(parser)


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        status = workspace_status(ws)
    if args.json:
        print_json(status)
        return 0
    months = status["months"]
    print(f"workspace      {status['workspace']}")
    print(f"incidents      {status['incidents']:,}")
    print(f"months         {months[0] + '..' + months[-1] if months else '-'} ({len(months)})")
    print(f"no location    {status['without_location']:,}")
    print(f"no local auth. {status['rows_without_local_authority']:,} (in no --area analysis)")
    for reason, n in status["rows_without_local_authority_by_reason"].items():
        print(f"  {n:>10,}  {reason}")
    print(f"quarantined    {status['quarantined']:,}")
    print(f"sources        {len(status['sources'])} file(s)")
    for name, n in status["by_category"].items():
        print(f"  {name:<32} {n:>10,}")
    for rc in status["recorded_crime"]:
        print(f"recorded crime {rc['area_type']}: {rc['areas']} areas {rc['from']}..{rc['to']}")
    for kind, n in status["areas"].items():
        print(f"areas          {kind}: {n}")
    return 0
