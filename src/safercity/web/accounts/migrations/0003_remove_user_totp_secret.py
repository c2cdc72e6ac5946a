# ruff: noqa: RUF012
"""The clear-text key column goes (emptied by 0002 first); in its own migration, as PostgreSQL
will not alter a table in the transaction that has just written rows referring to it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_two_step_devices"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="user",
            name="totp_secret",
        ),
    ]
