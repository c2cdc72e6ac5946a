"""Consultation benchmark (issue 14): respondents on loopback, and results for 20,000 responses.

1. **Respondents.** Starts the real ``safercity serve --workers 2`` on 127.0.0.1 with a
   throw-away workspace holding one open consultation (5 priorities, two questions about the
   respondent, one free-text question), then ``--clients`` (200) concurrent SYNTHETIC
   respondents, each with its own cookies, go through the whole public form again and again
   for ``--seconds`` (60), as a browser does (each answer's redirect is followed): start page,
   ranking, ward, age band, free text, check your answers, send, confirmation. Every response
   is read in full; any status other than the expected one, and any wait over 30 s, is an
   error. Each response's free text carries a unique token, so the database can be checked
   afterwards: every response the server confirmed is stored exactly once, and nothing else.
   The rate limit is off for the run (every respondent shares one loopback address).

   Two runs, one after the other. **At a person's pace** (the issue's target): each respondent
   pauses ``--think`` (uniform 1-3 s) before each answer, faster than anyone reads a page, so
   200 respondents are 200 people filling in the form at once. **Saturation**: the same 200
   never pause, so 200 requests are always in flight; by Little's law the mean wait is then
   200 / throughput, which is the server's capacity, not a respondent's experience
   (docs/adr/0005-consultation-load.md).
2. **Results.** 20,000 SYNTHETIC responses (5 priorities ranked in full, ward and age band) are
   written to the database and ``services.results`` is timed cold: Plackett-Luce with 1,000
   bootstrap resamples, weighted (raked to age band and ward) beside unweighted, mean rank,
   Borda and per-group fits. Side by side: one Plackett-Luce fit of the same rankings by choix
   (``ilsr_top1`` and ``mm_top1``, the well-kept implementation the tests compare against).

    .venv/bin/python benchmarks/consult.py                  # the issue's figures
    .venv/bin/python benchmarks/consult.py --clients 20 --seconds 10 --responses 2000  # quick

Targets (issue 14): p95 under 300 ms, zero errors, every response stored exactly once; results
for 20,000 responses under 5 s. Run it on a quiet machine (``uptime`` load under 2): the load
average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from web import free_port, percentile  # noqa: E402 - the web benchmark's helpers

SLUG = "benchmark"
KEYS = ["night-time-economy", "reoffending", "youth", "substance-misuse", "vawg"]
WARDS = ["Abbey Road", "West End", "St James's", "Church Street", "Maida Vale"]
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def setup_django(workspace: Path) -> None:
    os.environ["SAFERCITY_WORKSPACE"] = str(workspace)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safercity.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def make_consultation() -> Any:
    import datetime as dt

    from django.utils import timezone

    from safercity.web.consult import services

    today = timezone.localdate()
    c = services.save_consultation(
        {
            "title": "Benchmark consultation (SYNTHETIC respondents)",
            "slug": SLUG,
            "introduction": "Benchmark.",
            "privacy_notice": "Benchmark.",
            "mode": "all",
            "top_k": 3,
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=30),
            "about_you": ["ward", "age_band"],
            "wards": WARDS,
            "population": {
                "age_band": {"16-29": 49082, "30-44": 67451, "45-64": 48259, "65+": 26375},
                "ward": {w: 11000 + 500 * i for i, w in enumerate(WARDS)},
            },
            "priorities": [{"key": k, "title": k.replace("-", " ").title()} for k in KEYS],
            "questions": [("What would make you feel safer?", "")],
        }
    )
    c.published_at = timezone.now()
    c.synthetic = True
    c.save()
    return c


# --------------------------------------------------------------------------- respondents


class Client:
    """One respondent's keep-alive connection and cookies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import urlencode

        body = urlencode(form or {}).encode() if method == "POST" else b""
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Connection: keep-alive\r\nAccept: text/html\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nOrigin: http://{self.host}:{self.port}\r\n"
                f"Referer: http://{self.host}:{self.port}{path}\r\n"
                if method == "POST"
                else ""
            )
            + "\r\n"
        ).encode()
        if self.conn is None:
            self.conn = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.conn
        writer.write(head + body)
        await writer.drain()
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "set-cookie":
                pair = value.strip().split(";", 1)[0]
                k, _, v = pair.partition("=")
                self.cookies[k.strip()] = v.strip()
            elif name:
                headers[name] = value.strip()
        data = b""
        if "content-length" in headers:
            data = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        if headers.get("connection", "").lower() == "close":
            writer.close()
            self.conn = None
        return status, headers, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn[1].close()
            self.conn = None


async def journey(
    client: Client,
    k: int,
    timings: list[tuple[str, float, bool]],
    sent: list[str],
    think: tuple[float, float] = (0.0, 0.0),
) -> None:
    """One respondent's whole form; appends (page, seconds, ok) per request. Between one page's
    answer and the next request the respondent pauses for a time drawn uniformly from
    ``think`` (seconds; (0, 0): no pause at all)."""
    import random

    rng = random.Random(k)
    base = f"/consult/{SLUG}"
    token = uuid.uuid4().hex
    order = KEYS[:]
    rng.shuffle(order)
    # As a browser goes: each answer's redirect is followed by a GET of the next page.
    steps: list[tuple[str, str, str, dict[str, str] | None, int]] = [
        ("start", "GET", f"{base}/", None, 200),
        ("ranking-page", "GET", f"{base}/ranking/", None, 200),
        ("ranking", "POST", f"{base}/ranking/", {k: str(order.index(k) + 1) for k in KEYS}, 302),
        ("ward-page", "GET", f"{base}/about-you/ward/", None, 200),
        ("ward", "POST", f"{base}/about-you/ward/", {"answer": rng.choice(WARDS)}, 302),
        ("age-page", "GET", f"{base}/about-you/age_band/", None, 200),
        (
            "age",
            "POST",
            f"{base}/about-you/age_band/",
            {"answer": rng.choice(["16-29", "30-44", "45-64", "65+"])},
            302,
        ),
        ("free-text-page", "GET", f"{base}/your-views/1/", None, 200),
        ("free-text", "POST", f"{base}/your-views/1/", {"answer": f"synthetic {token}"}, 302),
        ("check-page", "GET", f"{base}/check-your-answers/", None, 200),
        ("send", "POST", f"{base}/check-your-answers/", {"website": ""}, 302),
        ("confirmation", "GET", f"{base}/confirmation/", None, 200),
    ]
    # A person pauses before each click or answer: reading the start page, answering each
    # question, checking their answers. Following a redirect is the browser's, not theirs.
    pauses_before = {"ranking-page", "ranking", "ward", "age", "free-text", "send"}
    csrf = ""
    for name, method, path, form, expected in steps:
        if think[1] > 0 and name in pauses_before:
            await asyncio.sleep(rng.uniform(*think))  # reading the page and answering it
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": csrf}
        start = time.perf_counter()
        try:
            status, _headers, data = await asyncio.wait_for(client.request(method, path, form), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            client.close()
            timings.append((name, time.perf_counter() - start, False))
            return
        ok = status == expected
        timings.append((name, time.perf_counter() - start, ok))
        if not ok:
            return
        found = TOKEN.search(data)
        if found:
            csrf = found.group(1).decode()
        if name == "send":
            sent.append(token)


def run_respondents(
    base_port: int, clients: int, seconds: float, think: tuple[float, float] = (0.0, 0.0)
) -> dict[str, Any]:
    timings: list[tuple[str, float, bool]] = []
    sent: list[str] = []

    async def respondent(k: int, deadline: float) -> None:
        n = 0
        while time.monotonic() < deadline:
            c = Client("127.0.0.1", base_port)
            await journey(c, k * 100_000 + n, timings, sent, think)
            c.close()
            n += 1

    async def everyone() -> None:
        deadline = time.monotonic() + seconds
        if think[1] > 0:  # people arrive over the first pause, not all in the same millisecond
            starts = [think[1] * k / clients for k in range(clients)]
        else:
            starts = [0.0] * clients

        async def after(k: int) -> None:
            await asyncio.sleep(starts[k])
            await respondent(k, deadline)

        await asyncio.gather(*(after(k) for k in range(clients)))

    started = time.perf_counter()
    asyncio.run(everyone())
    elapsed = time.perf_counter() - started
    lat = [t for _n, t, _ok in timings]
    by_page: dict[str, list[float]] = {}
    for n, t, _ok in timings:
        by_page.setdefault(n, []).append(t)
    return {
        "think_seconds": list(think),
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(timings),
        "errors": sum(1 for *_x, ok in timings if not ok),
        "p50_ms": round(1000 * percentile(lat, 50), 1),
        "p95_ms": round(1000 * percentile(lat, 95), 1),
        "requests_per_s": round(len(timings) / elapsed, 1),
        "responses_sent": len(sent),
        "by_page_p95_ms": {
            n: round(1000 * percentile(v, 95), 1) for n, v in sorted(by_page.items())
        },
        "tokens": sent,
    }


def check_stored(tokens: list[str]) -> dict[str, Any]:
    from collections import Counter

    from safercity.web.consult.models import FreeTextAnswer, Response

    texts = Counter(
        t.split(" ", 1)[1]
        for t in FreeTextAnswer.objects.filter(response__consultation__slug=SLUG).values_list(
            "text", flat=True
        )
    )
    confirmed = Counter(tokens)
    return {
        "stored": Response.objects.filter(consultation__slug=SLUG).count(),
        "confirmed": len(tokens),
        "confirmed_stored_once": sum(1 for t in confirmed if texts.get(t) == 1),
        "stored_twice_or_more": sum(1 for n in texts.values() if n > 1),
        "stored_not_confirmed": sum(1 for t in texts if t not in confirmed),
    }


# --------------------------------------------------------------------------- results


def write_responses(c: Any, n: int, seed: int = 1) -> None:
    import numpy as np
    from django.utils import timezone

    from safercity.web.consult.models import Response

    rng = np.random.default_rng(seed)
    worth = np.array([0.32, 0.24, 0.19, 0.14, 0.11])
    ages = ["16-29", "30-44", "45-64", "65+"]
    now = timezone.now()
    rows = []
    for k in range(n):
        left = list(range(5))
        order = []
        for _ in range(5):
            p = worth[left] / worth[left].sum()
            order.append(KEYS[left.pop(int(rng.choice(len(left), p=p)))])
        rows.append(
            Response(
                consultation=c,
                reference=f"B{k:09d}"[:12],
                submitted_at=now,
                ranking=order,
                ward=WARDS[int(rng.integers(len(WARDS)))],
                age_band=ages[int(rng.choice(4, p=[0.2, 0.35, 0.3, 0.15]))],
                sex=["female", "male"][int(rng.integers(2))],
                synthetic=True,
            )
        )
    Response.objects.bulk_create(rows, batch_size=2000)


def time_results(n: int) -> dict[str, Any]:
    import choix
    import numpy as np
    from django.core.cache import cache

    from safercity.consult import PlackettLuce
    from safercity.web.consult import services
    from safercity.web.consult.models import Consultation, Response

    c = Consultation.objects.get(slug=SLUG)
    Response.objects.filter(consultation=c).delete()
    write_responses(c, n)
    cache.clear()
    start = time.perf_counter()
    r = services.results(c, bootstrap=1000, seed=1)
    ours_all = time.perf_counter() - start
    assert r is not None and r.n == n
    rankings = [list(x) for x in services.responses_frame(c)["ranking"]]
    start = time.perf_counter()
    pl = PlackettLuce(rankings, KEYS, bootstrap=0)
    ours_fit = time.perf_counter() - start
    index = {k: i for i, k in enumerate(KEYS)}
    data = []
    for order in rankings:
        left = set(range(len(KEYS)))
        for key in order:
            left.discard(index[key])
            if left:
                data.append((index[key], tuple(sorted(left))))
    start = time.perf_counter()
    ilsr = np.exp(choix.ilsr_top1(len(KEYS), data))
    choix_ilsr = time.perf_counter() - start
    start = time.perf_counter()
    choix.mm_top1(len(KEYS), data)
    choix_mm = time.perf_counter() - start
    diff = float(np.max(np.abs(ilsr / ilsr.sum() - pl.worth.to_numpy())))
    return {
        "responses": n,
        "results_s": round(ours_all, 2),
        "weighted": r.weighted_model is not None,
        "design_effect": round(r.raking.design_effect, 3) if r.raking else None,
        "fit_s": round(ours_fit, 3),
        "choix_ilsr_fit_s": round(choix_ilsr, 3),
        "choix_mm_fit_s": round(choix_mm, 3),
        "ratio_choix_ilsr_to_ours": round(choix_ilsr / ours_fit, 1) if ours_fit else None,
        "max_worth_difference_vs_choix": diff,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--think",
        default="1,3",
        help="a person's pause before each answer, uniform MIN,MAX seconds (default 1,3: "
        "faster than anyone reads a page)",
    )
    parser.add_argument(
        "--no-saturation",
        action="store_true",
        help="skip the second run, in which the same respondents never pause",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    lo, _, hi = args.think.partition(",")
    think = (float(lo), float(hi or lo))
    load_before = os.getloadavg()
    workspace = Path(tempfile.mkdtemp(prefix="safercity-consult-bench-"))
    setup_django(workspace)
    make_consultation()
    port = args.port or free_port()
    env = {
        **os.environ,
        "SAFERCITY_WORKSPACE": str(workspace),
        "SAFERCITY_CONSULT_RATE_LIMIT": "0",  # every respondent shares one loopback address
    }
    server_log_path = workspace / "server.log"
    server_log = server_log_path.open("w")  # never a pipe: a full pipe stalls the server
    server = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "safercity"),
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=server_log,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("benchmark: the server did not start")
        respondents = run_respondents(port, args.clients, args.seconds, think)
        saturation = (
            None if args.no_saturation else run_respondents(port, args.clients, args.seconds)
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
    tokens = respondents.pop("tokens") + (saturation.pop("tokens") if saturation else [])
    server_log = server_log_path.read_text(errors="replace")
    stored = check_stored(tokens)
    results = time_results(args.responses)
    out = {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "respondents": respondents,
        "saturation": saturation,
        "server_log": {
            "tracebacks": server_log.count("Traceback"),
            "task_queue_warnings": server_log.count("Task queue depth"),
        },
        "stored": stored,
        "results": results,
        "targets": {
            "p95_under_300_ms": respondents["p95_ms"] < 300,
            "zero_errors": respondents["errors"] == 0,
            "stored_exactly_once": stored["confirmed_stored_once"] == stored["confirmed"]
            and stored["stored"] == stored["confirmed"],
            "results_under_5_s": results["results_s"] < 5,
        },
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"load average before {out['load_average_before']}, after {out['load_average_after']}")
    for label, r in (
        (f"at a person's pace ({think[0]:g}-{think[1]:g} s before each answer)", respondents),
        ("with no pause at all (saturation)", saturation),
    ):
        if r is None:
            continue
        print(
            f"{r['clients']} respondents {label}, {r['seconds']} s: {r['requests']} requests "
            f"({r['requests_per_s']}/s), p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
            f"errors {r['errors']}, responses sent {r['responses_sent']}"
        )
        print(f"  p95 by page (ms): {r['by_page_p95_ms']}")
    if saturation:
        print(
            f"  Little's law, no pause: {saturation['clients']} requests always in flight at "
            f"{saturation['requests_per_s']}/s make the mean wait "
            f"{1000 * saturation['clients'] / saturation['requests_per_s']:.0f} ms; a p95 under "
            f"300 ms needs over {saturation['clients'] / 0.3:.0f} requests/s"
        )
    print(f"server log: {out['server_log']}")
    print(
        f"stored {stored['stored']}, confirmed {stored['confirmed']}, confirmed and stored "
        f"once {stored['confirmed_stored_once']}, twice {stored['stored_twice_or_more']}, "
        f"stored but not confirmed {stored['stored_not_confirmed']}"
    )
    x = results
    print(
        f"results for {x['responses']:,} responses (1,000 bootstrap resamples, weighted and "
        f"unweighted, by group): {x['results_s']} s"
    )
    print("| Plackett-Luce fit of the same rankings | seconds | ratio to SaferCity |")
    print("| --- | --- | --- |")
    print(f"| SaferCity (weighted MM on patterns) | {x['fit_s']} | 1 |")
    print(
        f"| choix ilsr_top1 | {x['choix_ilsr_fit_s']} | "
        f"{x['choix_ilsr_fit_s'] / max(x['fit_s'], 1e-9):.0f} |"
    )
    print(
        f"| choix mm_top1 | {x['choix_mm_fit_s']} | "
        f"{x['choix_mm_fit_s'] / max(x['fit_s'], 1e-9):.0f} |"
    )
    print(f"largest worth difference from choix: {x['max_worth_difference_vs_choix']:.1e}")
    print("targets:", out["targets"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
