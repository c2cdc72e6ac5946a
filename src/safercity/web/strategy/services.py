"""Strategy services: which strategy the pages show, who may change what, and the changes
people make (progress updates, measure values, spend and its adjustments, agency links).

Loading and exporting the file is :mod:`.loading`; the monitoring picture :mod:`.progress`;
the budget :mod:`.budgeting`; editing the plan :mod:`.editing`; the annual refresh
:mod:`.refresh`; meetings :mod:`.meetings`. Their entry points are importable from here.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from safercity.analytics import monitoring as rules

from .budgeting import budget
from .loading import LoadResult, export, load, load_file
from .models import (
    Activity,
    ActivityBody,
    Body,
    BudgetCommitment,
    Measure,
    MeasureValue,
    Milestone,
    Partnership,
    Priority,
    ProgressUpdate,
    Spend,
    Strategy,
)
from .progress import (
    ActivityView,
    MeasureView,
    MilestoneView,
    PriorityView,
    measure_values,
    monitor,
    rate_measure,
)

__all__ = [
    "ActivityView",
    "LoadResult",
    "MeasureView",
    "MilestoneView",
    "PriorityView",
    "budget",
    "current_strategy",
    "default_as_at",
    "export",
    "load",
    "load_file",
    "measure_values",
    "monitor",
    "rate_measure",
]


def current_strategy() -> Strategy | None:
    """The strategy the pages show: the latest period, most recently made (a refreshed
    version after the one it refreshes)."""
    return Strategy.objects.select_related("partnership").first()


def default_as_at(strategy: Strategy, today: dt.date | None = None) -> dt.date:
    """The day the pages show by default: today while the strategy runs, else its last (or
    first) day, so a past strategy opens on its own period rather than on today."""
    return rules.default_as_at(
        strategy.period_start, strategy.period_end, today or timezone.localdate()
    )


# --------------------------------------------------------------------------- access


def _norm(name: str) -> str:
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name.lower())
    name = name.replace("&", " and ").replace("+", " and ")
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", name).split())


def _names(body: Body) -> set[str]:
    return {_norm(n) for n in [body.name, body.abbreviation, *body.other_names] if n}


def bodies_for(user: Any, partnership: Partnership) -> set[Any]:
    """Ids of the bodies a user acts for: bodies linked to the user's agency (explicitly, or by
    name: its name, abbreviation or other names equal the agency's name without any
    parenthesised suffix), the agencies that are parts of them (``parent`` chain), and the
    governance bodies of which such a body is a member (not those bodies' subgroups)."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return set()
    bodies = list(partnership.bodies.prefetch_related("account_agencies"))
    wanted = _norm(agency.name)
    direct = {
        b.pk
        for b in bodies
        if wanted in _names(b) or any(a.pk == agency.pk for a in b.account_agencies.all())
    }
    direct_keys = {b.key for b in bodies if b.pk in direct}
    by_pk = {b.pk: b for b in bodies}
    out = set(direct)
    for b in bodies:  # the parts of an agency (a service of the council ...), agencies only
        if b.category != Body.AGENCY:
            continue
        seen = set()
        parent = b.parent_id
        while parent is not None and parent not in seen and parent in by_pk:
            if parent in direct:
                out.add(b.pk)
                break
            seen.add(parent)
            parent = by_pk[parent].parent_id
    for b in bodies:  # governance bodies the agency is a member of (not their subgroups)
        if b.category == Body.GOVERNANCE and direct_keys & set(b.members):
            out.add(b.pk)
    return out


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "administrator")


def _acting(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "action_owner")


def is_priority_lead(user: Any, priority: Priority) -> bool:
    """An action owner acting for a body that leads the priority (``Priority.lead``)."""
    if not _acting(user) or not priority.lead:
        return False
    partnership = priority.strategy.partnership
    mine = bodies_for(user, partnership)
    return partnership.bodies.filter(pk__in=mine, key__in=priority.lead).exists()


def can_edit_priority(user: Any, priority: Priority) -> bool:
    """Administrators and the priority's leads edit its plan: objectives, activities,
    milestones, measures and its budget profile."""
    return is_admin(user) or is_priority_lead(user, priority)


def led_priorities(user: Any, strategy: Strategy) -> list[Priority]:
    """The priorities the user may edit."""
    return [p for p in strategy.priorities.all() if can_edit_priority(user, p)]


def can_update_activity(user: Any, activity: Activity) -> bool:
    """Administrators and the priority's leads update anything of it; an action owner what a
    body they act for leads."""
    if not (user.is_authenticated and user.is_active):
        return False
    priority = activity.objective.priority
    if can_edit_priority(user, priority):
        return True
    if user.role != "action_owner":
        return False
    mine = bodies_for(user, priority.strategy.partnership)
    return any(r.body_id in mine for r in activity.roles.all() if r.role == ActivityBody.LEAD)


def can_update_milestone(user: Any, milestone: Milestone) -> bool:
    """A milestone of an activity: as the activity; of a priority's plan: its leads."""
    if milestone.activity_id is not None:
        return can_update_activity(user, milestone.activity)
    return can_edit_priority(user, milestone.priority)


def can_enter_values(user: Any, measure: Measure) -> bool:
    """Owner-entered measures: the owner body (default: the activity's leads, or for an
    outcome's measure the priority's leads) enters values; administrators and priority leads
    too. Measures computed from the data take no values."""
    if measure.source_kind != Measure.OWNER_ENTERED:
        return False
    priority = measure.owner_priority
    if can_edit_priority(user, priority):
        return True
    if measure.owner_id is None:
        return measure.activity_id is not None and can_update_activity(user, measure.activity)
    if not _acting(user):
        return False
    return measure.owner_id in bodies_for(user, priority.strategy.partnership)


def led_by_me(user: Any, strategy: Strategy) -> set[Any]:
    """Ids of the activities the user may update."""
    everything = Activity.objects.filter(objective__priority__strategy=strategy)
    if is_admin(user):
        return set(everything.values_list("pk", flat=True))
    if getattr(user, "role", None) != "action_owner":
        return set()
    mine = bodies_for(user, strategy.partnership)
    out = set(
        ActivityBody.objects.filter(
            role=ActivityBody.LEAD,
            body_id__in=mine,
            activity__objective__priority__strategy=strategy,
        ).values_list("activity_id", flat=True)
    )
    for priority in led_priorities(user, strategy):
        out |= set(everything.filter(objective__priority=priority).values_list("pk", flat=True))
    return out


# --------------------------------------------------------------------------- changes


def author_name(user: Any) -> str:
    name = user.get_full_name() or user.get_username()
    agency = getattr(user, "agency", None)
    return f"{name} ({agency.name})" if agency else name


@transaction.atomic
def post_update(
    user: Any,
    target: Activity | Milestone | Measure,
    *,
    status: str,
    narrative: str,
    evidence: str = "",
    date: dt.date | None = None,
) -> ProgressUpdate:
    field_name = {Activity: "activity", Milestone: "milestone", Measure: "measure"}[type(target)]
    held = ProgressUpdate.objects.filter(**{field_name: target})
    position = (held.aggregate(m=models.Max("position"))["m"] or 0) + (1 if held.exists() else 0)
    return ProgressUpdate.objects.create(
        **{field_name: target},
        date=date or timezone.localdate(),
        author=author_name(user),
        author_user=user,
        status=status,
        narrative=narrative,
        evidence=evidence,
        position=position,
    )


@transaction.atomic
def enter_value(
    user: Any, measure: Measure, *, date: dt.date, value: float, evidence: str = ""
) -> MeasureValue:
    held = measure.values.all()
    position = (held.aggregate(m=models.Max("position"))["m"] or 0) + (1 if held.exists() else 0)
    return MeasureValue.objects.create(
        measure=measure,
        date=date,
        value=value,
        entered_by=author_name(user),
        evidence=evidence,
        author=user,
        position=position,
    )


def new_key(prefix: str) -> str:
    """A fresh id for a part made in the web app, e.g. ``spend-3f9a2c1b``."""
    return f"{prefix}-{secrets.token_hex(4)}"


def record_spend(
    user: Any,
    commitment: BudgetCommitment,
    *,
    date: dt.date,
    amount_gbp: int,
    description: str,
    activity: Activity | None = None,
) -> Spend:
    """Money spent against a commitment on a day (and on one of its priority's activities)."""
    if amount_gbp <= 0:
        raise ValueError("spend is a positive amount; a correction is an adjustment")
    _check_activity(commitment, activity)
    return Spend.objects.create(
        key=new_key("spend"),
        commitment=commitment,
        activity=activity,
        date=date,
        amount_gbp=amount_gbp,
        description=description,
        entered_by=user,
        entered_by_name=author_name(user),
    )


def _check_activity(commitment: BudgetCommitment, activity: Activity | None) -> None:
    if (
        activity is not None
        and commitment.priority_id is not None
        and activity.objective.priority_id != commitment.priority_id
    ):
        raise ValueError("the activity is not one of the commitment's priority")


@transaction.atomic
def adjust_spend(user: Any, entry: Spend, *, date: dt.date, amount_gbp: int, reason: str) -> Spend:
    """Correct a spend entry with an adjustment (positive or negative), dated when it is made
    and with its reason; the entry itself is never changed. The adjustment names the entry, its
    commitment and its activity, and is audited like every change."""
    if amount_gbp == 0:
        raise ValueError("an adjustment changes the amount")
    if not reason.strip():
        raise ValueError("an adjustment needs a reason")
    net = entry.amount_gbp + sum(a.amount_gbp for a in entry.adjustments.all())
    if net + amount_gbp < 0:
        raise ValueError(f"the entry would fall below £0 (it stands at £{net:,})")
    return Spend.objects.create(
        key=new_key("adjustment"),
        commitment=entry.commitment,
        activity=entry.activity,
        date=date,
        amount_gbp=amount_gbp,
        description=f"Adjustment to {entry.description}",
        entered_by=user,
        entered_by_name=author_name(user),
        corrects=entry,
        reason=reason,
    )


def link_agency(request: Any, body: Body, agency: Any, *, linked: bool = True) -> None:
    """Let the action owners of an account agency act for a body (or stop them); audited."""
    from safercity.web.audit import services as audit

    if linked:
        body.account_agencies.add(agency)
    else:
        body.account_agencies.remove(agency)
    word = "linked" if linked else "unlinked"
    audit.record(request, "update", body, summary=f"{word} agency {agency.name} to {body.name}")
