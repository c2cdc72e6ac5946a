"""Benchmark the Strategic Assessment report for Westminster: time and peak memory per stage.

The data is real: the police.uk API records for Westminster's 20 wards, 2016-01..2018-06
(``../shared/data/police-uk-api/westminster-wards-2016-2018``), the Met borough series and the
2014 ward boundaries. Stages: import into a fresh workspace (not part of the report's time),
the assessment (every analysis, Knox with 999 permutations), the HTML with its figures and
tables, and the PDF. Target: the report (assessment + HTML + PDF) in under 30 s.

CPU time (all threads of the process) is printed beside wall time: on a busy shared machine the
wall time grows but the CPU time does not. Memory: the process's peak resident set size (``ru_maxrss``) after each stage, which includes
DuckDB's and WeasyPrint's native memory. Run::

    .venv/bin/python benchmarks/report.py [--shared ../shared/data] [--permutations 999]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, fn: Callable[[], T], results: list[dict[str, Any]]) -> T:
    """Time one stage; memory is the process's peak RSS when it ends (ru_maxrss, monotonic).

    tracemalloc is not used: it slows WeasyPrint (pure Python) several-fold and would make
    the times meaningless.
    """
    t0 = time.perf_counter()
    c0 = time.process_time()
    value = fn()
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss = _rss_mib()
    results.append(
        {
            "stage": name,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_rss_mib": round(rss, 1),
        }
    )
    print(
        f"{name:<28} {seconds:8.2f} s wall {cpu:8.2f} s CPU   peak RSS so far {rss:8.1f} MiB",
        flush=True,
    )
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--seed", type=int, default=20110401)
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args(argv)
    shared = Path(args.shared)

    from safercity.analytics.areas import load_boundaries
    from safercity.analytics.assessment import Assessment, load_consultation
    from safercity.analytics.ingest import ingest_paths
    from safercity.analytics.report import build_document, render_html, write_pdf, write_report
    from safercity.analytics.store import Workspace
    from safercity.analytics.themes import load_themes

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ws_path = Path(tmp) / "ws"

        def load() -> None:
            ingest_paths(
                ws_path,
                [
                    shared
                    / "police-uk-api"
                    / "westminster-wards-2016-2018"
                    / "crime-street-json.tar.gz",
                    shared / "mps" / "borough-level-crime-historical.csv",
                ],
            )
            with Workspace(ws_path) as ws:
                load_boundaries(
                    ws, shared / "boundaries" / "westminster-wards-2014.geojson", area_type="ward"
                )

        measure("import (not the report)", load, results)
        cons = load_consultation(REPO / "examples" / "westminster-2011-14.yaml", load_themes())
        with Workspace(ws_path, read_only=True) as ws:
            t_report = time.perf_counter()
            a = measure(
                "assessment",
                lambda: Assessment(
                    ws,
                    area="Westminster",
                    period="2017-07:2018-06",
                    consultation=cons,
                    permutations=args.permutations,
                    seed=args.seed,
                ),
                results,
            )
            out = Path(tmp) / "out" / "report"
            measure("HTML, figures, tables", lambda: write_report(a, out, pdf=False), results)
            html = render_html(build_document(a))
            measure(
                "PDF (WeasyPrint)",
                lambda: write_pdf(html, out.with_suffix(".pdf"), out.parent),
                results,
            )
            total = time.perf_counter() - t_report
    rss = _rss_mib()
    print(f"{'report total':<28} {total:8.2f} s   (target < 30 s)")
    print(f"{'process peak RSS':<28} {rss:8.1f} MiB")
    if args.json:
        print(
            json.dumps(
                {
                    "stages": results,
                    "report_seconds": round(total, 2),
                    "peak_rss_mib": round(rss, 1),
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
