"""``safercity serve``: migrate the web database and serve the app with waitress.

Waitress reads whole requests and buffers responses on its own thread, so slow clients never
hold an application thread. ``--workers N`` forks N processes after the views are imported, one
listening socket each (SO_REUSEPORT); each worker works out the analysis pages as they first
open while it starts answering. docs/web-server.md has the measurements behind the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
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


def ensure_secret_key(workspace: Path) -> None:
    """Keep a random SECRET_KEY in the workspace unless one is set in the environment."""
    if os.environ.get("SECRET_KEY"):
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
    from safercity.web.imports.services import recover_interrupted

    recover_interrupted()
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

    if args.workers == 1:
        run_worker(sockets[0])
        return 0
    from django.db import connections

    connections.close_all()  # each worker opens its own database connections
    children: list[int] = []
    for own in sockets:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child process
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            for other in sockets:
                if other is not own:
                    other.close()
            try:
                run_worker(own)
            finally:
                os._exit(0)
        children.append(pid)
    for own in sockets:
        own.close()

    def stop(signum: int, frame: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except InterruptedError:  # pragma: no cover
                continue
            except ChildProcessError:
                break
    return 0
