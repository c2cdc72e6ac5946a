"""``safercity times``: hour-of-day by day-of-week, share in a night window, aoristic."""

from __future__ import annotations

import argparse

from safercity.analytics.times import NoTimesError, TimeProfile
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import add_filter_arguments, load_filtered


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "times",
        help="When crime happens: hour-of-day x day-of-week (aoristic for from/to windows) and "
        "the share inside a time window such as 20:00-04:00. Month-only data cannot answer.",
        example="safercity times --workspace ws --category drugs --window 20:00-04:00 --json",
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument("--window", default="20:00-04:00", help="default: %(default)s")
    parser.add_argument(
        "--method",
        choices=["proportional", "ratcliffe"],
        default="proportional",
        help="aoristic method (default: proportional)",
    )
    parser.add_argument(
        "--max-window-hours",
        type=float,
        default=None,
        help="leave out incidents whose from/to window is longer (default: keep all)",
    )


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(ws, args, ["month", "category", "occurred_from", "occurred_to"])
    if frame.empty:
        raise UserError("no incidents match these options")
    try:
        profile = TimeProfile(
            frame, window=args.window, method=args.method, max_window_hours=args.max_window_hours
        )
    except (NoTimesError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print_json(profile.to_dict())
        return 0
    print(profile.statement)
    print(profile.table.round(1).to_string())
    return 0
