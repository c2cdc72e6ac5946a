"""Near repeats in the Strategic Assessment: the Knox test's bands and its sentences.

With day-precise dates the bands are the Near Repeat Calculator's usual set-up (Ratcliffe
2009): 7-day time bands and 100 m distance bands. police.uk dates are months only, so time
bands are then calendar-month steps; such month-level results are tabled in the theme sections
but kept out of the summary (a "same month" pair says little about the days of risk after a
burglary that near-repeat prevention works on).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import pandas as pd

from safercity.analytics import wording as w
from safercity.analytics.near_repeat import Knox

#: fewest events for a Knox test
MIN_KNOX_EVENTS = 20
#: Knox bands with day-precise dates (the Near Repeat Calculator's usual set-up)
KNOX_DAY_SPACE: tuple[float, ...] = (0.0, 1.0, 100.0, 200.0, 400.0, math.inf)
KNOX_DAY_SPACE_LABELS: tuple[str, ...] = (
    "same location",
    "1 to 100 m",
    "100 to 200 m",
    "200 to 400 m",
    "400 m +",
)
KNOX_DAY_TIME: tuple[float, ...] = (0.0, 7.0, 14.0, 28.0, math.inf)
KNOX_DAY_TIME_LABELS: tuple[str, ...] = (
    "0 to 6 days",
    "7 to 13 days",
    "14 to 27 days",
    "28 days +",
)
KNOX_DAY_TIME_PHRASES: tuple[str, ...] = (
    "within 6 days of each other",
    "7 to 13 days apart",
    "14 to 27 days apart",
)
#: Knox bands with month-only dates: differences are 0, ~30, ~61, ... days
KNOX_MONTH_SPACE: tuple[float, ...] = (0.0, 1.0, 200.0, 400.0, math.inf)
KNOX_MONTH_SPACE_LABELS: tuple[str, ...] = (
    "same location",
    "1 to 200 m",
    "200 to 400 m",
    "400 m +",
)
KNOX_MONTH_TIME: tuple[float, ...] = (0.0, 15.0, 46.0, 76.0, math.inf)
KNOX_MONTH_TIME_LABELS: tuple[str, ...] = (
    "same month",
    "next month",
    "two months later",
    "three months +",
)
KNOX_MONTH_TIME_PHRASES: tuple[str, ...] = (
    "in the same month",
    "a month apart",
    "two months apart",
)


@dataclass
class KnoxResult:
    """A Knox test and the labels it was run with."""

    knox: Knox
    n_events: int
    precision: str
    space_labels: tuple[str, ...]
    time_labels: tuple[str, ...]
    category: str

    def table(self) -> pd.DataFrame:
        rows = []
        for i, s in enumerate(self.space_labels):
            for j, t in enumerate(self.time_labels):
                rows.append(
                    {
                        "distance": s,
                        "time_apart": t,
                        "observed_pairs": int(self.knox.observed[i, j]),
                        "expected_pairs": float(self.knox.expected[i, j]),
                        "knox_ratio": float(self.knox.knox_ratio[i, j]),
                        "p_value": float(self.knox.p_values[i, j]),
                    }
                )
        return pd.DataFrame(rows)

    def sentences(self, alpha: float) -> list[str]:
        """Plain sentences for the significant close bands (not the open last bands)."""
        out = []
        k = self.knox
        what = self.category.lower()
        for i, s in enumerate(self.space_labels[:-1]):
            for j, t in enumerate(self.time_labels[:-1]):
                ratio = float(k.knox_ratio[i, j])
                p = float(k.p_values[i, j])
                if p <= alpha and ratio > 1:
                    where = "at the same location" if i == 0 else f"{s} apart"
                    when = (
                        (
                            KNOX_MONTH_TIME_PHRASES
                            if self.precision == "month"
                            else KNOX_DAY_TIME_PHRASES
                        )[j]
                        if j < 3
                        else t
                    )
                    out.append(
                        f"pairs of {what} incidents {where} and {when} were "
                        f"{w.fmt_pct(100 * (ratio - 1))} more common than if timing were "
                        f"random (Knox ratio {w.fmt_num(ratio, 2)}, {w.fmt_p(p)})"
                    )
        return out


def run_knox(
    frame: pd.DataFrame,
    *,
    category: str,
    permutations: int,
    seed: int,
    cache: dict[str, KnoxResult | None],
) -> tuple[KnoxResult | None, str]:
    """The Knox test on ``frame``'s incidents of ``category`` with a location, or None and the
    reason it was not run. Results are cached by the incidents tested (themes share them)."""
    sub = frame[(frame["category"] == category) & frame["easting"].notna()]
    if len(sub) < MIN_KNOX_EVENTS:
        return None, (
            f"not tested, as the theme has "
            f"{'no' if len(sub) == 0 else w.fmt_int(len(sub))} "
            f"{category.lower()} incidents with a location this period (at least "
            f"{MIN_KNOX_EVENTS} are needed)."
        )
    sub = sub.sort_values("incident_key", kind="stable")
    key = hashlib.sha256("\n".join(sub["incident_key"].astype(str)).encode()).hexdigest()
    if key in cache:
        return cache[key], ""
    day = bool(sub["occurred_from"].notna().all())
    if day:
        dates = pd.to_datetime(sub["occurred_from"])
        sb, sl, tb, tl = KNOX_DAY_SPACE, KNOX_DAY_SPACE_LABELS, KNOX_DAY_TIME, KNOX_DAY_TIME_LABELS
    else:
        dates = pd.to_datetime(sub["month"])
        sb, sl = KNOX_MONTH_SPACE, KNOX_MONTH_SPACE_LABELS
        tb, tl = KNOX_MONTH_TIME, KNOX_MONTH_TIME_LABELS
    knox = Knox(
        sub["easting"].to_numpy(dtype=float),
        sub["northing"].to_numpy(dtype=float),
        dates.to_numpy(),
        list(sb),
        list(tb),
        permutations=permutations,
        seed=seed,
        space_labels=list(sl),
        time_labels=list(tl),
    )
    result = KnoxResult(knox, len(sub), "day" if day else "month", sl, tl, category)
    cache[key] = result
    return result, ""


__all__ = ["MIN_KNOX_EVENTS", "KnoxResult", "run_knox"]
