"""Plain SVG charts: valid XML, accessible, deterministic, no colour-only meaning."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import shapely

from safercity.analytics import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    ids = (root.get("aria-labelledby") or "").split()
    assert len(ids) == 2
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == ids[0] and title.text
    assert desc is not None and desc.get("id") == ids[1] and desc.text
    return root


def test_line_chart_is_accessible_and_deterministic() -> None:
    labels = ["Jan", "Feb", "Mar", "Apr"]
    series = [charts.Series("This year", [10, 12, None, 14]), charts.Series("Last", [9, 9, 9, 9])]
    a = charts.line_chart("c1", labels, series, title="T", desc="D & more")
    b = charts.line_chart("c1", labels, series, title="T", desc="D & more")
    assert a == b
    root = _parse(a)
    lines = root.findall(f"{SVG}polyline")
    # the gap (None) breaks the first series into two runs: only the 2-point run is a line
    assert len(lines) == 2
    # series differ by dash pattern as well as colour
    dashes = {pl.get("stroke-dasharray") for pl in lines}
    assert len(dashes) == 2
    assert "D &amp; more" in a


def test_line_chart_reference_lines_drawn_and_labelled() -> None:
    svg = charts.line_chart(
        "c2",
        ["a", "b"],
        [charts.Series("s", [1, 2])],
        title="T",
        desc="D",
        ref_lines=[charts.RefLine("mean 1.5", 1.5)],
    )
    assert "mean 1.5" in svg


def test_bar_chart_prints_values() -> None:
    svg = charts.bar_chart("b1", ["Burglary", "Robbery"], [1234, 56], title="T", desc="D")
    root = _parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "1,234" in texts and "56" in texts
    widths = [float(r.get("width") or 0) for r in root.findall(f"{SVG}rect")[1:]]
    assert widths[0] > widths[1] > 0


def test_heat_table_prints_every_value_with_readable_text() -> None:
    m = [[0, 5], [10, 20]]
    svg = charts.heat_table("h1", ["00", "01"], ["Mon", "Tue"], m, title="T", desc="D")
    root = _parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for v in ("0", "5", "10", "20"):
        assert v in texts


def test_text_colour_contrast() -> None:
    assert charts.text_colour("#08519c") == "#ffffff"
    assert charts.text_colour("#eff3ff") == "#000000"


def test_nice_ticks_cover_range() -> None:
    t = charts.nice_ticks(0, 63_000)
    assert t[0] == 0 and t[-1] >= 63_000 and len(t) <= 8
    assert charts.nice_ticks(0, 1) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_class_breaks_and_labels() -> None:
    # zero is its own class; 1..10 split at quartiles 3.25, 5.5, 7.75, 10 (rounded up)
    br = charts.class_breaks([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert br == [0, 4, 6, 8, 10]
    assert charts.class_labels(br) == ["0", "1–4", "5–6", "7–8", "9–10"]
    assert charts.classify(0, br) == 0 and charts.classify(10, br) == 4
    assert charts.classify(5, br) == 2
    # without zeros: five classes over the values (quintiles 2.8, 4.6, 6.4, 8.2, 10)
    assert charts.class_breaks(list(range(1, 11))) == [3, 5, 7, 9, 10]
    # mostly zeros (a theme in a few places): the zeros do not swallow the other classes;
    # quartiles of 5, 50, 500, 5000 (linear): 38.75, 275, 1625, 5000
    assert charts.class_breaks([0] * 100 + [5, 50, 500, 5000]) == [0, 39, 275, 1625, 5000]


def test_area_map_draws_each_polygon_with_title_and_legend() -> None:
    polys = [shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)]
    svg = charts.area_map("m1", polys, [3, 40], ["A", "B"], title="Map", desc="D")
    root = _parse(svg)
    paths = root.findall(f"{SVG}path")
    assert len(paths) == 2
    assert [p.find(f"{SVG}title").text for p in paths] == ["A: 3 incidents", "B: 40 incidents"]
    assert paths[0].get("fill") != paths[1].get("fill")
    assert svg == charts.area_map("m1", polys, [3, 40], ["A", "B"], title="Map", desc="D")


def test_charts_for_web_pages_carry_a_class_and_no_style_attribute() -> None:
    # the web's Content Security Policy (style-src 'self') refuses style attributes: a chart
    # drawn for a page is named by a class, and the report's default output is unchanged
    line = charts.line_chart(
        "w1", ["Jan", "Feb"], [charts.Series("s", [1, None])], title="T", desc="D", css_class="c"
    )
    bars = charts.bar_chart("w2", ["A", "B"], [3, 4], title="T", desc="D", css_class="c")
    for svg in (line, bars):
        root = _parse(svg)
        assert root.get("class") == "c"
        assert all(el.get("style") is None for el in root.iter()), svg
    report = charts.line_chart("r1", ["Jan"], [charts.Series("s", [1])], title="T", desc="D")
    assert _parse(report).get("style") == charts.FONT


def test_line_chart_month_labels_stay_inside_the_chart() -> None:
    # rotated labels end at their tick (text-anchor end): the last month is drawn in full
    labels = [f"M{k:02d} 2018" for k in range(25)]
    svg = charts.line_chart(
        "l1", labels, [charts.Series("s", list(range(25)))], title="T", desc="D", width=640
    )
    root = _parse(svg)
    ticks = {t.text: t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("M")}
    assert "M24 2018" in ticks  # 25 labels, one every 3: the last is labelled
    for t in ticks.values():
        assert t.get("text-anchor") == "end" and 0 < float(t.get("x") or 0) < 640


def test_line_chart_can_count_its_labels_back_from_the_last() -> None:
    # 24 months, a label every 2: from the start the last month goes unlabelled; from the end
    # it is labelled (and so is every other month back to the second)
    labels = [f"M{k:02d}" for k in range(24)]
    series = [charts.Series("s", list(range(24)))]

    def shown(svg: str) -> list[str]:
        return [t.text or "" for t in _parse(svg).iter(f"{SVG}text") if (t.text or "")[:1] == "M"]

    assert shown(charts.line_chart("a", labels, series, title="T", desc="D"))[-1] == "M22"
    from_end = shown(
        charts.line_chart("b", labels, series, title="T", desc="D", label_from_end=True)
    )
    assert from_end == [f"M{k:02d}" for k in range(1, 24, 2)]
