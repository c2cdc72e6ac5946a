"""Property-based: corrupted variants of a real police.uk file never crash the import, every
input row is either stored or quarantined, and re-importing adds nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safercity.analytics.ingest import ingest_paths
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.shared_data

SRC = (
    Path(__file__).resolve().parents[3].parent
    / "shared/data/police-uk/west-yorkshire/2017-07-west-yorkshire-street.csv"
)
LINES = SRC.read_text(encoding="utf-8").splitlines()  # CI always has ../shared
HEADER, BODY = LINES[0], LINES[1:41]

junk = st.text(
    alphabet=st.characters(blacklist_characters=',"\r\n', blacklist_categories=("Cs",)), max_size=12
)


@st.composite
def mutated_line(draw: st.DrawFn, line: str) -> str:
    fields = line.split(",")
    op = draw(
        st.sampled_from(
            ["keep", "keep", "field", "drop", "add", "month", "coords", "category", "blank"]
        )
    )
    if op == "field":
        fields[draw(st.integers(0, len(fields) - 1))] = draw(junk)
    elif op == "drop":
        del fields[draw(st.integers(0, len(fields) - 1))]
    elif op == "add":
        fields.insert(draw(st.integers(0, len(fields))), draw(junk))
    elif op == "month":
        fields[1] = draw(st.sampled_from(["2017-13", "17-07", "", "July 2017", "2017-07-01"]))
    elif op == "coords":
        fields[4] = repr(draw(st.floats(-200, 200, allow_nan=False)))
        fields[5] = repr(draw(st.floats(-100, 100, allow_nan=False)))
    elif op == "category":
        fields[9] = draw(
            st.sampled_from(["", "Fraud", "violent-crime", "BURGLARY", "Other crime "])
        )
    elif op == "blank":
        return ""
    return ",".join(fields)


@st.composite
def corrupted_file(draw: st.DrawFn) -> list[str]:
    return [draw(mutated_line(line)) for line in BODY]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted_file())
def test_no_crash_nothing_lost_idempotent(body: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "2017-07-west-yorkshire-street.csv"
        f.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8")
        (first,) = ingest_paths(Path(tmp) / "ws", [f]).files
        rows = sum(1 for line in body if line.strip())
        if first.status == "failed":  # a whole-file problem: said clearly, nothing stored
            assert first.error and str(f) in first.error
            with Workspace(Path(tmp) / "ws", read_only=True) as ws:
                assert ws.con.execute("SELECT count(*) FROM incidents").fetchall()[0][0] == 0
            return
        assert first.rows_stored + first.rows_quarantined == rows == first.rows_read
        with Workspace(Path(tmp) / "ws", read_only=True) as ws:
            stored = ws.con.execute("SELECT count(*) FROM incidents").fetchall()[0][0]
            lines = [r[0] for r in ws.con.execute("SELECT line FROM quarantine").fetchall()]
        assert stored == first.rows_stored
        assert all(2 <= line <= len(body) + 1 and body[line - 2].strip() for line in lines)
        (again,) = ingest_paths(Path(tmp) / "ws", [f]).files
        assert again.status == "already imported"
        with Workspace(Path(tmp) / "ws", read_only=True) as ws:
            assert ws.con.execute("SELECT count(*) FROM incidents").fetchall()[0][0] == stored
