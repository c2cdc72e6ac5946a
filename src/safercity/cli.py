"""The ``safercity`` command: parse, call the library or a service, print.

Each command lives in a module of :mod:`safercity.commands` that defines ``register(subparsers)``;
this module finds them, so adding a command never edits this file. Every command has ``--help``
with an example, and every command that prints results takes ``--json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
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


def updating_workspace(path: str | Path) -> AbstractContextManager[Workspace]:
    """The workspace opened for an update (an import, boundaries): one writer at a time, all or
    nothing, and readers such as the web server keep answering meanwhile (ADR 0002)."""
    from safercity.analytics.store import Workspace

    def say_waiting() -> None:
        print(
            "Waiting for another import or update of this workspace to finish...",
            file=sys.stderr,
            flush=True,
        )

    return Workspace.for_update(path, on_wait=say_waiting)


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


def _is_control(char: str) -> bool:
    """A character a terminal may act on rather than show: C0 and C1 controls, DEL, and the
    invisible format characters (bidirectional overrides, zero-width), line separators."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def terminal_text(value: object) -> str:
    """``value`` as text that is safe to print to a terminal: every control character (escape
    sequences that retitle or clear the screen, carriage returns that overwrite a line,
    bidirectional overrides) is shown as its Python escape (``\\x1b``, ``\\u202e``) instead of
    being sent. Data from imported files goes through this before any plain or Rich output."""
    text = str(value)
    if not any(_is_control(c) for c in text):
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii") if _is_control(c) else c for c in text
    )


def print_json(obj: Any) -> None:
    """``obj`` as exact JSON, readable (non-ASCII letters as themselves) and safe on a terminal:
    JSON escapes the C0 controls itself; the C1 controls and invisible format characters are
    written as ``\\uXXXX`` too (the same JSON value)."""
    text = json.dumps(obj, indent=2, sort_keys=False, default=str, ensure_ascii=False)
    if any(_is_control(c) for c in text):
        text = "".join(_json_escape(c) if _is_control(c) and c != "\n" else c for c in text)
    sys.stdout.write(text + "\n")


def _json_escape(char: str) -> str:
    """``\\uXXXX`` for a character (a surrogate pair beyond the Basic Multilingual Plane)."""
    units = char.encode("utf-16-be")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
    )


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
    # what SaferCity writes (the store, the web database with its password hashes and keys,
    # uploads, reports) is its owner's alone: folders 0700, files 0600
    os.umask(0o077)
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
