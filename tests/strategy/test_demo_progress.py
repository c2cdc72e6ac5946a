"""The SYNTHETIC demo history: deterministic, labelled, valid in the file format, and it gives
the monitoring something to show (a mix of statuses, missed occurrences, spend)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from safercity.strategy import dumps, load, parse
from safercity.strategy.demo_progress import LABEL, with_history

WESTMINSTER = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"


def test_demo_history_is_deterministic_labelled_and_valid() -> None:
    model = load(WESTMINSTER)
    first, second = with_history(model), with_history(model)
    assert first == second  # so a second load into the database adds nothing
    assert model.budget.spend == []  # the example itself is untouched
    again = parse(dumps(first))  # valid in the file format, and round-trips
    assert again == first
    updates = [u for _, a in first.activities() for u in a.updates]
    updates += [u for _, m in first.milestones() for u in m.updates]
    assert len(updates) > 500
    assert all(LABEL in u.author and u.narrative.startswith(LABEL) for u in updates)
    assert {u.status for u in updates} >= {"on_track", "at_risk", "complete"}
    assert all(dt.date(2011, 4, 1) <= u.date <= dt.date(2014, 3, 31) for u in updates)
    assert all(LABEL in s.description or s.corrects for s in first.budget.spend)
    assert sum(1 for s in first.budget.spend if s.corrects) == 1
    board = next(g for g in first.partnership.governance_bodies if g.kind == "board")
    assert len(board.meetings) == 12 and all(LABEL in (m.title or "") for m in board.meetings)
