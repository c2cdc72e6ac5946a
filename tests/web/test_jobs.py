"""Background jobs: a durable queue, a worker that runs each job in a process of its own, a
job whose process dies failed with the reason and tried again, liveness by lock (not PID)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safercity.analytics.store import Workspace
from safercity.web.imports import services as imports
from safercity.web.imports.models import ImportJob
from safercity.web.jobs import queue
from safercity.web.jobs.worker import describe_exit
from safercity.web.reports.models import AssessmentReport

SYNTHETIC_CSV = Path(__file__).parent / "data" / "synthetic-street.csv"


@pytest.fixture
def writable_workspace(settings: Any, synthetic_workspace: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    settings.WORKSPACE = ws
    return ws


def _incidents(ws: Path) -> int:
    with Workspace(ws, read_only=True) as w:
        return int(w.con.execute("SELECT count(*) FROM incidents").fetchone()[0])  # type: ignore[index]


def _wait(job: Any, done: Any, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"timed out: {job.status} {getattr(job, 'message', '')}")


def _idle(worker: Any, seconds: float = 30) -> None:
    """Until the worker has finished with its job's process (and cleaned up after it)."""
    deadline = time.monotonic() + seconds
    while worker._child is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)


def _upload(user: Any, name: str, data: bytes) -> ImportJob:
    return imports.create_job(user, SimpleUploadedFile(name, data, content_type="text/csv"))


@pytest.mark.django_db(transaction=True)
def test_the_worker_imports_an_upload_in_a_process_of_its_own(
    make_user: Any, writable_workspace: Path, job_worker: Any
) -> None:
    before = _incidents(writable_workspace)
    job = _upload(
        make_user("analyst"), "2016-03-metropolitan-street.csv", SYNTHETIC_CSV.read_bytes()
    )
    imports.start(job)  # queued: the worker takes it
    _wait(job, lambda j: j.finished)
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.rows_stored, job.rows_quarantined) == (5, 1)
    assert _incidents(writable_workspace) == before + 5
    assert str(writable_workspace) not in job.message  # no server paths shown
    _idle(job_worker)
    assert not list((writable_workspace / "jobs" / "tmp").glob("*"))  # temporary files removed


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_process_is_killed_is_failed_with_why_and_can_be_tried_again(
    make_user: Any, writable_workspace: Path, job_worker: Any
) -> None:
    before = _incidents(writable_workspace)
    job = _upload(make_user("analyst"), "2016-03-metropolitan-street.csv", b"")
    stuck = Path(job.stored_path)
    stuck.unlink()
    os.mkfifo(stuck)  # reading it blocks until the test kills the job's process
    imports.start(job)
    _wait(job, lambda j: j.status == ImportJob.Status.RUNNING and job_worker._child is not None)
    child = job_worker._child
    assert child.pid != os.getpid()  # a process of its own, not a thread of this one
    time.sleep(0.5)
    child.send_signal(signal.SIGKILL)
    _wait(job, lambda j: j.finished)
    assert job.status == ImportJob.Status.FAILED
    assert "SIGKILL" in job.message and "Nothing was stored" in job.message
    assert job.rows_stored == 0
    assert _incidents(writable_workspace) == before  # the store as it was
    _idle(job_worker)
    assert not list((writable_workspace / "jobs" / "tmp").glob("*"))
    # the worker goes on: tried again with the file in place, the job finishes
    stuck.unlink()
    shutil.copyfile(SYNTHETIC_CSV, stuck)
    assert queue.retry(job)
    _wait(job, lambda j: j.finished)
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.attempts == 1 and job.rows_stored == 5
    assert _incidents(writable_workspace) == before + 5


HOLD_LOCK = """
import sys, time, filelock
lock = filelock.FileLock(sys.argv[1]); lock.acquire()
print("held", flush=True); time.sleep(60)
"""


@contextlib.contextmanager
def _holding(lock_file: str) -> Iterator[None]:
    """Another process holds ``lock_file`` inside the block, and is killed after it."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, lock_file], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            yield
        finally:
            holder.kill()


@pytest.mark.django_db
def test_a_running_job_is_judged_alive_by_its_lock_not_by_a_pid(
    make_user: Any, settings: Any, tmp_path: Path
) -> None:
    settings.WORKSPACE = tmp_path
    user = make_user("analyst")
    dead = AssessmentReport.objects.create(
        area="Leeds", period="2018-07:2018-07", requested_by=user, status="running"
    )
    alive = AssessmentReport.objects.create(
        area="Leeds", period="2018-06:2018-06", requested_by=user, status="running"
    )
    lock_file = queue.job_lock(queue.KINDS["report"], alive.pk).lock_file
    with _holding(lock_file):
        assert queue.recover_orphans() == 1
        dead.refresh_from_db()
        alive.refresh_from_db()
        assert dead.status == "failed" and "stopped before it finished" in dead.error
        assert alive.status == "running"
    # the holder is dead now (a zombie until reaped, its lock already released by the kernel)
    assert queue.recover_orphans() == 1
    alive.refresh_from_db()
    assert alive.status == "failed"


@pytest.mark.django_db
def test_worker_running_is_told_by_the_worker_lock(settings: Any, tmp_path: Path) -> None:
    settings.WORKSPACE = tmp_path
    assert not queue.worker_running()
    with _holding(queue.worker_lock().lock_file):
        assert queue.worker_running()
    assert not queue.worker_running()


@pytest.mark.django_db
def test_only_a_failed_job_is_tried_again(make_user: Any, settings: Any, tmp_path: Path) -> None:
    settings.WORKSPACE = tmp_path
    settings.JOBS_INLINE = False
    user = make_user("analyst")
    done = AssessmentReport.objects.create(area="A", period="p", requested_by=user, status="done")
    failed = AssessmentReport.objects.create(
        area="B", period="p", requested_by=user, status="failed", error="boom"
    )
    assert not queue.retry(done)
    assert queue.retry(failed)
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == ("queued", "", 1)
    assert queue.next_queued() == (queue.KINDS["report"], failed.pk)


@pytest.mark.django_db
def test_the_retry_button_is_post_only_and_offered_on_a_failed_import(
    client: Any, make_user: Any, settings: Any
) -> None:
    settings.JOBS_INLINE = False
    user = make_user("analyst")
    job = ImportJob.objects.create(
        uploaded_by=user,
        original_name="a.csv",
        stored_path="/x/a.csv",
        status="failed",
        message="The import failed",
    )
    client.force_login(user)
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert reverse("imports:retry", kwargs={"pk": job.pk}) in page and "Try again" in page
    assert client.get(reverse("imports:retry", kwargs={"pk": job.pk})).status_code == 405
    response = client.post(reverse("imports:retry", kwargs={"pk": job.pk}))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"
    page = client.get(reverse("imports:job", kwargs={"pk": job.pk})).content.decode()
    assert "No job worker is running" in page  # nobody serves the queue in this test


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (-signal.SIGKILL, "stopped by SIGKILL (killed"),
        (-signal.SIGSEGV, "stopped by SIGSEGV"),
        (-signal.SIGABRT, "stopped by SIGABRT"),
        (1, "ended with an error (exit status 1)"),
    ],
)
def test_why_a_job_process_ended_is_said_in_words(code: int, words: str) -> None:
    assert words in describe_exit(code)


def test_messages_shown_to_users_carry_no_server_paths(settings: Any, tmp_path: Path) -> None:
    settings.WORKSPACE = tmp_path / "safercity-data"
    text = queue.public_text(
        f'IO Error: Could not set lock on file "{tmp_path}/safercity-data/store.duckdb": '
        f"Conflicting lock is held in /usr/bin/python3.11 (PID 4242) by user root; see "
        f"{tmp_path}/safercity-data"
    )
    assert str(tmp_path) not in text and "/usr/bin" not in text
    assert '"store.duckdb"' in text and "python3.11" in text and "see the workspace" in text
