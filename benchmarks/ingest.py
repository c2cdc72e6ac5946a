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

Run: ``.venv/bin/python benchmarks/ingest.py [--rows 2000000]``. Prints a table with ratios.
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
con.execute({_INSERT!r} + {select}, [sorted(glob.glob(sys.argv[2] + "/*.csv"))])
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
                             [sorted(glob.glob(sys.argv[2] + "/*.csv"))]).fetchall()[0][0]
print(time.perf_counter() - t, n)
"""
PANDAS_READ = """
import sys, time, glob
import pandas as pd
t = time.perf_counter()
n = sum(len(pd.read_csv(f)) for f in sorted(glob.glob(sys.argv[2] + "/*.csv")))
print(time.perf_counter() - t, n)
"""

PANDAS = """
import sys, time, glob
import pandas as pd
t = time.perf_counter()
frames = [pd.read_csv(f) for f in sorted(glob.glob(sys.argv[2] + "/*.csv"))]
df = pd.concat(frames, ignore_index=True)
df.to_parquet(sys.argv[1] + "/all.parquet")
print(time.perf_counter() - t, len(df))
"""


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


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=2_000_000)
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
            out = tmp / name
            out.mkdir()
            code = (
                "import resource, subprocess, sys\n"
                "p = subprocess.run([sys.executable, '-c', sys.argv[1], sys.argv[2], sys.argv[3]],"
                " capture_output=True, text=True, check=True)\n"
                "print(p.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            )
            proc = subprocess.run(
                [sys.executable, "-c", code, script, str(out), str(data)],
                capture_output=True,
                text=True,
                check=True,
            )
            secs, n, rss_kb = proc.stdout.split()[-3:]
            results[name] = {"seconds": float(secs), "rows": int(n), "peak_mb": int(rss_kb) / 1024}
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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
