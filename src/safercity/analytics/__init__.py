"""SaferCity analytics: a plain library (never imports Django).

Ingestion, the DuckDB store, geography, statistics, the Strategic Assessment and its report.

Importing the package chooses numba's threading layer before any kernel runs: Intel TBB, which
is safe both with threads (the web server calls analyses from several) and with ``fork()``
(the server forks its worker processes, and libraries fork to run helpers). GNU OpenMP is not
fork-safe: a process that has used it is terminated by numba's guard when it forks ("fork()
called from a process already using GNU OpenMP"). ``NUMBA_THREADING_LAYER`` set in the
environment is respected.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

#: the threading layer SaferCity asks numba for (see the module docstring)
THREADING_LAYER = "tbb"


def _load_tbb() -> bool:
    """Make Intel TBB's library loadable by numba's TBB layer.

    The ``tbb`` wheel installs ``libtbb.so.12`` in ``<prefix>/lib``, which the dynamic loader does
    not search inside a virtual environment; loading it first (globally) lets numba's extension
    find it by its soname.
    """
    names = ["libtbb.so.12", "libtbb.so"]
    candidates = [str(Path(sys.prefix) / "lib" / n) for n in names] + names
    for name in candidates:
        try:
            ctypes.CDLL(name, mode=getattr(ctypes, "RTLD_GLOBAL", 0))
        except OSError:
            continue
        return True
    return False


def configure_numba() -> str:
    """Choose numba's threading layer (once, before numba launches threads); returns it."""
    chosen = os.environ.get("NUMBA_THREADING_LAYER")
    if chosen in (None, "", THREADING_LAYER, "safe"):
        # inherited from a parent process or not: this process must load TBB itself. Without
        # TBB the "safe" layers are unavailable: OpenMP stays thread-safe, and the server never
        # forks a process that has run an analysis (jobs run in fresh processes)
        chosen = THREADING_LAYER if _load_tbb() else "omp"
        os.environ["NUMBA_THREADING_LAYER"] = chosen
    numba = sys.modules.get("numba")
    if numba is not None:  # imported before us (by a test tool, say): its config is read already
        numba.config.THREADING_LAYER = chosen
    return chosen


configure_numba()
