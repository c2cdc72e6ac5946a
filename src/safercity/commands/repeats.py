"""``safercity repeats``: repeat victimisation by victim or by location."""

from __future__ import annotations

import argparse

from safercity.analytics.frames import INCIDENT_COLUMNS
from safercity.analytics.repeats import RepeatVictimisation
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import (
    add_filter_arguments,
    jsonable,
    load_filtered,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "repeats",
        help="Repeat victimisation: prevalence, incidence, concentration, repeats within a "
        "year, victims with 4+ incidents and days to the next incident.",
        example="safercity repeats --workspace ws --theme violence-against-women-and-girls --json",
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument(
        "--by",
        default="victim_id",
        help="victim_id (default), location, or another incidents column naming the target",
    )
    parser.add_argument("--window-days", type=int, default=365, help="default: 365")
    parser.add_argument("--heavy", type=int, default=4, help="'heavily' = this many or more")
    parser.add_argument("--population", type=float, help="targets at risk, for rates per 1,000")


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(
            ws,
            args,
            ["month", "occurred_from", "occurred_to", "category", args.by]
            if args.by in INCIDENT_COLUMNS
            else None,
        )
    if frame.empty:
        raise UserError("no incidents match these options")
    try:
        rv = RepeatVictimisation(
            frame,
            key=args.by,
            window_days=args.window_days,
            heavy=args.heavy,
            population=args.population,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print_json(jsonable(rv.to_dict()))
        return 0
    for line in rv.statements:
        print(line)
    return 0
