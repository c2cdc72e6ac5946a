"""How likely two person records are the same person.

The score (0 to 1) combines three pieces of evidence, each scored 0 to 1, weighted and divided
by the weights of the evidence both records hold:

============  ======  =====================================================================
evidence      weight  scored
============  ======  =====================================================================
name          0.60    best pair of the two records' names (primary and aliases): family
                      name 55 %, given name 45 %; each is rapidfuzz's ratio of the folded
                      names, raised to 0.9 when they sound alike (Metaphone) and to 1 when
                      the given names are one name by nickname or transliteration
                      ("Bill"/"William", "Mohamed"/"Muhammad"); an initial that fits is
                      0.7; given and family names swapped count at 0.9 of their score
date of      0.25    1 the same day; 0.8 day and month swapped; 0.6 two of day, month and
birth                 year the same (a slip of one); 0 otherwise
postcode     0.15    1 the same; 0.6 the same sector; 0.3 the same outward code; 0 otherwise
============  ======  =====================================================================

With the name alone (no date of birth or postcode on one side) a match is at most
*possible* (0.75): a name shared is weak evidence in a city. ``likely`` is 0.85 and over,
``possible`` 0.70 and over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from . import names

WEIGHTS = {"name": 0.60, "date_of_birth": 0.25, "postcode": 0.15}
LIKELY = 0.85
POSSIBLE = 0.70
NAME_ONLY_CAP = 0.75


@dataclass(frozen=True)
class Name:
    given: str
    family: str


@dataclass(frozen=True)
class PersonForMatching:
    """What matching needs to know of a person."""

    id: str
    names: Sequence[Name]
    born: dt.date | None = None
    postcode: str = ""


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def strength(self) -> str:
        if self.score >= LIKELY:
            return "likely"
        return "possible" if self.score >= POSSIBLE else "unlikely"


def _word_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return fuzz.ratio(a, b) / 100.0


def family_similarity(a: str, b: str) -> float:
    fa, fb = names.fold(a).replace(" ", ""), names.fold(b).replace(" ", "")
    score = _word_similarity(fa, fb)
    if score < 0.9 and fa and names.sound(fa) == names.sound(fb):
        score = 0.9
    return score


def given_similarity(a: str, b: str) -> float:
    """Similarity of two given names: the first names compared (the rest ignored)."""
    wa, wb = names.tokens(a), names.tokens(b)
    if not wa or not wb:
        return 0.0
    first_a, first_b = wa[0], wb[0]
    if len(first_a) == 1 or len(first_b) == 1:  # an initial
        return 0.7 if first_a[0] == first_b[0] else 0.0
    if names.given_forms(first_a) & names.given_forms(first_b):
        return 1.0
    score = _word_similarity(first_a, first_b)
    if score < 0.9 and names.sound(first_a) == names.sound(first_b):
        score = 0.9
    return score


def name_similarity(a: Name, b: Name) -> float:
    straight = 0.55 * family_similarity(a.family, b.family) + 0.45 * given_similarity(
        a.given, b.given
    )
    swapped = 0.55 * family_similarity(a.family, b.given) + 0.45 * given_similarity(
        a.given, b.family
    )
    return max(straight, 0.9 * swapped)


def date_similarity(a: dt.date, b: dt.date) -> float:
    if a == b:
        return 1.0
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return 0.8
    same = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    return 0.6 if same == 2 else 0.0


def postcode_similarity(a: str, b: str) -> float | None:
    pa, pb = names.postcode(a), names.postcode(b)
    if pa is None or pb is None:
        return None
    if pa.text == pb.text:
        return 1.0
    if pa.sector == pb.sector:
        return 0.6
    return 0.3 if pa.outward == pb.outward else 0.0


def score(query: PersonForMatching, candidate: PersonForMatching) -> Match:
    """How likely ``candidate`` is the person ``query`` describes (see the module's table)."""
    parts: dict[str, float] = {}
    reasons: list[str] = []
    best = 0.0
    for a in query.names:
        for b in candidate.names:
            best = max(best, name_similarity(a, b))
    parts["name"] = round(best, 4)
    if best >= 0.95:
        reasons.append("same name")
    elif best >= 0.8:
        reasons.append("similar name")
    if query.born is not None and candidate.born is not None:
        parts["date_of_birth"] = date_similarity(query.born, candidate.born)
        reasons.append(
            {1.0: "same date of birth", 0.8: "day and month of birth swapped"}.get(
                parts["date_of_birth"],
                "date of birth one part different"
                if parts["date_of_birth"]
                else "different date of birth",
            )
        )
    pc = postcode_similarity(query.postcode, candidate.postcode)
    if pc is not None:
        parts["postcode"] = pc
        if pc == 1.0:
            reasons.append("same postcode")
        elif pc > 0:
            reasons.append("nearby postcode")
    weight = sum(WEIGHTS[k] for k in parts)
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) / weight
    if set(parts) == {"name"}:
        total = min(total, NAME_ONLY_CAP)
    return Match(candidate.id, round(total, 4), parts, reasons)


def rank(
    query: PersonForMatching,
    candidates: Iterable[PersonForMatching],
    *,
    at_least: float = POSSIBLE,
    limit: int = 10,
) -> list[Match]:
    """The candidates scoring ``at_least``, best first (ties by id, so the order is stable)."""
    matches = [score(query, c) for c in candidates if c.id != query.id]
    kept = [m for m in matches if m.score >= at_least]
    kept.sort(key=lambda m: (-m.score, m.id))
    return kept[:limit]


def blocking_keys(given: str, family: str) -> dict[str, str]:
    """The keys the database indexes to find candidates quickly: the family name folded and
    its sound, and the given name's canonical form."""
    family_fold = names.fold(family).replace(" ", "")
    return {
        "family_fold": family_fold,
        "family_sound": names.sound(family_fold),
        "given_canonical": names.canonical_given(names.tokens(given)[0] if given.strip() else ""),
    }
