"""The Strategic Assessment document: HTML (Jinja), PDF (WeasyPrint), figures, tables, manifest.

:func:`build_document` turns an :class:`~safercity.analytics.assessment.Assessment` into a
document model (sections, paragraphs, tables, figures) whose every number is formatted from the
assessment's tables by :mod:`safercity.analytics.wording`; :func:`render_html` lays it out with
the templates in ``analytics/templates/assessment``; :func:`write_report` writes

``<out>.html``, ``<out>.pdf``, ``<out>-figures/*.svg``, ``<out>-tables/*.csv`` and
``<out>-manifest.json`` (software version, inputs with sha256, parameters, seeds, and the sha256
of every table written).

Re-running on the same workspace and parameters gives byte-identical tables and HTML: nothing
depends on the clock (the report date is a parameter, by default the date of the latest import)
and every float is written with a fixed format.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from safercity import __version__
from safercity.analytics import charts
from safercity.analytics import wording as w
from safercity.analytics.assessment import Assessment, ThemeResult
from safercity.analytics.priorities import DIMENSIONS
from safercity.analytics.sections.hotspots import report_section as hotspots_report_section
from safercity.analytics.sections.stopsearch import (
    report_section as stop_search_report_section,
)

#: float format of the CSV tables (fixed, so re-runs are byte-identical)
CSV_FLOAT_FORMAT = "%.10g"

Formatter = Callable[[Any], str]


# ---------------------------------------------------------------------------------------------
# document model
# ---------------------------------------------------------------------------------------------


@dataclass
class TableView:
    """A table as the report shows it: caption, header, formatted rows, and its CSV file."""

    id: str
    caption: str
    columns: list[str]
    numeric: list[bool]
    rows: list[list[str]]
    csv: str = ""
    note: str = ""
    row_header: bool = True


@dataclass
class FigureView:
    """A numbered figure: inline SVG, alt text, and the data table shown beside it."""

    id: str
    number: int
    title: str
    alt: str
    svg: str
    file: str
    table: TableView | None
    source: str = ""
    full_table: TableView | None = None


@dataclass
class Block:
    """One piece of a section: a heading, paragraph(s), a list, a table or a figure."""

    kind: str  # "h3" | "h4" | "p" | "ul" | "table" | "figure" | "note" | "dl"
    text: str = ""
    items: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    table: TableView | None = None
    figure: FigureView | None = None
    id: str = ""


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# formatters
# ---------------------------------------------------------------------------------------------


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def f_int(v: Any) -> str:
    return "–" if _missing(v) else w.fmt_int(float(v))


def f_pct(v: Any) -> str:
    return "–" if _missing(v) else w.fmt_pct(float(v), signed=True)


def f_share(v: Any) -> str:
    return "–" if _missing(v) else w.fmt_pct(float(v))


def f_share01(v: Any) -> str:
    return "–" if _missing(v) else w.fmt_pct(100.0 * float(v))


def f_num1(v: Any) -> str:
    return "–" if _missing(v) else w.fmt_num(float(v), 1)


def f_num2(v: Any) -> str:
    return "–" if _missing(v) else w.fmt_num(float(v), 2)


def f_p(v: Any) -> str:
    if _missing(v):
        return "–"
    p = float(v)
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def f_sig(v: Any) -> str:
    return w.significance_label(None if _missing(v) else bool(v))


def f_auto(v: Any) -> str:
    """Whole numbers as counts, small numbers (p-values) to 3 significant figures, others to 2
    decimals."""
    if _missing(v):
        return "–"
    x = float(v)
    if x.is_integer():
        return w.fmt_int(x)
    if abs(x) < 0.01:
        return f"{x:.3g}"
    return w.fmt_num(x, 2)


def f_str(v: Any) -> str:
    return "" if _missing(v) else str(v)


NUMERIC = {f_int, f_pct, f_share, f_share01, f_num1, f_num2, f_p, f_auto}


def table_view(
    assessment: Assessment,
    name: str,
    spec: Sequence[tuple[str, str, Formatter]],
    *,
    rows: int | None = None,
    frame: pd.DataFrame | None = None,
    caption: str | None = None,
    note: str = "",
) -> TableView:
    """Format a computed table (by name) for the report: ``spec`` is (column, label, format)."""
    df = frame if frame is not None else assessment.tables[name]
    if rows is not None:
        df = df.head(rows)
    body = []
    for rec in df.to_dict(orient="records"):
        body.append([fmt(rec.get(col)) for col, _label, fmt in spec])
    full = len(assessment.tables.get(name, df))
    if rows is not None and full > rows and not note:
        note = f"The first {rows} of {full} rows; every row is in the table file {name}.csv."
    return TableView(
        id=f"table-{name}",
        caption=caption or assessment.captions.get(name, name),
        columns=[label for _c, label, _f in spec],
        numeric=[fmt in NUMERIC for _c, _l, fmt in spec],
        rows=body,
        csv=f"{name}.csv",
        note=note,
    )


CHANGE_SPEC: list[tuple[str, str, Formatter]] = [
    ("this_period", "This period", f_int),
    ("previous_period", "Previous period", f_int),
    ("pct_change", "Change (rate per month)", f_pct),
    ("p_etest", "p (E-test)", f_p),
    ("assessment", "Assessment", f_str),
]


# ---------------------------------------------------------------------------------------------
# building the document
# ---------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, a: Assessment, figures_dir: str) -> None:
        self.a = a
        self.figures_dir = figures_dir
        self.figures: list[FigureView] = []

    def figure(
        self,
        fig_id: str,
        title: str,
        alt: str,
        make_svg: Callable[[str], str],
        table: TableView | None,
        source: str = "",
        full_table: TableView | None = None,
    ) -> Block:
        number = len(self.figures) + 1
        svg = make_svg(fig_id)
        # the chart's <desc> is the figure's alt text
        svg = re.sub(
            rf'<desc id="{re.escape(fig_id)}-desc">.*?</desc>',
            lambda _m: f'<desc id="{fig_id}-desc">{escape(alt)}</desc>',
            svg,
            count=1,
            flags=re.S,
        )
        fv = FigureView(
            id=fig_id,
            number=number,
            title=title,
            alt=alt,
            svg=svg,
            file=f"{self.figures_dir}/{fig_id}.svg",
            table=table,
            source=source,
            full_table=full_table,
        )
        self.figures.append(fv)
        return Block("figure", figure=fv)

    # -----------------------------------------------------------------------------------------
    def summary(self) -> Section:
        a = self.a
        s = Section("summary", "Summary of key findings")
        s.blocks.append(
            Block(
                "p",
                f"This assessment covers {a.area} for {w.period_label(a.start, a.end)}, compared "
                f"with {w.period_label(a.prev_start, a.prev_end)}. Changes are called rises or "
                f"falls only where a test for two Poisson counts finds them significant at the "
                f"{w.fmt_pct(100 * a.alpha)} level.",
            )
        )
        s.blocks.append(Block("ul", items=list(a.findings)))
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a, "key-figures", [("measure", "Measure", f_str), ("value", "Value", f_auto)]
                ),
            )
        )
        return s

    def overview(self) -> Section:
        a = self.a
        s = Section("overview", "Crime and disorder overview")
        lr = a.long_run
        s.blocks.append(Block("h3", "Long-run trend", id="long-run"))
        if len(lr):
            first, last = lr.iloc[0], lr.iloc[-1]
            s.blocks.append(
                Block(
                    "p",
                    f"Figure 1 shows crime in {a.area} in each 12 months to "
                    f"{w.MONTH_NAMES[a.end.month - 1]}, from {first['year']} "
                    f"({w.fmt_int(first['crimes'])} crimes) to {last['year']} "
                    f"({w.fmt_int(last['crimes'])}). Source: {a.long_run_source}.",
                )
            )
            labels = [str(x) for x in lr["year"]]
            values = [float(v) for v in lr["crimes"]]
            tv = table_view(
                a,
                "figure-1-long-run",
                [
                    ("year", "12 months", f_str),
                    ("crimes", "Crimes", f_int),
                    ("months_of_data", "Months of data", f_int),
                    ("pct_change_on_previous_year", "Change on previous year", f_pct),
                ],
            )
            title = f"Crime in {a.area}, {labels[0].split(' – ')[0][-4:]} – {labels[-1][-4:]}"
            s.blocks.append(
                self.figure(
                    "figure-1-long-run",
                    title,
                    f"Line chart of crimes per 12 months to {w.MONTH_NAMES[a.end.month - 1]}: "
                    f"{w.fmt_int(values[0])} in {labels[0]}, {w.fmt_int(max(values))} at the "
                    f"highest, {w.fmt_int(values[-1])} in {labels[-1]}.",
                    lambda fid: charts.line_chart(
                        fid,
                        [lab.split(" – ")[1] for lab in labels],
                        [charts.Series("Crimes", values)],
                        title=title,
                        desc=f"Crimes per year in {a.area}; the data are in the table beside.",
                        y_label="crimes",
                    ),
                    tv,
                    source=a.long_run_source,
                )
            )
        s.blocks.append(Block("h3", "This period against the last", id="this-vs-last"))
        cc, ac = a.crime_change, a.asb_change
        s.blocks.append(
            Block(
                "p",
                f"Crime (excluding anti-social behaviour) {cc.phrase()}, from "
                f"{w.fmt_int(cc.last)} to {w.fmt_int(cc.this)}"
                + (f" ({w.fmt_p(cc.p)})" if cc.p is not None else "")
                + f". Anti-social behaviour {ac.phrase()}, from {w.fmt_int(ac.last)} to "
                f"{w.fmt_int(ac.this)}.",
            )
        )
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a, "overview-headline", [("measure", "Measure", f_str), *CHANGE_SPEC]
                ),
            )
        )
        mo = a.overview_monthly
        labels = [w.short_month(m)[:3] for m in a.months]
        this_vals = [None if _missing(v) else float(v) for v in mo["incidents"]]
        last_vals = [None if _missing(v) else float(v) for v in mo["previous_incidents"]]
        mt = table_view(
            a,
            "overview-monthly",
            [
                ("month", "Month", f_str),
                ("incidents", "Incidents", f_int),
                ("previous_month", "Same month, previous period", f_str),
                ("previous_incidents", "Incidents", f_int),
            ],
        )
        this_name = f"{w.short_month(a.start)}–{w.short_month(a.end)}"
        last_name = f"{w.short_month(a.prev_start)}–{w.short_month(a.prev_end)}"
        s.blocks.append(
            self.figure(
                "overview-monthly",
                f"Incidents per month in {a.area}, this period and the previous one",
                f"Line chart of all incidents per month: this period ({this_name}, solid line) "
                f"and the previous period ({last_name}, dashed line); missing months are gaps.",
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
        s.blocks.append(Block("h3", "By category", id="by-category"))
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a, "overview-categories", [("category", "Category", f_str), *CHANGE_SPEC]
                ),
            )
        )
        return s

    # -----------------------------------------------------------------------------------------
    def theme_blocks(self, t: ThemeResult, level: str = "h3") -> list[Block]:
        a = self.a
        sub = "h4" if level == "h3" else "h3"
        blocks: list[Block] = []
        if level == "h3":
            blocks.append(Block("h3", t.title, id=f"theme-{t.name}"))
        blocks.append(Block("p", t.description))
        blocks.append(Block("p", f"Definition: {t.definition}."))
        if t.missing_fields:
            blocks.append(
                Block(
                    "note",
                    f"This data has no values for {w.join_list(t.missing_fields)}, which this "
                    "theme's definition needs; incidents that need them cannot be counted "
                    "(a local extract with those fields would).",
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
            f"{w.fmt_int(ch.last)}" + (f" ({w.fmt_p(ch.p)})" if ch.p is not None else "") + "."
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
        labels = [str(m) for m in mon["month"]]
        vals = [None if _missing(v) else float(v) for v in mon["incidents"]]
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
            self.figure(
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
        blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    f"theme-{slug}-categories",
                    [("category", "Category", f_str), *CHANGE_SPEC],
                ),
            )
        )
        # places
        blocks.append(Block(sub, "Places", id=f"theme-{slug}-places"))
        if t.places is not None and t.places.n_incidents:
            pp = t.places
            blocks.append(
                Block(
                    "p",
                    f"{w.fmt_int(pp.n_incidents)} incidents this period had an LSOA in {a.area}. "
                    f"The top 10% of LSOAs ({pp.top10['places']} of {pp.n_places}) had "
                    f"{w.fmt_pct(100 * pp.top10['share'])} of them and the top 5% "
                    f"({pp.top5['places']}) had {w.fmt_pct(100 * pp.top5['share'])}; the Gini "
                    f"coefficient is {w.fmt_num(pp.gini, 2)} (0 = even, 1 = all in one place).",
                )
            )
            top = t.places_table.head(a.top_places)
            first = top.iloc[0]
            places_tv = table_view(
                a,
                f"theme-{slug}-places",
                [
                    ("rank", "Rank", f_int),
                    ("lsoa_name", "LSOA", f_str),
                    ("lsoa_code", "Code", f_str),
                    ("incidents", "Incidents", f_int),
                    ("residents", "Residents (2011)", f_int),
                    ("rate_per_1000", "Per 1,000 residents", f_num1),
                    ("share_pct", "Share of theme", f_share),
                ],
                rows=a.top_places,
            )
            mv = t.map_values
            names = [f"{a.lsoa_names.get(c, c)} ({c})" for c in mv["lsoa_code"]]
            values = [float(v) for v in mv["incidents"]]
            breaks = charts.class_breaks(values)
            labels = charts.class_labels(breaks)
            every = pd.DataFrame(
                {
                    "lsoa_name": [str(a.lsoa_names.get(c, c)) for c in mv["lsoa_code"]],
                    "lsoa_code": list(mv["lsoa_code"]),
                    "incidents": values,
                    "map_class": [labels[charts.classify(v, breaks)] for v in values],
                }
            )
            full_tv = table_view(
                a,
                f"theme-{slug}-places",
                [
                    ("lsoa_name", "LSOA", f_str),
                    ("lsoa_code", "Code", f_str),
                    ("incidents", "Incidents", f_int),
                    ("map_class", "Map class (incidents)", f_str),
                ],
                frame=every,
                caption=f"{t.title}: every LSOA on the map, with its shading class",
            )
            full_tv.id = f"table-theme-{slug}-map-all"
            blocks.append(
                self.figure(
                    f"theme-{slug}-map",
                    f"{t.title}: incidents by LSOA this period",
                    f"Map of {a.area}'s {len(mv)} LSOAs shaded by {t.title.lower()} incidents "
                    f"this period, darker for more; the most is {first['lsoa_name']} with "
                    f"{w.fmt_int(first['incidents'])}. The ranked table beside lists the top "
                    "places.",
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
                    full_table=full_tv,
                )
            )
        else:
            blocks.append(Block("p", "No incidents this period had an LSOA in the area."))
        # time of day
        blocks.append(Block(sub, "Time of day", id=f"theme-{slug}-time"))
        if t.times is not None:
            tp = t.times
            blocks.append(
                Block(
                    "p",
                    f"{w.fmt_pct(100 * tp.window_share)} of the {w.fmt_int(tp.n_timed)} "
                    f"incidents with a time happened between "
                    f"{tp.window.replace('-', ' and ')} (times spread over their from-to "
                    "windows by aoristic apportioning)."
                    + (
                        f" {w.fmt_int(tp.n_untimed)} incidents had no time." if tp.n_untimed else ""
                    ),
                )
            )
            tab = tp.table
            hours = [f"{h:02d}:00" for h in tab.index]
            cols = list(tab.columns)
            blocks.append(
                self.figure(
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
        else:
            blocks.append(Block("p", t.times_reason))
        # people
        blocks.append(Block(sub, "People", id=f"theme-{slug}-people"))
        if t.victims is None and t.suspects is None:
            blocks.append(Block("p", t.people_reason))
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
        # repeats and near repeats
        blocks.append(Block(sub, "Repeats and near repeats", id=f"theme-{slug}-repeats"))
        if t.repeats is not None:
            rv = t.repeats
            unit = "victims" if t.repeats_key == "victim" else "locations"
            lead = (
                "By victim:"
                if t.repeats_key == "victim"
                else "By location (police.uk snap points, which are approximate):"
            )
            blocks.append(
                Block(
                    "p",
                    f"{lead} {w.fmt_int(rv.n_victims)} {unit} had {w.fmt_int(rv.n_incidents)} "
                    f"incidents ({w.fmt_num(rv.concentration, 2)} each). "
                    f"{w.fmt_pct(rv.share_victims_repeat)} of {unit} had two or more, and they "
                    f"had {w.fmt_pct(rv.share_incidents_by_repeat_victims)} of incidents; "
                    f"{w.fmt_pct(rv.share_incidents_repeat_window)} of incidents followed "
                    f"another at the same {t.repeats_key} within {rv.window_days} days"
                    + (" (dates known to the month only)" if rv.date_precision == "month" else "")
                    + f"; {w.fmt_pct(rv.share_victims_heavy)} of {unit} had {rv.heavy} or more.",
                )
            )
            blocks.append(
                Block(
                    "table",
                    table=table_view(
                        a,
                        f"theme-{slug}-repeats",
                        [
                            ("incidents_per_victim", f"Incidents per {t.repeats_key}", f_str),
                            ("victims", unit.capitalize(), f_int),
                            ("incidents", "Incidents", f_int),
                        ],
                    ),
                )
            )
        else:
            blocks.append(Block("p", t.repeats_reason))
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
                    ),
                )
            )
            blocks.append(
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
        else:
            blocks.append(
                Block(
                    "p", f"Near repeats (Knox test on {a.knox_category.lower()}): {t.knox_reason}"
                )
            )
        # harm
        blocks.append(Block(sub, "Harm", id=f"theme-{slug}-harm"))
        if t.harm is not None and t.harm.total_harm > 0:
            top = t.harm.table.dropna(subset=["harm"])
            lead_cat = str(top.index[0]).lower() if len(top) else ""
            harm_change = ""
            if t.harm_pct is not None:
                if w.fmt_pct(abs(t.harm_pct)) == "0%":
                    harm_change = (
                        f", about the same as the previous period's {w.fmt_int(t.harm_last)} "
                        "(compared per month of data)"
                    )
                else:
                    harm_change = (
                        f", {'up' if t.harm_pct > 0 else 'down'} {w.fmt_pct(abs(t.harm_pct))} "
                        f"on the previous period's {w.fmt_int(t.harm_last)} (compared per month "
                        "of data)"
                    )
            blocks.append(
                Block(
                    "p",
                    f"Harm this period: {w.fmt_int(t.harm_this)} CCHI days{harm_change}. Harm "
                    "changes are not tested for significance."
                    + (
                        f" The most harm came from {lead_cat} "
                        f"({w.fmt_pct(float(top.iloc[0]['share_of_harm']))} of harm, "
                        f"{w.fmt_pct(float(top.iloc[0]['share_of_count']))} of incidents)."
                        if lead_cat
                        else ""
                    ),
                )
            )
            blocks.append(
                Block(
                    "table",
                    table=table_view(
                        a,
                        f"theme-{slug}-harm",
                        [
                            ("category", "Category", f_str),
                            ("count", "Incidents", f_int),
                            ("weight", "Days per incident", f_num1),
                            ("harm", "Harm (days)", f_int),
                            ("share_of_count", "Share of incidents", f_share),
                            ("share_of_harm", "Share of harm", f_share),
                        ],
                    ),
                )
            )
        else:
            blocks.append(
                Block(
                    "p",
                    "No harm weight applies to this theme's incidents (the CCHI table gives "
                    "anti-social behaviour none).",
                )
            )
        blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    f"theme-{slug}-key-figures",
                    [("measure", "Measure", f_str), ("value", "Value", f_auto)],
                ),
            )
        )
        return blocks

    def themes(self) -> Section:
        a = self.a
        s = Section("themes", "Themes")
        s.blocks.append(
            Block(
                "p",
                "Each cross-cutting theme is a filter over the incidents, defined in the themes "
                f"file ({Path(a.themes_set.path).name}); edit it to change a definition.",
            )
        )
        for t in a.themes:
            s.blocks.extend(self.theme_blocks(t))
        return s

    def asb(self) -> Section:
        s = Section("asb", "Anti-social behaviour")
        if self.a.asb is not None:
            s.blocks.extend(self.theme_blocks(self.a.asb, level="h2"))
        return s

    def areas(self) -> Section:
        a = self.a
        s = Section("areas", "Areas: ward profiles against the borough")
        wards = a.wards
        if wards.empty:
            s.blocks.append(
                Block(
                    "p",
                    "No ward boundaries are loaded in the workspace (load them with "
                    "`safercity geography load FILE --type ward`).",
                )
            )
            return s
        top = wards.iloc[0]
        text = (
            f"{len(wards)} wards. {top['ward_name']} had the most incidents this period "
            f"({w.fmt_int(top['this_period'])}, {w.fmt_pct(top['share_of_area_pct'])} of the "
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
                parts.append(
                    f"rose significantly in {w.plural(len(ups), 'ward')} ({w.join_list(ups)})"
                )
            if downs:
                parts.append(
                    f"fell significantly in {w.plural(len(downs), 'ward')} ({w.join_list(downs)})"
                )
            text += " Incidents " + " and ".join(parts) + "."
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
                ("previous_period", "Previous", f_int),
                ("pct_change", "Change", f_pct),
                ("assessment", "Assessment", f_str),
                ("share_of_area_pct", "Share of area", f_share),
                ("rate_per_1000", "Per 1,000 residents", f_num1),
                ("rate_vs_area", "Rate against area", f_num2),
                ("top_category", "Largest category", f_str),
            ],
        )
        codes = [c for c in wards["ward_code"] if c in a.ward_geoms]
        if codes:
            vals = dict(zip(wards["ward_code"], wards["this_period"], strict=True))
            names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
            codes = sorted(codes)
            s.blocks.append(
                self.figure(
                    "wards-map",
                    f"Incidents by ward in {a.area} this period",
                    f"Map of {len(codes)} wards shaded by incidents this period, darker for more; "
                    f"the most is {top['ward_name']} with {w.fmt_int(top['this_period'])}.",
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
        s.blocks.append(
            Block(
                "p",
                "Each ward's mix of incidents against the area's: a location quotient of 2 means "
                "the category's share of the ward's incidents is twice its share in the area "
                f"(the {len(cats)} largest categories; all are in the table file).",
            )
        )
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    "wards-category-mix",
                    [("ward_name", "Ward", f_str), *[(c, c, f_num2) for c in cats]],
                ),
            )
        )
        return s

    def priorities(self) -> Section:
        a = self.a
        pm = a.priority_matrix
        s = Section("priorities", "Priority matrix and recommended priorities")
        weights = ", ".join(
            f"{d.replace('_', ' ')} {w.fmt_num(v, 2)}" for d, v in pm.weights.items()
        )
        s.blocks.append(
            Block(
                "p",
                "Each theme is scored 1 (low) to 5 (high) on harm, volume, trend, "
                "vulnerability (repeats) and public concern by the stated rules below (in the "
                "spirit of the police MoRiLE method), and the scores are combined with the "
                f"weights {weights} (dimensions that cannot be scored are left out and the "
                "weights re-normalised).",
            )
        )
        if len(a.recommended):
            items = []
            for rec in a.recommended.to_dict(orient="records"):
                items.append(
                    f"{rec['title']} (score {w.fmt_num(rec['score'], 2)}): {rec['reasons']}."
                )
            s.blocks.append(Block("h3", "Recommended priorities", id="recommended"))
            s.blocks.append(
                Block(
                    "p",
                    f"The {w.plural(len(items), 'theme')} with the highest scores among those "
                    "with incidents in the data:",
                )
            )
            s.blocks.append(Block("ul", items=items))
        no_data = a.priorities[a.priorities["n"] == 0]
        if len(no_data):
            s.blocks.append(
                Block(
                    "note",
                    f"{w.join_list([str(x) for x in no_data['title']])} had no incidents in "
                    "the data, so their scores reflect missing data rather than low need and "
                    "they are not recommended or ranked on evidence.",
                )
            )
        s.blocks.append(Block("h3", "The matrix", id="matrix"))
        dim_spec: list[tuple[str, str, Formatter]] = [
            (f"{d}_score", d.replace("_", " ").capitalize(), f_int) for d in DIMENSIONS
        ]
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    "priorities",
                    [
                        ("rank", "Rank", f_int),
                        ("title", "Theme", f_str),
                        ("n", "Incidents", f_int),
                        *dim_spec,
                        ("score", "Score", f_num2),
                    ],
                ),
            )
        )
        rules = pm.to_dict()["rules"]
        s.blocks.append(
            Block(
                "dl", pairs=[(k.replace("_", " ").capitalize(), str(v)) for k, v in rules.items()]
            )
        )
        return s

    def consultation(self) -> Section | None:
        a = self.a
        c = a.consultation
        if c is None:
            return None
        s = Section("consultation", "Public consultation")
        detail = []
        if c.when:
            detail.append(f"held {c.when}")
        if c.responses:
            detail.append(f"{c.responses} responses")
        unmatched = [r for r, t in zip(c.wording, c.themes, strict=True) if t is None]
        s.blocks.append(
            Block(
                "p",
                f"The consultation ranking from {Path(c.source).name}"
                + (f" ({', '.join(detail)})" if detail else "")
                + " puts "
                + w.join_list([f"{r} ({w.ordinal(i + 1)})" for i, r in enumerate(c.wording)])
                + ". It scores the public concern dimension of the priority matrix."
                + (
                    f" {w.join_list(unmatched)} matched no theme and {'was' if len(unmatched) == 1 else 'were'} left out."
                    if unmatched
                    else ""
                ),
            )
        )
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    "consultation",
                    [
                        ("rank", "Rank", f_int),
                        ("as_given", "As given", f_str),
                        ("theme", "Theme", f_str),
                    ],
                ),
            )
        )
        return s

    def sources(self) -> Section:
        a = self.a
        cov = a.coverage
        s = Section("sources", "Data sources, coverage and caveats")
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a,
                    "data-sources",
                    [
                        ("source", "Source", f_str),
                        ("kind", "Kind", f_str),
                        ("files", "Files", f_int),
                        ("rows_stored", "Rows stored", f_int),
                        ("rows_quarantined", "Rows set aside", f_int),
                        ("sha256", "SHA-256", lambda v: f_str(v)[:16] + "…"),
                    ],
                    note="Full checksums of every file are in the manifest.",
                ),
            )
        )
        s.blocks.append(
            Block(
                "table",
                table=table_view(
                    a, "coverage", [("measure", "Measure", f_str), ("value", "Value", f_int)]
                ),
            )
        )
        items = []
        if cov["missing_months"]:
            affected = cov["exposure_this"] < a.n_months or cov["exposure_last"] < a.n_months
            items.append(
                f"Months with no data: {w.join_list([w.month_label(m) for m in cov['missing_months']])}. "
                "They are treated as missing, not as zero"
                + (
                    ": this period and the previous one are compared per month of data "
                    f"({cov['exposure_this']} and {cov['exposure_last']} months)."
                    if affected
                    else "; neither this period nor the previous one is affected (monthly "
                    "charts show the gap)."
                )
            )
        else:
            items.append("No month is missing between the first month of data and the period end.")
        no_loc = cov["rows_without_location"]
        items.append(
            f"{'None' if no_loc == 0 else w.fmt_int(no_loc)} of the "
            f"{w.fmt_int(cov['rows_window'])} incidents in the two periods have no location "
            "and cannot be mapped or placed in an LSOA or ward."
        )
        # issue 18: rows in no area's figures, and rows in 2021 LSOAs
        no_la = cov.get("rows_no_local_authority_by_reason") or {}
        if no_la:
            reasons = w.join_list([f"{w.fmt_int(n)} {reason}" for reason, n in no_la.items()])
            items.append(
                f"{w.fmt_int(sum(no_la.values()))} incidents in the two periods' months have no "
                f"local authority and are in no area's figures: {reasons}."
            )
        else:
            items.append(
                "Every incident in the two periods' months has a local authority: each row is "
                "placed by its LSOA, or by its LSOA name and location where the built-in 2011 "
                "LSOAs do not know its LSOA (police.uk's 2021 LSOAs, from 2022)."
            )
        if cov.get("rows_lsoa_not_built_in"):
            items.append(
                f"{w.fmt_int(cov['rows_lsoa_not_built_in'])} incidents carry a 2021 LSOA that "
                "the built-in 2011 LSOAs lack (police.uk uses the 2021 LSOAs from 2022). They are "
                "in the area's totals, trends and themes, which stay comparable across the change "
                "(every row is placed in its local authority); the LSOA tables and maps use the "
                "2011 LSOAs and 2011 Census residents, so they leave these rows out. Load the "
                "2021 LSOA boundaries (safercity geography load --type lsoa) to place every "
                "incident, old and new, in one set of LSOAs."
            )
        if cov["rows_btp"]:
            items.append(
                f"{w.fmt_int(cov['rows_btp'])} incidents were recorded by British Transport "
                "Police (stations and railways) and are included."
            )
        items.append(
            "police.uk locations are anonymised: each crime is moved to the centre of the street, "
            "or to a public place, nearest to it from a fixed list of snap points, so that a "
            "location stands for a small area, not an address. Repeat locations, near repeats "
            "and maps are therefore approximate at the scale of a street, and the same "
            "location can hold crimes from several addresses."
        )
        if not cov["has_times"]:
            items.append("The data has no times of day (police.uk gives the month only).")
        if not cov["has_people"]:
            items.append(
                "The data has no victim or suspect details, so themes defined by them (young "
                "people, violence against women and girls) cannot be measured from it."
            )
        if a.long_run_from_met:
            items.append(
                "Figure 1 uses the Met's recorded-crime series, whose categories and revisions "
                "differ from police.uk's: its totals are not expected to equal the police.uk "
                "counts elsewhere in this report."
            )
        s.blocks.append(Block("ul", items=items))
        return s

    def methods(self) -> Section:
        a = self.a
        s = Section("methods", "Methods")
        s.blocks.append(
            Block(
                "dl",
                pairs=[
                    (
                        "This period against the last",
                        "Counts compared as rates per month of data with the E-test for two "
                        "Poisson means (Krishnamoorthy & Thomson 2004), significant when "
                        f"p < {a.alpha:g}; the exact conditional binomial test (Przyborowski & "
                        "Wilenski 1940) is also in the tables.",
                    ),
                    (
                        "Control charts",
                        "XmR charts with limits at the mean ± 2.66 × the mean moving range "
                        "(Wheeler 1993) and the NHS England 'Making Data Count' rules (2019).",
                    ),
                    (
                        "Places",
                        "Counts and rates per 1,000 residents (2011 Census) by LSOA; "
                        "concentration as the share in the top 5% and 10% of places and the "
                        "Gini coefficient (Bernasco & Steenbeek 2017 on sparse counts).",
                    ),
                    (
                        "Time of day",
                        "Aoristic apportioning of from-to windows over the hours of the week "
                        "(Ratcliffe 2002; Ashby & Bowers 2013).",
                    ),
                    (
                        "Repeat victimisation",
                        "Prevalence, incidence, concentration and repeats within 365 days "
                        "(Farrell & Pease 1993; Tseloni & Pease 2003).",
                    ),
                    (
                        "Near repeats",
                        "Knox test (Knox 1964) with Monte Carlo permutation of dates "
                        f"({a.permutations} permutations, seed {a.seed}), Manhattan distance, as "
                        "in the Near Repeat Calculator (Ratcliffe 2009) and Johnson et al. (2007).",
                    ),
                    (
                        "Harm",
                        f"Cambridge Crime Harm Index weights (Sherman, Neyroud & Neyroud 2016), "
                        f"table version {a.harm_weights.version}.",
                    ),
                    (
                        "Priorities",
                        "A scoring matrix in the spirit of MoRiLE (Management of Risk in Law "
                        "Enforcement, National Police Chiefs' Council), rules as stated above.",
                    ),
                ],
            )
        )
        s.blocks.append(Block("h3", "References", id="references"))
        s.blocks.append(
            Block(
                "ul",
                items=[
                    "Ashby, M. P. J. & Bowers, K. J. (2013). A comparison of methods for temporal "
                    "analysis of aoristic crime. Crime Science 2, 1.",
                    "Bernasco, W. & Steenbeek, W. (2017). More places than crimes. Journal of "
                    "Quantitative Criminology 33, 451-467.",
                    "Farrell, G. & Pease, K. (1993). Once Bitten, Twice Bitten: Repeat "
                    "Victimisation and its Implications for Crime Prevention. Home Office PRG 46.",
                    "Johnson, S. D. et al. (2007). Space-time patterns of risk. Journal of "
                    "Quantitative Criminology 23, 201-219.",
                    "Knox, E. G. (1964). The detection of space-time interactions. Applied "
                    "Statistics 13, 25-29.",
                    "Krishnamoorthy, K. & Thomson, J. (2004). A more powerful test for comparing "
                    "two Poisson means. Journal of Statistical Planning and Inference 119, 23-35.",
                    "NHS England and NHS Improvement (2019). Making Data Count.",
                    "Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing "
                    "samples from Poisson series. Biometrika 31, 313-323.",
                    "Ratcliffe, J. H. (2002). Aoristic signatures and the spatio-temporal analysis "
                    "of high volume crime patterns. Journal of Quantitative Criminology 18, 23-43.",
                    "Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3). Temple "
                    "University.",
                    "Sherman, L., Neyroud, P. & Neyroud, E. (2016). The Cambridge Crime Harm "
                    "Index. Policing 10(3), 171-183.",
                    "Tseloni, A. & Pease, K. (2003). Repeat personal victimization. British "
                    "Journal of Criminology 43, 196-212.",
                    "Wheeler, D. J. (1993). Understanding Variation. SPC Press.",
                ],
            )
        )
        return s

    def reproducibility(self) -> Section:
        a = self.a
        s = Section("reproducibility", "Reproducibility and licence")
        params = a.parameters()
        s.blocks.append(
            Block(
                "dl",
                pairs=[
                    ("Software", params["software"]),
                    ("Area", params["area"]),
                    ("Period", params["period"]),
                    ("Previous period", params["previous_period"]),
                    ("Significance level", f"{params['alpha']:g}"),
                    ("Random seed", str(params["seed"])),
                    ("Knox permutations", str(params["permutations"])),
                    (
                        "Themes file",
                        f"{Path(params['themes_file']).name} "
                        f"(sha256 {params['themes_sha256'][:16]}…)",
                    ),
                    (
                        "Harm weights",
                        f"{params['harm_weights_version']} "
                        f"(sha256 {params['harm_weights_sha256'][:16]}…)",
                    ),
                ],
            )
        )
        s.blocks.append(
            Block(
                "p",
                "The manifest beside this report lists every input file with its SHA-256 "
                "checksum, the parameters and seeds, and the checksum of every table; the "
                "tables themselves are CSV files in the tables folder.",
            )
        )
        s.blocks.append(
            Block(
                "p",
                "Contains public sector information licensed under the Open Government Licence "
                "v3.0 (police.uk, Home Office, Metropolitan Police, ONS). Contains OS data © "
                "Crown copyright and database right. Contains National Statistics data © Crown "
                "copyright and database right.",
            )
        )
        return s


def build_document(a: Assessment, *, figures_dir: str = "report-figures") -> dict[str, Any]:
    """The document model (sections in the order a CSP expects) and its figures."""
    b = _Builder(a, figures_dir)
    sections = [b.summary(), b.overview(), b.themes(), b.asb()]
    # issue 18: the hot spots and stop and search sections (analytics/sections/)
    for extra in (hotspots_report_section(b, a), stop_search_report_section(b, a)):
        if extra is not None:
            sections.append(extra)
    sections += [b.areas(), b.priorities()]
    cons = b.consultation()
    if cons is not None:
        sections.append(cons)
    sections += [b.sources(), b.methods(), b.reproducibility()]
    return {
        "title": f"{a.area} Strategic Assessment {w.period_label(a.start, a.end)}",
        "area": a.area,
        "period": w.period_label(a.start, a.end),
        "generated_on": f"{a.generated_on.day} {w.month_label(a.generated_on)}",
        "sections": sections,
        "figures": b.figures,
    }


# ---------------------------------------------------------------------------------------------
# rendering and writing
# ---------------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(
        str(resources.files("safercity.analytics") / "templates" / "assessment")
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(doc: dict[str, Any], *, tables_dir: str = "report-tables") -> str:
    """The report as one self-contained HTML page (SVG inline)."""
    template = _environment().get_template("report.html.j2")
    return template.render(doc=doc, tables_dir=tables_dir)


def table_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV bytes with a fixed float format and LF line ends (deterministic)."""
    text = frame.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
    return text.encode("utf-8")


def write_pdf(html: str, path: Path, base_url: Path) -> None:
    """Render the HTML to PDF with WeasyPrint."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(base_url)).write_pdf(str(path))


@dataclass
class WrittenReport:
    html: Path
    pdf: Path | None
    figures: list[Path]
    tables: list[Path]
    manifest: Path


def write_report(a: Assessment, out: str | Path, *, pdf: bool = True) -> WrittenReport:
    """Write ``<out>.html``, ``<out>.pdf``, ``<out>-figures/``, ``<out>-tables/`` and
    ``<out>-manifest.json`` (``out`` may end in ``.html``)."""
    out = Path(out)
    if out.suffix.lower() in (".html", ".htm", ".pdf"):
        out = out.with_suffix("")
    folder = out.parent
    folder.mkdir(parents=True, exist_ok=True)
    stem = out.name
    fig_dir = folder / f"{stem}-figures"
    tab_dir = folder / f"{stem}-tables"
    for d in (fig_dir, tab_dir):
        d.mkdir(exist_ok=True)
        for old in list(d.glob("*.svg")) + list(d.glob("*.csv")):
            old.unlink()
    doc = build_document(a, figures_dir=fig_dir.name)
    tables: list[Path] = []
    table_sums: dict[str, str] = {}
    for name in sorted(a.tables):
        data = table_csv(a.tables[name])
        p = tab_dir / f"{name}.csv"
        p.write_bytes(data)
        tables.append(p)
        table_sums[f"{tab_dir.name}/{p.name}"] = hashlib.sha256(data).hexdigest()
    figures: list[Path] = []
    for fig in doc["figures"]:
        p = fig_dir / f"{fig.id}.svg"
        p.write_text(fig.svg, encoding="utf-8", newline="\n")
        figures.append(p)
    html = render_html(doc, tables_dir=tab_dir.name)
    html_path = folder / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8", newline="\n")
    pdf_path: Path | None = None
    if pdf:
        pdf_path = folder / f"{stem}.pdf"
        write_pdf(html, pdf_path, folder)
    manifest = {
        "software": {
            "name": "safercity",
            "version": __version__,
            "python": platform.python_version(),
        },
        "parameters": a.parameters(),
        "seeds": {"knox": a.seed},
        "inputs": a.inputs(),
        "outputs": {
            "html": html_path.name,
            "html_sha256": hashlib.sha256(html.encode("utf-8")).hexdigest(),
            "pdf": pdf_path.name if pdf_path else None,
            "figures": [f"{fig_dir.name}/{p.name}" for p in figures],
            "tables": table_sums,
        },
    }
    manifest_path = folder / f"{stem}-manifest.json"
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
        newline="\n",
    )
    return WrittenReport(html_path, pdf_path, figures, tables, manifest_path)


__all__ = [
    "Block",
    "FigureView",
    "Section",
    "TableView",
    "WrittenReport",
    "build_document",
    "render_html",
    "table_csv",
    "write_report",
]
