"""The document model of the Strategic Assessment and its number formats.

A report is a list of :class:`Section`\\ s of :class:`Block`\\ s (headings, paragraphs, lists,
tables, figures); every table is a :class:`TableView` formatted from one of the assessment's
computed tables by :func:`table_view`, so every number shown is in a CSV file beside the report.
Formats: counts with separators, percentages as in :mod:`~safercity.analytics.wording`, and
p-values as ``< 0.001`` or three significant figures (never ``0``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from safercity.analytics import wording as w

if TYPE_CHECKING:
    from safercity.analytics.assessment import Assessment

Formatter = Callable[[Any], str]


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

    kind: str  # "h3" | "h4" | "p" | "ul" | "ol" | "table" | "figure" | "note" | "dl"
    text: str = ""
    items: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    table: TableView | None = None
    figure: FigureView | None = None
    id: str = ""
    #: evidence a reader looks up rather than reads (a map by LSOA, a grid of cells, a table of
    #: pairs): the full document moves it to the appendix of maps and tables and leaves a
    #: pointer where it was
    detail: bool = False


@dataclass
class Section:
    """A numbered section of the report (``appendix``: lettered, after the assessment;
    ``page_break``: starts on a new page in the PDF)."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    appendix: bool = False
    page_break: bool = False


# ---------------------------------------------------------------------------------------------
# formatters
# ---------------------------------------------------------------------------------------------


def missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def f_int(v: Any) -> str:
    return "–" if missing(v) else w.fmt_int(float(v))


def f_pct(v: Any) -> str:
    return "–" if missing(v) else w.fmt_pct(float(v), signed=True)


def f_share(v: Any) -> str:
    return "–" if missing(v) else w.fmt_pct(float(v))


def f_share01(v: Any) -> str:
    return "–" if missing(v) else w.fmt_pct(100.0 * float(v))


def f_num1(v: Any) -> str:
    return "–" if missing(v) else w.fmt_num(float(v), 1)


def f_num2(v: Any) -> str:
    return "–" if missing(v) else w.fmt_num(float(v), 2)


def f_p(v: Any) -> str:
    """A p-value for a table: ``< 0.001`` below 0.001 (never ``0``), else 3 significant
    figures."""
    if missing(v):
        return "–"
    p = float(v)
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def f_gbp(v: Any) -> str:
    """Pounds: ``£1.2m``, ``£35,400``."""
    if missing(v):
        return "–"
    x = float(v)
    if abs(x) >= 1e6:
        return f"£{x / 1e6:,.1f}m"
    return f"£{x:,.0f}"


def f_yes(v: Any) -> str:
    return "" if missing(v) else ("yes" if bool(v) else "no")


def f_sig(v: Any) -> str:
    return w.significance_label(None if missing(v) else bool(v))


def f_auto(v: Any) -> str:
    """Whole numbers as counts, small numbers (p-values) to 3 significant figures, others to 2
    decimals."""
    if missing(v):
        return "–"
    x = float(v)
    if x.is_integer():
        return w.fmt_int(x)
    if abs(x) < 0.01:
        return f"{x:.3g}"
    return w.fmt_num(x, 2)


def f_str(v: Any) -> str:
    return "" if missing(v) else str(v)


NUMERIC = {f_int, f_pct, f_share, f_share01, f_num1, f_num2, f_p, f_auto, f_gbp}


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
    ("previous_period", "Comparison period", f_int),
    ("pct_change", "Change (rate per month)", f_pct),
    ("p", "p", f_p),
    ("assessment", "Assessment", f_str),
]

#: a harm table (overall and each theme's)
HARM_SPEC: list[tuple[str, str, Formatter]] = [
    ("category", "Category", f_str),
    ("count", "Crimes", f_int),
    ("weight", "Days per crime", f_num1),
    ("harm", "Harm (days)", f_int),
    ("share_of_count", "Share of crimes", f_share),
    ("share_of_harm", "Share of harm", f_share),
]

#: the same with both tests, for the appendix tables
CHANGE_SPEC_FULL: list[tuple[str, str, Formatter]] = [
    ("this_period", "This period", f_int),
    ("previous_period", "Comparison period", f_int),
    ("pct_change", "Change (rate per month)", f_pct),
    ("p_etest", "p (E-test)", f_p),
    ("dispersion", "Dispersion", f_num1),
    ("p_adjusted", "p (overdispersion allowed for)", f_p),
    ("assessment", "Assessment", f_str),
]


__all__ = [
    "CHANGE_SPEC",
    "CHANGE_SPEC_FULL",
    "HARM_SPEC",
    "NUMERIC",
    "Block",
    "FigureView",
    "Formatter",
    "Section",
    "TableView",
    "f_auto",
    "f_gbp",
    "f_int",
    "f_num1",
    "f_num2",
    "f_p",
    "f_pct",
    "f_share",
    "f_share01",
    "f_sig",
    "f_str",
    "f_yes",
    "missing",
    "table_view",
]
