"""The demo's Strategic Assessment (Leeds, July 2018, from the embedded police.uk snapshots of
July 2016, 2017 and 2018), read as a board member would (issue 12): like with like, Figure 1
holding what it says, no Westminster theme, words not machine labels, a tagged PDF, a summary
edition. The expected counts are the raw files' own (counted with DuckDB below)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from safercity.analytics.assessment import Assessment
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.report import WrittenReport, write_report
from safercity.analytics.store import Workspace
from safercity.commands.demo import demo_zip


@pytest.fixture(scope="module")
def leeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessment, WrittenReport]:
    root = tmp_path_factory.mktemp("demo")
    summary = ingest_paths(root / "ws", [demo_zip()])
    assert not summary.failed
    ws = Workspace(root / "ws", read_only=True)
    a = Assessment(ws, area="Leeds", period="2018-07:2018-07", permutations=19, seed=1)
    return a, write_report(a, root / "out" / "leeds", pdf=True)


def _raw_counts(month: str, tmp: Path) -> dict[str, int]:
    """Leeds rows of one month straight from the embedded zip (an independent count)."""
    import zipfile

    with zipfile.ZipFile(demo_zip()) as z:
        name = next(n for n in z.namelist() if n.startswith(month) and n.endswith(".csv"))
        csv = tmp / f"{month}.csv"
        csv.write_bytes(z.read(name))
    rows = (
        duckdb.connect()
        .execute(
            'SELECT "Crime type", count(*) FROM read_csv_auto(?, header=true) '
            "WHERE \"LSOA name\" LIKE 'Leeds %' GROUP BY 1",
            [str(csv)],
        )
        .fetchall()
    )
    return {str(k): int(v) for k, v in rows}


def test_july_is_compared_with_july_a_year_earlier(
    leeds: tuple[Assessment, WrittenReport], tmp_path: Path
) -> None:
    a, _w = leeds
    assert [m.isoformat() for m in a.prev_months] == ["2017-07-01"]
    raw18, raw17 = _raw_counts("2018-07", tmp_path), _raw_counts("2017-07", tmp_path)
    asb = "Anti-social behaviour"
    assert a.asb_change.this == raw18[asb] == 1861
    assert a.asb_change.last == raw17[asb] == 2007
    assert a.crime_change.this == sum(v for k, v in raw18.items() if k != asb)
    assert a.crime_change.last == sum(v for k, v in raw17.items() if k != asb)
    # every category now has a comparison (was "previous 0, no significant change")
    cats = a.overview_categories
    assert (cats["previous_period"] > 0).all()
    assert cats["assessment"].isin(["significant rise", "significant fall"]).any()
    # the obvious change is stated: ASB 2,266 -> 2,007 -> 1,861
    same = a.same_months.set_index("measure")
    assert list(same.loc[asb]) == [2266, 2007, 1861]
    assert "anti-social behaviour 2,266 → 2,007 → 1,861" in " ".join(a.findings)


def test_figure_1_holds_what_its_label_says(leeds: tuple[Assessment, WrittenReport]) -> None:
    a, written = leeds
    lr = a.long_run
    assert list(lr["year"]) == ["July 2016", "July 2017", "July 2018"]
    assert (lr["months_of_data"] == lr["months_in_window"]).all()
    html = written.html.read_text(encoding="utf-8")
    assert "Figure 1: Crime in Leeds, July of each year" in html
    assert "12 months to July" not in html


def test_westminster_themes_are_not_in_a_leeds_report(
    leeds: tuple[Assessment, WrittenReport],
) -> None:
    a, written = leeds
    assert "night-time-economy" not in {t.name for t in a.themes}
    assert "night-time-economy" not in set(a.priorities["candidate"])
    assert [t.name for t in a.themes_elsewhere] == ["night-time-economy"]
    html = written.html.read_text(encoding="utf-8")
    assert 'id="theme-night-time-economy"' not in html
    assert "applies to Westminster only and is not assessed for Leeds" in html


def test_a_proxy_is_not_recommended_first_and_is_named_as_a_proxy(
    leeds: tuple[Assessment, WrittenReport],
) -> None:
    a, _written = leeds
    first = a.recommended.iloc[0]
    assert first["proxy_for"] is None or first["proxy_for"] != first["proxy_for"]
    proxy = a.priorities.set_index("candidate").loc["reoffending"]
    assert proxy["title"] == "Acquisitive crime (proxy for re-offending)"
    assert proxy["confidence_score"] <= 2


def test_labels_are_words(leeds: tuple[Assessment, WrittenReport]) -> None:
    """Issue 12: 'harm this period (CCHI days) 333,408.37' was a machine label."""
    a, written = leeds
    key = a.tables["key-figures"]
    assert "Crime harm this period, days of custody (Cambridge Crime Harm Index)" in set(
        key["measure"]
    )
    harm = key.set_index("measure").loc[
        "Crime harm this period, days of custody (Cambridge Crime Harm Index)", "shown"
    ]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", harm), harm  # a whole number with separators
    html = written.html.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(svg|style|script).*?</\1>", "", html, flags=re.S))
    for machine in ("police_uk", "victim_age", "flag_domestic", "(CCHI days)", "_score", "p_etest"):
        assert machine not in text, machine
    assert not re.search(r"\b\d+\.\d{2}\b(?! ?%)", " ".join(key["shown"]))


def test_pdf_is_tagged_and_the_summary_edition_renders(
    leeds: tuple[Assessment, WrittenReport],
) -> None:
    from pypdf import PdfReader

    _a, written = leeds
    assert written.pdf is not None and written.summary_pdf is not None
    for path in (written.pdf, written.summary_pdf):
        root = PdfReader(str(path)).trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"])
        assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    summary = PdfReader(str(written.summary_pdf))
    full = PdfReader(str(written.pdf))
    assert len(summary.pages) <= 6 < len(full.pages)
    text = " ".join(p.extract_text() or "" for p in summary.pages)
    assert "Executive summary" in text and "Recommended priorities" in text
    assert written.summary_html is not None
    assert "Summary for the board" in written.summary_html.read_text(encoding="utf-8")


def test_the_context_template_is_written_beside_the_report(
    leeds: tuple[Assessment, WrittenReport],
) -> None:
    _a, written = leeds
    assert written.context is not None
    text = written.context.read_text(encoding="utf-8")
    for heading in ("## Political", "## Emerging threats", "## Hidden harms"):
        assert heading in text
