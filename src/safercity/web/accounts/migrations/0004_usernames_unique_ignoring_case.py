# ruff: noqa: RUF012
"""Usernames become unique ignoring case (a constraint on ``LOWER(username)``) and ASCII only.

Accounts that differ only by case must be renamed first: the migration names them and stops,
changing nothing, rather than failing on the constraint with the database's own message."""

import django.contrib.auth.validators
import django.db.models.functions.text
from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower

from safercity.cli import UserError


class UsernameClash(UserError, CommandError):
    """Printed as one message by ``safercity serve`` and by ``safercity web migrate``."""


def clashes(User) -> list[list[str]]:
    """Groups of usernames that are the same to the database's ``LOWER``, sorted."""
    same = (
        User.objects.annotate(lowered=Lower("username"))
        .values("lowered")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("lowered", flat=True)
    )
    groups = [
        sorted(
            User.objects.annotate(lowered=Lower("username"))
            .filter(lowered=name)
            .values_list("username", flat=True)
        )
        for name in same
    ]
    return sorted(groups)


def refuse_clashes(apps, schema_editor):
    groups = clashes(apps.get_model("accounts", "User"))
    if groups:
        listed = "; ".join(" and ".join(repr(n) for n in group) for group in groups)
        raise UsernameClash(
            f"usernames must differ by more than capital and small letters, and "
            f"{len(groups)} group(s) of accounts do not: {listed}. Rename all but one "
            "account of each group (Users, Change, in the web application of the version you "
            "have now), then upgrade again. Nothing has been changed."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_remove_user_totp_secret"),
    ]

    operations = [
        migrations.RunPython(refuse_clashes, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "There is already a user with that username"},
                help_text="Letters A to Z, digits and @ . + - _ only; capitals and small letters are the same.",
                max_length=150,
                unique=True,
                validators=[django.contrib.auth.validators.ASCIIUsernameValidator()],
                verbose_name="username",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="accounts_user_username_lower_unique",
                violation_error_message="There is already a user with that username (usernames are the same in capitals or small letters)",
            ),
        ),
    ]
