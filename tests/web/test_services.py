"""Small hand-checked pieces of the analysis services."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from safercity.web.analysis import services
from safercity.web.analysis.maps import _class_label, quantile_classes


def test_quantile_classes_by_hand() -> None:
    # 10 squares; quintile cuts at the 2nd, 4th, 6th, 8th and 10th smallest: 1, 1, 3, 8, 3594
    counts = [1, 1, 1, 1, 2, 3, 5, 8, 20, 3594]
    breaks = quantile_classes(counts)
    assert breaks == [(1, 1), (1, 3), (3, 8), (8, 3594)]
    labels = [_class_label(lo, hi, "counts", first=k == 0) for k, (lo, hi) in enumerate(breaks)]
    assert labels == ["1", "2 to 3", "4 to 8", "9 to 3,594"]
    assert quantile_classes([5]) == [(5, 5)]
    assert quantile_classes([]) == []
    # every count falls in exactly one class
    classes = quantile_classes(list(range(1, 101)))
    assert classes == [(1, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    # densities: the first class from its lowest value, the others above the previous bound
    assert _class_label(35.91, 56.8, "density", first=True) == "35.9 to 56.8"
    assert _class_label(215.2, 3583.4, "density", first=False) == "over 215 to 3,583"


def test_csp_allows_only_the_configured_tile_server(settings: object) -> None:
    from safercity.web.core.middleware import content_security_policy

    settings.MAP_TILES = ""  # type: ignore[attr-defined]
    assert "img-src 'self' data:;" in content_security_policy()
    settings.MAP_TILES = "https://{s}.tile.example.org/{z}/{x}/{y}.png"  # type: ignore[attr-defined]
    assert "img-src 'self' data: https://*.tile.example.org;" in content_security_policy()
    settings.MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"  # type: ignore[attr-defined]
    assert "img-src 'self' data: https://tiles.example.org;" in content_security_policy()


def test_concurrent_requests_compute_a_result_once_and_it_outlives_the_reader(
    settings: Any, synthetic_workspace: Path, tmp_path: Path
) -> None:
    # a store of its own: a change to the shared one by another test would be a new version
    shutil.copytree(synthetic_workspace, tmp_path / "ws")
    settings.WORKSPACE = tmp_path / "ws"
    calls: list[int] = []
    started = threading.Event()

    def slow() -> int:
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return 42

    answers: list[int] = []
    first = threading.Thread(target=lambda: answers.append(services.cached("test:slow", slow)))
    first.start()
    started.wait(5)
    waiting = [
        threading.Thread(target=lambda: answers.append(services.cached("test:slow", slow)))
        for _ in range(4)
    ]
    for t in waiting:
        t.start()
    for t in [first, *waiting]:
        t.join(10)
    assert answers == [42] * 5 and len(calls) == 1
    # the idle reader closes; the store has not changed, so the result is still there
    services._release_idle(now=time.monotonic() + services.IDLE_CLOSE_SECONDS + 1)
    assert not services._readers
    assert services.cached("test:slow", slow) == 42 and len(calls) == 1


def test_a_failed_computation_is_not_cached_and_waiters_compute_it_themselves() -> None:
    def broken() -> int:
        raise RuntimeError("query failed")

    with pytest.raises(RuntimeError):
        services.cached("test:broken", broken)
    assert services.cached("test:broken", lambda: 7) == 7
    assert not services._computing


@pytest.mark.django_db
def test_warm_works_out_each_page_as_it_first_opens(
    client: object, make_user: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.urls import reverse

    from safercity.web.analysis.views import warm

    services._versions.clear()  # nothing computed yet in this process
    warm()

    def no_store() -> None:
        raise AssertionError("the page went to the store: warm() missed it")

    monkeypatch.setattr(services, "store", no_store)
    client.force_login(make_user("board_member"))  # type: ignore[attr-defined]
    for name in ("overview", "trend", "map", "hours", "rankings"):
        page = client.get(reverse(f"analysis:{name}"))  # type: ignore[attr-defined]
        assert page.status_code == 200, name
