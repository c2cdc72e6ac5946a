"""Review cadence and panel meeting schedules, in the words a partnership writes them.

A *cadence* is how often something recurs: ``"6 weeks"``, ``"1 month"``, ``"28 days"``,
``"fortnightly"``, ``"monthly"``. A *meeting rule* is either a cadence from a first date (the
gangs panel: ``every: 6 weeks, first: 2026-01-07``) or a day of the month
(``"second Tuesday of the month"``, ``"last Thursday of the month"``), the way MARACs are
usually fixed.

Months are calendar months: one month after 31 January is the last day of February (the date
is clipped to the month's length, never rolled into the next month).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Unit = Literal["days", "weeks", "months"]

_WORDS = {
    "daily": (1, "days"),
    "weekly": (1, "weeks"),
    "fortnightly": (2, "weeks"),
    "monthly": (1, "months"),
    "quarterly": (3, "months"),
}
_CADENCE = re.compile(r"^(?:every\s+)?(\d+)\s*(day|week|month)s?$")
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_MONTHLY = re.compile(
    r"^(first|second|third|fourth|last)\s+("
    + "|".join(_WEEKDAYS)
    + r")\s+(?:of\s+)?(?:the\s+|each\s+|every\s+)?month$"
)


class ScheduleError(ValueError):
    """A cadence or meeting rule that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class Cadence:
    """``n`` days, weeks or calendar months."""

    n: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Cadence:
        """``"6 weeks"``, ``"1 month"``, ``"every 28 days"``, ``"fortnightly"``, ``"monthly"``."""
        words = " ".join(str(text).lower().split())
        if words in _WORDS:
            n, unit = _WORDS[words]
            return cls(n, unit)  # type: ignore[arg-type]
        m = _CADENCE.match(words)
        if not m or int(m.group(1)) < 1:
            raise ScheduleError(
                f"{text!r} is not a cadence: write a number of days, weeks or months "
                "('6 weeks', '1 month', '28 days') or weekly, fortnightly, monthly, quarterly"
            )
        return cls(int(m.group(1)), f"{m.group(2)}s")  # type: ignore[arg-type]

    def after(self, day: dt.date, times: int = 1) -> dt.date:
        """The date ``times`` cadences after ``day``."""
        if self.unit == "days":
            return day + dt.timedelta(days=self.n * times)
        if self.unit == "weeks":
            return day + dt.timedelta(weeks=self.n * times)
        return add_months(day, self.n * times)

    def __str__(self) -> str:
        unit = self.unit if self.n != 1 else self.unit[:-1]
        return f"{self.n} {unit}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clipped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years (29 February becomes 28 February in a common year)."""
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class MeetingRule:
    """When a panel meets: every ``cadence`` from ``first``, or the ``ordinal`` ``weekday`` of
    each month (ordinal 1-4, or -1 for the last)."""

    cadence: Cadence | None = None
    first: dt.date | None = None
    weekday: int | None = None
    ordinal: int | None = None

    @classmethod
    def parse(cls, every: str, first: dt.date | None = None) -> MeetingRule:
        words = " ".join(str(every).lower().split())
        m = _MONTHLY.match(words)
        if m:
            return cls(weekday=_WEEKDAYS[m.group(2)], ordinal=_ORDINALS[m.group(1)])
        try:
            cadence = Cadence.parse(words)
        except ScheduleError:
            raise ScheduleError(
                f"{every!r} is not a meeting rule: write a cadence from a first date "
                "('6 weeks' with first: 2026-01-07) or a day of the month "
                "('second Tuesday of the month', 'last Thursday of the month')"
            ) from None
        if first is None:
            raise ScheduleError(f"a meeting every {cadence} needs the date of a first meeting")
        return cls(cadence=cadence, first=first)

    def describe(self) -> str:
        if self.cadence is not None and self.first is not None:
            return f"every {self.cadence} from {self.first:%d %B %Y}".replace(" 0", " ")
        assert self.weekday is not None and self.ordinal is not None
        ordinal = {v: k for k, v in _ORDINALS.items()}[self.ordinal]
        return f"the {ordinal} {calendar.day_name[self.weekday]} of each month"

    def dates(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """Every meeting day from ``start`` to ``end``, both included."""
        if self.cadence is not None and self.first is not None:
            k = 0
            # months are not a fixed length: step from the first meeting, never from the last
            day = self.first
            while day <= end:
                if day >= start:
                    yield day
                k += 1
                day = self.cadence.after(self.first, k)
            return
        assert self.weekday is not None and self.ordinal is not None
        year, month = start.year, start.month
        while dt.date(year, month, 1) <= end:
            day = nth_weekday(year, month, self.weekday, self.ordinal)
            if start <= day <= end:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def next_on_or_after(self, day: dt.date) -> dt.date:
        """The first meeting on ``day`` or after it."""
        return next(self.dates(day, add_years(day, 2)))


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> dt.date:
    """The ``ordinal`` (1-4, or -1 for last) ``weekday`` (Monday 0) of a month."""
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    return days[-1] if ordinal == -1 else days[ordinal - 1]


def review_due(last: dt.date, cadence: Cadence) -> dt.date:
    """When a case reviewed (or accepted) on ``last`` is next due for review."""
    return cadence.after(last)
