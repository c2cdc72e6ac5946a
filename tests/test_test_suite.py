"""The test suite's own set-up: what `make test` relies on to run in its time."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("suite-check")
def test_loadgroup_keeps_a_group_on_one_worker(request: pytest.FixtureRequest) -> None:
    """Under ``--dist loadgroup`` pytest-xdist groups tests by a ``@group`` suffix on their
    node ids. pytest 9.2 silently dropped it (pytest-xdist#1386): the journey's tests then ran
    on both workers, each building the whole demo. Under xdist, the suffix must be there."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run under --dist loadgroup")
    assert request.node.nodeid.endswith("@suite-check"), request.node.nodeid
