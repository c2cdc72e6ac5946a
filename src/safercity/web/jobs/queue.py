"""The job queue: kinds of job, enqueueing, claiming, failing and trying again."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)


@dataclass(frozen=True)
class JobKind:
    """A kind of background job: its record and the function that runs one (given its key)."""

    name: str
    model_label: str
    run_path: str
    #: the field that carries a failure's reason to the user
    reason_field: str

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def run(self, pk: Any) -> None:
        module, _, attr = self.run_path.rpartition(".")
        func: Callable[[Any], None] = getattr(importlib.import_module(module), attr)
        func(pk)


KINDS: dict[str, JobKind] = {
    "import": JobKind(
        "import", "imports.ImportJob", "safercity.web.imports.services.run", "message"
    ),
    "report": JobKind(
        "report", "reports.AssessmentReport", "safercity.web.reports.services.run", "error"
    ),
}


def kind_of(obj: models.Model) -> JobKind:
    for kind in KINDS.values():
        if obj._meta.label == kind.model_label:
            return kind
    raise LookupError(f"{obj._meta.label} is not a kind of job")


def _app_of(kind: JobKind) -> str:
    return {"imports": "safercity.web.imports", "reports": "safercity.web.reports"}[
        kind.model_label.split(".")[0]
    ]


# ------------------------------------------------------------------------------- file locks


def jobs_dir() -> Path:
    folder = Path(settings.WORKSPACE) / "jobs"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def job_lock(kind: JobKind, pk: Any) -> filelock.FileLock:
    """Held by the process running the job for as long as it runs."""
    return filelock.FileLock(str(jobs_dir() / f"{kind.name}-{pk}.lock"), mode=0o600)


def worker_lock() -> filelock.FileLock:
    """Held by the workspace's job worker for as long as it runs (one worker per workspace)."""
    return filelock.FileLock(str(jobs_dir() / "worker.lock"), mode=0o600)


def is_held(lock: filelock.FileLock) -> bool:
    """True when another process holds ``lock`` (the kernel frees it when its holder dies)."""
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return True
    lock.release()
    return False


def worker_running() -> bool:
    """Is a job worker serving this workspace (``safercity serve`` starts one)?"""
    return is_held(worker_lock())


# ------------------------------------------------------------------------------- queue


def enqueue(obj: models.Model) -> None:
    """Queue a job already saved as ``queued``; run it at once, in this process, when
    ``settings.JOBS_INLINE`` is set (the test suite)."""
    if getattr(settings, "JOBS_INLINE", False):
        kind = kind_of(obj)
        if claim(kind, obj.pk):
            kind.run(obj.pk)


def claim(kind: JobKind, pk: Any) -> bool:
    """Take a queued job for running; False if someone else took it first."""
    taken: int = kind.model.objects.filter(pk=pk, status=QUEUED).update(
        status=RUNNING, progress=1, started_at=timezone.now(), finished_at=None
    )
    return taken == 1


def next_queued() -> tuple[JobKind, Any] | None:
    """The job that has waited longest, of any kind."""
    best: tuple[Any, JobKind, Any] | None = None
    for kind in KINDS.values():
        if not apps.is_installed(_app_of(kind)):
            continue
        row = (
            kind.model.objects.filter(status=QUEUED)
            .order_by("created_at")
            .values_list("created_at", "pk")
            .first()
        )
        if row is not None and (best is None or row[0] < best[0]):
            best = (row[0], kind, row[1])
    return None if best is None else (best[1], best[2])


def fail(kind: JobKind, pk: Any, reason: str) -> None:
    """Mark a job failed (if it has not finished) with a reason the user can read."""
    fields: dict[str, Any] = {
        "status": FAILED,
        "progress": 100,
        "finished_at": timezone.now(),
        kind.reason_field: public_text(reason),
    }
    if kind.reason_field != "message":
        fields["message"] = "Failed"
    kind.model.objects.filter(pk=pk).exclude(status__in=FINISHED).update(**fields)


def retry(obj: models.Model) -> bool:
    """Queue a failed job again (its inputs are kept); False if it had not failed."""
    kind = kind_of(obj)
    fields: dict[str, Any] = {
        "status": QUEUED,
        "progress": 0,
        "message": "Waiting to start (tried again)",
        "started_at": None,
        "finished_at": None,
        "attempts": models.F("attempts") + 1,
    }
    if kind.reason_field != "message":
        fields[kind.reason_field] = ""
    again = kind.model.objects.filter(pk=obj.pk, status=FAILED).update(**fields) == 1
    if again:
        obj.refresh_from_db()
        enqueue(obj)
    return again


STOPPED = (
    "The job stopped before it finished: the server or its job worker was stopped or "
    "restarted while it ran."
)


def recover_orphans() -> int:
    """Fail running jobs whose process is gone (checked by its lock, never by PID)."""
    count = 0
    for kind in KINDS.values():
        if not apps.is_installed(_app_of(kind)):
            continue
        for pk in kind.model.objects.filter(status=RUNNING).values_list("pk", flat=True):
            if not is_held(job_lock(kind, pk)):
                fail(kind, pk, STOPPED + " " + nothing_changed(kind))
                count += 1
    return count


def nothing_changed(kind: JobKind) -> str:
    if kind.name == "import":
        return "Nothing was stored: the workspace is as it was. Use “Try again” to import it."
    return "Use “Try again” to generate it."


# ------------------------------------------------------------------------------- messages

_ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:/[^\s'\"():,;]+)+/?")


def public_text(text: str) -> str:
    """A message fit to show: the server's folders are not shown (a file keeps its name, the
    workspace is 'the workspace')."""
    workspaces = {str(settings.WORKSPACE).rstrip("/"), str(Path(settings.WORKSPACE).resolve())}

    def shown(match: re.Match[str]) -> str:
        path = match.group(0).rstrip("/")
        return "the workspace" if path in workspaces else Path(path).name

    return _ABSOLUTE_PATH.sub(shown, text)
