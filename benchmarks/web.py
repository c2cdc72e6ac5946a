"""Latency of SaferCity's main pages under 50 concurrent clients on loopback.

Starts ``safercity serve --workers 2`` (waitress) on 127.0.0.1 with a throw-away web database,
signs one demo user in, then opens ``--clients`` keep-alive connections that each fetch the
main pages in turn, closed loop, until ``--requests`` requests are done or ``--seconds`` have
passed (both bounded). Every response is read in full and counts as an error unless its status
is 200. Prints p50/p95 latency, throughput and errors per page and overall. Loopback only.

    .venv/bin/python benchmarks/web.py --workspace safercity-data
    .venv/bin/python benchmarks/web.py --synthetic          # SYNTHETIC workspace (tests/web)

Scenarios (issue 15; ADR 0002), on a copy of the workspace:

``--scenario during-import``
    ``safercity ingest`` of ``--import-path`` (default: the embedded demo zip, 87,348 rows)
    starts 2 s into the load; the pages answered while it ran are reported apart. Readers are
    never blocked (the import writes a copy of the store), so there should be no 5xx at all.
``--scenario killed-worker``
    2 s into the load one web worker and then the job worker are killed (``kill -9``); reported:
    how long the supervisor took to replace each, and the errors after the kill (requests in
    flight on the killed worker lose their connection: counted apart from 5xx answers).
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = [
    "/",
    "/analysis/",
    "/analysis/trend/",
    "/analysis/trend/?category=Burglary",
    "/analysis/map/",
    "/analysis/hours/",
    "/analysis/rankings/",
    "/api/v1/trend",
]
PASSWORD = "benchmark-password-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def sign_in(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/accounts/sign-in/", timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": "analyst", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    req = urllib.request.Request(
        base + "/accounts/sign-in/", data=data, headers={"Referer": base + "/accounts/sign-in/"}
    )
    opener.open(req, timeout=30).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise SystemExit("benchmark: could not sign in")
    return f"sessionid={session}; csrftoken={token}"


async def _fetch(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bool]:
    """Send one keep-alive GET and read the whole response: (status, connection kept open)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:  # body until the server closes
        await reader.read()
        return status, False
    return status, headers.get("connection") != "close"


def run_load(
    base: str, cookie: str, clients: int, total: int, seconds: float
) -> dict[str, list[tuple[float, int, float]]]:
    """``clients`` concurrent keep-alive connections, closed loop (each sends its next request
    when the last response has been read in full), on one asyncio loop: a thread per client
    would spend most of a core on the GIL, which the server needs on a small machine."""
    results: dict[str, list[tuple[float, int, float]]] = {p: [] for p in PAGES}
    parts = urllib.parse.urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = {
        page: (
            f"GET {page} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
            "Accept: text/html,application/json\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        for page in PAGES
    }
    left = [total]

    async def client(k: int, deadline: float) -> None:
        i = k
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while time.monotonic() < deadline and left[0] > 0:
            left[0] -= 1
            page = PAGES[i % len(PAGES)]
            i += 1
            start = time.perf_counter()
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, port)
                status, keep = await asyncio.wait_for(_fetch(*conn, requests[page]), 30)
            except (
                TimeoutError,
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
                IndexError,
            ):
                status, keep = 0, False
            results[page].append((time.perf_counter() - start, status, time.monotonic()))
            if not keep and conn is not None:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    async def everyone() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(client(k, deadline) for k in range(clients)))

    asyncio.run(everyone())
    return results


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.3f %.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000))
end
"""


def run_wrk(
    base: str, cookie: str, clients: int, seconds: float, tmp: Path
) -> list[dict[str, object]]:
    """wrk (C, from Debian) per page: ``clients`` connections for ``seconds / pages`` each."""
    script = tmp / "report.lua"
    script.write_text(WRK_SCRIPT)
    per_page = max(2, int(seconds / len(PAGES)))
    rows: list[dict[str, object]] = []
    for page in PAGES:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{clients}",
                f"-d{per_page}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                "-H",
                f"Cookie: {cookie}",
                base + page,
            ],
            capture_output=True,
            text=True,
            timeout=per_page + 60,
            check=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        n, socket_errors, status_errors, p50, p95 = line.split()[1:]
        rows.append(
            {
                "page": page,
                "requests": int(n),
                "errors": int(socket_errors) + int(status_errors),
                "p50_ms": round(float(p50), 1),
                "p95_ms": round(float(p95), 1),
            }
        )
    return rows


def children(pid: int) -> dict[int, str]:
    """Live child processes of ``pid`` with their command lines (Linux /proc)."""
    out: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out[int(stat.parent.name)] = cmd
    return out


def _replaced_after(server: int, victim: int, is_kind: object, timeout: float = 60) -> float:
    """Kill ``victim`` and return the seconds until the supervisor has another child of its
    kind running."""
    import signal

    before = {p for p, c in children(server).items() if is_kind(c)}  # type: ignore[operator]
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    while time.monotonic() - killed < timeout:
        now = {p for p, c in children(server).items() if is_kind(c)}  # type: ignore[operator]
        if victim not in now and len(now) >= len(before):
            return time.monotonic() - killed
        time.sleep(0.01)
    return float("nan")


def disrupt(scenario: str, server: int, exe: str, workspace: Path, import_path: str) -> dict:  # type: ignore[type-arg]
    """Run the scenario's disruption 2 s into the load; returns what happened, with times."""
    time.sleep(2.0)
    if scenario == "during-import":
        started = time.monotonic()
        done = subprocess.run(
            [exe, "ingest", import_path, "--workspace", str(workspace), "--json"],
            capture_output=True,
            text=True,
        )
        ended = time.monotonic()
        totals = json.loads(done.stdout).get("totals", {}) if done.returncode == 0 else {}
        return {
            "window": (started, ended),
            "import_seconds": round(ended - started, 2),
            "import_rows_stored": totals.get("rows_stored"),
            "import_ok": done.returncode == 0,
        }
    web = sorted(p for p, c in children(server).items() if "jobs work" not in c)
    started = time.monotonic()
    web_s = _replaced_after(server, web[0], lambda c: "jobs work" not in c)
    jobs = [p for p, c in children(server).items() if "jobs work" in c]
    job_s = _replaced_after(server, jobs[0], lambda c: "jobs work" in c) if jobs else None
    return {
        "window": (started, time.monotonic() + 5.0),
        "web_worker_replaced_after_s": round(web_s, 3),
        "job_worker_replaced_after_s": None if job_s is None else round(job_s, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workspace", default="safercity-data")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="build the SYNTHETIC test workspace in a temporary folder",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=10000, help="total requests (bound)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time bound")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per worker")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument(
        "--tool",
        choices=["python", "wrk"],
        default="python",
        help="load generator: Python asyncio, one process (default), or wrk from Debian "
        "(apt-get install wrk), one page at a time",
    )
    parser.add_argument(
        "--scenario",
        choices=["steady", "during-import", "killed-worker"],
        default="steady",
        help="steady load (default), an import during the load, or killed workers (see above)",
    )
    parser.add_argument(
        "--import-path",
        default=str(REPO / "src" / "safercity" / "data" / "demo" / "west-yorkshire-street.zip"),
        help="for --scenario during-import: what to import",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="safercity-bench-"))
    workspace = Path(args.workspace)
    if args.synthetic:
        sys.path.insert(0, str(REPO / "tests" / "web"))
        import synthetic  # type: ignore[import-not-found]

        workspace = synthetic.build(tmp / "workspace")
    if not (workspace / "store.duckdb").exists():
        raise SystemExit(f"benchmark: no workspace store at {workspace} (try --synthetic)")
    if args.scenario == "during-import":  # import into a copy, never into the user's workspace
        import shutil

        copy = tmp / "workspace-copy"
        copy.mkdir(mode=0o700)
        shutil.copyfile(workspace / "store.duckdb", copy / "store.duckdb")
        workspace = copy
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'web.sqlite3'}",
        "SAFERCITY_WORKSPACE": str(workspace),
        "SECRET_KEY": "benchmark-" + "k" * 50,
    }
    exe = str(REPO / ".venv" / "bin" / "safercity")
    subprocess.run([exe, "web", "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run(
        [exe, "web", "seed_demo", "--password", PASSWORD],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server_log = (tmp / "server.log").open("w")  # never a pipe: a full pipe would stall it
    server = subprocess.Popen(
        [
            exe,
            "serve",
            "--no-migrate",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            str(args.threads),
            "--workers",
            str(args.workers),
            "--workspace",
            str(workspace),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=server_log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        cookie = sign_in(base)
        for page in PAGES:  # warm up
            urllib.request.urlopen(
                urllib.request.Request(base + page, headers={"Cookie": cookie})
            ).read()
        started = time.perf_counter()
        event: dict = {}  # type: ignore[type-arg]
        if args.scenario != "steady":
            import threading

            def _disrupt() -> None:
                event.update(disrupt(args.scenario, server.pid, exe, workspace, args.import_path))

            disruptor = threading.Thread(target=_disrupt, daemon=True)
            disruptor.start()
        if args.tool == "wrk":
            wrk_rows = run_wrk(base, cookie, args.clients, args.seconds, tmp)
        else:
            results = run_load(base, cookie, args.clients, args.requests, args.seconds)
        wall = time.perf_counter() - started
        if args.scenario != "steady":
            disruptor.join(300)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    if args.tool == "wrk":
        assert isinstance(wrk_rows, list)
        total = sum(int(r["requests"]) for r in wrk_rows)  # type: ignore[call-overload]
        errors = sum(int(r["errors"]) for r in wrk_rows)  # type: ignore[call-overload]
        summary = {
            "tool": "wrk",
            "clients": args.clients,
            "workers": args.workers,
            "requests": total,
            "errors": errors,
            "seconds": round(wall, 1),
            "worst_page_p95_ms": max(float(r["p95_ms"]) for r in wrk_rows),  # type: ignore[arg-type]
            "pages": wrk_rows,
        }
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            print(f"{'page (wrk)':<38} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}")
            for r in wrk_rows:
                print(
                    f"{r['page']!s:<38} {r['requests']!s:>8} {r['errors']!s:>6} "
                    f"{r['p50_ms']!s:>8} {r['p95_ms']!s:>8}"
                )
            print(
                f"{total} requests, {errors} errors, {args.clients} connections, "
                f"{args.workers} server processes"
            )
        return 1 if errors else 0
    rows = []
    everything: list[float] = []
    errors = 0
    for page, samples in results.items():
        times = [t for t, _, _ in samples]
        bad = sum(1 for _, s, _ in samples if s != 200)
        errors += bad
        everything += times
        rows.append(
            {
                "page": page,
                "requests": len(samples),
                "errors": bad,
                "p50_ms": round(1000 * percentile(times, 50), 1),
                "p95_ms": round(1000 * percentile(times, 95), 1),
            }
        )
    summary = {
        "tool": "python-asyncio",
        "clients": args.clients,
        "workers": args.workers,
        "requests": len(everything),
        "errors": errors,
        "seconds": round(wall, 1),
        "requests_per_s": round(len(everything) / wall, 1),
        "p50_ms": round(1000 * percentile(everything, 50), 1),
        "p95_ms": round(1000 * percentile(everything, 95), 1),
        "mean_ms": round(1000 * statistics.fmean(everything), 1) if everything else None,
        "pages": rows,
    }
    if args.scenario != "steady":
        summary["scenario"] = args.scenario
        lo, hi = event.pop("window", (0.0, 0.0))
        inside = [(t, st) for v in results.values() for t, st, at in v if lo <= at <= hi]
        summary["during"] = {
            **event,
            "requests": len(inside),
            "status_5xx": sum(1 for _, st in inside if 500 <= st < 600),
            "connection_errors": sum(1 for _, st in inside if st == 0),
            "other_errors": sum(1 for _, st in inside if st not in (0, 200) and st < 500),
            "p95_ms": round(1000 * percentile([t for t, _ in inside], 95), 1),
        }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        if "during" in summary:
            print(f"{args.scenario}: " + json.dumps(summary["during"]))
        print(f"{'page':<38} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}")
        for r in rows:
            print(
                f"{r['page']:<38} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>8} "
                f"{r['p95_ms']:>8}"
            )
        print(
            f"{'all':<38} {summary['requests']:>8} {errors:>6} {summary['p50_ms']:>8} "
            f"{summary['p95_ms']:>8}   ({summary['requests_per_s']} requests/s, "
            f"{args.clients} clients, {args.workers} server processes)"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
