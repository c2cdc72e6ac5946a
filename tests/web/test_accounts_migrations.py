"""The accounts migrations of issue 15, run on a real database with data of the old shape: the
keys stored in clear are encrypted (and can be decrypted back), and usernames that differ only
by case are named before the constraint is added, and nothing is changed."""

from __future__ import annotations

import base64
import importlib
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from factories import two_step_app
from test_accounts_two_step import _database_text

from safercity.cli import UserError
from safercity.web.accounts.models import TOTPDevice, User

clash_migration = importlib.import_module(
    "safercity.web.accounts.migrations.0004_usernames_unique_ignoring_case"
)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrates the test database to ``targets``; returns the models of that state."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_keys_stored_in_clear(make_user: Any) -> None:
    import time

    from django_otp.oath import TOTP

    key = b"12345678901234567890"
    secret = base64.b32encode(key).decode().rstrip("=")
    latest = _latest()
    try:
        old = _migrate([("accounts", "0001_initial")])
        OldUser = old.get_model("accounts", "User")
        on = OldUser.objects.create(username="on", totp_secret=secret, totp_enabled=True)
        pending = OldUser.objects.create(username="pending", totp_secret=secret)
        broken = OldUser.objects.create(username="bad", totp_secret="!!", totp_enabled=True)
        OldUser.objects.create(username="off")
        _migrate(latest)
    finally:
        _migrate(latest)
    devices = {d.user.username: d for d in TOTPDevice.objects.select_related("user")}
    assert sorted(devices) == ["on", "pending"]
    assert devices["on"].confirmed and not devices["pending"].confirmed
    assert devices["on"].bin_key == key and secret not in devices["on"].encrypted_key
    assert secret not in _database_text()
    assert User.objects.get(pk=on.pk).totp_enabled
    assert not User.objects.get(pk=pending.pk).totp_enabled
    assert not User.objects.get(pk=broken.pk).totp_enabled  # its key could never have worked
    code = TOTP(key)
    code.time = time.time()
    assert devices["on"].verify_token(f"{code.token():06d}")


@pytest.mark.django_db(transaction=True)
def test_the_migration_can_be_reversed(make_user: Any) -> None:
    user = make_user("analyst", username="ana")
    device = two_step_app(user)
    key = device.bin_key
    latest = _latest()
    try:
        old = _migrate([("accounts", "0001_initial")])
        row = old.get_model("accounts", "User").objects.get(pk=user.pk)
        assert base64.b32decode(row.totp_secret + "=" * (-len(row.totp_secret) % 8)) == key
        assert row.totp_enabled
    finally:
        _migrate(latest)
    assert TOTPDevice.objects.get(user=user).bin_key == key


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_the_accounts_that_clash_and_changes_nothing(
    make_user: Any,
) -> None:
    from django.db.migrations.executor import MigrationExecutor

    latest = _latest()
    before = [("accounts", "0003_remove_user_totp_secret")]
    try:
        old = _migrate(before)
        OldUser = old.get_model("accounts", "User")
        for name in ("victim3", "VICTIM3", "bob", "Bob", "BOB", "alice"):
            OldUser.objects.create(username=name)
        with pytest.raises(clash_migration.UsernameClash) as refused:
            _migrate(latest)
        message = str(refused.value)
        assert "2 group(s)" in message
        assert "'BOB' and 'Bob' and 'bob'" in message and "'VICTIM3' and 'victim3'" in message
        assert "alice" not in message and "Nothing has been changed" in message
        # one clear message from `safercity serve` (UserError) and `safercity web` (CommandError)
        assert isinstance(refused.value, UserError) and isinstance(refused.value, CommandError)
        applied = MigrationExecutor(connection).loader.applied_migrations
        assert ("accounts", "0004_usernames_unique_ignoring_case") not in applied
        # renamed, the upgrade goes through
        OldUser.objects.filter(username="VICTIM3").update(username="victim3-second")
        OldUser.objects.filter(username__in=["Bob", "BOB"]).delete()
        _migrate(latest)
    finally:
        OldUser.objects.filter(username__in=["VICTIM3", "Bob", "BOB"]).delete()
        _migrate(latest)
    assert sorted(User.objects.values_list("username", flat=True)) == [
        "alice",
        "bob",
        "victim3",
        "victim3-second",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ALICE")
