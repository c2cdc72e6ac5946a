"""How the web server reads the store: never blocked by an import, results bounded in bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from safercity.analytics.store import Workspace
from safercity.web.analysis import services


@pytest.fixture
def own_store(tmp_path: Path, settings: Any) -> Path:
    with Workspace.for_update(tmp_path) as ws:
        ws.con.execute(
            "INSERT INTO sources VALUES ('a', 'a', 'test', NULL, NULL, 0, 0, 0, now(), NULL)"
        )
    settings.WORKSPACE = tmp_path
    services._versions.clear()
    yield tmp_path
    services._release_idle(now=float("inf"))
    services._versions.clear()


def _sources() -> int:
    with services.store() as con:
        return int(con.execute("SELECT count(*) FROM sources").fetchone()[0])  # type: ignore[index]


def test_pages_answer_from_the_committed_store_while_an_import_writes(own_store: Path) -> None:
    assert _sources() == 1
    with Workspace.for_update(own_store) as ws:
        ws.con.execute(
            "INSERT INTO sources VALUES ('b', 'b', 'test', NULL, NULL, 0, 0, 0, now(), NULL)"
        )
        assert _sources() == 1  # no 503: the store as it was
        assert services.cached("test:count", _sources) == 1
    assert _sources() == 2  # the next request reads the new store
    assert services.cached("test:count", _sources) == 2  # and results are worked out again


def test_results_are_bounded_in_bytes_not_by_count(
    own_store: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFERCITY_RESULT_CACHE_MB", "4")
    budget = services.cache_budget_bytes()
    assert budget == 4 * 1024 * 1024
    for i in range(20):  # 20 results of ~0.5 MB: 10 MB asked for, 4 MB allowed
        services.cached("test:array", lambda: np.zeros(65_536), i)
    held = sum(r.nbytes for r in services._versions.values())
    assert 0.5 * budget < held <= budget
    kept = [k for r in services._versions.values() for k in r.values]
    assert ("test:array", 19) in kept and ("test:array", 0) not in kept  # oldest dropped first
    # a result larger than a quarter of the budget is answered but not kept
    big = services.cached("test:big", lambda: np.zeros(200_000))
    assert big.shape == (200_000,)
    assert ("test:big",) not in [k for r in services._versions.values() for k in r.values]


def test_sizes_are_estimated_from_what_results_hold() -> None:
    assert services.approx_size(np.zeros(1000)) >= 8000
    rows = [{"cell": "SE 3033", "count": i} for i in range(1000)]
    assert services.approx_size(rows) > 1000 * 100
    assert services.approx_size(rows) < services.approx_size(rows * 2)
