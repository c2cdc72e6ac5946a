"""Report sections: executive summary, introduction, the crime overview, harm and comparisons."""

from __future__ import annotations

from safercity.analytics import charts
from safercity.analytics import wording as w
from safercity.analytics.priorities import VIOLENCE
from safercity.analytics.report.builder import Builder
from safercity.analytics.report.model import (
    CHANGE_SPEC,
    HARM_SPEC,
    Block,
    Section,
    f_gbp,
    f_int,
    f_num1,
    f_pct,
    f_str,
    f_yes,
    missing,
    table_view,
)


def executive_summary(b: Builder) -> Section:
    a = b.a
    ex = a.executive
    s = Section("summary", "Executive summary")
    for text in ex["overview"]:
        s.blocks.append(Block("p", text))
    s.blocks.append(Block("h3", "Recommended priorities", id="summary-priorities"))
    if ex["priorities"]:
        s.blocks.append(
            Block(
                "p",
                "Every crime category, anti-social behaviour and each of the partnership's "
                "themes was scored on harm, likelihood, the partnership's position, public "
                "concern and confidence in the data (section "
                f"{b.number('priorities')}). The highest scores:",
            )
        )
        s.blocks.append(
            Block(
                "ol",
                items=[f"{p['title']} ({p['kind']}): {p['why']}." for p in ex["priorities"]],
            )
        )
    else:
        s.blocks.append(Block("p", "No candidate could be scored from this data."))
    s.blocks.append(Block("h3", "Recommendations", id="summary-recommendations"))
    s.blocks.append(Block("ul", items=list(ex["recommendations"])))
    s.blocks.append(Block("h3", "Key findings", id="summary-findings"))
    s.blocks.append(Block("ul", items=list(a.findings)))
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a, "key-figures", [("measure", "Measure", f_str), ("shown", "Value", f_str)]
            ),
        )
    )
    s.blocks.append(Block("h3", "Intelligence requirements", id="summary-requirements"))
    reqs = list(ex["intelligence_requirements"])
    s.blocks.append(
        Block(
            "p",
            "What the partnership needs to know and cannot from this data, with the data that "
            f"would answer it (every gap is in the data gaps table, section "
            f"{b.number('partners')}):",
        )
    )
    s.blocks.append(Block("ul", items=reqs[:8]))
    if len(reqs) > 8:
        s.blocks.append(Block("p", f"And {len(reqs) - 8} more in the data gaps table."))
    return s


def introduction(b: Builder) -> Section:
    a = b.a
    s = Section("introduction", "Introduction and scope", page_break=True)
    cov = a.coverage
    sources = w.join_list(
        sorted({w.source_kind(k) for k in a.tables["data-sources"]["kind"].astype(str)})
    )
    s.blocks.append(
        Block(
            "p",
            f"The Crime and Disorder Act 1998 requires the partnership to assess crime, "
            f"disorder, substance misuse and re-offending in {a.area} each year and to set its "
            f"priorities from the assessment. This assessment covers "
            f"{w.period_label(a.start, a.end)}. {w.capitalise(a.basis.describe())}.",
        )
    )
    s.blocks.append(
        Block(
            "p",
            f"It draws on {w.fmt_int(cov['rows_window'])} police-recorded incidents in the two "
            f"periods (sources: {sources}), the 2011 Census and the partners' data listed in "
            f"section {b.number('partners')}. Numbers in the text come from the tables beside "
            "them, each also a CSV file; the caveats that change how a figure should be read "
            f"are in appendix {b.number('caveats')}.",
        )
    )
    if a.themes_elsewhere:
        names = w.join_list([t.title for t in a.themes_elsewhere])
        areas = w.join_list(sorted({x for t in a.themes_elsewhere for x in t.applies_to}))
        s.blocks.append(
            Block(
                "note",
                f"The themes file also defines {names}, which {'applies' if len(a.themes_elsewhere) == 1 else 'apply'} "
                f"to {areas} only and {'is' if len(a.themes_elsewhere) == 1 else 'are'} not "
                f"assessed for {a.area}.",
            )
        )
    return s


def overview(b: Builder) -> Section:
    a = b.a
    s = Section("overview", "Crime and disorder overview")
    lr = a.long_run
    shown = lr[lr["status"] != "left out"]
    s.blocks.append(Block("h3", "The long run", id="long-run"))
    if len(shown):
        first, last = shown.iloc[0], shown.iloc[-1]
        estimated = shown[shown["status"] == "estimated"]
        left_out = lr[lr["status"] == "left out"]
        text = (
            f"Figure {len(b.figures) + 1} shows crime in {a.area} in {a.long_run_window}, from "
            f"{first['year']} ({w.fmt_int(first['value'])}) to {last['year']} "
            f"({w.fmt_int(last['value'])}). Source: {a.long_run_source}."
        )
        if len(estimated):
            text += (
                " Years marked * had data for part of the year only and are estimated for the "
                "whole year (count × months in the year ÷ months of data): "
                + w.join_list(
                    [
                        f"{r.year} from {r.months_of_data} of {r.months_in_window} months"
                        for r in estimated.itertuples()
                    ]
                )
                + "."
            )
        if len(left_out):
            text += (
                " Left out, with under half their months of data: "
                + w.join_list(
                    [
                        f"{r.year} ({r.months_of_data} of {r.months_in_window} months)"
                        for r in left_out.itertuples()
                    ]
                )
                + "."
            )
        s.blocks.append(Block("p", text))
        labels = [
            str(r.year) + (" *" if r.status == "estimated" else "") for r in shown.itertuples()
        ]
        values = [float(v) for v in shown["value"]]
        tv = table_view(
            a,
            "figure-1-long-run",
            [
                ("year", "Year", f_str),
                ("crimes", "Crimes", f_int),
                ("months_of_data", "Months of data", f_int),
                ("value", "Crimes (part years estimated)", f_int),
                ("status", "Status", f_str),
                ("pct_change_on_previous_year", "Change on previous year", f_pct),
            ],
        )
        title = f"Crime in {a.area}, {a.long_run_window}"
        short = [lab.split(" – ")[-1] for lab in labels]
        s.blocks.append(
            b.figure(
                "figure-1-long-run",
                title,
                f"Line chart of crimes in {a.long_run_window}: {w.fmt_int(values[0])} in "
                f"{labels[0]}, {w.fmt_int(max(values))} at the highest, {w.fmt_int(values[-1])} "
                f"in {labels[-1]}.",
                lambda fid: charts.line_chart(
                    fid,
                    short,
                    [charts.Series("Crimes", values)],
                    title=title,
                    desc=f"Crimes per year in {a.area}; the data are in the table beside.",
                    y_label="crimes",
                ),
                tv,
                source=a.long_run_source,
            )
        )
    s.blocks.append(Block("h3", "This period against the comparison period", id="this-vs-last"))
    cc = a.crime_change
    s.blocks.append(Block("p", f"{w.capitalise(a.basis.describe())}."))
    s.blocks.append(Block("p", a.findings[0]))
    if len(a.findings) > 1 and a.findings[1].startswith("Anti-social"):
        s.blocks.append(Block("p", a.findings[1]))
    s.blocks.append(
        Block(
            "p",
            "A change is called a rise or a fall only when it is statistically significant at "
            f"the {w.fmt_pct(100 * a.alpha)} level. Monthly crime counts vary more than chance "
            "alone would make them (overdispersion), so the test that decides allows for that "
            "variation whenever the months compared let it be estimated; the E-test, which "
            "does not, is in the tables of the appendix. The largest rise or fall is the "
            "largest change in the number of crimes.",
        )
    )
    if not cc.adjusted and cc.comparison is not None:
        s.blocks.append(
            Block(
                "note",
                "With one month a year, the variability between months cannot be estimated: "
                "the tests here are Poisson tests (the E-test), which may call chance changes "
                "significant. Read small changes with caution.",
            )
        )
    s.blocks.append(
        Block(
            "table",
            table=table_view(a, "overview-headline", [("measure", "Measure", f_str), *CHANGE_SPEC]),
        )
    )
    if len(a.same_months):
        cols = [str(c) for c in a.same_months.columns[1:]]
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    "same-months-each-year",
                    [("measure", "Measure", f_str), *[(c, c, f_int) for c in cols]],
                ),
            )
        )
    elif a.n_months >= 2:
        mo = a.overview_monthly
        labels = [w.short_month(m)[:3] for m in a.months]
        this_vals = [None if missing(v) else float(v) for v in mo["incidents"]]
        last_vals = [None if missing(v) else float(v) for v in mo["previous_incidents"]]
        mt = table_view(
            a,
            "overview-monthly",
            [
                ("month", "Month", f_str),
                ("incidents", "Incidents", f_int),
                ("previous_month", "Same month, comparison period", f_str),
                ("previous_incidents", "Incidents", f_int),
            ],
        )
        this_name = f"{w.short_month(a.start)}–{w.short_month(a.end)}"
        last_name = f"{w.short_month(a.prev_start)}–{w.short_month(a.prev_end)}"
        s.blocks.append(
            b.figure(
                "overview-monthly",
                f"Incidents per month in {a.area}, this period and the comparison period",
                f"Line chart of all incidents per month: this period ({this_name}, solid line) "
                f"and the comparison period ({last_name}, dashed line); missing months are "
                "gaps.",
                lambda fid: charts.line_chart(
                    fid,
                    labels,
                    [charts.Series(this_name, this_vals), charts.Series(last_name, last_vals)],
                    title="Incidents per month",
                    desc="Two lines, one per period; the data are in the table beside.",
                    y_label="incidents",
                ),
                mt,
            )
        )
    seas = a.seasonality
    s.blocks.append(Block("h3", "Seasonality", id="seasonality"))
    if seas.get("estimable") and max(abs(float(seas["peak_pct"])), abs(float(seas["low_pct"]))) < 5:
        s.blocks.append(
            Block(
                "p",
                "Crime shows no marked seasonal pattern in the data (no calendar month is 5% "
                "above or below the average month).",
            )
        )
    elif seas.get("estimable"):
        s.blocks.append(
            Block(
                "p",
                f"Over the {seas['years']} or more years of each calendar month in the data, "
                f"{seas['peak']} is the busiest month for crime ({w.fmt_pct(float(seas['peak_pct']))} "
                f"above the average month) and {seas['low']} the quietest "
                f"({w.fmt_pct(abs(float(seas['low_pct'])))} below). Comparing the same months of "
                "each year keeps this pattern out of the changes reported.",
            )
        )
    else:
        s.blocks.append(
            Block(
                "p",
                f"Seasonality: {seas['reason']}; comparing the same months of each year keeps "
                "any seasonal pattern out of the changes reported.",
            )
        )
    s.blocks.append(Block("h3", "By category", id="by-category"))
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a, "overview-categories", [("category", "Category", f_str), *CHANGE_SPEC]
            ),
        )
    )
    note = violence_recording_note(b)
    if note is not None:
        s.blocks.append(note)
    s.blocks.extend(harm_blocks(b))
    return s


def violence_recording_note(b: Builder) -> Block | None:
    """Beside a rise in police-recorded violence, the caveat that changes its reading (the
    full caveat is in the caveats appendix)."""
    cats = b.a.overview_categories.set_index("category")
    if VIOLENCE not in cats.index:
        return None
    raw = cats.loc[VIOLENCE, "pct_change"]
    if missing(raw) or float(str(raw)) <= 0:
        return None
    pct = float(str(raw))
    return Block(
        "note",
        f"Violence and sexual offences rose {w.fmt_pct(pct)}, but police recording of "
        "violence has improved since 2014 and the Office for National Statistics advises that "
        "police-recorded violence is not a reliable measure of trends: part of the rise may be "
        f"better recording (Appendix {b.number('caveats')}). A&E assault attendances would "
        "measure it independently.",
    )


def _unchecked_costs(categories: set[str]) -> str:
    """A sentence naming the shipped unit costs not yet checked against the published table."""
    from safercity.analytics.harm import load_unit_costs

    costs = load_unit_costs()
    if "checked" not in costs.columns:
        return ""
    open_ = costs[(costs["checked"].astype(str) != "yes") & costs["category"].isin(categories)]
    if open_.empty:
        return ""
    names = w.join_list([str(x).lower() for x in open_["offence"]])
    return (
        f" The unit costs of {names} have not yet been checked against the published table "
        "(Heeks et al. 2018, Table 1): check them before quoting these totals."
    )


def harm_blocks(b: Builder) -> list[Block]:
    a = b.a
    blocks = [Block("h3", "Harm and cost", id="harm")]
    hp = a.harm_all
    t = hp.table.dropna(subset=["harm"])
    if t.empty:
        blocks.append(Block("p", "No crime this period has a harm weight."))
        return blocks
    top = t.iloc[0]
    blocks.append(
        Block(
            "p",
            "Counting every crime as one hides how much harm each does. The Cambridge Crime "
            "Harm Index weights each crime by the days of custody its sentencing guideline "
            f"gives a first offender. This period's crime harm totalled "
            f"{w.fmt_int(hp.total_harm)} days; {str(t.index[0]).lower()} caused "
            f"{w.fmt_pct(float(top['share_of_harm']))} of it from "
            f"{w.fmt_pct(float(top['share_of_count']))} of crimes. Shares are of crime only: "
            "anti-social behaviour has no harm weight and is in neither share.",
        )
    )
    sens = a.harm_sensitivity
    if sens is not None:
        blocks.append(
            Block(
                "p",
                f"How much the weights matter: {sens['top'].lower()} stays the largest source "
                f"of harm unless its weight is divided by more than "
                f"{w.fmt_num(float(sens['factor']), 1)} (or {sens['second'].lower()}'s "
                "multiplied by as much). The weights are SaferCity's derivation from the "
                "sentencing guidelines' starting points; the published CCHI per-offence values "
                "are higher for burglary, weapons and violence (see the methods), which would "
                "raise those categories' shares.",
            )
        )
    blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "overview-harm",
                HARM_SPEC,
            ),
        )
    )
    costs = a.costs
    priced = costs.dropna(subset=["high_gbp"])
    if len(priced):
        lo, hi = float(priced["low_gbp"].sum()), float(priced["high_gbp"].sum())
        blocks.append(
            Block(
                "p",
                "An alternative lens: the Home Office's unit costs of crime (Heeks et al. 2018, "
                "2015/16 prices) price each crime's costs in anticipation, as a consequence and "
                "in response. Priced this way, this period's crime in the categories the "
                f"published costs cover cost between {f_gbp(lo)} and {f_gbp(hi)} (a range, as a "
                "police.uk category spans several of the published offence types); "
                f"{w.fmt_int(int(costs['count'].sum() - priced['count'].sum()))} crimes in "
                "categories with no published cost are not priced."
                + _unchecked_costs(set(priced["category"])),
            )
        )
        blocks.append(
            Block(
                "table",
                detail=True,  # the lens's totals are in the sentence above
                table=table_view(
                    a,
                    "overview-costs",
                    [
                        ("category", "Category", f_str),
                        ("count", "Crimes", f_int),
                        ("unit_low_gbp", "Unit cost from", f_gbp),
                        ("unit_high_gbp", "Unit cost to", f_gbp),
                        ("low_gbp", "Total from", f_gbp),
                        ("high_gbp", "Total to", f_gbp),
                    ],
                    frame=priced,
                ),
            )
        )
    return blocks


def comparisons(b: Builder) -> Section | None:
    a = b.a
    comp = a.comparison
    if comp is None:
        return None
    s = Section("comparisons", "Comparisons with similar areas")
    t = comp.table
    me = t[t["local_authority"] == a.area].iloc[0]
    text = (
        f"{a.area} is compared with the other local authorities of its police force area and "
        f"with its most similar local authorities: {comp.method}. Rates are crimes (excluding "
        "anti-social behaviour) per 1,000 residents a year."
    )
    if me["rate_per_1000_per_year"] is not None and not missing(me["rate_per_1000_per_year"]):
        text += f" {a.area}'s rate this period: {f_num1(me['rate_per_1000_per_year'])}."
    loaded = t[(t["loaded"]) & (t["local_authority"] != a.area)]
    if len(loaded):
        higher = loaded[loaded["rate_per_1000_per_year"] > me["rate_per_1000_per_year"]]
        text += f" Of the {len(loaded)} comparators loaded, {len(higher)} had a higher rate."
    if comp.not_loaded:
        text += (
            f" {len(comp.not_loaded)} comparators are not loaded: import their police.uk data "
            "to compare with them."
        )
    s.blocks.append(Block("p", text))
    shown = t[(t["local_authority"] == a.area) | t["loaded"] | t["group"].str.contains("similar")]
    s.blocks.append(
        Block(
            "table",
            table=table_view(
                a,
                "comparisons",
                [
                    ("local_authority", "Local authority", f_str),
                    ("group", "Group", f_str),
                    ("residents", "Residents (2011)", f_int),
                    ("density_per_km2", "Residents per km²", f_int),
                    ("loaded", "Data loaded", f_yes),
                    ("rate_per_1000_per_year", "Crimes per 1,000 a year", f_num1),
                ],
                frame=shown,
                note=(
                    f"{len(t) - len(shown)} other local authorities of the force area are not "
                    "loaded and are listed in the table file comparisons.csv."
                    if len(t) > len(shown)
                    else ""
                ),
            ),
        )
    )
    return s


__all__ = ["comparisons", "executive_summary", "harm_blocks", "introduction", "overview"]
