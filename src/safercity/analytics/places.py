"""Places: counts and rates per 1,000 residents, rankings, concentration, area vs rest.

The Strategy 2011-14 describes where crime is ("Soho, followed by the West End & China Town and
Strand & Whitehall, account for more than a third of all drug offences in Westminster"). This
module turns incidents into per-place tables (LSOA, ward or a custom area), ranks them, measures
how concentrated crime is (share in the top 5% / 10% of places, Gini) and compares one area with
the rest of the borough.

Conventions (stated because they change the answers)
---------------------------------------------------
* **Which places count.** With a population frame (the ``areas`` table or a Series passed in)
  every place in the frame is a place, including those with no incidents (zeros). Without one,
  only places that appear in the incidents are known: places with no crime are missing, so the
  concentration measures describe places with crime only and usually understate concentration.
  ``zeros_known`` says which applies.
* **Top x% of places** is the ``ceil(x% x number of places)`` places with the most incidents
  (at least one place); ties at the cut are broken by place code.
* **Gini** is the (uncorrected) Gini coefficient of counts over places, ``sum_i sum_j |x_i - x_j|
  / (2 n^2 mean)``, zeros included when known. With fewer incidents than places, the Gini cannot
  reach 0 (Bernasco & Steenbeek 2017); ``gini_generalised`` gives their correction.
* **Incidents without a place** (no LSOA/ward) are counted in ``n_unplaced`` and left out.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from safercity.analytics.trends import etest, exact_conditional_test

if TYPE_CHECKING:
    from safercity.analytics.store import Workspace

#: the incident column for each kind of place
PLACE_COLUMNS = {"lsoa": "lsoa_code", "ward": "ward_code", "ward_name": "ward_name"}


def gini(counts: Any) -> float:
    """Gini coefficient of non-negative counts (0 = even, -> 1 = all in one place).

    ``G = sum_i (2i - n - 1) x_(i) / (n sum x)`` with ``x`` sorted ascending (identical to the
    mean absolute difference form). NaN for no places or no incidents.
    """
    x = np.sort(np.asarray(counts, dtype=float))
    n = len(x)
    total = x.sum()
    if n == 0 or total == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * total))


def gini_generalised(counts: Any) -> float:
    """Bernasco & Steenbeek (2017) generalised Gini for sparse counts.

    When there are fewer incidents ``N`` than places ``n``, the most even possible spread puts
    one incident in each of ``N`` places, whose Gini is ``1 - N/n``; the generalised Gini
    rescales to that floor: ``G' = (G - (1 - N/n)) / (N/n)`` for ``N < n``, else ``G``.

    Reference: Bernasco, W. & Steenbeek, W. (2017). More places than crimes: implications for
    evaluating the law of crime concentration at place. J. Quantitative Criminology 33, 451-467.
    """
    x = np.asarray(counts, dtype=float)
    g = gini(x)
    n, N = len(x), x.sum()
    if n == 0 or N == 0 or n <= N:
        return g
    floor = 1.0 - N / n
    return float((g - floor) / (1.0 - floor))


def top_share(counts: Any, fraction: float) -> tuple[int, float]:
    """(k, share): the ``k = ceil(fraction x n)`` places with most incidents, and their share."""
    x = np.sort(np.asarray(counts, dtype=float))[::-1]
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0, float("nan")
    k = max(1, math.ceil(fraction * n - 1e-9))
    return k, float(x[:k].sum() / x.sum())


def population_from_areas(workspace: Workspace, area_type: str) -> pd.Series:
    """Population by area code from the workspace's ``areas`` table (``area_type`` e.g. 'lsoa',
    'ward'; case-insensitive). Areas with no population are left out. For LSOAs with no loaded
    populations, the built-in 2011 Census usual residents of every England and Wales LSOA."""
    frame = workspace.con.execute(
        "SELECT code, population FROM areas WHERE lower(area_type) = lower(?) "
        "AND population IS NOT NULL",
        [area_type],
    ).df()
    if frame.empty and area_type.lower() == "lsoa":
        from safercity.analytics.geography import builtin_lsoas

        census = builtin_lsoas().lookup["population"].dropna()
        return pd.Series(census.astype(float).to_numpy(), index=census.index.astype(str)).rename(
            "population"
        )
    return pd.Series(
        frame["population"].astype(float).to_numpy(), index=frame["code"].astype(str)
    ).rename("population")


class PlaceProfile:
    """Counts, rates per 1,000 residents, ranks and concentration by place.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with the ``place`` column.
    place : str, default "lsoa_code"
        Column naming the place: ``lsoa_code``, ``ward_code``, ``ward_name``, or any column
        (e.g. a custom ``area_id``).
    population : Series, optional
        Residents by place code (e.g. :func:`population_from_areas`). Default None: no rates and
        only places with incidents are known (see module conventions).
    names : Series, optional
        Display names by place code (e.g. ``lsoa_name``); default: taken from the incidents'
        ``lsoa_name``/``ward_name`` when ``place`` is the matching code.
    per : float, default 1000
        Rates per this many residents.

    Attributes
    ----------
    table : DataFrame
        One row per place: count, population, rate, rank_count, rank_rate, share (%), sorted by
        count descending then place code. Ranks are 1 = most; tied places share the best rank
        ("min" ranking).
    n_places, n_incidents, n_unplaced : int
    zeros_known : bool
    top5, top10 : dict
        ``{"places": k, "share": s}`` for the top 5% and 10% of places.
    gini, gini_generalised : float
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        place: str = "lsoa_code",
        population: pd.Series | None = None,
        names: pd.Series | None = None,
        per: float = 1000.0,
    ) -> None:
        self.place = place
        self.per = per
        codes = incidents[place].astype("string")
        placed = codes.notna() & (codes.str.len() > 0)
        self.n_unplaced = int((~placed).sum())
        counts = codes[placed].value_counts()
        counts.index = counts.index.astype(str)
        self.zeros_known = population is not None
        if population is not None:
            pop = population.copy()
            pop.index = pop.index.astype(str)
            index = pop.index.union(counts.index)
            counts = counts.reindex(index, fill_value=0)
            popn = pop.reindex(index)
        else:
            popn = pd.Series(np.nan, index=counts.index)
        table = pd.DataFrame({"count": counts.astype("int64"), "population": popn.astype(float)})
        table.index.name = place
        if names is None:
            name_col = {"lsoa_code": "lsoa_name", "ward_code": "ward_name"}.get(place)
            if name_col and name_col in incidents.columns:
                pairs = incidents.loc[placed, [place, name_col]].dropna().drop_duplicates(place)
                names = pd.Series(pairs[name_col].to_numpy(), index=pairs[place].astype(str))
        if names is not None:
            table.insert(0, "name", names.reindex(table.index).astype("string"))
        with np.errstate(divide="ignore", invalid="ignore"):
            table["rate"] = np.where(
                table["population"] > 0, per * table["count"] / table["population"], np.nan
            )
        self.n_incidents = int(table["count"].sum())
        self.n_places = len(table)
        table["share"] = 100.0 * table["count"] / self.n_incidents if self.n_incidents else np.nan
        table = table.sort_index().sort_values("count", ascending=False, kind="stable")
        table["rank_count"] = table["count"].rank(ascending=False, method="min").astype("int64")
        table["rank_rate"] = table["rate"].rank(ascending=False, method="min")
        self.table = table
        k5, s5 = top_share(table["count"], 0.05)
        k10, s10 = top_share(table["count"], 0.10)
        self.top5 = {"places": k5, "share": s5}
        self.top10 = {"places": k10, "share": s10}
        self.gini = gini(table["count"])
        self.gini_generalised = gini_generalised(table["count"])

    def to_dict(self, top: int | None = 10) -> dict[str, Any]:
        rows = self.table if top is None else self.table.head(top)
        out_rows = []
        for code, r in rows.iterrows():
            row: dict[str, Any] = {"place": str(code)}
            for k, v in r.items():
                row[str(k)] = None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
            out_rows.append(row)
        return {
            "place": self.place,
            "n_places": self.n_places,
            "n_incidents": self.n_incidents,
            "n_unplaced": self.n_unplaced,
            "zeros_known": self.zeros_known,
            "top5pct": self.top5,
            "top10pct": self.top10,
            "gini": _nan_none(self.gini),
            "gini_generalised": _nan_none(self.gini_generalised),
            "places": out_rows,
        }


def _nan_none(x: float) -> float | None:
    return None if math.isnan(x) else x


class AreaComparison:
    """One area against the rest of the borough: counts, rates, rate ratio and Poisson tests.

    Parameters
    ----------
    incidents : DataFrame
        The borough's incidents.
    in_area : array-like of bool
        True for incidents inside the area (e.g. ``incidents.ward_name.isin([...])``).
    population_area, population_rest : float, optional
        Residents inside the area and in the rest of the borough. Default None: compare counts
        only (no rates; tests then compare counts with equal exposure, which is rarely what you
        want - give populations).
    per : float, default 1000
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"

    Attributes
    ----------
    count_area, count_rest : int
    share_in_area : float
        Percentage of the borough's incidents inside the area.
    rate_area, rate_rest : float or None
        Per ``per`` residents.
    rate_ratio : float or None
    p_exact, p_etest : float
        Exact conditional test and E-test (:mod:`safercity.analytics.trends`) of equal rates,
        with the populations as exposures. The E-test uses the score statistic here (Gu et al.
        2008): K&T's Wald form loses power when one exposure is several times the other.
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        in_area: Any,
        *,
        population_area: float | None = None,
        population_rest: float | None = None,
        per: float = 1000.0,
        alternative: str = "two-sided",
    ) -> None:
        mask = np.asarray(in_area, dtype=bool)
        if len(mask) != len(incidents):
            raise ValueError("in_area must have one value per incident")
        self.count_area = int(mask.sum())
        self.count_rest = int((~mask).sum())
        total = self.count_area + self.count_rest
        self.share_in_area = 100.0 * self.count_area / total if total else float("nan")
        e1 = float(population_area) if population_area else 1.0
        e2 = float(population_rest) if population_rest else 1.0
        self.has_population = bool(population_area and population_rest)
        self.rate_area = per * self.count_area / e1 if self.has_population else None
        self.rate_rest = per * self.count_rest / e2 if self.has_population else None
        self.rate_ratio: float | None = None
        if self.rate_area is not None and self.rate_rest:
            self.rate_ratio = self.rate_area / self.rate_rest
        alt: Any = alternative
        self.p_exact = exact_conditional_test(
            self.count_area, self.count_rest, e1, e2, alternative=alt
        )
        self.etest_statistic, self.p_etest = etest(
            self.count_area, self.count_rest, e1, e2, alternative=alt, statistic="score"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "count_area": self.count_area,
            "count_rest": self.count_rest,
            "share_in_area": self.share_in_area,
            "rate_area": self.rate_area,
            "rate_rest": self.rate_rest,
            "rate_ratio": self.rate_ratio,
            "p_exact_conditional": self.p_exact,
            "p_etest": self.p_etest,
        }


__all__ = [
    "AreaComparison",
    "PlaceProfile",
    "gini",
    "gini_generalised",
    "population_from_areas",
    "top_share",
]
