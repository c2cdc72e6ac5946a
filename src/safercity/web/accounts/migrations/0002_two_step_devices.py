# ruff: noqa: RUF012
"""Two-step sign-in keys move from ``User.totp_secret`` (clear text) to ``TOTPDevice``,
encrypted with the workspace's key file (``accounts.encryption``); ``User`` gains
``session_generation`` and ``temporary_password_until``."""

import base64
import binascii

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import safercity.web.accounts.models
from safercity.web.accounts import encryption

DEVICE_NAME = "Authenticator app"


def _key(secret: str) -> bytes | None:
    text = secret.strip().replace(" ", "").upper()
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None


def encrypt_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("accounts", "TOTPDevice")
    for user in User.objects.exclude(totp_secret="").only("pk", "totp_secret", "totp_enabled"):
        key = _key(user.totp_secret)
        if key is None:  # a key that could never give a right code: two-step was not working
            User.objects.filter(pk=user.pk).update(totp_enabled=False)
            continue
        TOTPDevice.objects.create(
            user_id=user.pk,
            name=DEVICE_NAME,
            confirmed=user.totp_enabled,
            encrypted_key=encryption.encrypt(key),
        )
    # no clear copy left in the column before it is dropped
    User.objects.exclude(totp_secret="").update(totp_secret="")


def decrypt_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("accounts", "TOTPDevice")
    for device in TOTPDevice.objects.order_by("confirmed"):  # a confirmed one wins
        secret = base64.b32encode(encryption.decrypt(device.encrypted_key)).decode("ascii")
        User.objects.filter(pk=device.user_id).update(totp_secret=secret.rstrip("="))
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", safercity.web.accounts.models.AccountManager()),
            ],
        ),
        migrations.AddField(
            model_name="user",
            name="session_generation",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="user",
            name="temporary_password_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="TOTPDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The human-readable name of this device.", max_length=64
                    ),
                ),
                (
                    "confirmed",
                    models.BooleanField(default=True, help_text="Is this device ready for use?"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The most recent date and time this device was used.",
                        null=True,
                    ),
                ),
                (
                    "encrypted_key",
                    models.TextField(help_text="The shared secret, Fernet-encrypted."),
                ),
                (
                    "last_t",
                    models.BigIntegerField(
                        default=-1,
                        help_text="The time step of the last code accepted: a code is accepted once, and only at a later step than this (RFC 6238 section 5.2).",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "authenticator app",
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "confirmed"), name="accounts_totpdevice_one_per_state"
                    )
                ],
            },
        ),
        migrations.RunPython(encrypt_keys, decrypt_keys, elidable=False),
    ]
