"""``safercity web``: run a Django management command of the web application."""

from __future__ import annotations

import argparse
import os

from safercity.cli import add_command


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "web",
        help="Run a Django management command of the web application (migrate, seed_demo, "
        "check --deploy, createsuperuser ...).",
        example="safercity web seed_demo --password 'choose-a-long-one'",
        handler=run,
        json_output=False,
    )
    parser.add_argument(
        "--workspace",
        default=None,
        help="workspace folder (default: $SAFERCITY_WORKSPACE or safercity-data)",
    )
    parser.add_argument(
        "manage_args",
        nargs=argparse.REMAINDER,
        metavar="MANAGE-ARGS",
        help="the management command and its arguments",
    )


def configure(workspace: str | None) -> None:
    """Point Django at SaferCity's settings (and the workspace) before it is imported."""
    if workspace:
        os.environ["SAFERCITY_WORKSPACE"] = workspace
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safercity.web.settings")


def run(args: argparse.Namespace) -> int:
    configure(args.workspace)
    from django.core.management import execute_from_command_line

    manage_args = list(args.manage_args)
    if manage_args and manage_args[0] == "--":
        manage_args = manage_args[1:]
    execute_from_command_line(["safercity web", *(manage_args or ["help"])])
    return 0
