"""Retention: when a case is kept, erased or anonymised.

Every cohort states how long it keeps a case after it ends (``retention.years`` after closure,
``retention.declined_years`` after a referral is declined) and what happens then:

* ``erase`` -- the case and everything recorded on it go; the person goes too when no other
  case or link holds them;
* ``anonymise`` -- as erase, but a statistical row stays (cohort, month referred, referring
  agency, month closed, outcome) with nothing that identifies the person, so the cohort's
  figures still add up.

A case on **legal hold** (litigation, a domestic homicide review, a complaint, an inquiry) is
kept whatever its age, with the reason. An open case is never due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from .lifecycle import CLOSED, DECLINED
from .schedule import add_months

Action = Literal["keep", "erase", "anonymise"]


@dataclass(frozen=True)
class Policy:
    years: int
    declined_years: int
    at_end: Literal["erase", "anonymise"]


@dataclass(frozen=True)
class CaseForRetention:
    status: str
    ended_on: dt.date | None
    legal_hold: bool = False
    legal_hold_reason: str = ""


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    due_on: dt.date | None = None


def due_on(policy: Policy, case: CaseForRetention) -> dt.date | None:
    """The first day a case may be erased or anonymised (None for an open case)."""
    if case.ended_on is None or case.status not in {CLOSED, DECLINED}:
        return None
    years = policy.declined_years if case.status == DECLINED else policy.years
    return add_months(case.ended_on, 12 * years)


def decide(policy: Policy, case: CaseForRetention, today: dt.date) -> Decision:
    """What to do with ``case`` on ``today`` under ``policy``."""
    due = due_on(policy, case)
    if due is None:
        return Decision("keep", "open case")
    if case.legal_hold:
        why = case.legal_hold_reason.strip() or "no reason recorded"
        return Decision("keep", f"legal hold ({why})", due)
    if today < due:
        return Decision("keep", f"within the retention period until {due.isoformat()}", due)
    ended = "declined" if case.status == DECLINED else "closed"
    years = policy.declined_years if case.status == DECLINED else policy.years
    return Decision(
        policy.at_end,
        f"{ended} on {case.ended_on.isoformat() if case.ended_on else '?'}, "
        f"past the {years}-year retention period",
        due,
    )
