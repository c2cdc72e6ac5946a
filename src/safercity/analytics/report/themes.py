"""Report sections: the partnership's themes and anti-social behaviour."""

from __future__ import annotations

from safercity.analytics import charts
from safercity.analytics import wording as w
from safercity.analytics.assessment import ThemeResult
from safercity.analytics.report.builder import Builder
from safercity.analytics.report.model import (
    CHANGE_SPEC,
    HARM_SPEC,
    Block,
    Formatter,
    Section,
    f_int,
    f_num1,
    f_num2,
    f_p,
    f_share,
    f_str,
    missing,
    table_view,
)


def detail(block: Block) -> Block:
    """Mark a block as detail: the full document shows it in the appendix of maps and tables."""
    block.detail = True
    return block


def theme_blocks(b: Builder, t: ThemeResult, level: str = "h3") -> list[Block]:
    a = b.a
    sub = "h4" if level == "h3" else "h3"
    blocks: list[Block] = []
    if level == "h3":
        blocks.append(Block("h3", t.title, id=f"theme-{t.name}"))
    blocks.append(Block("p", t.description))
    blocks.append(Block("p", f"Definition: {t.definition}."))
    if t.proxy_for:
        blocks.append(
            Block(
                "note",
                f"A proxy: this theme measures the offences it lists, not {t.proxy_for}. It is "
                f"scored with low confidence; data on {t.proxy_for} itself is in the data "
                "gaps table.",
            )
        )
    if t.unmatched_areas:
        blocks.append(
            Block(
                "note",
                f"The definition names {w.join_list(t.unmatched_areas)}, which "
                f"match{'es' if len(t.unmatched_areas) == 1 else ''} no incident in this "
                "data: check the spelling against the areas in the data (for example the "
                "loaded ward names), or the theme will miss those places.",
            )
        )
    if not t.has_data:
        blocks.append(
            Block(
                "p",
                "No incidents in the data match this theme in either period, so it cannot "
                "be assessed from this data.",
            )
        )
        return blocks
    slug = t.name
    # trend
    blocks.append(Block(sub, "Trend", id=f"theme-{slug}-trend"))
    ch = t.change
    text = (
        f"{ch.label} incidents {ch.phrase()}: {w.fmt_int(ch.this)} this period against "
        f"{w.fmt_int(ch.last)}"
        + (
            f" ({w.fmt_p(ch.p)}, {'allowing for overdispersion' if ch.adjusted else 'E-test'})"
            if ch.p is not None
            else ""
        )
        + "."
    )
    if t.spc is not None:
        text += (
            f" On the monthly control chart (mean {w.fmt_num(t.spc.mean, 0)}, process "
            f"limits {w.fmt_num(max(t.spc.lower_limit, 0.0), 0)} to "
            f"{w.fmt_num(t.spc.upper_limit, 0)}), "
            + (
                f"{w.plural(t.spc_signals_in_period, 'month')} this period showed special-cause "
                "variation (a real change rather than noise)."
                if t.spc_signals_in_period
                else "no month this period showed special-cause variation."
            )
        )
    blocks.append(Block("p", text))
    mon = t.monthly
    if len(mon) >= 3:
        labels = [str(m) for m in mon["month"]]
        vals = [None if missing(v) else float(v) for v in mon["incidents"]]
        refs = []
        if t.spc is not None:
            refs = [
                charts.RefLine(f"mean {w.fmt_num(t.spc.mean, 0)}", t.spc.mean),
                charts.RefLine(f"upper {w.fmt_num(t.spc.upper_limit, 0)}", t.spc.upper_limit),
            ]
            if t.spc.lower_limit > 0:
                refs.append(
                    charts.RefLine(f"lower {w.fmt_num(t.spc.lower_limit, 0)}", t.spc.lower_limit)
                )
        spec: list[tuple[str, str, Formatter]] = [
            ("month", "Month", f_str),
            ("incidents", "Incidents", f_int),
        ]
        if "special_cause" in mon.columns:
            spec.append(("special_cause", "Special cause", lambda v: "yes" if v is True else ""))
        blocks.append(
            b.figure(
                f"theme-{slug}-monthly",
                f"{t.title}: incidents per month",
                f"Line chart of {t.title.lower()} incidents per month from {labels[0]} to "
                f"{labels[-1]}"
                + (", with the control chart's mean and limits as dashed lines" if refs else "")
                + "; missing months are gaps.",
                lambda fid: charts.line_chart(
                    fid,
                    labels,
                    [charts.Series("Incidents", vals)],
                    title=f"{t.title}: incidents per month",
                    desc="Monthly counts; the data are in the table beside.",
                    y_label="incidents",
                    ref_lines=refs,
                ),
                table_view(a, f"theme-{slug}-monthly", spec),
            )
        )
    if len(a.tables.get(f"theme-{slug}-categories", ())) > 1:  # one row repeats the sentence
        blocks.append(
            Block(
                "table",
                table=table_view(
                    a, f"theme-{slug}-categories", [("category", "Category", f_str), *CHANGE_SPEC]
                ),
            )
        )
    # places
    blocks.append(Block(sub, "Places", id=f"theme-{slug}-places"))
    if t.places is not None and t.places.n_incidents:
        pp = t.places
        first = t.places_table.iloc[0]
        where = str(first["lsoa_name"]) + (
            f" in {first['ward_name']} ward" if str(first["ward_name"] or "") else ""
        )
        text = (
            f"{w.fmt_int(pp.n_incidents)} incidents this period had an LSOA in {a.area}. "
            f"The busiest 10% of LSOAs ({pp.top10['places']} of {pp.n_places}) had "
            f"{w.fmt_pct(100 * pp.top10['share'])} of them; the busiest was {where} "
            f"({w.fmt_int(first['incidents'])}"
            + (
                f", around {first['busiest_location']}"
                if str(first["busiest_location"] or "")
                else ""
            )
            + f"). The Gini coefficient is {w.fmt_num(pp.gini, 2)} (0 = even, 1 = all in one "
            "place)."
        )
        top_rate = t.places_table.dropna(subset=["rate_per_1000"]).sort_values(
            "rate_per_1000", ascending=False
        )
        if len(top_rate) and float(top_rate.iloc[0]["rate_per_1000"]) > 1000:
            r = top_rate.iloc[0]
            text += (
                f" Rates per resident mislead where few people live: {r['lsoa_name']} has "
                f"{w.fmt_num(float(r['rate_per_1000']), 0)} incidents per 1,000 residents"
                + (
                    f" but {w.fmt_num(float(r['rate_per_1000_workday']), 0)} per 1,000 workday "
                    "population"
                    if not missing(r["rate_per_1000_workday"])
                    else " (its workday population is not loaded: see the data gaps)"
                )
                + "."
            )
        blocks.append(Block("p", text))
        spec_places: list[tuple[str, str, Formatter]] = [
            ("rank", "Rank", f_int),
            ("lsoa_name", "LSOA", f_str),
            ("ward_name", "Ward", f_str),
            ("busiest_location", "Busiest location (police.uk)", f_str),
            ("incidents", "Incidents", f_int),
            ("rate_per_1000", "Per 1,000 residents", f_num1),
        ]
        if a.workday_population:
            spec_places.append(("rate_per_1000_workday", "Per 1,000 workday population", f_num1))
        spec_places.append(("share_pct", "Share", f_share))
        if not a.lsoa_wards:
            spec_places = [c for c in spec_places if c[0] != "ward_name"]
        places_tv = table_view(a, f"theme-{slug}-places", spec_places, rows=a.top_places)
        mv = t.map_values
        names = [f"{a.lsoa_names.get(c, c)} ({c})" for c in mv["lsoa_code"]]
        values = [float(v) for v in mv["incidents"]]
        blocks.append(
            detail(
                b.figure(
                    f"theme-{slug}-map",
                    f"{t.title}: incidents by LSOA this period",
                    f"Map of {a.area}'s {len(mv)} LSOAs shaded by {t.title.lower()} incidents "
                    f"this period, darker for more; the most is {first['lsoa_name']} with "
                    f"{w.fmt_int(first['incidents'])}. The ranked table beside lists the busiest "
                    "places; every LSOA is in the table file.",
                    lambda fid: charts.area_map(
                        fid,
                        a.lsoa_geoms,
                        values,
                        names,
                        title=f"{t.title}: incidents by LSOA",
                        desc="Choropleth in five classes; see the table beside.",
                    ),
                    places_tv,
                    source="LSOA boundaries: ONS (December 2011), built into SaferCity",
                )
            )
        )
    else:
        blocks.append(Block("p", "No incidents this period had an LSOA in the area."))
    # named places
    if len(t.named_places):
        blocks.append(Block(sub, "Named places", id=f"theme-{slug}-named-places"))
        np_ = t.named_places
        blocks.append(
            Block(
                "p",
                f"The police.uk locations with most {t.title.lower()} incidents this period, "
                "for problem-solving with the people who manage those places. police.uk moves "
                "each incident to the nearest of a fixed list of anonymous points (a street's "
                "centre, a station, \u201cOn or near Supermarket\u201d), so a location holds "
                "incidents from many addresses nearby: these are places, not repeat victims.",
            )
        )
        blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    f"theme-{slug}-named-places",
                    [
                        ("location", "Location (police.uk)", f_str),
                        ("lsoa_name", "LSOA", f_str),
                        ("ward_name", "Ward", f_str),
                        ("incidents", "Incidents", f_int),
                        ("share_pct", "Share of theme", f_share),
                        ("top_category", "Largest category", f_str),
                    ],
                    frame=np_.head(5),
                    note=f"The first 5 of {len(np_)}; the rest are in the table file "
                    f"theme-{slug}-named-places.csv."
                    if len(np_) > 5
                    else "",
                ),
            )
        )
    # time of day and people: only when the data has them (otherwise one line in the gaps)
    if t.times is not None:
        blocks.append(Block(sub, "Time of day", id=f"theme-{slug}-time"))
        tp = t.times
        blocks.append(
            Block(
                "p",
                f"{w.fmt_pct(100 * tp.window_share)} of the {w.fmt_int(tp.n_timed)} "
                f"incidents with a time happened between "
                f"{tp.window.replace('-', ' and ')} (times spread over their from-to "
                "windows by aoristic apportioning)."
                + (f" {w.fmt_int(tp.n_untimed)} incidents had no time." if tp.n_untimed else ""),
            )
        )
        tab = tp.table
        hours = [f"{h:02d}:00" for h in tab.index]
        cols = list(tab.columns)
        blocks.append(
            detail(
                b.figure(
                    f"theme-{slug}-hours",
                    f"{t.title}: incidents by hour of day and day of week",
                    "Grid of 24 hours by 7 days, each cell printing its (aoristic) count and "
                    "shaded darker for more.",
                    lambda fid: charts.heat_table(
                        fid,
                        hours,
                        cols,
                        tab.to_numpy().tolist(),
                        title=f"{t.title}: hour by day",
                        desc="Counts by hour and day; the same values are in the table beside.",
                        value_format="{:.1f}",
                    ),
                    table_view(
                        a,
                        f"theme-{slug}-time-of-day",
                        [("hour", "Hour", f_str), *[(d, d, f_num1) for d in cols]],
                    ),
                )
            )
        )
    if t.victims is not None or t.suspects is not None:
        blocks.append(Block(sub, "People", id=f"theme-{slug}-people"))
        for who, prof in (("victims", t.victims), ("suspects", t.suspects)):
            if prof is None:
                continue
            blocks.append(Block("ul", items=[w.capitalise(x) + "." for x in prof.statements]))
            blocks.append(
                Block(
                    "table",
                    table=table_view(
                        a,
                        f"theme-{slug}-people-{who}",
                        [
                            ("group", "Group", f_str),
                            ("count", "Count", f_int),
                            ("share_pct", "Share", f_share),
                        ],
                    ),
                )
            )
    # repeat victims and near repeats
    if t.repeats is not None or t.knox is not None:
        blocks.append(Block(sub, "Repeats and near repeats", id=f"theme-{slug}-repeats"))
    if t.repeats is not None:
        rv = t.repeats
        blocks.append(
            Block(
                "p",
                f"{w.fmt_int(rv.n_victims)} victims had {w.fmt_int(rv.n_incidents)} incidents "
                f"({w.fmt_num(rv.concentration, 2)} each). "
                f"{w.fmt_pct(rv.share_victims_repeat)} of victims had two or more, and they "
                f"had {w.fmt_pct(rv.share_incidents_by_repeat_victims)} of incidents; "
                f"{w.fmt_pct(rv.share_incidents_repeat_window)} of incidents followed another "
                f"against the same victim within {rv.window_days} days"
                + (" (dates known to the month only)" if rv.date_precision == "month" else "")
                + f"; {w.fmt_pct(rv.share_victims_heavy)} of victims had {rv.heavy} or more.",
            )
        )
        blocks.append(
            detail(
                Block(
                    "table",
                    table=table_view(
                        a,
                        f"theme-{slug}-repeats",
                        [
                            ("incidents_per_victim", "Incidents per victim", f_str),
                            ("victims", "Victims", f_int),
                            ("incidents", "Incidents", f_int),
                        ],
                    ),
                )
            )
        )
    if t.knox is not None:
        kr = t.knox
        sentences = kr.sentences(a.alpha)
        blocks.append(
            Block(
                "p",
                f"Near repeats (Knox test on {w.fmt_int(kr.n_events)} "
                f"{kr.category.lower()} incidents, {w.fmt_int(kr.knox.permutations)} "
                f"permutations, seed {a.seed}"
                + (", dates known to the month only" if kr.precision == "month" else "")
                + "): "
                + (
                    "; ".join(sentences) + "."
                    if sentences
                    else "no distance and time band close to another incident had "
                    "significantly more pairs than random timing gives."
                )
                + (
                    " With dates known to the month only, a \u201csame month\u201d pair says "
                    "little about the days of raised risk that near-repeat prevention works "
                    "on, so this result is kept out of the summary."
                    if kr.precision == "month"
                    else ""
                ),
            )
        )
        blocks.append(
            detail(
                Block(
                    "table",
                    table=table_view(
                        a,
                        f"theme-{slug}-near-repeats",
                        [
                            ("distance", "Distance apart", f_str),
                            ("time_apart", "Time apart", f_str),
                            ("observed_pairs", "Pairs", f_int),
                            ("expected_pairs", "Expected", f_num1),
                            ("knox_ratio", "Knox ratio", f_num2),
                            ("p_value", "p", f_p),
                        ],
                    ),
                )
            )
        )
    # harm
    if t.harm is not None and t.harm.total_harm > 0:
        blocks.append(Block(sub, "Harm", id=f"theme-{slug}-harm"))
        top = t.harm.table.dropna(subset=["harm"])
        lead_cat = str(top.index[0]).lower() if len(top) else ""
        harm_change = ""
        if t.harm_pct is not None:
            if w.fmt_pct(abs(t.harm_pct)) == "0%":
                harm_change = (
                    f", about the same as the comparison period's {w.fmt_int(t.harm_last)} "
                    "(per month of data)"
                )
            else:
                harm_change = (
                    f", {'up' if t.harm_pct > 0 else 'down'} {w.fmt_pct(abs(t.harm_pct))} "
                    f"on the comparison period's {w.fmt_int(t.harm_last)} (per month of data)"
                )
        blocks.append(
            Block(
                "p",
                f"Crime harm this period: {w.fmt_int(t.harm_this)} days of custody"
                f"{harm_change}; harm changes are not tested for significance."
                + (
                    f" The most harm came from {lead_cat} "
                    f"({w.fmt_pct(float(top.iloc[0]['share_of_harm']))} of harm, "
                    f"{w.fmt_pct(float(top.iloc[0]['share_of_count']))} of crimes)."
                    if lead_cat and len(top) > 1
                    else ""
                ),
            )
        )
        if len(top) > 1:
            blocks.append(
                detail(
                    Block(
                        "table",
                        table=table_view(
                            a,
                            f"theme-{slug}-harm",
                            HARM_SPEC,
                        ),
                    )
                )
            )
    return blocks


def themes(b: Builder) -> Section:
    a = b.a
    s = Section("themes", "Themes")
    s.blocks.append(
        Block(
            "p",
            "Each cross-cutting theme of the partnership is a filter over the incidents, "
            f"defined in the themes file ({a.themes_set.path.rsplit('/', 1)[-1]}); edit it to "
            "change a definition.",
        )
    )
    gaps = a.priority_matrix.gaps
    if len(gaps):
        s.blocks.append(
            Block(
                "note",
                "Not assessed, because the data cannot measure them (intelligence gaps, with "
                f"the data that would fill them, in section {b.number('partners')}): "
                + w.join_list([f"{r.title} (no {r.missing})" for r in gaps.itertuples()])
                + ".",
            )
        )
    gap_names = set(gaps["candidate"]) if len(gaps) else set()
    for t in a.themes:
        if t.name in gap_names:
            continue
        s.blocks.extend(theme_blocks(b, t))
    if not a.coverage["has_times"] or not a.coverage["has_people"]:
        s.blocks.append(
            Block(
                "p",
                "Times of day, victims and suspects are not analysed for any theme: the data "
                "has no "
                + w.join_list(
                    [
                        x
                        for x, ok in (
                            ("times of day", a.coverage["has_times"]),
                            ("victim or suspect details", a.coverage["has_people"]),
                        )
                        if not ok
                    ]
                )
                + " (see the data gaps table).",
            )
        )
    return s


def asb(b: Builder) -> Section:
    s = Section("asb", "Anti-social behaviour")
    if b.a.asb is not None:
        s.blocks.extend(theme_blocks(b, b.a.asb, level="h2"))
    return s


__all__ = ["asb", "theme_blocks", "themes"]
