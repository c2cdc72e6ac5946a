"""Encryption at rest for two-step sign-in keys, with a key kept outside the database.

The keys of authenticator apps are stored encrypted with Fernet (AES-128-CBC and HMAC-SHA256,
from ``cryptography``). The encryption key is a file in the workspace, ``web-totp-key``, beside
``web-secret-key``: created with mode 0600 the first time a key is needed, never written to the
database, so a copy of the database (a backup, a leaked dump) holds no usable two-step key.

Keep the file with the workspace and back it up apart from the database: without it, two-step
sign-in keys cannot be read and each such user needs an administrator to reset their two-step
sign-in (``docs/web-server.md``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

KEY_FILE_NAME = "web-totp-key"

log = logging.getLogger(__name__)


class KeyUnavailable(Exception):
    """A stored two-step key cannot be decrypted with the workspace's key file."""


def key_path() -> Path:
    return Path(settings.WORKSPACE) / KEY_FILE_NAME


def _create_key_file(path: Path) -> bytes:
    """Writes a new key to ``path`` unless another process got there first; returns the key in
    the file. The key is written whole to a private temporary file (0600) and linked into place,
    so no process can read a half-written key and two processes cannot write different ones."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(key + b"\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_bytes().strip()
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return key


@lru_cache(maxsize=4)
def _fernet(path: Path) -> Fernet:
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        key = _create_key_file(path)
    try:
        return Fernet(key)
    except ValueError:
        raise KeyUnavailable(
            f"the two-step sign-in key file {KEY_FILE_NAME} in the workspace is not a Fernet key"
        ) from None


def encrypt(data: bytes) -> str:
    """``data`` encrypted with the workspace's key, as URL-safe base64 text."""
    return _fernet(key_path()).encrypt(data).decode("ascii")


def decrypt(token: str) -> bytes:
    """The bytes ``encrypt`` was given; ``KeyUnavailable`` when the key file is not the one
    they were encrypted with (logged without naming the account)."""
    try:
        return _fernet(key_path()).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        log.error(
            "A two-step sign-in key cannot be decrypted: the workspace's %s is not the file it "
            "was encrypted with. Restore that file from a backup, or reset the account's "
            "two-step sign-in.",
            KEY_FILE_NAME,
        )
        raise KeyUnavailable("two-step sign-in key cannot be decrypted") from None


def forget_cached_key() -> None:
    """Reads the key file again on next use (tests; after restoring the file from a backup)."""
    _fernet.cache_clear()
