"""Outcome measures computed from the store, checked against direct counts in the store:
real police.uk data for Westminster's West End and St James's wards (the example's outcome
measures), and a tiny hand-made store for rates, shares and the repeat rate."""

from __future__ import annotations

import datetime as dt
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from safercity.analytics import monitoring
from safercity.analytics.repeats import RepeatVictimisation
from safercity.analytics.store import Workspace
from safercity.strategy import load, outcomes

REPO = Path(__file__).resolve().parents[2]
WESTMINSTER = REPO / "examples" / "westminster-2011-14.yaml"
NTE_WARDS = {"E05000649": "West End", "E05000644": "St James's"}
D = dt.date


@pytest.fixture(scope="module")
def nte_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The police.uk API records of the West End and St James's wards, 2016-01 to 2018-06,
    with the ward boundaries loaded (real data, read from ../shared)."""
    from safercity.analytics.areas import load_boundaries
    from safercity.analytics.ingest import ingest_paths

    root = tmp_path_factory.mktemp("nte")
    files = root / "files"
    files.mkdir()
    archive = shared_data / "police-uk-api/westminster-wards-2016-2018/crime-street-json.tar.gz"
    seen: set[str] = set()
    with tarfile.open(archive, mode="r|*") as tf:
        for info in tf:
            name = Path(info.name).name
            if info.isfile() and any(f"_area_{code}_" in name for code in NTE_WARDS):
                member = tf.extractfile(info)
                assert member is not None
                records = [r for r in json.load(member) if str(r.get("id")) not in seen]
                seen |= {str(r.get("id")) for r in records}
                (files / name).write_text(json.dumps(records))
    ingest_paths(root / "ws", sorted(files.iterdir()))
    with Workspace(root / "ws") as ws:
        load_boundaries(
            ws, shared_data / "boundaries/westminster-wards-2014.geojson", area_type="ward"
        )
    return root / "ws"


def _query(measure_id: str) -> dict[str, Any]:
    model = load(WESTMINSTER)
    measure = next(m for _, m in model.measures() if m.id == measure_id)
    return measure.data_source.model_dump(mode="json", exclude={"kind"})


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("measure_id", "categories"),
    [
        ("nte-outcome-1-k1", ("Violence and sexual offences", "Robbery")),
        ("nte-outcome-2-k1", ("Theft from the person", "Other theft", "Bicycle theft", "Robbery")),
        ("nte-outcome-3-k1", ("Public order", "Anti-social behaviour")),
    ],
)
def test_westminster_outcome_measures_equal_a_direct_count(
    nte_store: Path, measure_id: str, categories: tuple[str, ...]
) -> None:
    query = _query(measure_id)
    with Workspace(nte_store, read_only=True) as ws:
        got = outcomes.compute(ws.con, query)
        months = [
            r[0]
            for r in ws.con.execute("SELECT DISTINCT month FROM incidents ORDER BY 1").fetchall()
        ]
        direct = {}
        for end, _ in got.values:
            first = D(end.year - 1 + (end.month == 12), end.month % 12 + 1, 1)
            direct[end] = int(
                ws.con.execute(
                    "SELECT count(*) FROM incidents WHERE category IN (SELECT unnest(?)) "
                    "AND ward_name IN ('West End', 'St James''s', 'St. James''s') "
                    "AND lower(local_authority) = 'westminster' AND month BETWEEN ? AND ?",
                    [list(categories), first, end],
                ).fetchone()[0]
            )
    # (the measure's area is the incidents' local authority: a few points of these wards'
    # files lie in LSOAs of a neighbouring borough, and are not counted)
    # police.uk skipped March 2016 for the Met: 29 months of 30, and no rolling year can span
    # the gap, so the first 12 consecutive months are April 2016 to March 2017
    assert len(months) == 29 and D(2016, 3, 1) not in months
    assert got.missing_months == ["2016-03"]
    assert got.values[0][0] == D(2017, 3, 1)
    assert got.values[-1][0] == D(2018, 6, 1)
    assert len(got.values) == 16  # March 2017 .. June 2018
    assert dict(got.values) == {end: float(n) for end, n in direct.items()}
    assert got.values[-1][1] > 1000  # the West End is busy: not a vacuous zero


@pytest.mark.shared_data
def test_an_outcome_measure_rated_from_the_store(nte_store: Path) -> None:
    """The E-test of the change from baseline (12 months to June 2017 against 12 months to June
    2018) decides the RAG, as the assessment's comparison does."""
    query = _query("nte-outcome-1-k1")
    with Workspace(nte_store, read_only=True) as ws:
        got = outcomes.compute(ws.con, query)
    values = dict(got.values)
    r = monitoring.MeasureRating(
        got.values,
        D(2018, 6, 30),
        direction="reduce",
        baseline_date=D(2017, 6, 1),
        counts=got.counts,
        unit="offences",
    )
    assert r.baseline == values[D(2017, 6, 1)] and r.latest == values[D(2018, 6, 1)]
    assert r.comparison is not None
    from safercity.analytics.trends import PoissonComparison

    same = PoissonComparison(int(values[D(2018, 6, 1)]), int(values[D(2017, 6, 1)]))
    assert r.comparison.p_etest == pytest.approx(same.p_etest)
    expected = "none" if not same.significant else ("up" if same.pct_change > 0 else "down")
    assert r.change == expected
    assert r.rag == {"none": "amber", "down": "green", "up": "red"}[expected]
    # the strategy's own baseline (12 months to March 2011) is not in this data: said so
    r = monitoring.MeasureRating(
        got.values,
        D(2018, 6, 30),
        direction="reduce",
        baseline_date=D(2011, 3, 1),
        counts=got.counts,
    )
    assert (r.baseline, r.rag) == (None, "grey")


@pytest.mark.shared_data
def test_rate_per_residents_and_share(nte_store: Path) -> None:
    with Workspace(nte_store, read_only=True) as ws:
        rate = outcomes.compute(
            ws.con,
            {
                "statistic": "rate",
                "category": ["anti-social-behaviour"],
                "area": "Westminster",
                "period": "financial_year",
            },
        )
        count = outcomes.compute(
            ws.con,
            {
                "category": ["anti-social-behaviour"],
                "area": "Westminster",
                "period": "financial_year",
            },
        )
        share = outcomes.compute(
            ws.con,
            {
                "statistic": "share",
                "category": ["violent-crime"],
                "wards": ["West End"],
                "period": "financial_year",
            },
        )
        whole = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE ward_name = 'West End' "
            "AND month BETWEEN '2016-04-01' AND '2017-03-01'"
        ).fetchone()[0]
        part = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE ward_name = 'West End' "
            "AND category = 'Violence and sexual offences' "
            "AND month BETWEEN '2016-04-01' AND '2017-03-01'"
        ).fetchone()[0]
    # one complete financial year: April 2016 to March 2017 (2015/16 lacks months, 2017/18 is
    # complete too)
    assert [d for d, _ in count.values] == [D(2016, 4, 1), D(2017, 4, 1)]
    # Westminster's 2011 Census usual residents, the sum of its 128 LSOAs: 219,396
    from safercity.analytics.geography import lsoas_of_local_authority

    residents = float(lsoas_of_local_authority("Westminster")["population"].sum())
    assert residents == 219_396
    for (d, n), (d2, r) in zip(count.values, rate.values, strict=True):
        assert d == d2 and r == pytest.approx(n * 1000 / residents)
        assert rate.counts is not None and rate.counts[d] == (n, residents)
    assert "219,396" in rate.note
    assert share.values[0] == (D(2016, 4, 1), pytest.approx(100 * part / whole))
    assert share.counts is not None and share.counts[D(2016, 4, 1)] == (part, whole)


def _store(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    with Workspace(tmp_path / "ws") as ws:
        for i, row in enumerate(rows):
            ws.con.execute(
                "INSERT INTO incidents (incident_key, source_id, source_kind, month, occurred_from,"
                " category, local_authority, victim_id, flag_domestic) VALUES (?, 's', 'local', ?,"
                " ?, ?, 'Testshire', ?, ?)",
                [
                    f"k{i}",
                    row["day"].replace(day=1),
                    row["day"],
                    row.get("category", "Violence and sexual offences"),
                    row.get("victim"),
                    row.get("domestic", True),
                ],
            )
    return tmp_path / "ws"


def test_repeat_rate_by_hand(tmp_path: Path) -> None:
    """SYNTHETIC: victim A in January, March and (next year) February 2012 (gaps 59 and 337
    days: both repeats within 365 days); B in January and again in January 2012 (366 days: not a
    repeat); C once; one incident with no victim id; one not domestic (left out)."""
    rows = [
        {"day": D(2011, 1, 10), "victim": "A"},
        {"day": D(2011, 3, 10), "victim": "A"},
        {"day": D(2012, 2, 10), "victim": "A"},
        {"day": D(2011, 1, 5), "victim": "B"},
        {"day": D(2012, 1, 6), "victim": "B"},
        {"day": D(2011, 6, 1), "victim": "C"},
        {"day": D(2011, 7, 1), "victim": None},
        {"day": D(2011, 8, 1), "victim": "C", "domestic": False},
    ]
    # every month from January 2011 to February 2012 has data (a month with none is missing)
    for month in range(1, 13):
        rows.append(
            {"day": D(2011, month, 28), "victim": None, "category": "Burglary", "domestic": False}
        )
    rows.append({"day": D(2012, 1, 28), "victim": None, "category": "Burglary", "domestic": False})
    rows.append({"day": D(2012, 2, 28), "victim": None, "category": "Burglary", "domestic": False})
    ws_path = _store(tmp_path, rows)
    with Workspace(ws_path, read_only=True) as ws:
        got = outcomes.compute(
            ws.con,
            {
                "statistic": "repeat_rate",
                "flags": {"flag_domestic": True},
                "area": "Testshire",
                "period": "month",
                "repeat_within_days": 365,
            },
        )
        frame = ws.con.execute(
            "SELECT victim_id, occurred_from, month FROM incidents WHERE flag_domestic"
        ).df()
    by_month = dict(got.values)
    # March 2011: one domestic incident with a victim (A's second): a repeat -> 100%
    assert by_month[D(2011, 3, 1)] == 100.0
    # January 2011: A's and B's first incidents: no repeat -> 0%
    assert by_month[D(2011, 1, 1)] == 0.0
    # January 2012: B again after 366 days: not a repeat; February 2012: A after 337 days
    assert by_month[D(2012, 1, 1)] == 0.0 and by_month[D(2012, 2, 1)] == 100.0
    assert got.counts is not None and got.counts[D(2011, 3, 1)] == (1.0, 1.0)
    # months with no domestic incident have no rate (nothing to divide)
    assert D(2011, 2, 1) not in by_month
    # over all the data, the same share of repeats as RepeatVictimisation's
    rv = RepeatVictimisation(frame, window_days=365)
    repeats = sum(n for n, _ in got.counts.values())
    incidents = sum(w for _, w in got.counts.values())
    assert (repeats, incidents) == (rv.n_repeats_window, rv.n_incidents) == (2, 6)


def test_no_victim_ids_says_so(tmp_path: Path) -> None:
    ws_path = _store(tmp_path, [{"day": D(2011, 1, 10), "victim": None}])
    with Workspace(ws_path, read_only=True) as ws:
        got = outcomes.compute(ws.con, {"statistic": "repeat_rate", "period": "month"})
        empty = outcomes.compute(ws.con, {"area": "Nowhere"})
        theme = outcomes.compute(ws.con, {"theme": "no-such-theme", "period": "month"})
    assert got.values == [] and "victim id" in got.note
    assert empty.values == [] and "no incidents for Nowhere" in empty.note
    assert theme.values == [] and "no theme 'no-such-theme'" in theme.note
