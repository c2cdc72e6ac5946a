"""Report section: places - where crime is, by neighbourhood, named place and ward."""

from __future__ import annotations

from safercity.analytics import charts
from safercity.analytics import wording as w
from safercity.analytics.assessment.findings import concentration
from safercity.analytics.report.builder import Builder
from safercity.analytics.report.model import (
    Block,
    Section,
    f_int,
    f_num1,
    f_pct,
    f_share,
    f_str,
    table_view,
)

ASB = "Anti-social behaviour"


def places(b: Builder) -> Section:
    a = b.a
    s = Section("places", "Places")
    prof = concentration(a)
    if prof is not None and prof.n_incidents:
        s.blocks.append(
            Block(
                "p",
                f"Crime is concentrated in few places: the busiest 10% of {a.area}'s "
                f"neighbourhoods (LSOAs, about 1,500 residents each; {prof.top10['places']} of "
                f"{prof.n_places}) had {w.fmt_pct(100 * prof.top10['share'])} of crime this "
                f"period and the busiest 5% had {w.fmt_pct(100 * prof.top5['share'])}. Each "
                "theme's section maps its own places.",
            )
        )
    top = a.named_places
    if len(top):
        s.blocks.append(Block("h3", "Named places", id="named-places"))
        s.blocks.append(
            Block(
                "p",
                "The locations with most crime, named as police.uk names them, with their "
                "neighbourhood and ward: places to problem-solve with the people who manage "
                "them. police.uk moves each crime to the nearest of a fixed list of anonymous "
                "points, so a location stands for the street or public place around it.",
            )
        )
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    "named-places",
                    [
                        ("location", "Location (police.uk)", f_str),
                        ("lsoa_name", "LSOA", f_str),
                        ("ward_name", "Ward", f_str),
                        ("incidents", "Crimes", f_int),
                        ("share_pct", "Share of crime", f_share),
                        ("top_category", "Largest category", f_str),
                    ],
                ),
            )
        )
    s.blocks.append(Block("h3", "Wards", id="wards"))
    wards = a.wards
    if wards.empty:
        s.blocks.append(
            Block(
                "p",
                "No ward boundaries are loaded, so wards (and ward-based themes) are not "
                "profiled; see the data gaps.",
            )
        )
        return s
    top_w = wards.iloc[0]
    text = (
        f"{len(wards)} wards. {top_w['ward_name']} had the most incidents this period "
        f"({w.fmt_int(top_w['this_period'])}, {w.fmt_pct(top_w['share_of_area_pct'])} of the "
        f"area's)."
    )
    sig = wards[wards["significant"].fillna(False).astype(bool)]
    ups = [str(n) for n, p in zip(sig["ward_name"], sig["pct_change"], strict=True) if p > 0]
    downs = [str(n) for n, p in zip(sig["ward_name"], sig["pct_change"], strict=True) if p < 0]
    if not ups and not downs:
        text += " No ward had a significant rise or fall in incidents."
    else:
        parts = []
        if ups:
            parts.append(f"rose significantly in {w.plural(len(ups), 'ward')} ({w.join_list(ups)})")
        if downs:
            parts.append(
                f"fell significantly in {w.plural(len(downs), 'ward')} ({w.join_list(downs)})"
            )
        text += " Incidents " + " and ".join(parts) + " (overdispersion allowed for)."
    if a.wards_unplaced:
        text += f" {w.fmt_int(a.wards_unplaced)} incidents this period fell in no ward."
    if wards["residents"].notna().any():
        text += f" Residents: {a.ward_population_source}."
    s.blocks.append(Block("p", text))
    tv = table_view(
        a,
        "wards",
        [
            ("ward_name", "Ward", f_str),
            ("this_period", "This period", f_int),
            ("previous_period", "Comparison", f_int),
            ("pct_change", "Change", f_pct),
            ("assessment", "Assessment", f_str),
            ("share_of_area_pct", "Share of area", f_share),
            ("rate_per_1000", "Per 1,000 residents", f_num1),
            ("top_category", "Largest category", f_str),
        ],
    )
    codes = sorted(c for c in wards["ward_code"] if c in a.ward_geoms)
    if codes:
        vals = dict(zip(wards["ward_code"], wards["this_period"], strict=True))
        names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
        s.blocks.append(
            b.figure(
                "wards-map",
                f"Incidents by ward in {a.area} this period",
                f"Map of {len(codes)} wards shaded by incidents this period, darker for more; "
                f"the most is {top_w['ward_name']} with {w.fmt_int(top_w['this_period'])}.",
                lambda fid: charts.area_map(
                    fid,
                    [a.ward_geoms[c] for c in codes],
                    [float(vals[c]) for c in codes],
                    [str(names[c]) for c in codes],
                    title="Incidents by ward",
                    desc="Choropleth in five classes; see the table beside.",
                ),
                tv,
                source="Ward boundaries loaded into the workspace",
            )
        )
    else:
        s.blocks.append(Block("table", table=tv))
    cats = list(a.ward_categories[:6])
    if cats:
        s.blocks.append(
            Block(
                "p",
                "Each ward's mix of incidents against the area's: a location quotient of 2 "
                "means the category's share of the ward's incidents is twice its share in the "
                f"area (the {len(cats)} largest categories; all are in the table file).",
            )
        )
        mix = a.ward_mix.set_index("ward_name")
        notable = []
        for c in cats:
            col = mix[c].dropna()
            if len(col):
                ward = str(col.idxmax())
                notable.append(
                    f"{c.lower()} in {ward} ({w.fmt_num(float(col.max()), 1)} times its share "
                    "in the area)"
                )
        s.blocks.append(
            Block(
                "p",
                "Where each of the largest categories is most over-represented: "
                + w.join_list(notable)
                + " (every ward and category: table file wards-category-mix.csv).",
            )
        )
    return s


__all__ = ["places"]
