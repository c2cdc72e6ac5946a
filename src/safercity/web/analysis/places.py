"""The places an analysis covers, who lives there, and how they rank.

An area filter chooses incidents; it must also choose the places they are ranked among. "Leeds
by LSOA" ranks Leeds's 482 LSOAs (those with no incident too), not every LSOA of England and
Wales that the built-in census knows, so that "the busiest 10%" means 10% of Leeds. The places
come from the built-in geography (2011 LSOAs with their local authority, police force and 2011
Census usual residents: ``safercity.analytics.geography``) and from loaded ward boundaries:

* a **borough** (local authority): its LSOAs, and the loaded wards that lie in it;
* a **ward**: the LSOAs that lie in its loaded boundary;
* the **whole workspace**: the boroughs that hold at least 1% of its incidents (police.uk data
  places a few crimes just over a force's border) and their LSOAs, and every loaded ward.

Where the geography cannot say (an area the built-in lookup does not know), the places are those
with incidents, and the page says that places with none are not counted.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from . import services
from .services import Filters

#: how each ranking names its places: (code column, name column)
RANK_COLUMNS = {
    "lsoa": ("lsoa_code", "lsoa_name"),
    "ward": ("ward_code", "ward_name"),
    "borough": ("local_authority", "local_authority"),
}
RANK_LABELS = {"ward": "Wards", "lsoa": "LSOAs", "borough": "Boroughs"}
#: the whole workspace covers the local authorities holding at least this share of its incidents
#: (police.uk data places a few crimes just over a force's border)
WORKSPACE_SHARE = 0.01
RANK_SINGULAR = {"ward": "ward", "lsoa": "LSOA", "borough": "borough"}
#: the same in running text
RANK_PLURAL = {"ward": "wards", "lsoa": "LSOAs", "borough": "boroughs"}


@dataclasses.dataclass(frozen=True)
class Scope:
    """The places an analysis of an area covers.

    ``lsoas``: code -> name, local authority, 2011 Census residents. ``complete`` is False when
    the LSOAs are only those with incidents (the built-in geography does not know the area).
    """

    lsoas: pd.DataFrame
    local_authorities: tuple[str, ...]
    complete: bool


@functools.lru_cache(maxsize=1)
def _lookup() -> pd.DataFrame:
    from safercity.analytics.geography import builtin_lsoas

    return builtin_lsoas().lookup


@functools.lru_cache(maxsize=64)
def la_polygon(name: str) -> Any:
    """The built-in boundary of a local authority (British National Grid), or None."""
    from safercity.analytics.geography import local_authority_polygon

    try:
        return local_authority_polygon(name)
    except KeyError:
        return None


def loaded_areas(area_type: str) -> list[dict[str, Any]]:
    """Areas loaded with ``safercity geography load`` (code, name, population, polygon)."""
    return services.cached(  # type: ignore[no-any-return]
        "loaded-areas", lambda: _loaded_areas(area_type), area_type
    )


def _loaded_areas(area_type: str) -> list[dict[str, Any]]:
    import shapely

    with services.store() as con:
        rows = con.execute(
            "SELECT code, name, population, geometry_wkb FROM areas "
            "WHERE lower(area_type) = lower(?) ORDER BY name, code",
            [area_type],
        ).fetchall()
    return [
        {
            "code": str(code),
            "name": str(name),
            "population": None if population is None else float(population),
            "polygon": None if geom is None else shapely.from_wkb(bytes(geom)),
        }
        for code, name, population, geom in rows
    ]


def _ward(name: str) -> dict[str, Any] | None:
    return next((w for w in loaded_areas("ward") if w["name"] == name), None)


def study_polygon(filters: Filters) -> Any:
    """The boundary of the chosen area (British National Grid), or None for the whole workspace
    or an area whose boundary is not known."""
    if filters.area_type == "borough" and filters.area:
        return la_polygon(filters.area)
    if filters.area_type == "ward" and filters.area:
        ward = _ward(filters.area)
        return None if ward is None else ward["polygon"]
    return None


def scope(filters: Filters) -> Scope:
    """The places the filters' area covers (see the module notes)."""
    area = services.area_only(filters)
    return services.cached("scope", lambda: _scope(area), area)  # type: ignore[no-any-return]


def _scope(filters: Filters) -> Scope:
    lookup = _lookup()
    if filters.area_type == "borough" and filters.area:
        chosen = lookup[lookup["local_authority"] == filters.area]
        if len(chosen):
            return Scope(chosen, (filters.area,), True)
    elif filters.area_type == "ward" and filters.area:
        polygon = study_polygon(filters)
        if polygon is not None:
            codes = _lsoas_in(polygon)
            chosen = lookup.loc[codes]
            return Scope(chosen, tuple(sorted(chosen["local_authority"].unique())), True)
    elif filters.area_type == "all":
        with services.store() as con:
            rows = con.execute(
                "SELECT local_authority FROM incidents WHERE local_authority IS NOT NULL "
                "GROUP BY 1 HAVING count(*) >= ? * (SELECT count(*) FROM incidents)",
                [WORKSPACE_SHARE],
            ).fetchall()
        las = sorted(str(r[0]) for r in rows)
        chosen = lookup[lookup["local_authority"].isin(las)]
        if len(chosen):
            return Scope(chosen, tuple(las), True)
    # the geography does not know the area: the LSOAs that have incidents there
    where, params = filters.where()
    with services.store() as con:
        rows = con.execute(f"SELECT DISTINCT lsoa_code FROM incidents{where}", params).fetchall()
    codes = [str(r[0]) for r in rows if r[0] is not None]
    chosen = lookup.loc[lookup.index.intersection(codes)]
    known: tuple[str, ...] = tuple(sorted(chosen["local_authority"].dropna().unique()))
    if filters.area_type == "borough" and filters.area:
        known = (filters.area,)
    return Scope(chosen, known, False)


def _lsoas_in(polygon: Any) -> list[str]:
    """Built-in LSOAs whose inside point lies in ``polygon`` (LSOAs nest in 2011 wards)."""
    import shapely

    from safercity.analytics.geography import builtin_lsoas

    geo = builtin_lsoas()
    candidates = geo.tree.query(polygon)
    points = shapely.point_on_surface(geo.polygons[candidates])
    inside = shapely.intersects(polygon, points)
    return [str(c) for c in geo.codes[candidates[inside]]]


def residents(by: str, places: pd.Index) -> pd.Series:
    """Residents by place: loaded populations first, else the built-in 2011 Census."""
    if by == "ward":
        pop = {w["code"]: w["population"] for w in loaded_areas("ward")}
        return pd.Series([pop.get(str(c)) for c in places], index=places, dtype=float)
    loaded = {a["code"]: a["population"] for a in loaded_areas("lsoa")}
    census = _lookup()["population"].astype(float)
    if by == "lsoa":
        return pd.Series(
            [loaded.get(str(c), census.get(c, math.nan)) for c in places], index=places
        ).astype(float)
    residents = census.groupby(_lookup()["local_authority"]).sum(min_count=1)
    return residents.reindex(places).astype(float)


def rankings(filters: Filters, by: str = "ward", limit: int = 50) -> dict[str, Any]:
    return services.cached(  # type: ignore[no-any-return]
        "rankings", lambda: _rankings(filters, by, limit), filters, by, limit
    )


def _rankings(filters: Filters, by: str, limit: int) -> dict[str, Any]:
    """Places of the area ranked by count, with rates per 1,000 residents and concentration
    (safercity.analytics.places.PlaceProfile) over the area's own places."""
    from safercity.analytics.places import PlaceProfile

    code, name = RANK_COLUMNS[by]
    base: dict[str, Any] = {"by": by, "areas": [], "unavailable": None}
    if by == "ward" and not loaded_areas("ward"):
        return {
            **base,
            "unavailable": "No ward boundaries are loaded, so incidents have no ward. An "
            "analyst can load them with `safercity geography load FILE --type ward`; "
            "meanwhile, rank by LSOA or by borough.",
        }
    frame = services.incidents(filters, tuple(dict.fromkeys(("month", code, name))))
    sc = scope(filters)
    if by == "lsoa":
        places = sc.lsoas.index if sc.complete else None
        names = _lookup()["lsoa_name"]
    elif by == "borough":
        places = pd.Index(sc.local_authorities) if sc.complete else None
        names = None
    else:
        wards = wards_in(filters)
        places = pd.Index([w["code"] for w in wards]) if wards is not None else None
        names = pd.Series({w["code"]: w["name"] for w in loaded_areas("ward")}, dtype=object)
        if name in frame.columns:  # a ward with incidents but no loaded boundary keeps its name
            pairs = frame[[code, name]].dropna().drop_duplicates(code)
            names = names.combine_first(
                pd.Series(pairs[name].to_numpy(), index=pairs[code].astype(str), dtype=object)
            )
    counted_places = pd.Index(frame[code].dropna().astype(str).unique())
    universe = counted_places if places is None else places.union(counted_places)
    population = residents(by, universe)
    profile = PlaceProfile(
        frame,
        place=code,
        population=population if places is not None else None,
        names=names,
    )
    table = profile.table
    if places is None and population.notna().any():
        # places with incidents only: rates where residents are known, zeros not claimed
        table = table.assign(population=population.reindex(table.index))
        table["rate"] = 1000 * table["count"] / table["population"]
    rows = []
    for area, r in table.head(limit).iterrows():
        rows.append(
            {
                "rank": int(r["rank_count"]),
                "area": str(area),
                "name": str(r["name"])
                if "name" in r and isinstance(r["name"], str) and r["name"]
                else str(area),
                "incidents": int(r["count"]),
                "share_pct": None if pd.isna(r["share"]) else round(float(r["share"]), 1),
                "population": None if pd.isna(r["population"]) else int(r["population"]),
                "rate_per_1000": None if pd.isna(r["rate"]) else round(float(r["rate"]), 1),
            }
        )
    share = profile.top10["share"]
    n, what = (
        profile.n_places,
        RANK_PLURAL[by] if profile.n_places != 1 else RANK_SINGULAR[by],
    )
    with_incidents = int((table["count"] > 0).sum())
    if places is None:
        places_text = (
            f"{n:,} {what} with at least one incident (places with none are not known for "
            "this area, so the figures describe places with crime only)."
        )
    else:
        places_text = (
            f"{filters.area} has {n:,} {what}"
            if filters.area
            else f"The workspace covers {n:,} {what} (those of {_boroughs_text(sc)}, and any "
            "place beyond them with an incident)"
        ) + f", {with_incidents:,} with at least one incident."
    return {
        **base,
        "areas": rows,
        "n_places": profile.n_places,
        "n_incidents": profile.n_incidents,
        "n_unplaced": profile.n_unplaced,
        "zeros_known": places is not None,
        "places_with_incidents": with_incidents,
        "places_text": places_text,
        "top10pct": {
            "places": profile.top10["places"],
            "share_pct": None if math.isnan(share) else round(100 * share, 1),
        },
        "gini": None if math.isnan(profile.gini) else round(profile.gini, 3),
        "population_source": "loaded ward populations"
        if by == "ward"
        else "2011 Census usual residents (built in)",
    }


def _boroughs_text(sc: Scope) -> str:
    from safercity.analytics.wording import join_list

    las = list(sc.local_authorities)
    return join_list(las) if len(las) <= 6 else f"its {len(las)} boroughs"


def wards_in(filters: Filters) -> list[dict[str, Any]] | None:
    """Loaded wards of the area (None when the area's boundary is not known)."""
    import shapely

    wards = loaded_areas("ward")
    if filters.area_type == "all":
        return wards
    if filters.area_type == "ward":
        return [w for w in wards if w["name"] == filters.area]
    polygon = study_polygon(filters)
    if polygon is None:
        return None
    return [
        w
        for w in wards
        if w["polygon"] is not None
        and shapely.intersects(polygon, shapely.point_on_surface(w["polygon"]))
    ]


def names_of_lsoas(codes: list[str]) -> dict[str, tuple[str, str]]:
    """LSOA code -> (LSOA name, local authority) from the built-in lookup."""
    lookup = _lookup()
    known = lookup.index.intersection(codes)
    sub = lookup.loc[known]
    return {
        str(c): (str(n), str(la))
        for c, n, la in zip(sub.index, sub["lsoa_name"], sub["local_authority"], strict=True)
    }


def locate(easting: np.ndarray, northing: np.ndarray) -> list[str | None]:
    """The built-in LSOA code at each point (British National Grid)."""
    from safercity.analytics.geography import builtin_lsoas

    return list(builtin_lsoas().locate(easting, northing))
