"""``safercity settings``: list every setting with its value, default and help."""

from __future__ import annotations

import argparse

from safercity import settings
from safercity.cli import add_command, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(
        subparsers,
        "settings",
        help="List SaferCity's settings, their current values, defaults and help.",
        example="safercity settings --json",
        handler=run,
    )


def run(args: argparse.Namespace) -> int:
    rows = [
        {"name": s.name, "value": s.value(), "default": s.default, "env": s.env_var, "help": s.help}
        for s in settings.SETTINGS
    ]
    if args.json:
        print_json({"settings": rows})
    else:
        for row in rows:
            print(f"{row['name']:<16} {row['value']!s:<28} {row['help']}")
    return 0
