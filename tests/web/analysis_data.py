"""Workspaces for the analysis page tests, each built once per test session.

* ``demo``: the real police.uk data that ships in the package for ``safercity demo`` (West
  Yorkshire Police, July 2016, 2017 and 2018; OGL), imported as the demo imports it.
* ``gaps``: the SYNTHETIC workspace (synthetic.py) with some months taken out: 2016-06 to
  2016-08 and 2017-03 hold no incident at all (as when a police.uk release is missing).
* ``far_month``: the SYNTHETIC workspace plus one incident decades later (2080-01).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from safercity.analytics.store import Workspace

GAP_MONTHS = (dt.date(2016, 6, 1), dt.date(2016, 7, 1), dt.date(2016, 8, 1), dt.date(2017, 3, 1))
FAR_MONTH = dt.date(2080, 1, 1)

_built: dict[str, Path] = {}


def demo(factory: pytest.TempPathFactory) -> Path:
    if "demo" not in _built:
        from safercity.analytics.ingest import ingest_paths
        from safercity.commands.demo import demo_zip

        path = factory.mktemp("demo-workspace")
        summary = ingest_paths(path, [demo_zip()])
        assert sum(f.rows_stored for f in summary.files) == 87_348
        _built["demo"] = path
    return _built["demo"]


def _changed_copy(
    name: str, factory: pytest.TempPathFactory, synthetic: Path, sql: str, params: list[object]
) -> Path:
    if name not in _built:
        path = factory.mktemp(name) / "ws"
        shutil.copytree(synthetic, path)
        with Workspace(path) as ws:
            ws.con.execute(sql, params)
        _built[name] = path
    return _built[name]


def gaps(factory: pytest.TempPathFactory, synthetic: Path) -> Path:
    return _changed_copy(
        "gaps",
        factory,
        synthetic,
        "DELETE FROM incidents WHERE month IN (?, ?, ?, ?)",
        list(GAP_MONTHS),
    )


def far_month(factory: pytest.TempPathFactory, synthetic: Path) -> Path:
    return _changed_copy(
        "far-month",
        factory,
        synthetic,
        "INSERT INTO incidents SELECT * REPLACE ('far:1' AS incident_key, ? AS month, "
        "NULL AS occurred_from, NULL AS occurred_to) FROM incidents LIMIT 1",
        [FAR_MONTH],
    )
