"""Editing the strategy in the web app: objectives, activities, milestones, measures and the
budget (commitments and their annual profiles), by administrators and priority leads.

Every change is a model save (the audit log records who changed what, old and new values), and
every change is checked by exporting the whole strategy through the file format's model in the
same transaction: a change the file format would refuse is refused (and undone), so
``safercity strategy export`` always round-trips what the web app holds.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models, transaction
from pydantic import ValidationError

from .loading import export
from .models import (
    Activity,
    ActivityBody,
    Body,
    BudgetCommitment,
    FundingSource,
    Measure,
    Milestone,
    Objective,
    Outcome,
    Priority,
    Strategy,
)


class EditRefused(ValueError):
    """The change would leave a strategy the file format refuses; ``problems`` say why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _check(strategy: Strategy) -> None:
    try:
        export(strategy)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
            problems.append(f"{err['msg']} ({where})" if where else err["msg"])
        raise EditRefused(problems) from None


def _next_key(prefix: str, taken: set[str]) -> str:
    """``prefix`` followed by the next free number: ``nte-a`` -> ``nte-a10``."""
    numbers = [
        int(m.group(1)) for k in taken if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", k))
    ]
    n = max(numbers, default=0) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _keys(strategy: Strategy) -> set[str]:
    """Every id in use in the strategy (ids are unique in the whole file)."""
    s = strategy
    deep = models.Q(activity__objective__priority__strategy=s)
    keys: set[str] = set(s.partnership.bodies.values_list("key", flat=True))
    keys |= set(s.priorities.values_list("key", flat=True))
    keys |= set(Outcome.objects.filter(priority__strategy=s).values_list("key", flat=True))
    keys |= set(Objective.objects.filter(priority__strategy=s).values_list("key", flat=True))
    keys |= set(
        Activity.objects.filter(objective__priority__strategy=s).values_list("key", flat=True)
    )
    keys |= set(
        Milestone.objects.filter(deep | models.Q(priority__strategy=s)).values_list(
            "key", flat=True
        )
    )
    keys |= set(
        Measure.objects.filter(deep | models.Q(outcome__priority__strategy=s)).values_list(
            "key", flat=True
        )
    )
    keys |= set(FundingSource.objects.filter(strategy=s).values_list("key", flat=True))
    keys |= set(BudgetCommitment.objects.filter(strategy=s).values_list("key", flat=True))
    return keys


def _position(qs: Any) -> int:
    top = qs.aggregate(m=models.Max("position"))["m"]
    return 0 if top is None else top + 1


def _prefix(key: str) -> str:
    """``nte-o2`` -> ``nte``: the priority's short prefix of the keys under it."""
    return re.sub(r"-[a-z]\d+$", "", key)


# --------------------------------------------------------------------------- objectives


@transaction.atomic
def save_objective(
    priority: Priority, *, title: str, objective: Objective | None = None
) -> Objective:
    strategy = priority.strategy
    if objective is None:
        sample = priority.objectives.values_list("key", flat=True).first()
        prefix = (_prefix(sample) if sample else priority.key) + "-o"
        objective = Objective(
            priority=priority,
            key=_next_key(prefix, _keys(strategy)),
            position=_position(priority.objectives.all()),
        )
        if not priority.has_action_plan:
            priority.has_action_plan = True
            priority.save()
    objective.title = title
    objective.save()
    _check(strategy)
    return objective


# --------------------------------------------------------------------------- activities


@transaction.atomic
def save_activity(
    objective: Objective,
    *,
    text: str,
    leads: list[Body],
    supports: list[Body],
    activity: Activity | None = None,
) -> Activity:
    strategy = objective.priority.strategy
    if activity is None:
        sample = (
            Activity.objects.filter(objective__priority=objective.priority)
            .values_list("key", flat=True)
            .first()
        )
        prefix = (_prefix(sample) if sample else _prefix(objective.key)) + "-a"
        activity = Activity(
            objective=objective,
            key=_next_key(prefix, _keys(strategy)),
            position=_position(objective.activities.all()),
        )
    activity.objective = objective
    activity.text = text
    activity.save()
    wanted = [(ActivityBody.LEAD, b) for b in leads] + [(ActivityBody.SUPPORT, b) for b in supports]
    held = {r.body_id: r for r in activity.roles.all()}
    counters = {ActivityBody.LEAD: 0, ActivityBody.SUPPORT: 0}
    for role, body in wanted:
        row = held.pop(body.pk, None)
        position = counters[role]
        counters[role] += 1
        if row is None:
            ActivityBody.objects.create(activity=activity, body=body, role=role, position=position)
        elif (row.role, row.position) != (role, position):
            row.role, row.position = role, position
            row.save()
    for row in held.values():
        row.delete()
    _check(strategy)
    return activity


# --------------------------------------------------------------------------- milestones

MILESTONE_FIELDS = ("text", "due", "start", "until", "recurrence")


@transaction.atomic
def save_milestone(
    *,
    activity: Activity | None = None,
    priority: Priority | None = None,
    milestone: Milestone | None = None,
    **fields: Any,
) -> Milestone:
    """Add (to an activity, or to a priority's plan) or change a milestone. Date words of the
    document are kept only while the date they name is unchanged."""
    if milestone is None:
        parent_key = activity.key if activity is not None else f"{priority.key}-plan"  # type: ignore[union-attr]
        siblings = (
            activity.milestones.all() if activity is not None else priority.plan_milestones.all()
        )  # type: ignore[union-attr]
        strategy = (
            activity.objective.priority.strategy if activity is not None else priority.strategy  # type: ignore[union-attr]
        )
        milestone = Milestone(
            activity=activity,
            priority=priority if activity is None else None,
            key=_next_key(parent_key + "-m", _keys(strategy)),
            position=_position(siblings),
        )
    else:
        strategy = milestone.owner_priority.strategy
    for name in MILESTONE_FIELDS:
        if name not in fields:
            continue
        value = (
            fields[name]
            if fields[name] is not None
            else ("" if name in ("text", "recurrence") else None)
        )
        if name in ("due", "start", "until") and getattr(milestone, name) != value:
            setattr(milestone, f"{name}_as_written", "")
        setattr(milestone, name, value)
    milestone.save()
    _check(strategy)
    return milestone


# --------------------------------------------------------------------------- measures

MEASURE_FIELDS = (
    "description",
    "as_written",
    "unit",
    "direction",
    "indicator",
    "baseline",
    "target",
    "target_upper",
    "target_relative",
    "targets",
    "values_are",
    "due",
    "source_kind",
    "query",
    "owner",
    "source_evidence",
)


@transaction.atomic
def save_measure(
    *,
    activity: Activity | None = None,
    outcome: Outcome | None = None,
    measure: Measure | None = None,
    **fields: Any,
) -> Measure:
    """Add (to an activity or an outcome) or change a measure."""
    if measure is None:
        if activity is not None:
            strategy = activity.objective.priority.strategy
            prefix, siblings = activity.key + "-k", activity.measures.all()
        else:
            assert outcome is not None
            strategy = outcome.priority.strategy
            prefix, siblings = outcome.key + "-k", outcome.measures.all()
        measure = Measure(
            activity=activity,
            outcome=outcome if activity is None else None,
            key=_next_key(prefix, _keys(strategy)),
            position=_position(siblings),
        )
    else:
        strategy = measure.owner_priority.strategy
    for name in MEASURE_FIELDS:
        if name in fields:
            value = fields[name]
            if value is None and name in ("direction", "indicator", "source_evidence"):
                value = ""
            if name == "due" and measure.due != value:
                measure.due_as_written = ""
            setattr(measure, name, value)
    if measure.source_kind in Measure.COMPUTED:
        measure.owner = None
    else:
        measure.query = None
    measure.save()
    _check(strategy)
    return measure


# --------------------------------------------------------------------------- budget


@transaction.atomic
def save_commitment(
    strategy: Strategy,
    *,
    commitment: BudgetCommitment | None = None,
    priority: Priority | None = None,
    funding_source: FundingSource | None = None,
    amount_gbp: int,
    purpose: str,
    at_least: bool = False,
    profile: list[dict[str, Any]] | None = None,
) -> BudgetCommitment:
    """Add (administrators) or change a commitment and its annual profile."""
    if commitment is None:
        assert funding_source is not None
        commitment = BudgetCommitment(
            strategy=strategy,
            key=_next_key("budget-", _keys(strategy)),
            position=_position(strategy.commitments.all()),
            priority=priority,
            funding_source=funding_source,
        )
    commitment.amount_gbp = amount_gbp
    commitment.purpose = purpose
    commitment.at_least = at_least
    if profile is not None:
        commitment.profile = profile
    commitment.save()
    _check(strategy)
    return commitment
