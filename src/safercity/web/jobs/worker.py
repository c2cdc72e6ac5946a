"""The job worker: takes queued jobs one at a time and runs each in a fresh process.

A fresh interpreter per job (not a fork of the worker) means a job starts with nothing another
job left behind, numba/OpenMP state included, and whatever kills it (a crash in a C library,
the OOM killer, ``kill -9``) kills only it: the worker notes why and goes on to the next job.
``safercity serve`` starts the worker and starts it again if it dies; ``safercity jobs work``
runs one on its own (a separate service in production).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections

from . import queue

log = logging.getLogger("safercity.jobs")

#: seconds between looks at the queue when it is empty
POLL_SECONDS = 1.0
#: seconds a job is given to stop after SIGTERM before it is killed
STOP_GRACE_SECONDS = 20.0


def describe_exit(code: int) -> str:
    """Why a job's process ended, in words."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = (
            " (killed: the system ran out of memory, or an administrator stopped it)"
            if -code == signal.SIGKILL
            else ""
        )
        return f"The job's process was stopped by {name}{why} before it finished."
    return (
        f"The job's process ended with an error (exit status {code}) before it finished; "
        "the server log has the details."
    )


class Worker:
    """Runs queued jobs of one workspace until :meth:`stop` is called."""

    def __init__(self, *, poll: float = POLL_SECONDS, timeout_minutes: float | None = None):
        self.poll = poll
        self.timeout = None if not timeout_minutes else timeout_minutes * 60.0
        self._stop = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None

    # -------------------------------------------------------------------------- control

    def stop(self, *_: object) -> None:
        self._stop.set()
        child = self._child
        if child is not None and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()

    def run(self, *, once: bool = False) -> int:
        """Serve the queue (``once``: until it is empty). Returns the number of jobs run."""
        lock = queue.worker_lock()
        try:
            lock.acquire(timeout=0)
        except Exception:
            log.warning("another job worker serves this workspace; waiting for it to stop")
            while not self._stop.is_set():
                try:
                    lock.acquire(timeout=1.0)
                    break
                except Exception:
                    continue
            else:
                return 0
        try:
            recovered = queue.recover_orphans()
            if recovered:
                log.warning("%d job(s) left running by a stopped process marked failed", recovered)
            self._clean_temporary()
            done = 0
            while not self._stop.is_set():
                close_old_connections()
                nxt = queue.next_queued()
                if nxt is None:
                    if once:
                        break
                    self._stop.wait(self.poll)
                    continue
                kind, pk = nxt
                if queue.claim(kind, pk):
                    self.run_job(kind, pk)
                    done += 1
            return done
        finally:
            connections.close_all()  # this thread's (all of them, in the worker process)
            lock.release()

    # -------------------------------------------------------------------------- one job

    def run_job(self, kind: queue.JobKind, pk: Any) -> int:
        """Run one claimed job in a fresh process; fail it with the reason if that process
        ends without finishing it. Returns the process's exit code."""
        tmp = self._tmp_root() / f"{kind.name}-{pk}"
        tmp.mkdir(mode=0o700, parents=True, exist_ok=True)
        env = {
            **os.environ,
            "TMPDIR": str(tmp),  # archives are unpacked here, and removed whatever happens
            "SAFERCITY_WORKSPACE": str(settings.WORKSPACE),
        }
        argv = [sys.executable, "-m", "safercity", "jobs", "run", kind.name, str(pk)]
        argv += ["--workspace", str(settings.WORKSPACE)]
        code = -1
        try:
            self._child = subprocess.Popen(argv, env=env)
            try:
                code = self._child.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self._child.kill()
                code = self._child.wait()
                minutes = (self.timeout or 0) / 60
                queue.fail(
                    kind,
                    pk,
                    f"The job took longer than {minutes:.0f} minutes and was stopped "
                    "(setting job_timeout_minutes). " + queue.nothing_changed(kind),
                )
        finally:
            self._child = None
            close_old_connections()
            # a job that finished has said so itself; these change only one that did not
            if code != 0:
                queue.fail(kind, pk, describe_exit(code) + " " + queue.nothing_changed(kind))
            else:
                queue.fail(kind, pk, "The job ended without saying how it went. Try again.")
            shutil.rmtree(tmp, ignore_errors=True)
        return code

    # -------------------------------------------------------------------------- housekeeping

    def _tmp_root(self) -> Path:
        return queue.jobs_dir() / "tmp"

    def _clean_temporary(self) -> None:
        """Remove what jobs that are no longer running left in the temporary folder."""
        root = self._tmp_root()
        if not root.is_dir():
            return
        for folder in root.iterdir():
            kind_name, _, pk = folder.name.partition("-")
            kind = queue.KINDS.get(kind_name)
            if kind is None or not queue.is_held(queue.job_lock(kind, pk)):
                shutil.rmtree(folder, ignore_errors=True)


def run_in_this_process(kind_name: str, pk: str) -> int:
    """What ``safercity jobs run`` does: hold the job's lock and run it here."""
    kind = queue.KINDS[kind_name]
    lock = queue.job_lock(kind, pk)
    lock.acquire(timeout=0)
    try:
        kind.run(pk)
    finally:
        lock.release()
        with contextlib.suppress(OSError):
            Path(lock.lock_file).unlink()
    return 0
