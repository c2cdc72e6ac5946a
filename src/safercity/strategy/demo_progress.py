"""SYNTHETIC delivery history for the worked example, so the demo's monitoring shows something.

:func:`with_history` returns a copy of a strategy with three years of made-up history added:
quarterly progress updates on every activity and milestone (an update in each occurrence's
window of a recurring milestone, most of the time), values of the owner-entered measures, an
annual profile and monthly spend against each of the partnership's commitments (with one
correction as an adjustment), and the board's quarterly meetings with decisions and actions.
Most activities go to plan; some struggle and one in ten stalls, so the board report has
exceptions to show. Nothing here is real: every update, value, entry and meeting says
"SYNTHETIC" and no person is named (authors are the leading bodies).

It is deterministic (a seed per part, from its id), so running it again adds nothing:
``safercity strategy demo-progress --workspace WS`` loads it into the web database, where a
load adds history not already held and changes nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from typing import Any

from safercity.analytics import monitoring as rules
from safercity.strategy.model import (
    MeasureValue,
    Meeting,
    MeetingAction,
    OwnerEntered,
    Paper,
    ProfileYear,
    ProgressUpdate,
    Spend,
    StrategyFile,
)

LABEL = "SYNTHETIC demo data"


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("/".join(str(p) for p in parts).encode()))


def _quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    out, year, month = [], first.year, 6
    while True:
        day = rules._month_end(year, month)
        if day > last:
            return out
        if day >= first:
            out.append(day)
        month += 3
        if month > 12:
            year, month = year + 1, month - 12


def _update(day: dt.date, who: str, status: str, text: str) -> ProgressUpdate:
    return ProgressUpdate(
        date=day, author=f"{who} ({LABEL})", status=status, narrative=f"{LABEL}: {text}"
    )


NARRATIVES = {
    "on_track": "work is going to plan this quarter.",
    "at_risk": "progress has slowed: staff changes and a delayed decision on funding.",
    "complete": "done, and reported to the thematic group.",
    "not_started": "not started yet: waiting for the partners to agree the scope.",
}


def with_history(model: StrategyFile, *, until: dt.date | None = None) -> StrategyFile:
    """A copy of ``model`` with synthetic history up to ``until`` (default: its last day)."""
    out = model.model_copy(deep=True)
    first = rules.strategy_start(out.strategy.period_start)
    last = until or rules.strategy_end(out.strategy.period_end)
    quarters = _quarter_ends(first, last)
    names = {a.id: a.name for a in out.partnership.agencies} | {
        g.id: g.name for g in out.partnership.governance_bodies
    }
    for _, activity in out.activities():
        who = names.get(activity.lead[0], "Lead")
        r = _rng(activity.id)
        fate = r.choices(["good", "struggling", "stalled"], weights=[70, 20, 10])[0]
        closes = (
            quarters[r.randrange(4, len(quarters))] if fate == "good" and r.random() < 0.3 else None
        )
        for q in quarters:
            if closes is not None and q > closes:
                break
            if fate == "stalled" and q > quarters[3]:
                break  # nobody reports after the first year
            status = (
                "complete"
                if q == closes
                else ("at_risk" if fate != "good" and r.random() < 0.5 else "on_track")
            )
            activity.updates.append(
                _update(q - dt.timedelta(days=r.randrange(3, 20)), who, status, NARRATIVES[status])
            )
        for milestone in activity.milestones:
            milestone.updates.extend(
                _milestone_history(milestone, who, fate, first, last, quarters)
            )
        for measure in activity.measures:
            if isinstance(measure.data_source, OwnerEntered):
                measure.data_source.values.extend(_values(measure, fate, quarters, who))
    for priority in out.priorities:
        if priority.action_plan is None:
            continue
        who = names.get(priority.lead[0], "Priority lead") if priority.lead else "Partnership"
        for milestone in priority.action_plan.milestones:
            if milestone.due is not None:
                done = milestone.due - dt.timedelta(days=40)
                milestone.updates.append(
                    _update(
                        done - dt.timedelta(days=120),
                        who,
                        "on_track",
                        "drafting the plan with the partners.",
                    )
                )
                if done <= last:
                    milestone.updates.append(
                        _update(done, who, "complete", "the action plan was agreed by the board.")
                    )
    _budget(out, first, last)
    _meetings(out, quarters)
    return out


def _milestone_history(
    milestone: Any, who: str, fate: str, first: dt.date, last: dt.date, quarters: list[dt.date]
) -> list[ProgressUpdate]:
    r = _rng(milestone.id)
    kind = milestone.kind
    out: list[ProgressUpdate] = []
    if kind == "deliverable":
        due = milestone.due
        if due - dt.timedelta(days=45) >= first:
            out.append(
                _update(due - dt.timedelta(days=45), who, "on_track", "on course for the due date.")
            )
        if fate == "good":
            done = due - dt.timedelta(days=r.randrange(0, 20))
        elif fate == "struggling":
            done = due + dt.timedelta(days=r.randrange(20, 80))  # late
        else:
            if due <= last:
                out.append(_update(min(due, last), who, "at_risk", NARRATIVES["at_risk"]))
            return out
        if done <= last:
            out.append(_update(max(done, first), who, "complete", NARRATIVES["complete"]))
        return out
    if kind == "recurring":
        rec = rules.parse_recurrence(milestone.recurrence)
        assert rec is not None
        start = milestone.start if milestone.due is None else None
        if milestone.due is None and start is None:
            start = first
        until = milestone.until or rules.strategy_end(
            last.year if last.month < 4 else last.year + 1
        )
        skip = {"good": 0.04, "struggling": 0.25, "stalled": 0.6}[fate]
        for opens, due in rules.occurrences(rec, first_due=milestone.due, start=start, until=until):
            if due > last:
                break
            if r.random() < skip:
                continue  # a missed occurrence
            day = opens + dt.timedelta(days=r.randrange(0, max(1, (due - opens).days + 1)))
            out.append(
                _update(
                    day,
                    who,
                    "on_track",
                    "held as planned."
                    if "meet" in milestone.text.lower()
                    else "done for this period.",
                )
            )
        return out
    # a start, ongoing or undated milestone: quarterly word that it is going on
    begins = milestone.start or first
    for q in quarters:
        if q < begins or (fate == "stalled" and q > quarters[2]):
            continue
        status = "at_risk" if fate == "struggling" and r.random() < 0.3 else "on_track"
        out.append(
            _update(q - dt.timedelta(days=r.randrange(5, 25)), who, status, NARRATIVES[status])
        )
    return out


def _values(measure: Any, fate: str, quarters: list[dt.date], who: str) -> list[MeasureValue]:
    r = _rng(measure.id)
    unit = measure.unit.lower()
    pace = {"good": 1.05, "struggling": 0.75, "stalled": 0.45}[fate]
    out = []
    if unit in rules.NON_COUNT_UNITS:
        goal = measure.target or 50.0
        for i, q in enumerate(quarters):
            value = min(100.0, goal * pace * (0.8 + 0.2 * min(1.0, (i + 1) / 4)) + r.uniform(-3, 3))
            out.append(
                MeasureValue(
                    date=q, value=round(value, 1), entered_by=f"{who} ({LABEL})", evidence=LABEL
                )
            )
        return out
    if measure.target_relative is not None and measure.target_relative.times:
        base = float(r.randrange(30, 60))
        for i, q in enumerate(quarters):
            grow = 1 + (measure.target_relative.times - 1) * pace * i / max(1, len(quarters) - 1)
            out.append(
                MeasureValue(
                    date=q, value=round(base * grow), entered_by=f"{who} ({LABEL})", evidence=LABEL
                )
            )
        return out
    goal = measure.target if measure.target is not None else float(r.randrange(80, 200))
    reduce = measure.direction == "reduce"
    for i, q in enumerate(quarters):
        share = min(1.0, (i + 1) / 4) * pace  # a yearly target, cumulative through the first year
        value = goal * (1.0 - 0.3 * share) if reduce else goal * share
        out.append(
            MeasureValue(
                date=q,
                value=float(max(0, round(value + r.uniform(-1, 1)))),
                entered_by=f"{who} ({LABEL})",
                evidence=LABEL,
            )
        )
    return out


def _budget(model: StrategyFile, first: dt.date, last: dt.date) -> None:
    kinds = {s.id: s.kind for s in model.budget.funding_sources}
    years = list(range(model.strategy.period_start, model.strategy.period_end))
    activities = {loc[1]: [] for loc, _ in model.activities()}  # priority index -> activity ids
    for loc, activity in model.activities():
        activities[loc[1]].append(activity.id)
    priority_index = {p.id: i for i, p in enumerate(model.priorities)}
    n = 0
    for c in model.budget.commitments:
        if kinds.get(c.funding_source) != "partnership" or c.amount_gbp == 0:
            continue
        if not c.profile:
            # the document gives "at least" an amount for the strategy: spread over its years,
            # more in the second and third quarters, when projects run
            per_year = c.amount_gbp // len(years)
            for y in years:
                q = [per_year * 2 // 10, per_year * 3 // 10, per_year * 3 // 10]
                c.profile.append(
                    ProfileYear(year=y, amount_gbp=per_year, quarters=[*q, per_year - sum(q)])
                )
        r = _rng(c.id)
        options = activities.get(priority_index.get(c.priority or "", -1), [])
        for y in years:
            for month in range(12):
                day = rules._month_end(y + (month >= 9), (month + 3) % 12 + 1)
                if day > last or day < first:
                    continue
                planned = next(p for p in c.profile if p.year == y).amount_gbp / 12
                amount = round(planned * r.uniform(0.6, 1.25))
                if amount <= 0:
                    continue
                n += 1
                model.budget.spend.append(
                    Spend(
                        id=f"demo-spend-{c.id}-{y}-{month + 1:02d}",
                        commitment=c.id,
                        activity=r.choice(options) if options and r.random() < 0.7 else None,
                        date=day,
                        amount_gbp=amount,
                        description=f"{LABEL}: project costs, {day:%B %Y}",
                        entered_by=f"Partnership finance ({LABEL})",
                    )
                )
    if model.budget.spend:
        wrong = model.budget.spend[2]
        model.budget.spend.append(
            Spend(
                id="demo-adjustment-1",
                commitment=wrong.commitment,
                activity=wrong.activity,
                date=wrong.date + dt.timedelta(days=20),
                amount_gbp=-min(500, wrong.amount_gbp),
                description=f"Adjustment to {wrong.description}",
                entered_by=f"Partnership finance ({LABEL})",
                corrects=wrong.id,
                reason=f"{LABEL}: an invoice was entered twice in part",
            )
        )


def _meetings(model: StrategyFile, quarters: list[dt.date]) -> None:
    board = next((g for g in model.partnership.governance_bodies if g.kind == "board"), None)
    if board is None:
        return
    owners = [p.lead[0] for p in model.priorities if p.lead]
    for i, q in enumerate(quarters):
        day = q + dt.timedelta(days=18)
        r = _rng(board.id, q)
        owner = owners[i % len(owners)] if owners else None
        board.meetings.append(
            Meeting(
                id=f"demo-board-{day:%Y-%m}",
                date=day,
                title=f"Quarterly performance ({LABEL})",
                papers=[
                    Paper(
                        title=f"Board performance report to {q.day} {q:%B %Y}", board_report_as_at=q
                    )
                ],
                decisions=[
                    f"{LABEL}: the board noted the quarter's exceptions and agreed the actions below."
                ],
                actions=[
                    MeetingAction(
                        text=f"{LABEL}: report back on the activities at risk",
                        owner=owner,
                        due=day + dt.timedelta(days=60),
                        done=day + dt.timedelta(days=r.randrange(20, 75))
                        if i < len(quarters) - 2
                        else None,
                    )
                ],
            )
        )
