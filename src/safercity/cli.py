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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safercity import __version__, settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from safercity.analytics.store import Workspace


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
    text = help.replace("%%", "%")  # one spelling of a percent sign, whatever the caller wrote
    parser = subparsers.add_parser(
        name,
        help=text.replace("%", "%%"),  # argparse %-formats sub-command help, not descriptions
        description=text,
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


def open_workspace(path: str | Path) -> Workspace:
    """Open a workspace read-only for a command; a missing one is a clear error, not a traceback."""
    from safercity.analytics.store import Workspace

    try:
        return Workspace(path, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from exc


def progress_bar(label: str, *, quiet: bool = False) -> Progress:
    """The Rich progress bar long commands show on standard error (hidden for ``--json`` and
    when standard error is not a terminal)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    err = Console(stderr=True)
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
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
    try:  # the commands' defaults come from the settings: a bad value is an error, not a traceback
        parser = build_parser(first)
    except settings.SettingError as exc:
        print(f"safercity: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(words)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return handler(args)
    except (UserError, settings.SettingError) as exc:
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
