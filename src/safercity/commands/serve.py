"""``safercity serve``: migrate the web database and serve the app with waitress."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from safercity import settings
from safercity.cli import UserError, add_command, add_workspace_argument
from safercity.commands.web import configure


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "serve",
        help="Serve the SaferCity web application (waitress, a production WSGI server). "
        "Settings come from environment variables; see safercity.web.settings.",
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
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
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


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UserError(f"port must be 1-65535, not {args.port}")
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
    from waitress import serve

    from safercity.web.wsgi import application

    print(
        f"SaferCity is at http://{'localhost' if args.host == '127.0.0.1' else args.host}:"
        f"{args.port}/ (workspace {workspace}); press Ctrl+C to stop",
        flush=True,
    )
    serve(
        application,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="SaferCity",
        clear_untrusted_proxy_headers=True,
    )
    return 0
