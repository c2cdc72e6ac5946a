"""Setting up an authenticator app: a new key, the ``otpauth://`` URI and its QR code.

The codes themselves (HOTP, RFC 4226; TOTP, RFC 6238) come from django-otp (``django_otp.oath``,
used by ``models.TOTPDevice``); the test suite checks them against the RFCs' vectors.
"""

from __future__ import annotations

import base64
import io
import secrets
from urllib.parse import quote, urlencode

KEY_BYTES = 20  # 160 bits, as RFC 4226 section 4 recommends for SHA-1


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_text(key: bytes) -> str:
    """The key as authenticator apps take it typed in: base32 without padding, in groups of 4."""
    b32 = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def provisioning_uri(key: bytes, account: str, issuer: str = "SaferCity") -> str:
    """The ``otpauth://`` URI an authenticator app imports (SHA-1, 6 digits, 30 seconds)."""
    label = quote(f"{issuer}:{account}")
    secret = base64.b32encode(key).decode("ascii").rstrip("=")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer})


def qr_svg(uri: str) -> str:
    """The set-up URI as an inline SVG QR code (error correction M) for the app's camera; the
    page also shows the key as text for those who cannot scan it."""
    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, scale=5, border=4, dark="#0b0c0c"
    )
    svg = out.getvalue().decode("ascii")
    label = "QR code of the set-up key, for your authenticator app to scan"
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
