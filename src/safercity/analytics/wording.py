"""Wording for the Strategic Assessment: numbers, changes and significance in plain English.

Every figure in the generated report is written by these helpers from a computed value, so the
wording is consistent and no sentence carries a hand-written number. The conventions follow the
Safer Westminster Partnership Strategy 2011-14 ("a drop of over 20%", "a fall of a little over
1%") made exact:

* counts with thousands separators: ``12,345``;
* percentages: whole numbers from 10% up, one decimal below 10% (``12%``, ``3.4%``, ``0.5%``),
  a trailing ``.0`` dropped (``5%``);
* a change is described as a rise or fall only when the test says it is significant: "rose by
  12% (significant)", "fell by 3.4% (significant)"; otherwise "showed no significant change
  (up 2%)". A count with nothing to compare with says so.
* p-values: ``p < 0.001`` or three significant figures (``p = 0.0432``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def fmt_int(n: float | int | None) -> str:
    """``12345`` -> ``"12,345"``; None or NaN -> ``"–"`` (an en dash, "not available")."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "–"
    return f"{round(float(n)):,}"


def fmt_num(x: float | int | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators; None/NaN -> ``"–"``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{float(x):,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text


def fmt_pct(x: float | None, *, signed: bool = False) -> str:
    """A percentage: whole from 10 up, one decimal below (``12%``, ``3.4%``); ``.0`` dropped.

    >>> fmt_pct(12.4), fmt_pct(3.44), fmt_pct(5.0), fmt_pct(-7.25, signed=True)
    ('12%', '3.4%', '5%', '-7.2%')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    v = float(x)
    text = f"{abs(v):.0f}" if abs(v) >= 9.95 else f"{abs(v):.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    sign = ""
    if text not in ("0", "0.0"):
        if v < 0:
            sign = "-"
        elif signed and v > 0:
            sign = "+"
    return f"{sign}{text}%"


def fmt_p(p: float | None) -> str:
    """``p < 0.001`` or ``p = 0.0432`` (three significant figures)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p not computed"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3g}"


def change_phrase(this: float, last: float, pct: float | None, significant: bool | None) -> str:
    """A verb phrase for a change from ``last`` to ``this``.

    >>> change_phrase(112, 100, 12.0, True)
    'rose by 12% (significant)'
    >>> change_phrase(97, 100, -3.0, False)
    'showed no significant change (down 3%)'
    >>> change_phrase(5, 0, None, None)
    'had no incidents in the previous period to compare with'
    """
    if last == 0 or pct is None or (isinstance(pct, float) and math.isnan(pct)):
        if this == 0:
            return "had no incidents in either period"
        return "had no incidents in the previous period to compare with"
    if this == last:
        return "was unchanged"
    if fmt_pct(abs(pct)) == "0%":  # a change in counts but not in the rate per month of data
        return "showed no change in the rate per month"
    if significant:
        verb = "rose" if pct > 0 else "fell"
        return f"{verb} by {fmt_pct(abs(pct))} (significant)"
    direction = "up" if pct > 0 else "down"
    return f"showed no significant change ({direction} {fmt_pct(abs(pct))})"


def significance_label(significant: bool | None) -> str:
    """``"significant"``, ``"not significant"`` or ``"not tested"`` for tables."""
    if significant is None:
        return "not tested"
    return "significant" if significant else "not significant"


def direction_label(pct: float | None, significant: bool | None) -> str:
    """One word for tables, never colour alone: ``"rise"``, ``"fall"`` or ``"no change"``."""
    if pct is None or (isinstance(pct, float) and math.isnan(pct)) or not significant:
        return "no significant change"
    return "significant rise" if pct > 0 else "significant fall"


def share_phrase(part: float, whole: float) -> str:
    """``"34% (1,234 of 3,630)"``."""
    if not whole:
        return "– (none)"
    return f"{fmt_pct(100.0 * part / whole)} ({fmt_int(part)} of {fmt_int(whole)})"


def join_list(items: Sequence[str], conjunction: str = "and") -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def ordinal(n: int) -> str:
    """``1`` -> ``"1st"``, ``12`` -> ``"12th"``, ``22`` -> ``"22nd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 month"``, ``"3 months"`` (count written with :func:`fmt_int`)."""
    return f"{fmt_int(n)} {word if n == 1 else (words or word + 's')}"


def month_label(month: dt.date) -> str:
    """``date(2016, 3, 1)`` -> ``"March 2016"``."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def short_month(month: dt.date) -> str:
    """``date(2016, 3, 1)`` -> ``"Mar 2016"``."""
    return f"{MONTH_NAMES[month.month - 1][:3]} {month.year}"


def period_label(start: dt.date, end: dt.date) -> str:
    """``"July 2017 to June 2018"`` (a single month is just its name)."""
    if (start.year, start.month) == (end.year, end.month):
        return month_label(start)
    return f"{month_label(start)} to {month_label(end)}"


#: store fields as words (for "the data has no ..." sentences)
FIELD_WORDS: dict[str, str] = {
    "victim_age": "victim ages",
    "suspect_age": "suspect ages",
    "victim_sex": "victim sex",
    "victim_id": "victim references",
    "victim_resident": "victim residence",
    "flag_domestic": "a domestic abuse flag",
    "flag_alcohol": "an alcohol flag",
    "flag_hate": "a hate crime flag",
    "ward_name": "wards",
    "ward_code": "wards",
    "lsoa_code": "LSOAs",
    "lsoa_name": "LSOAs",
    "local_authority": "local authorities",
    "occurred_from": "times",
    "occurred_to": "times",
}


#: the store's source kinds in words
SOURCE_KINDS: dict[str, str] = {
    "police_uk_street": "police.uk street-level crime files",
    "police_uk_api": "police.uk API records",
    "police_uk_outcomes": "police.uk outcomes files",
    "police_uk_stop_search": "police.uk stop and search files",
    "met_recorded_crime": "Metropolitan Police recorded crime tables",
    "local_extract": "local extracts",
    "synthetic": "synthetic test records",
}


def source_kind(kind: str) -> str:
    """A source kind in words (``"police_uk_api"`` -> ``"police.uk API records"``)."""
    return SOURCE_KINDS.get(kind, kind.replace("_", " "))


def field_words(text: str) -> str:
    """Store field names in a phrase as words: ``"victim_age or suspect_age"`` ->
    ``"victim ages or suspect ages"``.

    >>> field_words("victim_sex or flag_domestic")
    'victim sex or a domestic abuse flag'
    """
    for key in sorted(FIELD_WORDS, key=len, reverse=True):
        text = text.replace(key, FIELD_WORDS[key])
    return text


def capitalise(text: str) -> str:
    """Upper-case the first letter only (``"anti-social behaviour"`` -> ``"Anti-social ..."``)."""
    return text[:1].upper() + text[1:]


__all__ = [
    "capitalise",
    "change_phrase",
    "direction_label",
    "field_words",
    "fmt_int",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "join_list",
    "month_label",
    "ordinal",
    "period_label",
    "plural",
    "share_phrase",
    "short_month",
    "significance_label",
    "source_kind",
]
