"""``safercity serve`` really serves: waitress, static files by WhiteNoise, headers, workers."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# every test here serves a SQLite workspace of its own: the PostgreSQL pass has nothing to add
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[2]
CSS = REPO / "src" / "safercity" / "web" / "static" / "vendor" / "govuk" / "safercity.css"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running ``safercity serve``: its address, its (supervisor) process and its log."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]


@contextlib.contextmanager
def served(
    tmp_path: Path, workspace: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """``safercity serve`` on a free port, answering; stopped after the block."""
    port = _free_port()
    log = tmp_path / "serve.log"
    log_file = log.open("w")
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "SECRET_KEY": "serve-test-" + "s" * 50,
        **(env or {}),
    }
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "safercity.cli", "serve"),
            *("--port", str(port), "--workspace", str(workspace), *args),
        ],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # start-up is seconds; a loaded machine may take far longer
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(log.read_text())
                time.sleep(0.2)
        else:
            pytest.fail("safercity serve did not answer within 2 minutes")
        yield Served(base, server, log, environ)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log_file.close()
    assert server.returncode in (0, -15), log.read_text()[-3000:]


@contextlib.contextmanager
def serving(
    tmp_path: Path, workspace: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """``safercity serve`` on a free port, answering; yields its base URL, stops it after."""
    with served(tmp_path, workspace, *args, env=env) as s:
        yield s.base


@pytest.mark.parametrize(("workers", "threads"), [(1, 8), (2, 2)])
def test_serve_answers_pages_and_static_files(
    tmp_path: Path, synthetic_workspace: Path, workers: int, threads: int
) -> None:
    if not CSS.exists():
        pytest.fail(f"{CSS} is missing: run `bash scripts/build-static.sh` (make setup does)")
    args = ("--workers", str(workers), "--threads", str(threads))
    with serving(tmp_path, synthetic_workspace, *args) as base:
        with urllib.request.urlopen(base + "/", timeout=30) as home:
            body = home.read().decode()
        assert home.status == 200
        assert home.headers["Server"] == "SaferCity"
        assert "script-src 'self'" in home.headers["Content-Security-Policy"]
        assert "SaferCity" in body
        with urllib.request.urlopen(base + "/static/vendor/govuk/safercity.css", timeout=5) as css:
            assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
            assert b"GDS Transport" not in css.read()  # not a GOV.UK service: no GOV.UK font
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/no-such-page/", timeout=5)
        assert err.value.code == 404
        err.value.close()
        head = urllib.request.Request(base + "/accessibility/", method="HEAD")
        with urllib.request.urlopen(head, timeout=5) as page:
            assert page.status == 200 and page.read() == b""
        for _ in range(2 * workers):  # several connections: every worker answers
            with urllib.request.urlopen(base + "/accessibility/", timeout=5) as page:
                assert page.status == 200


@pytest.mark.parametrize("trusted", [False, True])
def test_behind_a_tls_proxy_only_the_trusted_proxy_is_believed(
    tmp_path: Path, synthetic_workspace: Path, trusted: bool
) -> None:
    """With SAFERCITY_SECURE=1 plain HTTP is redirected to HTTPS; a request the trusted proxy
    forwards with ``X-Forwarded-Proto: https`` is answered (waitress drops the header from
    anyone else, which behind a proxy meant a redirect on every request)."""
    args = ("--trusted-proxy", "127.0.0.1") if trusted else ()
    with serving(tmp_path, synthetic_workspace, *args, env={"SAFERCITY_SECURE": "1"}) as base:
        conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
        conn.request("GET", "/accessibility/", headers={"X-Forwarded-Proto": "https"})
        answer = conn.getresponse()
        answer.read()
        conn.request("GET", "/accessibility/")
        plain = conn.getresponse()
        plain.read()
        conn.close()
    if trusted:
        assert answer.status == 200
        assert answer.getheader("Strict-Transport-Security", "").startswith("max-age=")
    else:
        assert answer.status == 301
        assert (answer.getheader("Location") or "").startswith("https://")
    assert plain.status == 301


def test_serve_says_clearly_when_the_port_is_taken(
    tmp_path: Path, synthetic_workspace: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "SECRET_KEY": "serve-test-" + "s" * 50,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "safercity",
                "serve",
                "--port",
                str(port),
                "--workspace",
                str(synthetic_workspace),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
