"""Comparisons: the area against its police force area and against similar areas.

Two comparator groups, both from the England and Wales geography built into SaferCity (the 2011
LSOAs with their local authority, police force and 2011 Census residents):

* **the force area** - the other local authorities policed by the same force;
* **a most-similar group** - the ``MSG_SIZE`` local authorities nearest to the area in
  (log residents, log residents per square kilometre), each standardised over England and
  Wales, by Euclidean distance. This is a simple, stated stand-in for the Home Office's most
  similar groups, which also use deprivation and other census measures SaferCity does not
  hold.

Each comparator's crime rate (crimes excluding anti-social behaviour per 1,000 residents per
year: the period's count per month of data x 12) is computed from the workspace when its
police.uk data is loaded; a comparator that is not loaded is listed as such, never as zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from safercity.analytics import geography

if TYPE_CHECKING:
    from safercity.analytics.assessment.core import Assessment

#: local authorities in the most-similar group
MSG_SIZE = 7


@lru_cache(maxsize=1)
def local_authority_profiles() -> pd.DataFrame:
    """Residents, area (km²), density and force of every local authority (built-in data)."""
    geo = geography.builtin_lsoas()
    areas = pd.Series(shapely.area(geo.polygons) / 1e6, index=[str(c) for c in geo.codes])
    lk = geo.lookup.copy()
    lk["area_km2"] = areas.reindex(lk.index).to_numpy()
    lk["population"] = pd.to_numeric(lk["population"], errors="coerce")
    prof = lk.groupby("local_authority").agg(
        residents=("population", "sum"),
        area_km2=("area_km2", "sum"),
        force=("force", lambda s: s.mode().iloc[0] if len(s.mode()) else ""),
    )
    prof["density"] = prof["residents"] / prof["area_km2"]
    return prof


def most_similar(area: str, size: int = MSG_SIZE) -> pd.DataFrame:
    """The ``size`` local authorities nearest to ``area`` (module docstring), with distance."""
    prof = local_authority_profiles()
    prof = prof[(prof["residents"] > 0) & (prof["area_km2"] > 0)]
    x = np.column_stack([np.log(prof["residents"]), np.log(prof["density"])])
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    if area not in prof.index:
        return pd.DataFrame(columns=["local_authority", "distance"])
    i = list(prof.index).index(area)
    d = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
    order = [j for j in np.argsort(d, kind="stable") if j != i][:size]
    return pd.DataFrame({"local_authority": [prof.index[j] for j in order], "distance": d[order]})


@dataclass
class Comparison:
    """The comparison table and the words the report needs."""

    table: pd.DataFrame
    method: str
    loaded: int
    not_loaded: list[str]


def compare_areas(a: Assessment) -> Comparison | None:
    """The comparison table (``comparisons``), or None when the area is not a built-in local
    authority."""
    prof = local_authority_profiles()
    if a.area not in prof.index:
        return None
    force = str(prof.loc[a.area, "force"])
    same_force = [la for la in prof.index[prof["force"] == force] if la != a.area]
    msg = most_similar(a.area)
    wanted = [a.area, *sorted(same_force), *[la for la in msg["local_authority"] if la]]
    rows_db = a.workspace.con.execute(
        "SELECT local_authority, count(*) FILTER (WHERE category <> 'Anti-social behaviour'), "
        "count(DISTINCT month) FROM incidents WHERE month IN (SELECT unnest(?)) "
        "AND source_kind <> 'local_extract' AND local_authority IN (SELECT unnest(?)) "
        "GROUP BY local_authority",
        [a.months, wanted],
    ).fetchall()
    held = {str(r[0]): (int(r[1]), int(r[2])) for r in rows_db}
    distance = dict(zip(msg["local_authority"], msg["distance"], strict=True))
    rows = []
    seen: set[str] = set()
    for la in wanted:
        groups = []
        if la == a.area:
            groups.append("this area")
        if la in same_force:
            groups.append(f"{force} force area")
        if la in distance:
            groups.append("most similar")
        if la in seen:
            continue
        seen.add(la)
        residents = float(prof.loc[la, "residents"])
        crimes, months = held.get(la, (0, 0))
        rate = 1000.0 * crimes / months * 12 / residents if months and residents else math.nan
        rows.append(
            {
                "local_authority": la,
                "group": "; ".join(groups),
                "residents": residents,
                "density_per_km2": float(prof.loc[la, "density"]),
                "loaded": la in held,
                "crimes": crimes if la in held else None,
                "months_of_data": months if la in held else None,
                "rate_per_1000_per_year": None if math.isnan(rate) else rate,
                "similarity_distance": distance.get(la),
            }
        )
    table = pd.DataFrame(rows)
    a.add_table(
        "comparisons",
        table,
        f"{a.area} against the other local authorities of the {force} force area and its "
        "most similar local authorities: crimes (excluding ASB) per 1,000 residents a year",
    )
    not_loaded = [str(r["local_authority"]) for r in rows if not r["loaded"]]
    return Comparison(
        table=table,
        method=(
            f"the {MSG_SIZE} local authorities of England and Wales nearest to {a.area} in "
            "residents and residents per square kilometre (both logged and standardised, "
            "Euclidean distance; 2011 Census and the built-in LSOA boundaries), a simple "
            "stand-in for the Home Office's most similar groups, which also use deprivation"
        ),
        loaded=sum(1 for r in rows if r["loaded"] and r["local_authority"] != a.area),
        not_loaded=not_loaded,
    )


__all__ = ["MSG_SIZE", "Comparison", "compare_areas", "local_authority_profiles", "most_similar"]
