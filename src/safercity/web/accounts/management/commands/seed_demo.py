"""``safercity web seed_demo``: the partnership's agencies and one demo user per role."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safercity.web.accounts.services import seed_demo


class Command(BaseCommand):
    help = "Create the demo agencies and one demo user per role, and print their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default="",
            help="password for every demo user (default: a new random one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or "demo-" + secrets.token_urlsafe(9)
        logins = seed_demo(password)
        self.stdout.write("Demo logins (one per role):")
        for row in logins:
            self.stdout.write(
                f"  {row['role']:<28} username {row['username']:<12} "
                f"password {row['password']}   ({row['agency']})"
            )
