"""Benchmark the Strategic Assessment analyses: time and peak memory per analysis.

Two sets:

* **Westminster** - the police.uk API records for Westminster's 20 wards, 2016-01..2018-06
  (``../shared/data/police-uk-api/westminster-wards-2016-2018``, ~165,800 unique records; real,
  month-only). Times are benchmarked on real US incidents with from/to windows (NYC vehicle
  thefts 2014-17, ``crimedata_nycvehiclethefts.csv``) replicated to the same size.
* **National (synthetic-by-replication)** - the Westminster records replicated to 5,000,000 rows,
  each copy a different set of places (ward and street ids suffixed by the copy number); times on
  the NYC windows replicated to 5,000,000. The rows are real; the volume is made by copying.

Memory is the peak of Python-tracked allocations during the analysis (``tracemalloc``; numpy
buffers are tracked, some Arrow string buffers are not). Run::

    .venv/bin/python benchmarks/assessment.py [--rows 5000000] [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import tarfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from safercity.analytics.categories import normalise_category
from safercity.analytics.harm import HarmProfile
from safercity.analytics.places import AreaComparison, PlaceProfile
from safercity.analytics.priorities import WESTMINSTER_2010_CONSULTATION, PriorityMatrix
from safercity.analytics.repeats import RepeatVictimisation
from safercity.analytics.themes import load_themes
from safercity.analytics.times import TimeProfile
from safercity.analytics.trends import Trend

REPO = Path(__file__).resolve().parents[1]


def load_westminster(shared: Path) -> pd.DataFrame:
    folder = shared / "police-uk-api" / "westminster-wards-2016-2018"
    wards = pd.read_csv(folder / "wards.csv", header=None, names=["code", "name", "la"])
    ward_name = dict(zip(wards["code"], wards["name"], strict=True))
    rows: list[tuple[Any, ...]] = []
    with tarfile.open(folder / "crime-street-json.tar.gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".json"):
                continue
            ward = member.name.split("_area_")[1].split("_")[0]
            handle = tar.extractfile(member)
            if handle is None:
                continue
            for rec in json.load(handle):
                loc = rec.get("location") or {}
                street = (loc.get("street") or {}).get("id")
                rows.append((rec["id"], rec["category"], rec["month"], ward, street))
    frame = pd.DataFrame(rows, columns=["crime_id", "slug", "m", "ward_code", "street"])
    frame = frame.drop_duplicates("crime_id").reset_index(drop=True)
    lookup = {s: normalise_category(s) or s for s in frame["slug"].unique()}
    return pd.DataFrame(
        {
            "incident_key": "api:" + frame["crime_id"].astype(str),
            "month": pd.to_datetime(frame["m"] + "-01"),
            "category": frame["slug"].map(lookup).astype("string"),
            "local_authority": "Westminster",
            "ward_code": frame["ward_code"].astype("string"),
            "ward_name": frame["ward_code"].map(ward_name).astype("string"),
            "location": frame["street"].astype("string"),
        }
    )


def load_windows(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / "incidents" / "crimedata_nycvehiclethefts.csv")
    f = pd.DataFrame(
        {
            "occurred_from": pd.to_datetime(raw["date_start"], errors="coerce"),
            "occurred_to": pd.to_datetime(raw["date_end"], errors="coerce"),
        }
    ).dropna()
    return f[f["occurred_to"] >= f["occurred_from"]].reset_index(drop=True)


def replicate(frame: pd.DataFrame, n_rows: int, place_cols: tuple[str, ...] = ()) -> pd.DataFrame:
    """Synthetic-by-replication: copy the rows until there are ``n_rows``; each copy's places get
    a ``~<copy>`` suffix so copies are different places."""
    copies = int(np.ceil(n_rows / len(frame)))
    idx = np.tile(np.arange(len(frame)), copies)[:n_rows]
    copy_no = np.repeat(np.arange(copies), len(frame))[:n_rows]
    out = frame.iloc[idx].reset_index(drop=True)
    suffix = pd.Series(copy_no).astype(str)
    for col in place_cols:
        out[col] = (out[col].astype("string") + "~" + suffix).astype("string")
    return out


def measure(name: str, fn: Callable[[], Any]) -> dict[str, Any]:
    """Time one run untraced, then measure its peak traced memory in a second run (tracemalloc
    slows allocation-heavy pandas code, so timing under it would mislead)."""
    note = ""
    t0 = time.perf_counter()
    try:
        fn()
    except Exception as exc:  # a benchmark reports, it does not stop
        note = f"{type(exc).__name__}: {exc}"[:60]
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    tracemalloc.reset_peak()
    with contextlib.suppress(Exception):
        fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"analysis": name, "seconds": seconds, "peak_mb": peak / 2**20, "note": note}


def run_set(label: str, inc: pd.DataFrame, windows: pd.DataFrame) -> list[dict[str, Any]]:
    themes = load_themes()
    nte = themes.get("night-time-economy")
    in_west_end = inc["ward_name"].astype("string").str.startswith("West End").fillna(False)
    ward_pop = pd.Series(10_000.0, index=inc["ward_code"].unique())  # even frame for the bench
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("trend (all crime, monthly, tests, SPC, STL)", lambda: Trend(inc)),
        ("trend by year", lambda: Trend(inc, by="year")),
        (
            "places by ward (rates, ranks, Gini)",
            lambda: PlaceProfile(inc, place="ward_code", population=ward_pop),
        ),
        (
            "area vs rest (West End)",
            lambda: AreaComparison(
                inc, in_west_end.to_numpy(), population_area=10_000, population_rest=190_000
            ),
        ),
        ("harm (CCHI)", lambda: HarmProfile(inc)),
        ("theme filter (night-time economy)", lambda: nte.filter(inc)),
        ("repeats by location", lambda: RepeatVictimisation(inc, key="location")),
        ("times: police.uk month-only (must refuse)", lambda: TimeProfile(inc)),
        (f"times: aoristic on {len(windows):,} windows", lambda: TimeProfile(windows)),
        (
            "priorities (6 themes)",
            lambda: PriorityMatrix(inc, consultation=WESTMINSTER_2010_CONSULTATION),
        ),
    ]
    results = []
    for name, fn in steps:
        r = measure(name, fn)
        r["set"] = label
        results.append(r)
        print(
            f"{label:<12} {name:<48} {r['seconds']:8.2f} s {r['peak_mb']:9.1f} MB {r['note']}",
            flush=True,
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    west = load_westminster(args.shared)
    windows = load_windows(args.shared)
    print(
        f"loaded Westminster {len(west):,} rows, {len(windows):,} NYC windows "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    results = run_set("Westminster", west, replicate(windows, len(west)))
    total_w = sum(r["seconds"] for r in results)
    print(f"{'Westminster':<12} {'TOTAL':<48} {total_w:8.2f} s")
    if not args.skip_national:
        national = replicate(west, args.rows, ("ward_code", "location"))
        nat_windows = replicate(windows, args.rows)
        label = "national-5M"
        res = run_set(label, national, nat_windows)
        print(f"{label:<12} {'TOTAL':<48} {sum(r['seconds'] for r in res):8.2f} s")
        results += res
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (data, copies and all analyses): {rss_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
