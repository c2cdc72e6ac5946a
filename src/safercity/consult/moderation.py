"""Masks for free text before an officer moderates it: e-mail addresses, phone numbers,
postcodes and names are replaced by a bracketed word, so that nothing personal is published by
accident. Masking is a first pass: an officer still reads and approves every answer before it
appears anywhere public (approve-then-publish).

Rules (each a regular expression, in this order):

=============  =====================================================================
what           matched
=============  =====================================================================
e-mail         ``name@domain.tld`` (also ``name at domain dot com`` spelt out)
phone          UK numbers: ``07xxx xxxxxx``, ``+44 7xxx ...``, ``020 7641 6000``,
               ``(01632) 960001``, 10-11 digits with spaces, dots or dashes
postcode       full UK postcodes, ``SW1E 6QP`` or ``sw1e6qp`` (a district alone, such as
               ``W1``, is an area and is kept)
name           a title and the capitalised words after it (``Mr Smith``, ``Cllr J. Jones``,
               ``PC Patel``); ``called``/``named`` + a capitalised word; any name the
               officer lists (staff, places that identify a person)
=============  =====================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

EMAIL = re.compile(
    r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    r"|\b[A-Za-z0-9._%+-]+\s+(?:at|\[at\])\s+[A-Za-z0-9-]+(?:\s+(?:dot|\[dot\])\s+[A-Za-z]{2,})+\b",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)"
    r"(?:\d[\s.\-()]{0,2}){8,10}\d(?!\w)"
)
POSTCODE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?)\s?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
TITLES = (
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx",
    "Dr",
    "Prof",
    "Cllr",
    "Councillor",
    "Sir",
    "Dame",
    "Lady",
    "Lord",
    "PC",
    "PCSO",
    "Sgt",
    "Sergeant",
    "Insp",
    "Inspector",
    "DC",
    "DS",
    "DI",
    "Rev",
    "Father",
)
_CAP = r"[A-Z][a-z'’-]+|[A-Z]\.?"
TITLED = re.compile(
    r"\b(?:" + "|".join(TITLES) + r")\.?\s+(?:(?:" + _CAP + r")\s+){0,2}(?:[A-Z][a-z'’-]+)"
)
CALLED = re.compile(r"\b(?:called|named|name is|known as)\s+((?:[A-Z][a-z'’-]+\s?){1,2})")

MASKS = {"email": "[email address]", "phone": "[phone number]", "postcode": "[postcode]"}
NAME_MASK = "[name]"


@dataclass
class Masked:
    """Masked text and what was masked (counts by kind; never the values)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


def mask(text: str, *, names: Iterable[str] = ()) -> Masked:
    """Mask e-mail addresses, phone numbers, postcodes and names in ``text`` (rules in the module
    docstring); ``names`` are further names to mask wherever they appear (whole words, any
    case)."""
    counts = {"email": 0, "phone": 0, "postcode": 0, "name": 0}

    def sub(kind: str, pattern: re.Pattern[str], s: str, replacement: str) -> str:
        out, n = pattern.subn(replacement, s)
        counts[kind] += n
        return out

    out = sub("email", EMAIL, text, MASKS["email"])
    out = sub("postcode", POSTCODE, out, MASKS["postcode"])
    out = sub("phone", PHONE, out, MASKS["phone"])
    out = sub("name", TITLED, out, NAME_MASK)

    def called(m: re.Match[str]) -> str:
        counts["name"] += 1
        return (
            m.group(0)[: m.start(1) - m.start(0)]
            + NAME_MASK
            + (" " if m.group(1).endswith(" ") else "")
        )

    out = CALLED.sub(called, out)
    listed = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if listed:
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(n) for n in listed) + r")(?!\w)", re.IGNORECASE
        )
        out = sub("name", pattern, out, NAME_MASK)
    return Masked(out, {k: v for k, v in counts.items() if v})
