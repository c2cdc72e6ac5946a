"""Ward profiles of the Strategic Assessment (when ward boundaries are loaded).

Each ward's incidents this period against the comparison period, its share of the area, its
rate per 1,000 residents (from the boundary file, else the 2011 Census residents of the LSOAs
whose centre lies in the ward: 2011 LSOAs nest in the 2002-22 wards), and its mix of categories
against the area's (location quotients).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely

from safercity.analytics import wording as w

if TYPE_CHECKING:
    from safercity.analytics.assessment.core import Assessment


def ward_profiles(a: Assessment) -> None:
    """Set ``a.wards``, ``a.ward_mix``, ``a.ward_geoms``, ``a.ward_categories``,
    ``a.wards_unplaced`` and ``a.ward_population_source``."""
    this, last = a.this, a.last
    a.ward_geoms = {}
    a.ward_population_source = ""
    a.ward_categories = []
    cols = [
        "ward_code",
        "ward_name",
        "this_period",
        "previous_period",
        "change",
        "pct_change",
        "p_etest",
        "dispersion",
        "p_adjusted",
        "significant",
        "assessment",
        "share_of_area_pct",
        "residents",
        "rate_per_1000",
        "rate_vs_area",
        "top_category",
    ]
    placed = this["ward_code"].notna()
    a.wards_unplaced = int((~placed).sum())
    if not placed.any():
        a.wards = a.add_table(
            "wards", pd.DataFrame(columns=cols), "Ward profiles (no ward boundaries loaded)"
        )
        a.ward_mix = a.add_table("wards-category-mix", pd.DataFrame(), "Ward category mix")
        return
    areas = a.workspace.con.execute(
        "SELECT code, name, population, geometry_wkb FROM areas WHERE area_type = 'ward' "
        "ORDER BY code"
    ).fetchall()
    pop = {str(r[0]): (float(r[2]) if r[2] is not None else None) for r in areas}
    for r in areas:
        if r[3] is not None:
            a.ward_geoms[str(r[0])] = shapely.from_wkb(bytes(r[3]))
    a.ward_population_source = "the ward boundary file"
    if not any(pop.values()) and a.ward_geoms and len(a.lsoa_population):
        # no populations in the boundary file: sum the 2011 Census residents of the LSOAs
        # whose representative point lies in each ward (2011 LSOAs nest in 2002-22 wards)
        pop = {}
        geoms = [g for g in a.lsoa_geoms]
        for code, ward in a.ward_geoms.items():
            total = 0.0
            for lsoa, g in zip(a.lsoa_codes, geoms, strict=True):
                if (
                    g is not None
                    and lsoa in a.lsoa_population.index
                    and ward.contains(shapely.point_on_surface(g))
                ):
                    total += float(a.lsoa_population[lsoa])
            pop[code] = total or None
        a.ward_population_source = (
            "the 2011 Census residents of the LSOAs whose centre lies in the ward"
        )
    names = (
        pd.concat([this, last])[["ward_code", "ward_name"]]
        .dropna()
        .drop_duplicates("ward_code")
        .set_index("ward_code")["ward_name"]
    )
    n_this = this["ward_code"].value_counts()
    total = int(placed.sum())
    area_pop = sum(v for k, v in pop.items() if v and k in names.index)
    area_rate = 1000.0 * total / area_pop if area_pop else None
    rows = []
    for code in sorted(names.index, key=lambda c: (-int(n_this.get(c, 0)), str(c))):
        ch = a.compare_frames(
            str(names[code]), this[this["ward_code"] == code], last[last["ward_code"] == code]
        )
        sub = this[this["ward_code"] == code]["category"].value_counts()
        top = ""
        if len(sub):
            top_n = int(sub.max())
            top = sorted(str(c) for c in sub.index[sub == top_n])[0]
        p = pop.get(str(code))
        rate = 1000.0 * ch.this / p if p else None
        rows.append(
            {
                "ward_code": str(code),
                "ward_name": str(names[code]),
                "this_period": ch.this,
                "previous_period": ch.last,
                "change": ch.this - ch.last,
                "pct_change": ch.pct,
                "p_etest": ch.p_etest,
                "dispersion": ch.dispersion,
                "p_adjusted": ch.p_adjusted,
                "significant": ch.significant,
                "assessment": w.direction_label(ch.pct, ch.significant),
                "share_of_area_pct": 100.0 * ch.this / total if total else None,
                "residents": p,
                "rate_per_1000": rate,
                "rate_vs_area": rate / area_rate if rate is not None and area_rate else None,
                "top_category": top,
            }
        )
    a.wards = a.add_table(
        "wards",
        pd.DataFrame(rows, columns=cols),
        "Ward profiles this period against the previous one",
    )
    # category mix: location quotient of each ward against the area
    area_mix = this.loc[placed, "category"].value_counts()
    top_cats = sorted(area_mix.index, key=lambda c: (-int(area_mix[c]), str(c)))
    mix_rows = []
    for code in a.wards["ward_code"]:
        sub = this[this["ward_code"] == code]["category"].value_counts()
        n = int(sub.sum())
        row: dict[str, Any] = {"ward_name": str(names[code])}
        for c in top_cats:
            share_w = float(sub.get(c, 0)) / n if n else 0.0
            share_a = float(area_mix[c]) / total
            row[str(c)] = share_w / share_a if share_a else None
        mix_rows.append(row)
    a.ward_mix = a.add_table(
        "wards-category-mix",
        pd.DataFrame(mix_rows, columns=["ward_name", *[str(c) for c in top_cats]]),
        "Each ward's category mix against the area's (location quotient: 1 = the area's "
        "share; 2 = twice it)",
    )
    a.ward_categories = [str(c) for c in top_cats]


__all__ = ["ward_profiles"]
