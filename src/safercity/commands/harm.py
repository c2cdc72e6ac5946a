"""``safercity harm``: harm-weighted counts (Cambridge Crime Harm Index days) next to counts."""

from __future__ import annotations

import argparse

from safercity.analytics.harm import HarmProfile, WeightFileError, load_weights
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import (
    add_filter_arguments,
    jsonable,
    load_filtered,
    months_with_data,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "harm",
        help="Harm-weighted counts by category and month next to raw counts (default weights: "
        "the shipped Cambridge Crime Harm Index table; --weights for another).",
        example="safercity harm --workspace ws --area Westminster --json",
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument(
        "--weights",
        help="weight file: '# version: X' line, then category,weight,source "
        "(default: the shipped CCHI table)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        weights = load_weights(args.weights)
    except (WeightFileError, OSError) as exc:
        raise UserError(str(exc)) from exc
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(ws, args, ["month", "category"])
        have = months_with_data(ws, args.area)
    if frame.empty:
        raise UserError("no incidents match these options")
    hp = HarmProfile(frame, weights=weights, months_with_data=have)
    if args.json:
        print_json(jsonable(hp.to_dict()))
        return 0
    print(f"weights: {hp.version}; total harm {hp.total_harm:,.0f} days, {hp.total_count:,.0f}")
    print(hp.table.round(2).to_string())
    if hp.missing_months:
        print(
            f"months with no data (left out, not counted as zero): {', '.join(hp.missing_months)}"
        )
    c = hp.comparison
    if c is not None:
        change = "n/a" if c["pct_change_harm"] is None else f"{c['pct_change_harm']:+.1f}%"
        print(
            f"harm {c['this_period_months']}: {c['this_harm']:,.0f} days "
            f"({c['this_months_of_data']} months of data) against {c['last_harm']:,.0f} "
            f"({c['last_months_of_data']}) the period before: {change} per month of data"
        )
    return 0
