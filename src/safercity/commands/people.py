"""``safercity people``: victim and suspect profiles (sex, age bands, residents)."""

from __future__ import annotations

import argparse

from safercity.analytics.people import NoPeopleDataError, PeopleProfile
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import (
    add_filter_arguments,
    jsonable,
    load_filtered,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "people",
        help="Victim or suspect profile: sex, age bands (under 18, 18-24, 18-35, ...) and "
        "residents, as statements such as '62%% of victims male'.",
        example="safercity people --workspace ws --theme night-time-economy --who victim --json",
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument("--who", choices=["victim", "suspect"], default="victim")
    parser.add_argument(
        "--unit", choices=["incident", "person"], default="incident", help="default: incident"
    )


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(
            ws,
            args,
            [
                "month",
                "category",
                "victim_id",
                "victim_sex",
                "victim_age",
                "victim_resident",
                "victim_home_area",
                "local_authority",
                "suspect_age",
            ],
        )
    if frame.empty:
        raise UserError("no incidents match these options")
    try:
        profile = PeopleProfile(frame, who=args.who, unit=args.unit)
    except (NoPeopleDataError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print_json(jsonable(profile.to_dict()))
        return 0
    for line in profile.statements:
        print(line)
    return 0
