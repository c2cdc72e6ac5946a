"""The Strategic Assessment document: HTML snapshot, PDF sections, reproducibility, real data.

The PDF's text is read with pypdf (poppler's pdftotext is not installed here).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from _report_fixture import build

from safercity.analytics.assessment import Assessment, load_consultation
from safercity.analytics.report import WrittenReport, write_report
from safercity.analytics.store import Workspace
from safercity.analytics.themes import load_themes

SNAPSHOTS = Path(__file__).parent / "snapshots"
REPO = Path(__file__).resolve().parents[2]
SECTIONS = [
    "1. Executive summary",
    "2. Introduction and scope",
    "3. Crime and disorder overview",
    "4. Comparisons with similar areas",
    "5. Places",
    "6. Hot spots",  # issue 18 (analytics/sections)
    "7. Themes",
    "8. Anti-social behaviour",
    "9. Partner data and data gaps",
    "10. Context, emerging threats and hidden harms",
    "11. Priority assessment",
    "12. Public consultation",
    "Appendix A: Caveats and data coverage",
    "Appendix B: Methods",
    "Appendix C: Glossary",
    "Appendix D: References",
    "Appendix E: Reproducibility and licence",
    "Appendix F: Maps and tables in detail",
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessment, Path]:
    root = tmp_path_factory.mktemp("report")
    ws = Workspace(build(root / "ws"), read_only=True)
    cons = load_consultation(REPO / "examples" / "westminster-2011-14.yaml", load_themes())
    a = Assessment(
        ws,
        area="Westminster",
        period="2019-01:2019-12",
        consultation=cons,
        permutations=99,
        seed=7,
    )
    return a, root


class _Outline(HTMLParser):
    """Headings, ids, table captions/scopes and svg accessibility attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.ids: list[str] = []
        self.svgs: list[dict[str, str | None]] = []
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self._in: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag in ("h1", "h2", "h3", "h4"):
            self._in, self._text = tag, ""
        elif tag == "svg":
            self.svgs.append(a)
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and not a.get("scope"):
            self.th_without_scope += 1

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self.headings.append((tag, self._text.strip()))
            self._in = None


def test_html_matches_snapshot(small: tuple[Assessment, Path]) -> None:
    a, root = small
    written = write_report(a, root / "snap" / "report", pdf=False)
    html = written.html.read_text(encoding="utf-8")
    snap = SNAPSHOTS / "assessment-small.html"
    if os.environ.get("SAFERCITY_UPDATE_SNAPSHOTS") == "1" or not snap.exists():
        snap.parent.mkdir(exist_ok=True)
        snap.write_text(html, encoding="utf-8", newline="\n")
        if os.environ.get("SAFERCITY_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {snap} was missing and has been written: check it in")
    assert html == snap.read_text(encoding="utf-8"), (
        "the report HTML changed; if intended, rerun with SAFERCITY_UPDATE_SNAPSHOTS=1"
    )
    assert str(root) not in html  # no machine paths in the document


def test_html_structure_is_accessible(small: tuple[Assessment, Path]) -> None:
    a, root = small
    written = write_report(a, root / "a11y" / "report", pdf=False)
    outline = _Outline()
    outline.feed(written.html.read_text(encoding="utf-8"))
    h2 = [t for tag, t in outline.headings if tag == "h2"]
    assert h2 == ["Contents", *SECTIONS]
    assert [tag for tag, _t in outline.headings].count("h1") == 1
    # headings never skip a level
    levels = [int(tag[1]) for tag, _t in outline.headings]
    assert all(b - a_ <= 1 for a_, b in itertools.pairwise(levels))
    assert len(outline.ids) == len(set(outline.ids)), "duplicate ids"
    assert outline.tables == outline.captions and outline.th_without_scope == 0
    assert outline.svgs and all(
        s.get("role") == "img" and len(str(s.get("aria-labelledby")).split()) == 2
        for s in outline.svgs
    )
    # every figure has a data table beside it
    html = written.html.read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="fig-[^"]+" class="figure">(.*?)</figure>', html, re.S)
    assert len(figures) == len(written.figures) and all("<table" in f for f in figures)


def test_outputs_and_manifest(small: tuple[Assessment, Path]) -> None:
    a, root = small
    written = write_report(a, root / "out" / "report", pdf=False)
    assert written.html.name == "report.html"
    assert {p.parent.name for p in written.figures} == {"report-figures"}
    assert {p.parent.name for p in written.tables} == {"report-tables"}
    assert (root / "out" / "report-figures" / "figure-1-long-run.svg").exists()
    cats = pd.read_csv(root / "out" / "report-tables" / "overview-categories.csv")
    assert cats.set_index("category").loc["Burglary", "this_period"] == 48
    m = json.loads(written.manifest.read_text(encoding="utf-8"))
    assert m["software"]["name"] == "safercity"
    assert m["parameters"]["seed"] == 7 and m["seeds"] == {"knox": 7}
    assert m["parameters"]["period"] == "2019-01:2019-12"
    assert {i["sha256"] for i in m["inputs"]} == {"synthetic-sha", "met-sha"}
    assert "report-tables/overview-categories.csv" in m["outputs"]["tables"]
    assert m["parameters"]["consultation_sha256"]


def test_rerun_is_byte_identical(small: tuple[Assessment, Path]) -> None:
    a, root = small
    first = write_report(a, root / "r1" / "report", pdf=False)
    again = Assessment(
        a.workspace,
        area="Westminster",
        period="2019-01:2019-12",
        consultation=a.consultation,
        permutations=99,
        seed=7,
    )
    second = write_report(again, root / "r2" / "report", pdf=False)
    for p1, p2 in zip(first.tables, second.tables, strict=True):
        assert p1.name == p2.name and p1.read_bytes() == p2.read_bytes(), p1.name
    assert first.html.read_bytes() == second.html.read_bytes()


def test_maps_and_tables_in_detail_move_to_the_last_appendix(
    small: tuple[Assessment, Path],
) -> None:
    """Maps by LSOA, kernel density maps and tables of pairs are looked up, not read: they go to
    the last appendix, a pointer names each where it stood, and figures are numbered in the
    order the document shows them."""
    from safercity.analytics.report import build_document

    a, _root = small
    doc = build_document(a)
    detail = doc["sections"][-1]
    assert detail.title == "Appendix F: Maps and tables in detail"
    main = [s for s in doc["sections"] if not s.appendix]
    assert not any(blk.detail for s in main for blk in s.blocks)
    moved = [blk.figure for blk in detail.blocks if blk.figure is not None]
    assert {f.id for f in moved} >= {
        "hotspots-reoffending-kde",
        "theme-night-time-economy-map",
        "theme-reoffending-map",
    }
    shown = [blk.figure for s in doc["sections"] for blk in s.blocks if blk.figure is not None]
    assert [f.number for f in shown] == list(range(1, len(shown) + 1))
    assert [f.number for f in doc["figures"]] == list(range(1, len(shown) + 1))
    pointers = [
        blk.text for s in main for blk in s.blocks if blk.text.startswith("In Appendix F: ")
    ]
    for f in moved:  # every moved figure is named, by its final number, exactly once
        assert sum(f"Figure {f.number} ({f.title})" in t for t in pointers) == 1, f.id
    # each moved block sits under the heading it stood under
    headings = [blk.text for blk in detail.blocks if blk.kind == "h3"]
    assert "Themes: Night-time economy" in headings
    assert "Hot spots: Acquisitive crime (proxy for re-offending)" in headings


def test_hot_spot_maps_of_recommended_priorities_stay_in_the_text(
    small: tuple[Assessment, Path],
) -> None:
    from safercity.analytics.report.model import Block
    from safercity.analytics.sections.hotspots import report_blocks

    a, _root = small
    assert a.hotspots is not None and a.hotspots.themes
    names = [t.name for t in a.hotspots.themes]

    def figure(fig_id: str, *args: object, **kwargs: object) -> Block:
        return Block("figure", id=fig_id)

    def table(*args: object) -> None:
        return None

    def block(kind: str, text: str = "", items: object = None, id: str = "") -> Block:
        return Block(kind, text=text, id=id)

    def moved(recommended: set[str] | None) -> set[str]:
        blocks = report_blocks(
            a.hotspots, figure=figure, table=table, block=block, recommended=recommended
        )
        return {b.id for b in blocks if b.kind == "figure" and b.detail}

    kde = {f"hotspots-{t.slug}-kde" for t in a.hotspots.themes}
    gi = {f"hotspots-{t.slug}-gi" for t in a.hotspots.themes}
    assert moved(None) == kde  # no priorities known: every Gi* map stays
    assert moved(set(names)) == kde
    assert moved(set()) == kde | gi
    first = a.hotspots.themes[0]
    assert moved({first.name}) == kde | gi - {f"hotspots-{first.slug}-gi"}


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _pdf_bookmarks(path: Path) -> list[str]:
    """The PDF's outline (WeasyPrint makes one bookmark per heading), flattened in order."""
    from pypdf import PdfReader

    out: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(str(getattr(item, "title", "")))

    walk(PdfReader(str(path)).outline)
    return out


def test_pdf_renders_with_sections_in_order(small: tuple[Assessment, Path]) -> None:
    a, root = small
    written = write_report(a, root / "pdf" / "report", pdf=True)
    assert written.pdf is not None and written.pdf.read_bytes()[:5] == b"%PDF-"
    marks = _pdf_bookmarks(written.pdf)
    sections = [m for m in marks if m in SECTIONS]
    assert sections == SECTIONS
    text = re.sub(r"\s+", " ", _pdf_text(written.pdf))
    for heading in SECTIONS:
        assert heading in text
    assert "Figure 1: Crime in Westminster" in text


@pytest.mark.shared_data
def test_westminster_report_from_shared_data(shared_data: Path, tmp_path: Path) -> None:
    """police.uk API archive + Met borough series + 2014 wards -> the full report, twice."""
    from safercity.analytics.areas import load_boundaries
    from safercity.analytics.ingest import ingest_paths

    ws_path = tmp_path / "ws"
    met_csv = shared_data / "mps" / "borough-level-crime-historical.csv"
    summary = ingest_paths(
        ws_path,
        [
            shared_data
            / "police-uk-api"
            / "westminster-wards-2016-2018"
            / "crime-street-json.tar.gz",
            met_csv,
        ],
    )
    assert not summary.failed
    with Workspace(ws_path) as ws:
        load_boundaries(
            ws, shared_data / "boundaries" / "westminster-wards-2014.geojson", area_type="ward"
        )
    cons = load_consultation(REPO / "examples" / "westminster-2011-14.yaml", load_themes())
    with Workspace(ws_path, read_only=True) as ws:
        a = Assessment(
            ws,
            area="Westminster",
            period="2017-07:2018-06",
            consultation=cons,
            previous_strategy=REPO / "examples" / "westminster-2011-14.yaml",
            permutations=199,
            seed=20110401,
        )
        written = write_report(a, tmp_path / "out" / "report")
        _westminster_reads_as_issue_17_asks(a, written)
        # independent check of Figure 1: the Met CSV summed directly
        wide = pd.read_csv(met_csv)
        wm = wide[wide["BoroughName"].str.strip() == "Westminster"]
        cols = [c for c in wide.columns if c.isdigit() and "201707" <= c <= "201806"]
        lr = a.long_run.set_index("year_end")
        assert lr.loc["2018-06", "crimes"] == int(wm[cols].to_numpy().sum())
        # this period's incidents equal the store's own count
        n = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE local_authority = 'Westminster' "
            "AND month BETWEEN DATE '2017-07-01' AND DATE '2018-06-01'"
        ).fetchall()[0][0]
        assert a.all_change.this == n
        assert a.missing_months == [pd.Timestamp("2016-03-01").date()]
        assert len(a.wards) == 20
        assert a.tables["theme-reoffending-near-repeats"]["observed_pairs"].sum() > 0
        again = Assessment(  # the same inputs again: the same document, byte for byte
            ws,
            area="Westminster",
            period="2017-07:2018-06",
            consultation=cons,
            previous_strategy=REPO / "examples" / "westminster-2011-14.yaml",
            permutations=199,
            seed=20110401,
        )
        second = write_report(again, tmp_path / "out2" / "report", pdf=False)
    for p1, p2 in zip(written.tables, second.tables, strict=True):
        assert p1.read_bytes() == p2.read_bytes(), p1.name
    assert written.html.read_bytes() == second.html.read_bytes()
    html = written.html.read_text(encoding="utf-8")
    assert "March 2016" in html and "anonymised" in html
    assert written.pdf is not None and "Figure 1: Crime in Westminster" in _pdf_text(written.pdf)
    # about 20-25 pages of assessment before the appendices (36 before stop 21, 24 after)
    assert _first_page_of(written.pdf, "Appendix A: Caveats and data coverage") <= 26


def _first_page_of(path: Path, bookmark: str) -> int:
    """The page (from 1) a PDF bookmark points at."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))

    def walk(items: list[object]) -> int | None:
        for item in items:
            if isinstance(item, list):
                found = walk(item)
                if found is not None:
                    return found
            elif str(getattr(item, "title", "")) == bookmark:
                return reader.get_destination_page_number(item) + 1  # type: ignore[arg-type]
        return None

    page = walk(reader.outline)
    assert page is not None, bookmark
    return page


def _westminster_reads_as_issue_17_asks(a: Assessment, written: WrittenReport) -> None:
    cats = a.overview_categories.set_index("category")
    # "vehicle crime: the largest significant fall" (3,966 against 4,180): the E-test's
    # p = 0.018, but the months vary 5.3 times more than Poisson: adjusted p = 0.30
    vc = cats.loc["Vehicle crime"]
    assert (vc["this_period"], vc["previous_period"]) == (3966, 4180)
    assert vc["p_etest"] == pytest.approx(0.0177, abs=5e-4)
    assert vc["dispersion"] == pytest.approx(5.3, abs=0.05)
    assert vc["p_adjusted"] == pytest.approx(0.30, abs=0.01)
    assert not vc["significant"]
    assert not any("vehicle crime" in f for f in a.findings)
    # theft from the person (+31%) and violence compete as categories with the themes
    ranked = set(a.priorities["candidate"])
    assert {"theft-from-the-person", "violence-and-sexual-offences"} <= ranked
    # the proxy is not first; unmeasurable themes are intelligence gaps, not ranks
    assert a.recommended.iloc[0]["candidate"] != "reoffending"
    assert set(a.priority_matrix.gaps["candidate"]) == {
        "youth",
        "violence-against-women-and-girls",
    }
    # crime-only harm shares sum to 100
    assert a.harm_all.table["share_of_count"].sum() == pytest.approx(100.0)
    # part years: Figure 1 (the Met series) holds whole years only
    assert set(a.long_run["status"]) == {"complete"}
    html = written.html.read_text(encoding="utf-8")
    assert not re.search(r"p = 0(?![.\d])", html)  # p < 0.001, never p = 0
    # snapshot of what the board reads first: the findings and the priority assessment
    snap = SNAPSHOTS / "westminster-2017-18-summary.txt"
    cols = [
        "rank",
        "title",
        "n",
        "harm_individual_score",
        "harm_community_score",
        "likelihood_score",
        "organisational_score",
        "public_concern_score",
        "confidence_score",
        "score",
    ]
    text = (
        "\n".join(a.findings)
        + "\n\n"
        + a.priorities[cols].to_csv(index=False, float_format="%.4f", lineterminator="\n")
        + "\n"
        + "\n".join(a.executive["recommendations"])
        + "\n"
    )
    if not snap.exists() or os.environ.get("SAFERCITY_UPDATE_SNAPSHOTS") == "1":
        snap.write_text(text, encoding="utf-8")
        pytest.fail(f"snapshot {snap} was missing and has been written: check it in")
    assert text == snap.read_text(encoding="utf-8")


@pytest.mark.browser
def test_html_passes_axe_core(small: tuple[Assessment, Path]) -> None:
    """axe-core (WCAG 2.0-2.2 A/AA and best practice) finds nothing in the report, using the
    Chromium and axe-core the web tests use (tests/web/test_browser.py)."""
    chromium = Path("/usr/bin/chromium")
    axe = REPO / "node_modules" / "axe-core" / "axe.min.js"
    for need in (chromium, axe):
        if not need.exists():
            pytest.fail(f"{need} is missing: run `make setup` (scripts/build-static.sh)")
    from playwright.sync_api import sync_playwright

    a, root = small
    written = write_report(a, root / "axe" / "report", pdf=False)
    assert written.summary_html is not None
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for edition in (written.html, written.summary_html):  # full, and the board's
                page = browser.new_page()
                page.goto(edition.as_uri())
                page.add_script_tag(path=str(axe))
                result = page.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                    ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
                )
                problems += [
                    f"{edition.name}: {v['id']}: {v['help']} ({len(v['nodes'])})"
                    for v in result["violations"]
                ]
                assert len(result["passes"]) > 20, edition.name
        finally:
            browser.close()
    assert problems == []


def test_pdf_keeps_table_rows_whole(tmp_path: Path) -> None:
    """Issue 12: the PDF split table rows across pages. A table of 120 rows whose last cell
    wraps over several lines: every row's first and last words are on the same page."""
    from pypdf import PdfReader

    from safercity.analytics.report import Block, Section, TableView, render_html, write_pdf

    filler = " ".join(["words that wrap over several lines in a narrow cell"] * 3)
    rows = [[f"R{i:03d}a", f"{filler} R{i:03d}z"] for i in range(120)]
    table = TableView("t", "A long table", ["Key", "Text"], [False, False], rows)
    doc = {
        "title": "Rows",
        "edition": "full",
        "area": "A",
        "period": "P",
        "generated_on": "1 January 2020",
        "sections": [Section("s", "1. Rows", [Block("table", table=table)])],
        "figures": [],
    }
    pdf = tmp_path / "rows.pdf"
    write_pdf(render_html(doc), pdf, tmp_path)
    pages = [p.extract_text() or "" for p in PdfReader(str(pdf)).pages]
    assert len(pages) > 3
    for i in range(120):
        where_a = [n for n, t in enumerate(pages) if f"R{i:03d}a" in t]
        where_z = [n for n, t in enumerate(pages) if f"R{i:03d}z" in t]
        assert where_a == where_z and len(where_a) == 1, f"row {i} split: {where_a} {where_z}"
