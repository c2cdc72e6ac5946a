"""The ``safercity`` command: parse, call the library or a service, print.

Each command lives in a module of :mod:`safercity.commands` that defines ``register(subparsers)``;
this module finds them, so adding a command never edits this file. Every command has ``--help``
with an example, and every command that prints results takes ``--json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

from safercity import __version__, settings


class UserError(Exception):
    """An error the user can fix: printed as one clear message, never a traceback."""


Handler = Callable[[argparse.Namespace], int]


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    example: str,
    handler: Handler,
    json_output: bool = True,
) -> argparse.ArgumentParser:
    """Add a sub-command with its help, a worked example and (by default) ``--json``."""
    parser = subparsers.add_parser(
        name,
        help=help.replace("%", "%%"),  # argparse %-formats sub-command help
        description=help,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if json_output:
        parser.add_argument(
            "--json", action="store_true", help="print the result as one JSON object"
        )
    parser.set_defaults(handler=handler)
    return parser


def add_workspace_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace",
        default=settings.get("workspace"),
        help="workspace folder (default: %(default)s, or $SAFERCITY_WORKSPACE)",
    )


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``safercity`` parser with every command, or, when ``command`` names a module of
    :mod:`safercity.commands`, with that command alone (so ``safercity status`` does not import
    what ``safercity assess`` needs)."""
    parser = argparse.ArgumentParser(
        prog="safercity",
        description="SaferCity: assess, plan, consult, deliver and monitor community safety.",
        epilog="example:\n  safercity ingest data/2018-07-west-yorkshire-street.csv\n"
        "  safercity status --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"safercity {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    import safercity.commands as commands_pkg

    names = sorted(
        info.name
        for info in pkgutil.iter_modules(commands_pkg.__path__)
        if not info.name.startswith("_")
    )
    if command in names:
        names = [command]
    for name in names:
        module = importlib.import_module(f"safercity.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    first = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(first)
    args = parser.parse_args(words)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return handler(args)
    except UserError as exc:
        print(f"safercity {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head, say
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
