"""Time-based one-time passwords (TOTP, RFC 6238) built on HOTP (RFC 4226), with ``hmac``.

Compatible with the usual authenticator apps: SHA-1, 6 digits, 30-second steps. The test suite
checks the RFC 6238 Appendix B vectors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit key, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret_b32: str) -> bytes:
    s = secret_b32.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """HOTP value for ``counter`` (RFC 4226 section 5.3: dynamic truncation)."""
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp(
    key: bytes, at: float, digits: int = DIGITS, step: int = STEP_SECONDS, digest: str = "sha1"
) -> str:
    """TOTP value at Unix time ``at`` (RFC 6238 section 4: T = floor(t / X))."""
    return hotp(key, int(at // step), digits=digits, digest=digest)


def verify(secret_b32: str, code: str, at: float | None = None, window: int = 1) -> bool:
    """True when ``code`` matches the current step or ``window`` steps either side (clock drift)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != DIGITS:
        return False
    now = time.time() if at is None else at
    key = _key(secret_b32)
    counter = int(now // STEP_SECONDS)
    return any(
        hmac.compare_digest(hotp(key, counter + d), code) for d in range(-window, window + 1)
    )


def qr_svg(uri: str) -> str:
    """The set-up URI as an inline SVG QR code (error correction M) for the app's camera; the
    page also shows the key as text for those who cannot scan it."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, scale=5, border=4, dark="#0b0c0c"
    )
    svg = out.getvalue().decode("ascii")
    label = "QR code of the set-up key, for your authenticator app to scan"
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)


def provisioning_uri(secret_b32: str, account: str, issuer: str = "SaferCity") -> str:
    """The ``otpauth://`` URI an authenticator app imports."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret_b32, "issuer": issuer})
