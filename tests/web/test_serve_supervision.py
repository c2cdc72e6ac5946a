"""``safercity serve`` supervises its processes: a web worker or the job worker that dies is
replaced, and an assessment generated from the web runs in a job process, never in a web worker
(issue 12: it used to kill the worker; issue 15: a killed worker blocked analysis for good)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_serve import Served, served

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]
PASSWORD = "serve-supervision-" + "p" * 12


def _children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid`` and their command lines."""
    out: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out[int(stat.parent.name)] = cmdline
    return out


def _wait_for(check: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def _web_workers(s: Served) -> set[int]:
    return {p for p, cmd in _children(s.process.pid).items() if "jobs work" not in cmd}


def _job_worker(s: Served) -> set[int]:
    return {p for p, cmd in _children(s.process.pid).items() if "jobs work" in cmd}


def _get(s: Served, path: str, opener: urllib.request.OpenerDirector | None = None) -> int:
    try:
        with (opener or urllib.request.build_opener()).open(s.base + path, timeout=60) as r:
            r.read()
            return int(r.status)
    except urllib.error.HTTPError as err:
        err.close()
        return int(err.code)


def test_a_killed_web_worker_or_job_worker_is_replaced(
    tmp_path: Path, synthetic_workspace: Path
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    with served(tmp_path, ws, "--workers", "2", "--threads", "2") as s:
        _wait_for(lambda: len(_web_workers(s)) == 2 and len(_job_worker(s)) == 1)
        before = _web_workers(s)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: len(_web_workers(s)) == 2 and victim not in _web_workers(s))
        assert all(_get(s, "/accessibility/") == 200 for _ in range(20))
        (job,) = _job_worker(s)
        os.kill(job, signal.SIGKILL)
        _wait_for(lambda: len(_job_worker(s)) == 1 and job not in _job_worker(s))
        log = s.log.read_text()
    assert f"web worker {victim} stopped (signal SIGKILL); starting another" in log
    assert f"job worker {job} stopped (signal SIGKILL); starting another" in log


def _sign_in(s: Served) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(s.base + "/accounts/sign-in/", timeout=30) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token
    form = {"csrfmiddlewaretoken": token.group(1), "username": "analyst", "password": PASSWORD}
    request = urllib.request.Request(
        s.base + "/accounts/sign-in/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": s.base + "/accounts/sign-in/"},
    )
    with opener.open(request, timeout=30) as page:
        assert "/accounts/sign-in/" not in page.url, "sign-in failed"
    return opener


def _post(s: Served, opener: urllib.request.OpenerDirector, path: str, form: dict[str, str]) -> str:
    with opener.open(s.base + path, timeout=30) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token
    request = urllib.request.Request(
        s.base + path,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **form}).encode(),
        headers={"Referer": s.base + path},
    )
    with opener.open(request, timeout=60) as page:
        return str(page.url)


def test_an_assessment_generated_from_the_web_runs_in_a_job_process(
    tmp_path: Path, synthetic_workspace: Path
) -> None:
    """What crashed the server (issue 12): generate an assessment in the browser while the
    analysis pages are used, on two web workers. No worker dies, the report finishes, and the
    pages answer 200 throughout."""
    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "SECRET_KEY": "serve-test-" + "s" * 50,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for argv in (["migrate", "--verbosity", "0"], ["seed_demo", "--password", PASSWORD]):
        subprocess.run(
            [sys.executable, "-m", "safercity", "web", "--workspace", str(ws), *argv],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    with served(
        tmp_path, ws, "--workers", "2", "--threads", "4", env={"SAFERCITY_PERMUTATIONS": "99"}
    ) as s:
        _wait_for(lambda: len(_web_workers(s)) == 2 and len(_job_worker(s)) == 1)
        workers = _web_workers(s)
        opener = _sign_in(s)
        assert _get(s, "/analysis/map/", opener) == 200  # numba has run in a web worker
        report_url = _post(
            s, opener, "/reports/new/", {"area": "Westminster", "period": "2017-01:2017-12"}
        )
        assert re.search(r"/reports/[0-9a-f-]{36}/$", report_url), report_url
        statuses: list[int] = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with opener.open(report_url, timeout=60) as page:
                body = page.read().decode()
            statuses += [_get(s, p, opener) for p in ("/analysis/", "/analysis/trend/")]
            if "Read the report" in body or "could not be generated" in body:
                break
            time.sleep(1)
        assert "Read the report" in body, body[-3000:]
        with opener.open(report_url + "files/report.pdf", timeout=60) as pdf:
            assert pdf.read(5) == b"%PDF-"
        assert set(statuses) == {200}
        assert _web_workers(s) == workers  # no web worker died or was replaced
        log = s.log.read_text()
    assert "Terminating" not in log and "stopped (" not in log, log[-3000:]
