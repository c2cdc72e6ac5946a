"""numba's threading layer is one that is safe with the server's threads and processes.

The web server forks worker processes and runs analyses on several threads; with GNU OpenMP a
process that forks after running a parallel kernel is terminated ("fork() called from a process
already using GNU OpenMP"). Each check runs in a fresh interpreter, as the server's processes do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, threading
    import numpy as np
    from safercity.analytics import hotspots   # chooses the layer, then imports numba
    import numba

    @numba.njit(parallel=True)
    def total(n):
        s = 0.0
        for i in numba.prange(n):
            s += i
        return s

    assert total(1000) == 499500.0
    print("layer", numba.threading_layer())
    threads = [threading.Thread(target=lambda: [total(10_000) for _ in range(50)])
               for _ in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    pid = os.fork()               # what the server and libraries do after analyses have run
    if pid == 0:
        os._exit(0 if total(10) == 45.0 else 3)
    _, status = os.waitpid(pid, 0)
    print("child", os.waitstatus_to_exitcode(status))
    print("parent alive")
    """
)


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="tbb wheels are for x86_64")
@pytest.mark.parametrize("inherited", [None, "tbb"])
def test_a_process_that_ran_a_parallel_kernel_can_still_fork_and_use_threads(
    inherited: str | None,
) -> None:
    """Also when the layer is inherited from a parent process (a job started by the server):
    the child must load TBB itself."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    if inherited:
        env["NUMBA_THREADING_LAYER"] = inherited
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "layer tbb" in out.stdout
    assert "child 0" in out.stdout
    assert "parent alive" in out.stdout
