"""Updates to the store: one writer, readers never wait, all or nothing (ADR 0002)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import filelock
import pytest

from safercity.analytics.store import (
    NEXT_FILE,
    STORE_FILE,
    WRITE_LOCK_FILE,
    Workspace,
    write_in_progress,
)


def _count(path: Path) -> int:
    with Workspace(path, read_only=True) as ws:
        return int(ws.con.execute("SELECT count(*) FROM sources").fetchone()[0])  # type: ignore[index]


def _add_source(ws: Workspace, name: str) -> None:
    ws.con.execute(
        "INSERT INTO sources VALUES (?, ?, 'test', NULL, NULL, 0, 0, 0, now(), NULL)",
        [name, name],
    )


def test_a_reader_keeps_the_committed_store_while_an_update_writes(tmp_path: Path) -> None:
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "first")
    reader = Workspace(tmp_path, read_only=True)  # open all through the update, as the web does
    try:
        with Workspace.for_update(tmp_path) as ws:
            _add_source(ws, "second")
            # the reader is not blocked and sees the store as it was
            assert reader.con.execute("SELECT count(*) FROM sources").fetchone() == (1,)
            assert _count(tmp_path) == 1
        assert reader.con.execute("SELECT count(*) FROM sources").fetchone() == (1,)
    finally:
        reader.close()
    assert _count(tmp_path) == 2  # a new reader sees the update
    assert not (tmp_path / NEXT_FILE).exists()


def test_a_failed_update_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "first")
    before = (tmp_path / STORE_FILE).read_bytes()
    with pytest.raises(RuntimeError), Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "second")
        raise RuntimeError("the import went wrong")
    assert (tmp_path / STORE_FILE).read_bytes() == before
    assert _count(tmp_path) == 1
    assert not (tmp_path / NEXT_FILE).exists()


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from safercity.analytics.store import Workspace
    with Workspace.for_update(sys.argv[1]) as ws:
        ws.con.execute("INSERT INTO sources VALUES ('killed', 'killed', 'test', NULL, NULL, "
                       "0, 0, 0, now(), NULL)")
        ws.con.execute("CHECKPOINT")
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_writer_killed_mid_update_leaves_the_store_and_the_lock_free(tmp_path: Path) -> None:
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "first")
    out = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], timeout=120)
    assert out.returncode == -signal.SIGKILL
    assert (tmp_path / NEXT_FILE).exists()  # what the killed writer left
    assert _count(tmp_path) == 1  # the store as it was
    assert not write_in_progress(tmp_path)  # the kernel released its lock
    with Workspace.for_update(tmp_path) as ws:  # the next writer is not blocked, and cleans up
        _add_source(ws, "second")
    assert _count(tmp_path) == 2
    assert not (tmp_path / NEXT_FILE).exists()


def test_writers_take_turns(tmp_path: Path) -> None:
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "first")
    waited = threading.Event()
    order: list[str] = []

    def second_writer() -> None:
        with Workspace.for_update(tmp_path, on_wait=waited.set) as ws:
            order.append("second")
            _add_source(ws, "second")

    with Workspace.for_update(tmp_path) as ws:
        assert write_in_progress(tmp_path)
        t = threading.Thread(target=second_writer)
        t.start()
        assert waited.wait(10)  # the second writer said it is waiting
        order.append("first")
        _add_source(ws, "third")
    t.join(30)
    assert order == ["first", "second"]
    assert _count(tmp_path) == 3  # neither update lost the other's rows
    assert not write_in_progress(tmp_path)


def test_a_write_lock_held_elsewhere_can_time_out(tmp_path: Path) -> None:
    Workspace.for_update(tmp_path).__enter__().close()  # make the folder
    other = filelock.FileLock(str(tmp_path / WRITE_LOCK_FILE))
    with other, pytest.raises(filelock.Timeout), Workspace.for_update(tmp_path, timeout=0.2):
        pass


def test_a_log_left_beside_the_store_is_kept_by_the_update(tmp_path: Path) -> None:
    direct = Workspace(tmp_path)  # a direct read-write open (tests, old versions)
    _add_source(direct, "in the log")
    direct.con.execute("PRAGMA disable_checkpoint_on_shutdown")
    direct.close()
    wal = tmp_path / (STORE_FILE + ".wal")
    if not wal.exists():
        pytest.skip("DuckDB checkpointed on close; nothing to merge")
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "after")
    assert not wal.exists()
    assert _count(tmp_path) == 2


def test_the_workspace_is_private_to_its_owner(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "ws"
        with Workspace.for_update(folder) as ws:
            _add_source(ws, "first")
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700


def test_an_update_that_changed_nothing_leaves_the_store_file_alone(tmp_path: Path) -> None:
    """A second import of the same file stores nothing: the store is not replaced, so readers
    keep their connection and the web server's results stay valid."""
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "first")
    before = (tmp_path / STORE_FILE).stat()
    with Workspace.for_update(tmp_path) as ws:
        ws.con.execute("SELECT count(*) FROM sources").fetchall()
    after = (tmp_path / STORE_FILE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not (tmp_path / NEXT_FILE).exists()
    with Workspace.for_update(tmp_path) as ws:
        _add_source(ws, "second")
    assert (tmp_path / STORE_FILE).stat().st_ino != before.st_ino
