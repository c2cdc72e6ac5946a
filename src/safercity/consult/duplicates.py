"""Duplicate and rate-limit rules for responses.

Nothing is silently dropped: a response that looks like a duplicate is stored and *flagged*
for an officer to review; only the rate limit refuses a submission (the person is told to try
later).

* **Network**: the first three bytes of an IPv4 address (a /24) or the first 48 bits of an IPv6
  address, keyed with a secret (HMAC-SHA256) so that no address is stored: two responses from
  the same network have the same key, and the key cannot be turned back into the address.
* **Answers**: a SHA-256 fingerprint of the normalised answers (ranking, the questions about
  the respondent, free text with case and spaces folded).
* **Duplicate rule**: the same answers from the same network within ``window`` of another
  response to the same consultation.
* **Rate limit**: at most ``limit`` responses from one network within ``window``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_WINDOW = dt.timedelta(hours=1)
DEFAULT_LIMIT = 20


def network_key(address: str | None, secret: str) -> str:
    """HMAC of the address's network (/24 for IPv4, /48 for IPv6); '' for no address."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    net = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return hmac.new(secret.encode(), str(net).encode(), hashlib.sha256).hexdigest()[:32]


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if isinstance(value, Mapping):
        return {str(k): _norm(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def answers_fingerprint(answers: Mapping[str, Any]) -> str:
    """SHA-256 of the normalised answers (case, spacing and key order do not matter)."""
    blob = json.dumps(_norm(dict(answers)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Seen:
    """An earlier response: when, from which network, with which answers."""

    at: dt.datetime
    network: str
    answers: str


def is_duplicate(
    at: dt.datetime,
    network: str,
    answers: str,
    earlier: Iterable[Seen],
    *,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> bool:
    """The duplicate rule: same answers, same network, within ``window`` (either side)."""
    if not network:
        return False
    return any(
        e.network == network and e.answers == answers and abs(at - e.at) <= window for e in earlier
    )


def over_rate_limit(
    at: dt.datetime,
    network: str,
    earlier: Iterable[Seen],
    *,
    limit: int = DEFAULT_LIMIT,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> bool:
    """The rate limit: ``limit`` responses already from this network in the last ``window``
    (0 = no limit)."""
    if not network or limit <= 0:
        return False
    recent = sum(1 for e in earlier if e.network == network and at - window < e.at <= at)
    return recent >= limit
