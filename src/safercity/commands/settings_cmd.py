"""``safercity settings``: list every setting with its value, default, variable and help."""

from __future__ import annotations

import argparse
from typing import Any

from safercity import settings
from safercity.cli import UserError, add_command, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(
        subparsers,
        "settings",
        help="List SaferCity's settings: current values, defaults, environment variables and "
        "help. A value that cannot be read is one error naming its variable.",
        example="safercity settings --json",
        handler=run,
    )


def _json_value(s: settings.Setting, value: Any) -> Any:
    return s.text(value) if s.secret else value


def run(args: argparse.Namespace) -> int:
    problems = settings.check_all()
    if problems:
        raise UserError("; ".join(problems))
    if args.json:
        rows = [
            {
                "name": s.name,
                "value": _json_value(s, s.value()),
                "default": _json_value(s, s.default),
                "type": s.type,
                "env": s.env_var,
                "aliases": list(s.aliases),
                "help": s.help,
            }
            for s in settings.SETTINGS
        ]
        print_json({"settings": rows})
        return 0
    for s in settings.SETTINGS:
        print(f"{s.name:<22} {s.text(s.value()):<28} {s.env_var:<32} {s.help}")
    return 0
