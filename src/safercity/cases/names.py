"""People's names as agencies write them: folded, transliterated, nicknamed, sounded out.

* :func:`fold` -- any script to lower-case ASCII letters (``anyascii``: "Алексáндр" → "aleksandr",
  "Zoë" → "zoe", "O'Brien" → "obrien"), so records typed on different systems compare;
* :func:`given_forms` -- the spellings a given name stands for: itself, its formal names from the
  ``nicknames`` package (Carlton Northern's hand-curated list of English given names and
  nicknames: "bill" → "william") and its group in SaferCity's transliteration table
  (``data/name_variants.csv``: "mohamed", "muhammad" and "mohammed" are one name);
* :func:`sound` -- a phonetic key (Metaphone, from ``jellyfish``): "Smith" and "Smyth" sound
  alike;
* :func:`postcode` -- a UK postcode in one form ("sw1e6qp" → "SW1E 6QP"), with its outward code
  and sector.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import jellyfish
from anyascii import anyascii
from nicknames import NickNamer

_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


@functools.lru_cache(maxsize=50_000)
def fold(text: str) -> str:
    """Lower-case ASCII letters and single spaces: accents and other scripts transliterated,
    apostrophes dropped, hyphens and other marks read as spaces."""
    ascii_text = anyascii(text or "").lower().replace("'", "").replace("`", "")
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_text)).strip()


def tokens(text: str) -> list[str]:
    return fold(text).split()


@functools.cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@functools.cache
def variant_groups() -> dict[str, str]:
    """Each spelling in the transliteration table, mapped to its group's key."""
    out: dict[str, str] = {}
    text = (
        resources.files("safercity.cases")
        .joinpath("data", "name_variants.csv")
        .read_text(encoding="utf-8")
    )
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spellings = [fold(s) for s in line.split(",") if s.strip()]
        for spelling in spellings:
            out.setdefault(spelling.replace(" ", ""), spellings[0].replace(" ", ""))
    return out


@functools.lru_cache(maxsize=20_000)
def given_forms(name: str) -> frozenset[str]:
    """Every form a given name (one word) stands for: the folded name, its formal names
    ("bill" → "william", "robert"), and its transliteration group's key."""
    word = fold(name).replace(" ", "")
    if not word:
        return frozenset()
    forms = {word}
    forms |= _nicknamer().canonicals_of(word)
    group = variant_groups().get(word)
    if group:
        forms.add(group)
    return frozenset(forms)


def nicknames(name: str) -> set[str]:
    """The nicknames of a given name ("william" → "bill", "will", ...)."""
    return _nicknamer().nicknames_of(fold(name).replace(" ", ""))


def canonical_given(name: str) -> str:
    """One key for a given name, the same for its nicknames and spellings where the tables
    say so (used to find candidates in the database): the transliteration group, else the
    alphabetically first formal name, else the name itself."""
    word = fold(name).replace(" ", "")
    if not word:
        return ""
    group = variant_groups().get(word)
    if group:
        return group
    formal = sorted(_nicknamer().canonicals_of(word))
    return formal[0] if formal else word


@functools.lru_cache(maxsize=50_000)
def sound(text: str) -> str:
    """The Metaphone key of a (folded) name; words joined: "Mac Donald" sounds as
    "MacDonald"."""
    word = fold(text).replace(" ", "")
    return jellyfish.metaphone(word) if word else ""


@dataclass(frozen=True)
class Postcode:
    text: str  # "SW1E 6QP"
    outward: str  # "SW1E"
    sector: str  # "SW1E 6"


def postcode(text: str) -> Postcode | None:
    """A UK postcode in its standard form, or None when ``text`` is not one."""
    squashed = re.sub(r"\s+", "", (text or "").upper())
    m = _POSTCODE.match(squashed)
    if not m:
        return None
    outward, inward = m.groups()
    return Postcode(f"{outward} {inward}", outward, f"{outward} {inward[0]}")
