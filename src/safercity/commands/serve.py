"""``safercity serve``: migrate the web database and serve the app with waitress, supervised.

Waitress reads whole requests and buffers responses on its own thread, so slow clients never
hold an application thread. This process is the supervisor: it forks ``--workers N`` web
worker processes after the views are imported, one listening socket each (SO_REUSEPORT), starts
the job worker (``safercity jobs work``, a fresh process: imports and Strategic Assessments run
there, never in a web worker), and replaces any of them that dies, however it dies. Each web
worker works out the analysis pages as they first open while it starts answering.
docs/web-server.md has the measurements behind the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from safercity import settings
from safercity.cli import UserError, add_command, add_workspace_argument
from safercity.commands.web import configure


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "serve",
        help="Serve the SaferCity web application (waitress, a production WSGI server). "
        "Settings come from environment variables; see safercity.web.settings and "
        "docs/web-server.md.",
        example="safercity serve --port 8000 --workspace safercity-data",
        handler=run,
        json_output=False,
    )
    add_workspace_argument(parser)
    parser.add_argument(
        "--port",
        type=int,
        default=settings.get("port"),
        help="port to listen on (default: %(default)s)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on: 127.0.0.1 (this machine only, default) or "
        "0.0.0.0 (every interface, behind a TLS proxy)",
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per worker process (default 8)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the port (default 1; 2 on a 2-core "
        "machine serves about twice as many requests)",
    )
    parser.add_argument(
        "--trusted-proxy",
        default=settings.get("trusted_proxy") or None,
        metavar="ADDRESS",
        help="address of the TLS proxy in front (e.g. 127.0.0.1): its X-Forwarded-Proto and "
        "X-Forwarded-For are believed, so with SAFERCITY_SECURE=1 a request that reached the "
        "proxy over HTTPS is not redirected again (default: believe no proxy)",
    )
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not apply database migrations first"
    )
    parser.add_argument(
        "--no-jobs",
        action="store_true",
        help="do not start a job worker (run `safercity jobs work` as a service of its own)",
    )


def ensure_secret_key(workspace: Path) -> None:
    """Keep a random SECRET_KEY in the workspace unless one is set in the environment."""
    if settings.get("secret_key"):
        return
    workspace.mkdir(parents=True, exist_ok=True)
    key_file = workspace / "web-secret-key"
    if not key_file.is_file():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)


def _warm_in_background() -> None:
    """Each worker works out the analysis pages as they first open while it starts answering
    (a request for one of them waits for that result rather than working it out again)."""
    import threading

    from safercity.web.analysis.views import warm

    threading.Thread(target=warm, name="warm-analysis", daemon=True).start()


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UserError(f"port must be 1-65535, not {args.port}")
    if not 1 <= args.workers <= 32:
        raise UserError(f"workers must be 1-32, not {args.workers}")
    workspace = Path(args.workspace).resolve()
    ensure_secret_key(workspace)
    configure(str(workspace))
    import django

    django.setup()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from django.urls import get_resolver
    from waitress import serve

    from safercity.web.wsgi import application

    get_resolver().url_patterns  # noqa: B018 - import every view once, before the workers fork

    def listen() -> socket.socket:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if args.workers > 1:  # one socket per worker: the kernel spreads connections evenly
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((args.host, args.port))
        except OSError as exc:
            sock.close()
            raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
        sock.listen(1024)
        return sock

    sockets = [listen() for _ in range(args.workers)]
    print(
        f"SaferCity is at http://{'localhost' if args.host == '127.0.0.1' else args.host}:"
        f"{args.port}/ (workspace {workspace}); press Ctrl+C to stop",
        flush=True,
    )

    proxy: dict[str, object] = (
        {
            "trusted_proxy": args.trusted_proxy,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
            "trusted_proxy_count": 1,
        }
        if args.trusted_proxy
        else {}
    )

    def run_worker(sock: socket.socket) -> None:
        _warm_in_background()
        serve(
            application,
            sockets=[sock],
            threads=args.threads,
            ident="SaferCity",
            clear_untrusted_proxy_headers=True,
            backlog=1024,
            connection_limit=1000,
            **proxy,
        )

    from django.db import connections

    connections.close_all()  # each worker opens its own database connections
    supervisor = Supervisor(sockets, run_worker, workspace=workspace, jobs=not args.no_jobs)
    return supervisor.run()


class Supervisor:
    """Keeps the web workers and the job worker running until it is told to stop.

    Web workers are forked from this process (which has imported the views but never runs an
    analysis, so a fork is safe); the job worker is a fresh ``safercity jobs work`` process.
    A child that dies is reaped at once and replaced, its death logged with its cause; a child
    that keeps dying within seconds of starting is restarted no more than once a second.
    """

    RESTART_BACKOFF_SECONDS = 1.0

    def __init__(
        self,
        sockets: list[socket.socket],
        run_worker: Callable[[socket.socket], None],
        *,
        workspace: Path,
        jobs: bool,
    ) -> None:
        self.sockets = sockets
        self.run_worker = run_worker
        self.workspace = workspace
        self.jobs = jobs
        self.web: dict[int, socket.socket] = {}  # pid -> its socket
        self.job_worker: subprocess.Popen[bytes] | None = None
        self.started: dict[int, float] = {}
        self.stopping = False

    def log(self, text: str) -> None:
        print(f"safercity serve: {text}", file=sys.stderr, flush=True)

    # ------------------------------------------------------------------------- children

    def fork_web(self, sock: socket.socket) -> int:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child process
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            for other in self.sockets:
                if other is not sock:
                    other.close()
            code = 1
            try:
                self.run_worker(sock)
                code = 0
            finally:
                os._exit(code)
        self.web[pid] = sock
        self.started[pid] = time.monotonic()
        return pid

    def start_job_worker(self) -> None:
        argv = [sys.executable, "-m", "safercity", "jobs", "work"]
        argv += ["--workspace", str(self.workspace)]
        env = {**os.environ, "SAFERCITY_WORKSPACE": str(self.workspace)}
        self.job_worker = subprocess.Popen(argv, env=env)
        self.started[self.job_worker.pid] = time.monotonic()

    # ------------------------------------------------------------------------- the loop

    def stop(self, signum: int, frame: object) -> None:
        self.stopping = True
        pids = list(self.web)
        if self.job_worker is not None:
            pids.append(self.job_worker.pid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        if self.jobs:
            self.start_job_worker()
        for sock in self.sockets:
            self.fork_web(sock)
        while self.web or (self.job_worker is not None and self.job_worker.returncode is None):
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - a signal; look again
                continue
            self.reaped(pid, status)
        for sock in self.sockets:
            sock.close()
        return 0

    def reaped(self, pid: int, status: int) -> None:
        """A child ended: note why, and start another in its place unless we are stopping."""
        code = os.waitstatus_to_exitcode(status)
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        started = self.started.pop(pid, time.monotonic())
        if pid in self.web:
            sock = self.web.pop(pid)
            if self.stopping:
                return
            self.log(f"web worker {pid} stopped ({how}); starting another")
            self._backoff(started)
            self.fork_web(sock)
        elif self.job_worker is not None and pid == self.job_worker.pid:
            self.job_worker.returncode = code  # reaped here, not by Popen
            if self.stopping:
                return
            self.log(f"job worker {pid} stopped ({how}); starting another")
            self._backoff(started)
            self.start_job_worker()

    def _backoff(self, started: float) -> None:
        alive_for = time.monotonic() - started
        if alive_for < self.RESTART_BACKOFF_SECONDS and not self.stopping:
            time.sleep(self.RESTART_BACKOFF_SECONDS - alive_for)
