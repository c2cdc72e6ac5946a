"""``safercity knox``: the JSON keys of the issue, both modes, and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from safercity import cli


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict | str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    if code == 0 and "--json" in argv:
        return code, json.loads(captured.out)
    return code, captured.out + captured.err


@pytest.mark.shared_data
def test_nrc_mode_json(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = shared_data / "incidents" / "chicago_be_month1.csv"
    code, out = _run(
        [
            "knox",
            str(csv),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--nrc-spatial-bandwidth",
            "100",
            "--nrc-spatial-bands",
            "3",
            "--nrc-temporal-bandwidth",
            "7",
            "--nrc-temporal-bands",
            "3",
            "--permutations",
            "99",
            "--seed",
            "1",
            "--event",
            "burglary",
            "--json",
        ],
        capsys,
    )
    assert code == 0 and isinstance(out, dict)
    for key in (
        "space_bands",
        "time_bands",
        "observed",
        "expected",
        "knox_ratio",
        "p_values",
        "summary",
    ):
        assert key in out
    assert out["space_bands"][0] == "Same location" and out["time_bands"][0] == "0 to 7"
    assert out["observed"][1] == [44, 13, 8, 4]  # the NRC's own "1 to 100" row
    assert np.shape(out["expected"]) == (5, 4)
    assert "burglary" in out["summary"]


def test_breaks_mode_with_lonlat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # three incidents in Leeds: A and B ~ 70 m and 2 days apart, C ~ 7 km away
    csv = tmp_path / "inc.csv"
    csv.write_text(
        "lon,lat,when\n-1.5500,53.8000,2024-01-01\n-1.5490,53.8000,2024-01-03\n"
        "-1.4500,53.8000,2024-01-02\nbad,53.8,2024-01-02\n"
    )
    code, out = _run(
        [
            "knox",
            str(csv),
            "--x",
            "lon",
            "--y",
            "lat",
            "--date",
            "when",
            "--crs",
            "EPSG:4326",
            "--space-breaks",
            "0",
            "100",
            "inf",
            "--time-breaks",
            "0",
            "7",
            "--permutations",
            "9",
            "--json",
        ],
        capsys,
    )
    assert code == 0 and isinstance(out, dict)
    assert out["observed"] == [[1], [2]]
    assert out["space_bands"] == ["[0, 100)", "[100, inf)"]
    assert out["rows_without_location_or_date"] == 1


def test_errors_are_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "inc.csv"
    csv.write_text("x,y,d\n0,0,2024-01-01\n1,1,2024-01-02\n")
    code, msg = _run(["knox", str(csv), "--x", "x", "--y", "y", "--date", "d"], capsys)
    assert code == 2 and "either --space-breaks" in str(msg)
    code, msg = _run(
        [
            "knox",
            str(csv),
            "--x",
            "nope",
            "--y",
            "y",
            "--date",
            "d",
            "--space-breaks",
            "0",
            "1",
            "--time-breaks",
            "0",
            "1",
        ],
        capsys,
    )
    assert code == 2 and "no column 'nope'" in str(msg)
    code, msg = _run(
        [
            "knox",
            str(csv),
            "--x",
            "x",
            "--y",
            "y",
            "--date",
            "d",
            "--space-breaks",
            "5",
            "1",
            "--time-breaks",
            "0",
            "1",
        ],
        capsys,
    )
    assert code == 2 and "increase" in str(msg)
