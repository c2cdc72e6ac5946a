"""Harm: harm-weighted counts and trends next to raw counts.

"All crimes are not created equal" (Sherman, Neyroud & Neyroud 2016). A harm index weights each
crime by its seriousness; the Cambridge Crime Harm Index (CCHI) uses the days of imprisonment (or
the days' earnings a fine takes) that the Sentencing Council's guidelines give a first offender.

The product ships its own default table, ``analytics/data/harm_weights_cchi.csv``, one weight per
police.uk category, derived (:func:`derive_cchi_weights`) from the subgroup table
``analytics/data/harm_cchi_derivation.csv`` whose header states the method and each row its
guideline. Any other table (the ONS Crime Severity Score, a force's own) can be used instead.

Weight file format (version 1)
------------------------------
A CSV file whose first line is ``# version: <text>`` (any label, e.g. ``ons-css-2023``); further
lines starting with ``#`` are comments; then a header ``category,weight,source`` and one row per
police.uk category (names, slugs or aliases are accepted). ``weight`` is a non-negative number,
or empty for "no weight" (the category is left out of harm totals and listed in
``HarmProfile.unweighted``). ``source`` cites where the weight comes from.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from safercity.analytics.categories import normalise_category
from safercity.analytics.trends import monthly_counts


class WeightFileError(ValueError):
    """A harm weight file that does not follow the documented format."""


def _data_path(name: str) -> Path:
    return Path(str(resources.files("safercity.analytics") / "data" / name))


def default_weights_path() -> Path:
    return _data_path("harm_weights_cchi.csv")


@dataclass
class HarmWeights:
    """A harm weight table: ``weights`` maps police.uk category -> weight (None = no weight)."""

    version: str
    weights: dict[str, float | None]
    sources: dict[str, str]
    path: str

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "category": list(self.weights),
                "weight": [np.nan if w is None else w for w in self.weights.values()],
                "source": [self.sources.get(c, "") for c in self.weights],
            }
        )


def load_weights(path: str | Path | None = None) -> HarmWeights:
    """Read a weight file in the documented format (default: the shipped CCHI table)."""
    p = Path(path) if path is not None else default_weights_path()
    text = p.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    if not lines or not lines[0].lower().startswith("# version:"):
        raise WeightFileError(f"{p}: the first line must be '# version: <label>'")
    version = lines[0].split(":", 1)[1].strip()
    if not version:
        raise WeightFileError(f"{p}: empty version label")
    body = "\n".join(line for line in lines[1:] if not line.lstrip().startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if fields[:3] != ["category", "weight", "source"]:
        raise WeightFileError(f"{p}: the header must be 'category,weight,source', not {fields}")
    weights: dict[str, float | None] = {}
    sources: dict[str, str] = {}
    for row in reader:
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        name = normalise_category(row["category"])
        if name is None:
            raise WeightFileError(f"{p}: {row['category']!r} is not a police.uk category")
        if name in weights:
            raise WeightFileError(f"{p}: category {name!r} given twice")
        if row["weight"] == "":
            weights[name] = None
        else:
            try:
                w = float(row["weight"])
            except ValueError as exc:
                raise WeightFileError(
                    f"{p}: weight {row['weight']!r} for {name!r} is not a number"
                ) from exc
            if w < 0 or not np.isfinite(w):
                raise WeightFileError(f"{p}: weight for {name!r} must be >= 0")
            weights[name] = w
        sources[name] = row["source"]
    if not weights:
        raise WeightFileError(f"{p}: no weights")
    return HarmWeights(version=version, weights=weights, sources=sources, path=str(p))


def derive_cchi_weights(derivation: str | Path | None = None) -> pd.DataFrame:
    """Recompute the shipped category weights from the subgroup derivation table.

    ``weight = sum(volume x days) / sum(volume)`` over the category's Home Office subgroups (the
    CCHI harm of the category's average offence, 2017/18 England and Wales offence mix).

    Returns a DataFrame with columns category, weight, source, n_subgroups.
    """
    p = Path(derivation) if derivation is not None else _data_path("harm_cchi_derivation.csv")
    sub = pd.read_csv(p, comment="#")
    rows = []
    for category, grp in sub.groupby("category", sort=False):
        weight = float((grp["days"] * grp["volume"]).sum() / grp["volume"].sum())
        parts = "; ".join(
            f"{r.subgroup}: {r.principal_offence}, {r.guideline}, {r.starting_point} = {r.days:g} d"
            for r in grp.itertuples()
        )
        source = (
            "CCHI method (Sherman, Neyroud & Neyroud 2016); volume-weighted (Home Office PRC "
            f"2017/18) over subgroups - {parts}"
        )
        rows.append(
            {"category": category, "weight": round(weight, 3), "source": source, "n": len(grp)}
        )
    return pd.DataFrame(rows).rename(columns={"n": "n_subgroups"})


def weights_per_incident(categories: pd.Series, weights: HarmWeights) -> np.ndarray:
    """The weight of each incident's category (NaN where the table has no weight)."""
    codes, uniques = pd.factorize(categories.astype("string"))
    lut = np.array(
        [
            np.nan if weights.weights.get(str(u)) is None else weights.weights[str(u)]
            for u in uniques
        ],
        dtype=float,
    )
    lut = np.append(lut, np.nan)  # code -1 (missing category) -> NaN
    out: np.ndarray = lut[codes]
    return out


class HarmProfile:
    """Harm-weighted counts by category and by month, next to raw counts.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with ``category`` (and ``month`` for the monthly series).
    weights : HarmWeights or str or Path, optional
        A weight table (:func:`load_weights`). Default None: the shipped CCHI table
        (``analytics/data/harm_weights_cchi.csv``, version in ``version``).
    period_months : int, default 12
        The harm comparison: latest ``period_months`` months against the previous ones.
    months_with_data : iterable of dates, optional
        The months the source has data for, as in :class:`~safercity.analytics.trends.Trend`.
        Months of the series outside it are *missing*, not zero: NaN in ``monthly``, listed in
        ``missing_months``, and left out of the comparison, which then compares harm per month
        of data. Default None: every month from the first to the last has data.

    Attributes
    ----------
    table : DataFrame
        Per category: count, weight, harm (count x weight), share_of_count, share_of_harm (%),
        sorted by harm. Both shares are of weighted incidents only (crime-only denominators:
        anti-social behaviour, unweighted in the CCHI table, has no share).
    total_count, total_harm : float
        ``total_harm`` sums weighted categories only.
    weighted_count : float
        Incidents with a weight (the denominator of ``share_of_count``).
    unweighted : list of str
        Categories present with no weight (e.g. anti-social behaviour in the CCHI table).
    monthly : DataFrame
        Per month: count and harm (NaN for a missing month).
    missing_months : list of str
        ``"YYYY-MM"`` of the months in range with no data.
    comparison : dict or None
        ``this_period_months`` (label), ``this_harm``, ``last_harm``, ``pct_change_harm``,
        ``this_count``, ``last_count``, and ``this_months_of_data``/``last_months_of_data``.
        With a missing month in either period, ``pct_change_harm`` compares harm per month of
        data; with a period of no data at all, None.
    version : str
        The weight table's version label.

    References
    ----------
    Sherman, L., Neyroud, P. & Neyroud, E. (2016). The Cambridge Crime Harm Index: measuring total
    harm from crime based on sentencing guidelines. Policing 10(3), 171-183.
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        weights: HarmWeights | str | Path | None = None,
        period_months: int = 12,
        months_with_data: Any = None,
    ) -> None:
        hw = weights if isinstance(weights, HarmWeights) else load_weights(weights)
        self.weights = hw
        self.version = hw.version
        cats = incidents["category"].astype("string")
        counts = cats.value_counts()
        w = pd.Series({c: hw.weights.get(str(c)) for c in counts.index}, dtype="float64")
        table = pd.DataFrame({"count": counts.astype("int64"), "weight": w})
        table.index.name = "category"
        table["harm"] = table["count"] * table["weight"]
        self.total_count = float(table["count"].sum())
        self.total_harm = float(table["harm"].sum(skipna=True))
        # shares of the weighted (crime) incidents only: a category with no weight (ASB in
        # the CCHI table) is in neither denominator and has no share
        self.weighted_count = float(table.loc[table["weight"].notna(), "count"].sum())
        table["share_of_count"] = (
            100.0 * table["count"] / self.weighted_count if self.weighted_count else np.nan
        )
        table.loc[table["weight"].isna(), "share_of_count"] = np.nan
        table["share_of_harm"] = (
            100.0 * table["harm"] / self.total_harm if self.total_harm > 0 else np.nan
        )
        self.table = table.sort_values(["harm", "count"], ascending=False, na_position="last")
        self.unweighted = [str(c) for c in table.index[table["weight"].isna()]]
        self.monthly = pd.DataFrame()
        self.missing_months: list[str] = []
        self.comparison: dict[str, Any] | None = None
        if "month" in incidents.columns and len(incidents):
            per = pd.Series(np.nan_to_num(weights_per_incident(cats, hw)), index=incidents.index)
            harm_m = monthly_counts(incidents, weights=per).astype(float)
            count_m = monthly_counts(incidents).astype(float)
            if months_with_data is not None:
                have = {pd.Timestamp(m).to_period("M").to_timestamp() for m in months_with_data}
                gaps = [ts for ts in harm_m.index if ts not in have]
                harm_m.loc[gaps] = np.nan
                count_m.loc[gaps] = np.nan
                self.missing_months = [ts.strftime("%Y-%m") for ts in gaps]
            self.monthly = pd.DataFrame({"count": count_m, "harm": harm_m})
            if len(self.monthly) >= 2 * period_months:
                self.comparison = self._compare(period_months)

    def _compare(self, period_months: int) -> dict[str, Any] | None:
        this = self.monthly.iloc[-period_months:]
        last = self.monthly.iloc[-2 * period_months : -period_months]
        n_this, n_last = int(this["harm"].notna().sum()), int(last["harm"].notna().sum())
        if not n_this or not n_last:
            return None
        th, lh = float(this["harm"].sum()), float(last["harm"].sum())
        # harm per month of data: the plain ratio of totals when no month is missing
        rate_this, rate_last = th / n_this, lh / n_last
        return {
            "this_period_months": f"{this.index[0]:%Y-%m} to {this.index[-1]:%Y-%m}",
            "this_harm": th,
            "last_harm": lh,
            "pct_change_harm": 100.0 * (rate_this / rate_last - 1.0) if rate_last > 0 else None,
            "this_count": int(this["count"].sum()),
            "last_count": int(last["count"].sum()),
            "this_months_of_data": n_this,
            "last_months_of_data": n_last,
        }

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for cat, r in self.table.iterrows():
            rows.append(
                {
                    "category": str(cat),
                    "count": int(r["count"]),
                    "weight": None if pd.isna(r["weight"]) else float(r["weight"]),
                    "harm": None if pd.isna(r["harm"]) else float(r["harm"]),
                    "share_of_count": None
                    if pd.isna(r["share_of_count"])
                    else float(r["share_of_count"]),
                    "share_of_harm": None
                    if pd.isna(r["share_of_harm"])
                    else float(r["share_of_harm"]),
                }
            )
        return {
            "weights_version": self.version,
            "weights_file": self.weights.path,
            "total_count": self.total_count,
            "total_harm": self.total_harm,
            "unweighted_categories": self.unweighted,
            "by_category": rows,
            "monthly": {
                f"{ts:%Y-%m}": (
                    None
                    if pd.isna(r["harm"])
                    else {"count": int(r["count"]), "harm": float(r["harm"])}
                )
                for ts, r in self.monthly.iterrows()
            },
            "missing_months": self.missing_months,
            "comparison": self.comparison,
        }


def weight_sensitivity(table: pd.DataFrame) -> dict[str, Any] | None:
    """How far the weights would have to move before the largest source of harm changes.

    ``table`` is :attr:`HarmProfile.table`. Returns the top category, the runner-up and the
    ``factor`` by which the top category's weight would have to be divided (or the runner-up's
    multiplied) for the two to swap places: ``harm(top) / harm(second)``. None with fewer than
    two weighted categories.
    """
    t = table.dropna(subset=["harm"])
    t = t[t["harm"] > 0]
    if len(t) < 2:
        return None
    top, second = t.index[0], t.index[1]
    return {
        "top": str(top),
        "second": str(second),
        "factor": float(t.iloc[0]["harm"]) / float(t.iloc[1]["harm"]),
    }


# ---------------------------------------------------------------------------------------------
# Home Office unit costs of crime (2018) as an alternative lens
# ---------------------------------------------------------------------------------------------


def unit_costs_path() -> Path:
    return _data_path("unit_costs_of_crime_2018.csv")


def load_unit_costs(path: str | Path | None = None) -> pd.DataFrame:
    """The published unit costs (offence, unit_cost_gbp, source) from the shipped table."""
    p = Path(path) if path is not None else unit_costs_path()
    text = "\n".join(
        line
        for line in p.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    )
    return pd.read_csv(io.StringIO(text))


def cost_lens(counts: pd.Series, costs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each police.uk category's count priced at the published unit costs.

    A police.uk category spans several of the published offence types (violence and sexual
    offences holds violence with and without injury and sexual offences), so each category is
    priced as a range from its cheapest to its dearest offence type (``low_gbp``, ``high_gbp``);
    categories no published cost covers are left unpriced.

    Parameters
    ----------
    counts : Series
        Incidents per police.uk category.
    costs : DataFrame, optional
        :func:`load_unit_costs` (default: the shipped table).
    """
    costs = costs if costs is not None else load_unit_costs()
    rows = []
    for cat, n in counts.items():
        sub = costs[costs["category"] == str(cat)]
        if sub.empty:
            rows.append(
                {
                    "category": str(cat),
                    "count": int(n),
                    "unit_low_gbp": None,
                    "unit_high_gbp": None,
                    "low_gbp": None,
                    "high_gbp": None,
                    "offence_types": "",
                }
            )
            continue
        lo, hi = float(sub["unit_cost_gbp"].min()), float(sub["unit_cost_gbp"].max())
        rows.append(
            {
                "category": str(cat),
                "count": int(n),
                "unit_low_gbp": lo,
                "unit_high_gbp": hi,
                "low_gbp": lo * int(n),
                "high_gbp": hi * int(n),
                "offence_types": "; ".join(str(o) for o in sub["offence"]),
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["high_gbp", "count"], ascending=False, na_position="last").reset_index(
        drop=True
    )
