"""Ingest benchmark: ``safercity ingest`` against the obvious pandas route on the same files.

Builds a police.uk file set of about 2 million rows from the real West Yorkshire CSVs in
../shared (each real month repeated as new months with new Crime IDs: synthetic by replication
of real rows), then times, each in a fresh process so peak memory (max RSS) is its own:

- safercity: ``ingest_paths`` into a new workspace (checks, quarantine, BNG projection, LSOA ->
  local authority, dedup, whole files committed in batches);
- pandas: ``read_csv`` every file + ``concat`` + ``to_parquet`` (no checks at all);
- DuckDB alone: ``read_csv`` of all the files straight into the same ``incidents`` table, no
  checks, keys, projection or quarantine: the floor set by the store itself;
- DuckDB one pass with safercity's row checks: the same, through the product's own check SQL,
  keeping the good rows (no projection, line numbers, repeat numbering or quarantine): the
  ceiling of any single-pass design built on DuckDB;
- reading only, no store: DuckDB counting the rows, and pandas ``read_csv`` with no concat or
  Parquet: the least any route here spends reading the files at all.

The two speed targets of issue 2 are printed as times beside these rows: 500,000 rows/s, and 5x
the pandas route's speed.

A second case (issue 15): many one-row police.uk files (``--small-files``, 2,000 by default),
real West Yorkshire rows, laid out two ways: as monthly releases of one force and month (each
in its own folder, named as police.uk names a month: each replaces the one before) and as parts
not named as releases. Timed: ``ingest_paths`` as shipped (many files to a transaction), the
same with one file per transaction (``BATCH_FILES = 1``: the commit pattern before batching;
timed on the first ``--per-file-sample`` files only, 200 by default, and scaled to all of them,
as it takes about a second a file on a busy machine), pandas ``read_csv`` + ``concat`` +
``to_parquet``, and DuckDB alone (the floor).

Run: ``.venv/bin/python benchmarks/ingest.py [--rows 2000000] [--small-files 2000]``. Prints
tables with ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "police-uk" / "west-yorkshire"

SAFERCITY = """
import sys, time
from safercity.analytics.ingest import ingest_paths
t = time.perf_counter()
s = ingest_paths(sys.argv[1], [sys.argv[2]])
print(time.perf_counter() - t, s.totals()["rows_stored"])
"""

#: the columns every DuckDB-only route fills, in the order its SELECT gives them
_INSERT = """
INSERT INTO incidents (incident_key, crime_id, source_id, source_kind, force, month, category,
    offence, longitude, latitude, location, location_type, lsoa_code, lsoa_name, outcome, context)
"""


def _duckdb_route(select: str, imports: str = "") -> str:
    """A script that inserts ``select`` (reading the files given as its ``?``) into a new
    store's ``incidents`` in one transaction, and prints its time and the rows stored."""
    return f"""
import glob, sys, time
import duckdb
from safercity.analytics.store import SCHEMA
{imports}
t = time.perf_counter()
con = duckdb.connect(sys.argv[1] + "/store.duckdb")
con.execute(SCHEMA)
con.execute("BEGIN")
con.execute({_INSERT!r} + {select}, [sorted(glob.glob(sys.argv[2] + "/**/*.csv", recursive=True))])
con.execute("COMMIT")
con.close()
n = duckdb.connect(sys.argv[1] + "/store.duckdb").execute("SELECT count(*) FROM incidents")
print(time.perf_counter() - t, n.fetchall()[0][0])
"""


# The floor of the store itself: DuckDB reading the same files (all threads) straight into the
# same ``incidents`` table with no checks, no keys beyond the Crime ID, no projection and no
# quarantine. Not a route anyone should use; it shows what part of the time is the store's own.
DUCKDB_FLOOR = _duckdb_route(
    repr(
        """
SELECT coalesce('crime:' || "Crime ID", 'asb'), "Crime ID", filename, 'police_uk_street',
    "Falls within", strptime("Month", '%Y-%m')::DATE, "Crime type", "Crime type", "Longitude",
    "Latitude", "Location", 'Force', "LSOA code", "LSOA name", "Last outcome category", "Context"
FROM read_csv(?, header=true, filename=true, types={'Longitude': 'DOUBLE', 'Latitude': 'DOUBLE'})
"""
    )
)

# The product's own row checks (its SQL, imported) in one pass straight into ``incidents``:
# what is left out (BNG projection, line numbers, numbering a crime listed twice, quarantining
# bad rows) is the rest of what ``safercity ingest`` does. The ceiling of a one-pass design.
_CHECKED_SOURCE = (
    "read_csv(?, header=true, all_varchar=true, parallel=true, delim=',', quote='\"', escape='\"')"
)
DUCKDB_CHECKED = _duckdb_route(
    repr(
        """
SELECT coalesce('crime:' || crime_id, 'asb:' || repeat_hash::VARCHAR), crime_id,
    file_index::VARCHAR, 'police_uk_street', falls_within, month, category, offence, longitude,
    latitude, location, 'Force', lsoa_code, lsoa_name, outcome, context
FROM ("""
    )
    + f" + _checked_sql({_CHECKED_SOURCE!r}, ('file_index',)) + ') WHERE bad_field IS NULL'",
    imports="from safercity.analytics.ingest.police_uk import _checked_sql",
)

# Reading only, no store: the least time a route here can spend on these files.
DUCKDB_READ = """
import glob, sys, time
import duckdb
t = time.perf_counter()
n = duckdb.connect().execute("SELECT count(*) FROM read_csv(?, header=true)",
                             [sorted(glob.glob(sys.argv[2] + "/**/*.csv", recursive=True))]).fetchall()[0][0]
print(time.perf_counter() - t, n)
"""
PANDAS_READ = """
import sys, time, glob
import pandas as pd
t = time.perf_counter()
n = sum(len(pd.read_csv(f)) for f in sorted(glob.glob(sys.argv[2] + "/**/*.csv", recursive=True)))
print(time.perf_counter() - t, n)
"""

PANDAS = """
import sys, time, glob
import pandas as pd
t = time.perf_counter()
frames = [pd.read_csv(f) for f in sorted(glob.glob(sys.argv[2] + "/**/*.csv", recursive=True))]
df = pd.concat(frames, ignore_index=True)
df.to_parquet(sys.argv[1] + "/all.parquet")
print(time.perf_counter() - t, len(df))
"""


# many small files: every route reports the rows it read (a release replaces the one before,
# so what safercity keeps is not what it read)
SAFERCITY_SMALL = """
import sys, time
import safercity.analytics.ingest as ingest
if sys.argv[3:] == ["per-file"]:
    ingest.BATCH_FILES = 1  # one file per transaction, as before batching
t = time.perf_counter()
s = ingest.ingest_paths(sys.argv[1], [sys.argv[2]])
assert not s.failed
print(time.perf_counter() - t, s.totals()["rows_read"])
"""
SMALL_ROUTES = (
    ("safercity", "safercity ingest (batched)", SAFERCITY_SMALL, []),
    ("safercity_per_file", "safercity, one file a transaction", SAFERCITY_SMALL, ["per-file"]),
    ("pandas", "pandas read_csv+concat+parquet", PANDAS, []),
    ("duckdb_floor", "DuckDB alone, no checks (floor)", DUCKDB_FLOOR, []),
)
#: how the small files are laid out: as releases of one force and month, or as parts
LAYOUTS = {
    "releases": "one-row monthly releases of one force and month (each replaces the last)",
    "parts": "one-row parts not named as releases (each row kept)",
}


#: (key, label, script) of every route timed, in the order they are run and printed
ROUTES = (
    ("safercity", "safercity ingest (checked, BNG)", SAFERCITY),
    ("pandas", "pandas read_csv+concat+parquet", PANDAS),
    ("duckdb_floor", "DuckDB alone, no checks (floor)", DUCKDB_FLOOR),
    ("duckdb_checked", "DuckDB one pass, row checks only", DUCKDB_CHECKED),
    ("duckdb_read", "reading only: DuckDB count", DUCKDB_READ),
    ("pandas_read", "reading only: pandas read_csv", PANDAS_READ),
)
LABELS = {key: label for key, label, _ in ROUTES}
ROUTES_RUN = tuple((key, script) for key, _, script in ROUTES)


def build(folder: Path, target_rows: int) -> int:
    sources = sorted(SHARED.glob("*-street.csv"))
    texts = [s.read_text(encoding="utf-8").splitlines() for s in sources]
    rows = 0
    rep = 0
    while rows < target_rows:
        for lines in texts:
            year, month = 2011 + rep // 12, rep % 12 + 1  # police.uk data begins 2010-12
            ym = f"{year:04d}-{month:02d}"
            out = [lines[0]]
            for line in lines[1:]:
                cid, rest = line.split(",", 1)
                _, rest = rest.split(",", 1)
                if cid:
                    cid = hashlib.sha256(f"{cid}{ym}".encode()).hexdigest()
                out.append(f"{cid},{ym},{rest}")
            (folder / f"{ym}-west-yorkshire-street.csv").write_text("\n".join(out) + "\n")
            rows += len(lines) - 1
            rep += 1
            if rows >= target_rows:
                break
    return rows


def build_small(folder: Path, n: int, layout: str) -> int:
    """``n`` one-row police.uk files, each a different real West Yorkshire crime of one month."""
    source = sorted(SHARED.glob("*-street.csv"))[-1]
    header, *lines = source.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if not line.startswith(",")][:n]  # with a Crime ID
    for i, line in enumerate(rows):
        if layout == "releases":
            path = folder / f"{i:05d}" / source.name
        else:
            path = folder / f"part-{i:05d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    return len(rows)


def _timed(script: str, out: Path, data: Path, extra: list[str]) -> dict[str, float]:
    """Run ``script`` in a fresh process (its own peak memory); its seconds, rows, peak MB."""
    out.mkdir()
    code = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-c', *sys.argv[1:]], capture_output=True, "
        "text=True, check=True)\n"
        "print(p.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, script, str(out), str(data), *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    secs, n, rss_kb = proc.stdout.split()[-3:]
    return {"seconds": float(secs), "rows": int(n), "peak_mb": int(rss_kb) / 1024}


def small_files(tmp: Path, n: int, sample: int) -> dict[str, object]:
    """Time every small-files route on both layouts; ratios against the batched ingest. The
    one-file-a-transaction route runs on the first ``sample`` files, its time scaled to ``n``."""
    table: dict[str, object] = {}
    for layout in LAYOUTS:
        data = tmp / f"small-{layout}"
        data.mkdir()
        rows = build_small(data, n, layout)
        part = tmp / f"small-{layout}-sample"
        part.mkdir()
        build_small(part, min(sample, rows), layout)
        results = {}
        for name, _, script, extra in SMALL_ROUTES:
            sampled = bool(extra) and sample < rows
            r = _timed(script, tmp / f"small-{layout}-{name}", part if sampled else data, extra)
            if sampled:
                r = {**r, "seconds": r["seconds"] * rows / r["rows"], "sampled_files": r["rows"]}
                r["rows"] = rows
            results[name] = r
        s = results["safercity"]["seconds"]
        table[layout] = {
            "files": rows,
            **{
                name: {**r, "ratio_to_safercity": round(r["seconds"] / s, 2)}
                for name, r in results.items()
            },
        }
    return table


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--small-files", type=int, default=2_000)
    ap.add_argument("--per-file-sample", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="safercity-bench-"))
    try:
        data = tmp / "csv"
        data.mkdir()
        rows = build(data, args.rows)
        size_mb = sum(f.stat().st_size for f in data.iterdir()) / 2**20
        results = {}
        # each tool in its own fresh process; RUSAGE_CHILDREN max RSS is the largest child so
        # far, so run the smaller (pandas) first is not assumed: use separate parent processes
        for name, script in ROUTES_RUN:
            results[name] = _timed(script, tmp / name, data, [])
        small = small_files(tmp, args.small_files, args.per_file_sample) if args.small_files else {}
        s, p = results["safercity"], results["pandas"]
        table: dict[str, object] = {
            "input": {
                "files": len(list(data.iterdir())),
                "rows": rows,
                "size_mb": round(size_mb, 1),
            },
            **{
                name: {**r, "rows_per_s": round(r["rows"] / r["seconds"])}
                for name, r in results.items()
            },
            "speed_ratio_safercity_over_pandas": round(p["seconds"] / s["seconds"], 2),
            "memory_ratio_safercity_over_pandas": round(s["peak_mb"] / p["peak_mb"], 2),
            # the targets as times for these rows
            "target_seconds_500k_rows_per_s": round(rows / 500_000, 2),
            "target_seconds_5x_pandas": round(p["seconds"] / 5, 2),
            "small_files": small,
        }
        if args.json:
            print(json.dumps(table, indent=2))
            return
        print(
            f"input: {rows:,} rows in {len(list(data.iterdir()))} police.uk CSVs ({size_mb:.0f} MB), "
            "real West Yorkshire rows replicated as new months (synthetic by replication)"
        )
        print(f"{'route':<34}{'seconds':>10}{'rows/s':>12}{'peak MB':>10}")
        for name, r in results.items():
            per_s = round(r["rows"] / r["seconds"])
            print(f"{LABELS[name]:<34}{r['seconds']:>10.2f}{per_s:>12,}{r['peak_mb']:>10.0f}")
        print(
            f"safercity is {table['speed_ratio_safercity_over_pandas']}x the pandas route's speed, "
            f"with {table['memory_ratio_safercity_over_pandas']}x its peak memory"
        )
        print(
            f"targets as times: 500,000 rows/s = {table['target_seconds_500k_rows_per_s']} s; "
            f"5x the pandas route = {table['target_seconds_5x_pandas']} s"
        )
        labels = {key: label for key, label, _, _ in SMALL_ROUTES}
        for layout, case in small.items():
            assert isinstance(case, dict)
            print(f"\nmany small files: {case['files']:,} {LAYOUTS[layout]}")
            print(f"{'route':<36}{'seconds':>10}{'files/s':>10}{'x batched':>11}{'peak MB':>9}")
            for name, label in labels.items():
                r = case[name]
                note = f"  (scaled from {r['sampled_files']} files)" if "sampled_files" in r else ""
                print(
                    f"{label:<36}{r['seconds']:>10.2f}{case['files'] / r['seconds']:>10,.0f}"
                    f"{r['ratio_to_safercity']:>11.2f}{r['peak_mb']:>9.0f}{note}"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
