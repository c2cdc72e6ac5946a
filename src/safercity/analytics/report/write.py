"""Building, rendering and writing the Strategic Assessment: the full document, the summary
edition for the board, the tagged PDF, the tables, the figures and the manifest."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from safercity import __version__
from safercity.analytics import wording as w
from safercity.analytics.assessment import Assessment
from safercity.analytics.assessment.context import context_template
from safercity.analytics.report import appendix, overview, places, priorities, themes
from safercity.analytics.report.builder import Builder
from safercity.analytics.report.model import Block, Section

#: float format of the CSV tables (fixed, so re-runs are byte-identical)
CSV_FLOAT_FORMAT = "%.10g"

SectionFn = Callable[[Builder], Section | None]


def _extra(fn: Callable[[Any], Any]) -> SectionFn:
    """A section builder handed over by another module (``Assessment.extra_sections``): called
    with the document builder (its assessment is ``builder.a``; ``builder.figure`` numbers
    figures); returns a Section, a list of blocks, or None."""

    def build(b: Builder) -> Section | None:
        out = fn(b)
        if out is None or isinstance(out, Section):
            return out
        title = getattr(fn, "title", getattr(fn, "__name__", "Section").replace("_", " "))
        return Section(
            getattr(fn, "section_id", title.lower().replace(" ", "-")), str(title), list(out)
        )

    return build


def _plan(a: Assessment) -> list[tuple[str, SectionFn, bool]]:
    """The sections in order: (id, builder, appendix?)."""
    plan: list[tuple[str, SectionFn, bool]] = [
        ("summary", overview.executive_summary, False),
        ("introduction", overview.introduction, False),
        ("overview", overview.overview, False),
    ]
    if a.comparison is not None:
        plan.append(("comparisons", overview.comparisons, False))
    plan.append(("places", places.places, False))
    for i, fn in enumerate(a.extra_sections):
        plan.append((str(getattr(fn, "section_id", f"extra-{i + 1}")), _extra(fn), False))
    plan += [
        ("themes", themes.themes, False),
        ("asb", themes.asb, False),
        ("partners", priorities.partners, False),
        ("context", priorities.context, False),
    ]
    if a.review is not None:
        plan.append(("review", priorities.review, False))
    plan.append(("priorities", priorities.priorities, False))
    if a.consultation is not None:
        plan.append(("consultation", priorities.consultation, False))
    plan += [
        ("caveats", appendix.caveats, True),
        ("methods", appendix.methods, True),
        ("glossary", appendix.glossary, True),
        ("references", appendix.references, True),
        ("reproducibility", appendix.reproducibility, True),
        # filled by _move_details, last so that its absence moves no other letter
        ("detail", lambda _b: None, True),
    ]
    return plan


DETAIL_TITLE = "Maps and tables in detail"


def _pointer(moved: list[Block], letter: str) -> Block:
    names = [
        f"Figure {blk.figure.number} ({blk.figure.title})"
        if blk.figure is not None
        else f"the table \u201c{blk.table.caption}\u201d"
        if blk.table is not None
        else blk.text
        for blk in moved
    ]
    return Block("p", f"In Appendix {letter}: {w.join_list(names)}.")


def _move_details(sections: list[Section], b: Builder) -> Section | None:
    """Move each section's ``detail`` blocks, in order, to one appendix (under the heading they
    stood under), renumber the figures in the order the document now shows them, and leave a
    pointer where each run of moved blocks stood. None when nothing is marked."""
    detail = Section("detail", DETAIL_TITLE, appendix=True)
    pointers: list[tuple[Block, list[Block]]] = []
    for s in sections:
        if s.appendix:
            continue
        kept: list[Block] = []
        heading = s.title
        last_heading = ""
        run: list[Block] = []
        for blk in s.blocks:
            if blk.detail:
                if heading != last_heading:
                    detail.blocks.append(
                        Block("h3", heading, id=f"detail-{len(detail.blocks)}-{s.id}")
                    )
                    last_heading = heading
                detail.blocks.append(blk)
                if not run:
                    ptr = Block("p")
                    kept.append(ptr)
                    pointers.append((ptr, run))
                run.append(blk)
                continue
            if run:
                run = []
            if blk.kind == "h3":
                sub = blk.text.removesuffix(f": {s.title.lower()}")
                heading = f"{s.title}: {sub}"
            kept.append(blk)
        s.blocks = kept
    if not detail.blocks:
        return None
    shown = [blk.figure for s in [*sections, detail] for blk in s.blocks if blk.figure]
    for n, fig in enumerate(shown, start=1):
        fig.number = n
    b.figures.sort(key=lambda f: f.number)
    letter = b.number("detail")
    for ptr, moved in pointers:
        ptr.text = _pointer(moved, letter).text
    return detail


def _number(sections: list[Section]) -> None:
    n = letter = 0
    for s in sections:
        if s.appendix:
            letter += 1
            s.title = f"Appendix {chr(ord('A') + letter - 1)}: {s.title}"
        else:
            n += 1
            s.title = f"{n}. {s.title}"


def build_document(a: Assessment, *, figures_dir: str = "report-figures") -> dict[str, Any]:
    """The document model (sections in the order a CSP expects) and its figures."""
    b = Builder(a, figures_dir)
    plan = _plan(a)
    b.plan = [(sid, app) for sid, _fn, app in plan]
    sections = []
    for _sid, fn, app in plan:
        s = fn(b)
        if s is not None:
            s.appendix = s.appendix or app
            sections.append(s)
    detail = _move_details(sections, b)
    if detail is not None:
        sections.append(detail)
    _number(sections)
    return {
        "title": f"{a.area} Strategic Assessment {w.period_label(a.start, a.end)}",
        "edition": "full",
        "area": a.area,
        "period": w.period_label(a.start, a.end),
        "generated_on": f"{a.generated_on.day} {w.month_label(a.generated_on)}",
        "sections": sections,
        "figures": b.figures,
    }


def build_summary(a: Assessment, *, figures_dir: str = "report-figures") -> dict[str, Any]:
    """The summary edition for the board: the executive summary, the headline figures and the
    priority matrix (a few pages; the full document has the evidence)."""
    b = Builder(a, figures_dir)
    full_plan = _plan(a)
    b.plan = [(sid, app) for sid, _fn, app in full_plan]
    ex = overview.executive_summary(b)
    ov = overview.overview(b)
    glance = Section("at-a-glance", "Crime and disorder at a glance")
    keep = {"figure", "table"}
    for blk in ov.blocks:
        if blk.kind in keep and (
            blk.kind == "figure" or (blk.table is not None and "headline" in blk.table.id)
        ):
            glance.blocks.append(blk)
        if len(glance.blocks) >= 2:
            break
    pr = priorities.priorities(b)
    matrix = Section("priorities", "Priority assessment")
    for blk in pr.blocks:
        if blk.kind == "table" or (blk.kind == "p" and blk.text.startswith("Sensitivity")):
            matrix.blocks.append(blk)
    matrix.blocks.append(
        Block(
            "p",
            "The full Strategic Assessment has the evidence for every figure here, the themes, "
            "places, partner data, data gaps, caveats and methods.",
        )
    )
    sections = [ex, glance, matrix]
    _number(sections)
    return {
        "title": f"{a.area} Strategic Assessment {w.period_label(a.start, a.end)}: summary",
        "edition": "summary",
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
    """Render the HTML to a tagged PDF (PDF/UA-1: structure tags, language, title) with
    WeasyPrint; table rows are never split across pages (the stylesheet's print rules)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(base_url)).write_pdf(
        str(path), pdf_variant="pdf/ua-1", pdf_tags=True
    )


@dataclass
class WrittenReport:
    html: Path
    pdf: Path | None
    figures: list[Path]
    tables: list[Path]
    manifest: Path
    summary_html: Path | None = None
    summary_pdf: Path | None = None
    context: Path | None = None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_report(a: Assessment, out: str | Path, *, pdf: bool = True) -> WrittenReport:
    """Write ``<out>.html``, ``<out>.pdf``, the summary edition ``<out>-summary.html`` (and
    ``.pdf``), ``<out>-figures/``, ``<out>-tables/``, ``<out>-manifest.json`` and, when it does
    not exist yet, the narrative file ``<out>-context.md`` (``out`` may end in ``.html``)."""
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
    summary_doc = build_summary(a, figures_dir=fig_dir.name)
    tables: list[Path] = []
    table_sums: dict[str, str] = {}
    for name in sorted(a.tables):
        data = table_csv(a.tables[name])
        p = tab_dir / f"{name}.csv"
        p.write_bytes(data)
        tables.append(p)
        table_sums[f"{tab_dir.name}/{p.name}"] = _sha(data)
    figures: list[Path] = []
    for fig in doc["figures"]:
        p = fig_dir / f"{fig.id}.svg"
        p.write_text(fig.svg, encoding="utf-8", newline="\n")
        figures.append(p)
    html = render_html(doc, tables_dir=tab_dir.name)
    html_path = folder / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8", newline="\n")
    summary_html = render_html(summary_doc, tables_dir=tab_dir.name)
    summary_path = folder / f"{stem}-summary.html"
    summary_path.write_text(summary_html, encoding="utf-8", newline="\n")
    pdf_path: Path | None = None
    summary_pdf: Path | None = None
    if pdf:
        pdf_path = folder / f"{stem}.pdf"
        write_pdf(html, pdf_path, folder)
        summary_pdf = folder / f"{stem}-summary.pdf"
        write_pdf(summary_html, summary_pdf, folder)
    # the analyst's narrative file: a template with prompts where there is none yet
    context_path = Path(a.context_path) if a.context_path else folder / f"{stem}-context.md"
    if not context_path.exists():
        context_path.parent.mkdir(parents=True, exist_ok=True)
        context_path.write_text(
            context_template(a.area, w.period_label(a.start, a.end), _context_hints(a)),
            encoding="utf-8",
            newline="\n",
        )
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
            "html_sha256": _sha(html.encode("utf-8")),
            "summary_html": summary_path.name,
            "summary_html_sha256": _sha(summary_html.encode("utf-8")),
            "pdf": pdf_path.name if pdf_path else None,
            "summary_pdf": summary_pdf.name if summary_pdf else None,
            "context": context_path.name,
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
    return WrittenReport(
        html_path,
        pdf_path,
        figures,
        tables,
        manifest_path,
        summary_html=summary_path,
        summary_pdf=summary_pdf,
        context=context_path,
    )


def _context_hints(a: Assessment) -> dict[str, list[str]]:
    hints: dict[str, list[str]] = {}
    rises = a.overview_categories[
        a.overview_categories["significant"].fillna(False).astype(bool)
        & (a.overview_categories["pct_change"] > 0)
    ]
    if len(rises):
        hints["Emerging threats"] = [
            f"{r['category']} rose by {w.fmt_pct(float(r['pct_change']))} to "
            f"{w.fmt_int(int(r['this_period']))}"
            for r in rises.head(3).to_dict(orient="records")
        ]
    if not a.coverage["has_people"]:
        hints["Hidden harms"] = [
            "the police data has no victim details: domestic abuse and exploitation are not "
            "visible in it"
        ]
    return hints


__all__ = [
    "CSV_FLOAT_FORMAT",
    "WrittenReport",
    "build_document",
    "build_summary",
    "render_html",
    "table_csv",
    "write_pdf",
    "write_report",
]
