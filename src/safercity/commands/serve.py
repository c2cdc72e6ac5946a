"""``safercity serve``: migrate the web database and serve the app with gunicorn.

Pre-fork worker processes share one listening socket, so the kernel hands each new connection
to a worker that is free. With one thread (the default) a worker is gunicorn's sync worker: one
request at a time, no keep-alive, the least work per request (see docs/web-server.md for the
measurements). Anything that faces the network belongs behind a TLS proxy that buffers slow
clients (nginx, Caddy); ``--threads N`` gives threaded workers with keep-alive.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
from pathlib import Path
from typing import Any

from safercity import settings
from safercity.cli import UserError, add_command, add_workspace_argument
from safercity.commands.web import configure


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "serve",
        help="Serve the SaferCity web application (gunicorn, a production WSGI server, with "
        "pre-fork worker processes). Settings come from environment variables; see "
        "safercity.web.settings and docs/web-server.md.",
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
        "--threads",
        type=int,
        default=1,
        help="threads per worker process (default 1: a sync worker answers one request at a "
        "time; more than 1: threaded workers that keep connections alive)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes sharing the port (default 2; about one per core)",
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


class _Gunicorn:
    """``safercity serve``'s options as a gunicorn application (pre-fork worker processes)."""

    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        from gunicorn.app.base import BaseApplication

        class App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        self.app = App()

    def run(self) -> None:
        import gunicorn.http.wsgi

        gunicorn.http.wsgi.SERVER = "SaferCity"  # the Server header names no server software
        self.app.run()


def _no_body_for_head(application: Any) -> Any:
    """Answer HEAD with the headers alone: Django renders the body as for GET, and gunicorn
    would drop it with a warning in the log for every HEAD request (monitoring probes send
    them)."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        body = application(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return body
        if hasattr(body, "close"):
            body.close()
        return []

    return app


def _check_can_listen(host: str, port: int) -> None:
    """A clear error before gunicorn starts (it would retry for five seconds, then exit)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    finally:
        sock.close()


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UserError(f"port must be 1-65535, not {args.port}")
    if not 1 <= args.workers <= 32:
        raise UserError(f"workers must be 1-32, not {args.workers}")
    if not 1 <= args.threads <= 64:
        raise UserError(f"threads must be 1-64, not {args.threads}")
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
    _check_can_listen(args.host, args.port)
    from django.db import connections
    from django.urls import get_resolver

    from safercity.web.wsgi import application

    get_resolver().url_patterns  # noqa: B018 - import every view once, before the workers fork
    connections.close_all()  # each worker opens its own database connections
    print(
        f"SaferCity is at http://{'localhost' if args.host == '127.0.0.1' else args.host}:"
        f"{args.port}/ (workspace {workspace}); press Ctrl+C to stop",
        flush=True,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    _Gunicorn(
        _no_body_for_head(application),
        {
            "bind": [f"{host}:{args.port}"],
            "workers": args.workers,
            # one thread: sync workers, each answering one request at a time from the shared
            # listening socket (the kernel hands the next request to whichever worker is free)
            "worker_class": "sync" if args.threads == 1 else "gthread",
            "threads": args.threads,
            "keepalive": 5,
            "backlog": 1024,
            "timeout": 120,  # a worker stuck this long in one request is replaced
            "graceful_timeout": 10,
            "preload_app": True,
            "control_socket_disable": True,
            "forwarded_allow_ips": "127.0.0.1,::1",
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "safercity",
        },
    ).run()
    return 0
