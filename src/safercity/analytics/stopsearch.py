"""Stop and search: use and fairness, from police.uk stop-and-search files.

:class:`StopSearchProfile` computes, on creation, what a partnership's scrutiny panel reads
each year: searches per month; searches by object of search, legislation, outcome, age, gender,
officer-defined and self-defined ethnicity; the share of searches with an outcome other than
"no further action" (the police.uk outcome texts "Nothing found - no further action" and "A no
further action disposal") overall and by group, with 95% Wilson intervals; searches per 1,000
residents by ethnic group and the **disproportionality ratio** against White residents, with
its 95% interval, where residents by ethnic group are loaded (:mod:`population`); and searches
by LSOA for a map.

Conventions (stated because they change the answers)
---------------------------------------------------
* **Area.** A search with a location is in the local authority its point lies in (built-in
  LSOAs). A search without one (police.uk withholds many) is in an area only when its force
  polices that one local authority (City of London Police, the City of London); otherwise it
  counts in no area and ``unlocated_outside_area`` says how many were left out.
* **Outcome rate.** Searches with no recorded outcome are left out of its denominator.
* **Ethnicity.** Self-defined ethnicity is read as its broad group ("Black or Black British -
  African (B2)" is Black); "Not stated" and blanks are not a group. Rates and ratios use the
  self-defined group, as the Home Office's statistics do, and officer-defined where no search
  has a self-defined group.
* **Disproportionality ratio** = rate of the group / rate of White residents; 95% interval
  ``exp(log RR +- 1.96 sqrt(1/a + 1/b))`` with ``a``, ``b`` the two search counts (counts
  Poisson, populations fixed). Residents are not the people available to be searched: where
  many people work or visit (a city centre) the rates per resident overstate the chance of
  being searched, for every group.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209-212. Home Office (2023). *Police powers and procedures: stop and search*
(disproportionality as the ratio of rates per 1,000 people by self-defined ethnicity).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from safercity.analytics import geography
from safercity.analytics.frames import parse_period
from safercity.analytics.population import GROUPS, broad_group

if TYPE_CHECKING:
    from safercity.analytics.store import Workspace

#: the columns of the ``stop_search`` table the analysis reads
COLUMNS = (
    "force",
    "type",
    "occurred_at",
    "latitude",
    "longitude",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
)
#: the breakdowns: JSON key -> column
BREAKDOWNS = {
    "by_object_of_search": "object_of_search",
    "by_legislation": "legislation",
    "by_outcome": "outcome",
    "by_age": "age_range",
    "by_gender": "gender",
    "by_officer_defined_ethnicity": "officer_defined_ethnicity",
    "by_self_defined_ethnicity": "self_defined_ethnicity",
}
NOT_RECORDED = "(not recorded)"
LOCAL_TZ = "Europe/London"
#: the columns of a breakdown table
BREAKDOWN_COLUMNS = (
    "group",
    "searches",
    "share",
    "with_outcome",
    "action",
    "action_rate",
    "action_low",
    "action_high",
)
Z95 = 1.959963984540054


def is_no_further_action(outcome: object) -> bool:
    """Whether a police.uk outcome text is "no further action" (either wording)."""
    return isinstance(outcome, str) and "no further action" in outcome.lower()


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval for k of n (NaN for n = 0)."""
    if n == 0:
        return math.nan, math.nan
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(lo), float(hi)


def rate_ratio(a: int, pop_a: float, b: int, pop_b: float) -> tuple[float, float, float]:
    """Ratio of rates (a / pop_a) / (b / pop_b) with its 95% log-scale interval."""
    if pop_a <= 0 or pop_b <= 0 or b == 0:
        return math.nan, math.nan, math.nan
    rr = (a / pop_a) / (b / pop_b)
    if a == 0:
        return rr, math.nan, math.nan
    se = math.sqrt(1.0 / a + 1.0 / b)
    return rr, rr * math.exp(-Z95 * se), rr * math.exp(Z95 * se)


def searches_frame(
    workspace: Workspace, *, area: str | None = None, period: str | None = None
) -> tuple[pd.DataFrame, int]:
    """The stop-and-search rows of an area and period, with ``easting``/``northing``,
    ``lsoa_code`` and ``local_authority`` by point; and how many unlocated searches of forces
    policing more than the area were left out."""
    sql = f"SELECT {', '.join('s.' + c for c in COLUMNS)}, src.path FROM stop_search s "
    sql += "LEFT JOIN sources src USING (source_id)"
    params: list[object] = []
    frame = workspace.con.execute(sql, params).df()
    # stored in UTC; months are the UK's (a search at 00:30 on 1 April BST is April's)
    local = pd.to_datetime(frame["occurred_at"]).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ)
    frame["month"] = local.dt.strftime("%Y-%m")
    start, end = parse_period(period)
    if start is not None:
        frame = frame[frame["month"] >= start.strftime("%Y-%m")]
    if end is not None:
        frame = frame[frame["month"] <= end.strftime("%Y-%m")]
    frame = frame.reset_index(drop=True)
    # police.uk stop-and-search files name no force in their rows: their file name does
    frame["force"] = frame["force"].where(frame["force"].notna(), frame["path"].map(force_of_file))
    frame = frame.drop(columns=["path"])
    lon = frame["longitude"].to_numpy(dtype=np.float64, na_value=np.nan)
    lat = frame["latitude"].to_numpy(dtype=np.float64, na_value=np.nan)
    e, n = geography.to_bng(lon, lat)
    frame["easting"], frame["northing"] = e, n
    codes = geography.builtin_lsoas().locate(e, n) if len(frame) else np.array([], dtype=object)
    frame["lsoa_code"] = codes
    frame["local_authority"] = frame["lsoa_code"].map(
        geography.builtin_lsoas().lookup["local_authority"]
    )
    if not area:
        return frame, 0
    la = geography.resolve_local_authority(area)
    located = frame["lsoa_code"].notna()
    sole = {f for f in frame["force"].dropna().unique() if _force_polices_only(str(f), la)}
    keep = (located & (frame["local_authority"] == la)) | (~located & frame["force"].isin(sole))
    left_out = int((~located & ~frame["force"].isin(sole)).sum())
    out = frame[keep].copy()
    out.loc[~out["lsoa_code"].notna(), "local_authority"] = la
    return out.reset_index(drop=True), left_out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def force_of_file(path: object) -> str | None:
    """The force a police.uk file name names ("2016-01-city-of-london-stop-and-search.csv" ->
    "City of London"), as the built-in lookup spells it; None if it names none."""
    if not isinstance(path, str):
        return None
    m = re.match(r"^\d{4}-\d{2}-(.+)-(stop-and-search|street|outcomes)\.csv$", Path(path).name)
    if not m:
        return None
    forces = geography.builtin_lsoas().lookup["force"].dropna().unique()
    slugs = {_slug(f): str(f) for f in forces}
    slugs.update({_slug(re.sub(r"\s+Police$", "", str(f))): str(f) for f in forces})
    return slugs.get(m.group(1))


def _force_polices_only(force: str, la: str) -> bool:
    lookup = geography.builtin_lsoas().lookup
    las = set(lookup.loc[lookup["force"].str.lower() == force.lower(), "local_authority"])
    return las == {la}


class StopSearchProfile:
    """Stop and search in an area and period: use, outcomes and fairness.

    Parameters
    ----------
    searches : DataFrame
        Rows of the ``stop_search`` table (see :func:`searches_frame`), with ``lsoa_code``.
    residents : Series, optional
        Residents by broad ethnic group (White, Mixed, Asian, Black, Other), e.g. from
        :func:`safercity.analytics.population.residents_by_group`. Default None: no rates and
        :attr:`population_statement` says so.
    population_source : str, optional
        Where ``residents`` come from, for the statement.

    Attributes
    ----------
    searches : int
    per_month : DataFrame
        ``month`` (YYYY-MM), ``searches``.
    breakdowns : dict of str to DataFrame
        For each key of :data:`BREAKDOWNS`: ``group``, ``searches``, ``share`` (%), and the
        outcome rate: ``with_outcome`` (searches with an outcome recorded), ``action``
        (outcomes other than no further action), ``action_rate`` (%), ``action_low``,
        ``action_high`` (95% Wilson, %).
    action : dict
        The same for all searches: ``with_outcome``, ``action``, ``rate``, ``low``, ``high``.
    ethnicity_basis : str
        ``"self-defined"`` or ``"officer-defined"``: the ethnicity the rates use.
    rates : DataFrame or None
        By broad group: ``group``, ``searches``, ``residents``, ``per_1000``, ``ratio`` (to
        White), ``ratio_low``, ``ratio_high``; None without residents.
    population_statement : str
    by_lsoa : DataFrame
        ``lsoa_code``, ``searches`` (searches with a location only).
    unlocated : int
        Searches with no location.
    """

    def __init__(
        self,
        searches: pd.DataFrame,
        *,
        residents: pd.Series | None = None,
        population_source: str | None = None,
    ) -> None:
        frame = searches
        self.searches = len(frame)
        months = frame["month"] if "month" in frame else frame["occurred_at"].dt.strftime("%Y-%m")
        per_month = months.value_counts().sort_index()
        self.per_month = pd.DataFrame(
            {"month": per_month.index.astype(str), "searches": per_month.to_numpy(dtype=int)}
        )
        outcome = frame["outcome"].astype("string").str.strip()
        has_outcome = outcome.notna() & (outcome.str.len() > 0)
        action = has_outcome & ~outcome.fillna("").map(is_no_further_action).astype(bool)
        k, n = int(action.sum()), int(has_outcome.sum())
        lo, hi = wilson(k, n)
        self.action = {
            "with_outcome": n,
            "action": k,
            "rate": 100.0 * k / n if n else math.nan,
            "low": 100.0 * lo,
            "high": 100.0 * hi,
        }
        self.breakdowns: dict[str, pd.DataFrame] = {}
        for key, col in BREAKDOWNS.items():
            group = frame[col].astype("string").str.strip()
            group = group.where(group.notna() & (group.str.len() > 0), NOT_RECORDED)
            self.breakdowns[key] = self._breakdown(group, has_outcome, action)
        self_group = frame["self_defined_ethnicity"].map(broad_group)
        officer_group = frame["officer_defined_ethnicity"].map(broad_group)
        if self_group.notna().any():
            self.ethnicity_basis, basis = "self-defined", self_group
        else:
            self.ethnicity_basis, basis = "officer-defined", officer_group
        self.by_broad_group = self._breakdown(
            basis.fillna("Not stated").astype("string"), has_outcome, action
        )
        self.rates: pd.DataFrame | None = None
        if residents is None or residents.empty:
            self.population_statement = (
                "No population by ethnic group is loaded, so searches per 1,000 residents and "
                "disproportionality ratios are not given: load an ONS census table of residents "
                "by ethnic group with `safercity population load FILE`."
            )
        else:
            self.rates = self._rates(basis, residents)
            self.population_statement = (
                f"Rates per 1,000 residents use {population_source or 'the loaded population'}; "
                f"searches by {self.ethnicity_basis} ethnicity. Residents are not the people "
                "available to be searched: where many people work or visit, rates per resident "
                "overstate everyone's chance of being searched."
            )
        located = frame["lsoa_code"].notna()
        self.unlocated = int((~located).sum())
        by_lsoa = frame.loc[located, "lsoa_code"].value_counts().sort_index()
        self.by_lsoa = pd.DataFrame(
            {"lsoa_code": by_lsoa.index.astype(str), "searches": by_lsoa.to_numpy(dtype=int)}
        )

    @staticmethod
    def _breakdown(group: pd.Series, has_outcome: pd.Series, action: pd.Series) -> pd.DataFrame:
        rows = []
        total = len(group)
        for name, idx in group.groupby(group, sort=False).groups.items():
            n = int(has_outcome.loc[idx].sum())
            k = int(action.loc[idx].sum())
            lo, hi = wilson(k, n)
            rows.append(
                {
                    "group": str(name),
                    "searches": len(idx),
                    "share": 100.0 * len(idx) / total if total else math.nan,
                    "with_outcome": n,
                    "action": k,
                    "action_rate": 100.0 * k / n if n else math.nan,
                    "action_low": 100.0 * lo,
                    "action_high": 100.0 * hi,
                }
            )
        out = pd.DataFrame(
            rows,
            columns=list(BREAKDOWN_COLUMNS),
        )
        return out.sort_values(["searches", "group"], ascending=[False, True]).reset_index(
            drop=True
        )

    @staticmethod
    def _rates(basis: pd.Series, residents: pd.Series) -> pd.DataFrame:
        counts = basis.value_counts()
        white_n = int(counts.get("White", 0))
        white_pop = float(residents.get("White", math.nan))
        rows = []
        for group in GROUPS:
            if group not in residents.index:
                continue
            a = int(counts.get(group, 0))
            pop = float(residents[group])
            rr, lo, hi = rate_ratio(a, pop, white_n, white_pop)
            rows.append(
                {
                    "group": group,
                    "searches": a,
                    "residents": pop,
                    "per_1000": 1000.0 * a / pop if pop > 0 else math.nan,
                    "ratio": 1.0 if group == "White" else rr,
                    "ratio_low": math.nan if group == "White" else lo,
                    "ratio_high": math.nan if group == "White" else hi,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (``safercity stopsearch --json``); ``by_outcome`` is keyed by the
        police.uk outcome text."""

        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.floating):
                return clean(float(v))
            return v

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{str(k): clean(v) for k, v in r.items()} for r in frame.to_dict("records")]

        out: dict[str, Any] = {
            "searches": self.searches,
            "per_month": records(self.per_month),
            "action": {k: clean(v) for k, v in self.action.items()},
            "ethnicity_basis": self.ethnicity_basis,
        }
        for key, frame in self.breakdowns.items():
            out[key] = {
                r["group"]: {k: v for k, v in r.items() if k != "group"} for r in records(frame)
            }
        out["by_ethnic_group"] = {
            r["group"]: {k: v for k, v in r.items() if k != "group"}
            for r in records(self.by_broad_group)
        }
        out["rates_per_1000_residents"] = None if self.rates is None else records(self.rates)
        out["population_statement"] = self.population_statement
        out["by_lsoa"] = records(self.by_lsoa)
        out["unlocated"] = self.unlocated
        return out


def stop_search_profile(
    workspace: Workspace, *, area: str | None = None, period: str | None = None
) -> tuple[StopSearchProfile, int]:
    """The profile of an area and period, with residents from the loaded population; and the
    number of unlocated searches left out of the area."""
    from safercity.analytics.population import residents_by_group

    frame, left_out = searches_frame(workspace, area=area, period=period)
    la = geography.resolve_local_authority(area) if area else None
    found = residents_by_group(workspace.con, la) if la else None
    residents, source = found if found else (None, None)
    profile = StopSearchProfile(frame, residents=residents, population_source=source)
    if la is None:
        profile.population_statement = (
            "Searches per 1,000 residents and disproportionality ratios are given for one local "
            "authority (--area), whose residents by ethnic group are loaded."
        )
    return profile, left_out


def lsoa_map_svg(
    profile: StopSearchProfile, area: str, *, chart_id: str = "stop-search-map"
) -> str:
    """An SVG choropleth of the area's built-in LSOAs shaded by searches (located ones)."""
    from safercity.analytics.charts import area_map

    lsoas = geography.lsoas_of_local_authority(area)
    geo = geography.builtin_lsoas()
    index = {c: i for i, c in enumerate(geo.codes)}
    counts = profile.by_lsoa.set_index("lsoa_code")["searches"]
    codes = [str(c) for c in lsoas["lsoa_code"]]
    values = [float(counts.get(c, 0)) for c in codes]
    names = [str(n) for n in lsoas["lsoa_name"]]
    located = profile.searches - profile.unlocated
    return area_map(
        chart_id,
        [geo.polygons[index[c]] for c in codes],
        values,
        names,
        title=f"Stop and search by LSOA, {area}",
        desc=f"{located:,} searches with a location in {len(codes)} LSOAs "
        f"({profile.unlocated:,} without a location are not mapped).",
        value_name="searches",
    )
