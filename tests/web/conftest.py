"""Web test set-up: Django settings, a synthetic workspace, and (on request) real PostgreSQL.

``SAFERCITY_TEST_DB=postgres`` runs every web test against a PostgreSQL server started here from
the installed binaries (initdb + pg_ctl in a temporary folder, unix socket only, as the
``postgres`` user when running as root). Otherwise SQLite.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# Django reads SAFERCITY_WORKSPACE when its settings are imported: point it at a throw-away folder
# for that moment only (other tests in the same run see the environment unchanged).
_saved = os.environ.get("SAFERCITY_WORKSPACE")
os.environ["SAFERCITY_WORKSPACE"] = tempfile.mkdtemp(prefix="safercity-web-default-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safercity.web.settings")
import django  # noqa: E402

django.setup()
if _saved is None:
    os.environ.pop("SAFERCITY_WORKSPACE", None)
else:
    os.environ["SAFERCITY_WORKSPACE"] = _saved

import synthetic  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer  # noqa: E402

# The live server (pytest-django's, Django's ThreadedWSGIServer) listens with a backlog of 10:
# the parallel sign-in tests open 40 connections at once, and on a loaded machine the ones over
# the backlog were reset before the server accepted them. The tests are about the lockout, not
# the backlog of a development server (production is waitress, docs/web-server.md).
ThreadedWSGIServer.request_queue_size = 128

USE_POSTGRES = os.environ.get("SAFERCITY_TEST_DB", "sqlite").lower() == "postgres"


# Which web tests run on which database. The PostgreSQL pass (production) runs every web test
# but the browser ones and those that serve a SQLite workspace of their own (sqlite_only). The
# SQLite pass (the embedded default) runs those, and of the rest only the files whose result
# can depend on the engine: locking and atomic updates (lockout, two-step replay, the job
# queue), migrations, erasure, every URL as every role, and the command-line workspace; the
# other web tests are marked postgres_pass and run once, on PostgreSQL.
ON_BOTH_DATABASES = {
    "test_accounts_lockout.py",
    "test_accounts_two_step.py",
    "test_accounts_migrations.py",
    "test_jobs.py",
    "test_urls.py",
    "test_database.py",
    "test_cases_retention.py",
    "test_strategy_load.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if (
            item.path.parent == HERE
            and item.path.name not in ON_BOTH_DATABASES
            and item.get_closest_marker("browser") is None
            and item.get_closest_marker("sqlite_only") is None
        ):
            item.add_marker(pytest.mark.postgres_pass)


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        pytest.fail(
            "SAFERCITY_TEST_DB=postgres but no PostgreSQL server is installed "
            "(run: bash scripts/system-packages.sh)"
        )
    return found[-1].parent


class PostgresServer:
    """A throw-away PostgreSQL cluster listening on a unix socket only."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="safercity-pg-"))
        self.data = self.root / "data"
        self.socket = self.root
        self.as_root = os.geteuid() == 0
        if self.as_root:
            pg = pwd.getpwnam("postgres")
            os.chown(self.root, pg.pw_uid, pg.pw_gid)
        self.user = "postgres" if self.as_root else pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        opts = (
            f"-k {self.socket} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "server.log"),
            "start",
        )

    def stop(self) -> None:
        try:
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def settings(self) -> dict[str, Any]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "safercity",
            "USER": self.user,
            "PASSWORD": "",
            "HOST": str(self.socket),
            "PORT": "5432",
            "CONN_MAX_AGE": 0,
            "TEST": {"NAME": "test_safercity"},
        }


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    if not USE_POSTGRES:
        yield None
        return
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, postgres_server: PostgresServer | None
) -> None:
    """pytest-django's hook to change the databases before the test database is created."""
    if postgres_server is None:
        return
    from django.conf import settings
    from django.db import connections

    new = postgres_server.settings()
    db = settings.DATABASES["default"]
    db.clear()
    db.update(new)
    connections.configure_settings(settings.DATABASES)  # fills Django's defaults in place
    connections.settings["default"] = db
    with contextlib.suppress(AttributeError):
        del connections["default"]  # drop the SQLite wrapper if one was made already
    connections.close_all()


# --------------------------------------------------------------------------- workspace & users


@pytest.fixture(scope="session")
def synthetic_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SYNTHETIC workspace store (see synthetic.py), built once per session."""
    return synthetic.build(tmp_path_factory.mktemp("workspace"))


@pytest.fixture(autouse=True)
def _web_settings(settings: Any, synthetic_workspace: Path, tmp_path: Path) -> None:
    settings.WORKSPACE = synthetic_workspace
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    # Fast hashing in tests (the hasher itself is Django's; production uses PBKDF2/Argon2).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JOBS_INLINE = True  # background jobs run in the request (job_worker: for real)


ROLES = ["anonymous", "administrator", "analyst", "board_member", "action_owner", "case_worker"]


@pytest.fixture
def make_user(db: None) -> Any:
    from factories import UserFactory

    def make(role: str, **kw: Any) -> Any:
        return UserFactory(role=role, **kw)

    return make


@pytest.fixture
def job_worker(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The real job worker (safercity.web.jobs), on a thread of this process, running each job
    in a ``safercity jobs run`` process of its own against the test database. Use with
    ``django_db(transaction=True)`` so that the job's process sees what the test wrote."""
    import threading
    from urllib.parse import quote

    from django.db import connection

    from safercity.web.jobs.worker import Worker

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{quote(str(db['HOST']), safe='')}/{db['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "job-worker-test-" + "k" * 50)
    monkeypatch.setenv("SAFERCITY_WORKSPACE", str(settings.WORKSPACE))
    settings.JOBS_INLINE = False
    worker = Worker(poll=0.1)
    thread = threading.Thread(target=worker.run, name="test-job-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(60)
