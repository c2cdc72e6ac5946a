"""Shared fixtures. Real data comes from ../shared (CI always has it beside the clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder ../shared/data; tests that need it fail loudly if it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder {SHARED_DATA} is missing (CI always has ../shared)")
    return SHARED_DATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The journey (one xdist group, minutes on one worker) is collected first, so that one
    worker starts on it while the other works through the rest: put last, the other worker
    would sit idle at the end."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
