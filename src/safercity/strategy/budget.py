"""Budget rules: spend as at a day, the annual profile and the forecast to year end.

Plain rules over plain values (no Django), used by the web pages, the board report and the
command line, and written down in ``docs/monitoring.md``:

* spend counts on the day it is dated, so a report as at a day never includes money spent
  later; a correction is an adjustment entry with its own date (the report of an earlier day
  is unchanged by it);
* a commitment's **annual profile** plans its spend in a financial year (April to March), by
  quarter or evenly by month; the **profile to date** is the planned spend of the months
  that have ended by the day;
* the **forecast to year end** is the spend so far in the year plus the profile of the months
  still to come (the rest of the year spent as planned); the **run-rate forecast** is the
  spend so far carried on at the same pace for the rest of the year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from safercity.analytics.monitoring import financial_year


@dataclass(frozen=True)
class SpendLine:
    """One spend entry (or adjustment) as the rules need it."""

    date: dt.date
    amount_gbp: int


@dataclass(frozen=True)
class Profile:
    """The planned spend of one financial year: ``year`` 2011 is April 2011 to March 2012."""

    year: int
    amount_gbp: int
    quarters: Sequence[int] | None = None

    def by_month(self) -> list[float]:
        """Planned spend in each month, April first: a quarter's amount split evenly over its
        three months, or the year's evenly over twelve."""
        if self.quarters is not None:
            return [q / 3 for q in self.quarters for _ in range(3)]
        return [self.amount_gbp / 12] * 12


def spent_as_at(spend: Iterable[SpendLine], as_at: dt.date) -> int:
    """Spend (adjustments included) dated on or before ``as_at``."""
    return sum(s.amount_gbp for s in spend if s.date <= as_at)


def months_ended(year: int, as_at: dt.date) -> int:
    """How many months of financial year ``year`` have ended by the end of ``as_at`` (0 to
    12): a month has ended on its last day."""
    if as_at < dt.date(year, 4, 1):
        return 0
    months = (as_at.year - year) * 12 + as_at.month - 4  # whole months before as_at's month
    next_day = as_at + dt.timedelta(days=1)
    if next_day.month != as_at.month:  # as_at is the last day of its month
        months += 1
    return max(0, min(12, months))


@dataclass(frozen=True)
class YearPosition:
    """A commitment's position in one financial year as at a day (whole pounds)."""

    year: int
    profiled: int
    """The year's planned spend (the profile), or 0 with no profile."""
    has_profile: bool
    profile_to_date: int
    spent_to_date: int
    forecast: int
    """Spend so far plus the profile of the months to come."""
    run_rate_forecast: int | None
    """Spend so far at the same pace for the whole year (None before a month has ended)."""

    @property
    def variance_to_date(self) -> int:
        """Spend so far minus the profile to date (negative: behind the plan)."""
        return self.spent_to_date - self.profile_to_date

    @property
    def forecast_variance(self) -> int:
        """Forecast minus the year's profile (negative: an underspend at year end)."""
        return self.forecast - self.profiled


def year_position(
    spend: Sequence[SpendLine], profile: Profile | None, as_at: dt.date, year: int | None = None
) -> YearPosition:
    """Where a commitment stands in the financial year of ``as_at`` (or ``year``)."""
    fy = financial_year(as_at) if year is None else year
    first = dt.date(fy, 4, 1)
    in_year = [s for s in spend if first <= s.date <= min(as_at, dt.date(fy + 1, 3, 31))]
    spent = sum(s.amount_gbp for s in in_year)
    ended = months_ended(fy, as_at)
    if profile is not None:
        monthly = profile.by_month()
        planned = profile.amount_gbp
        to_date = round(sum(monthly[:ended]))
        to_come = planned - to_date
    else:
        to_date = to_come = planned = 0
    run_rate = round(spent * 12 / ended) if ended else None
    return YearPosition(
        year=fy,
        profiled=planned,
        has_profile=profile is not None,
        profile_to_date=to_date,
        spent_to_date=spent,
        forecast=spent + to_come,
        run_rate_forecast=run_rate,
    )
