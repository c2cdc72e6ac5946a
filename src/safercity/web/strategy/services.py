"""Strategy services: load a strategy file into the database and export it back, post progress
updates and measure values, record spend, and compute the monitoring picture.

Loading is idempotent. The file is the source of truth for the strategy's structure: each part
is matched by its ``id`` (our ``key``) and updated in place, parts no longer in the file are
removed, and nothing unchanged is written (so a second load of the same file writes nothing and
leaves no audit row). Delivery history is never removed by a load: progress updates and measure
values in the file are added when they are not already held (same date, author, status,
narrative and evidence; same date, value, entered-by and evidence), and those entered in the web
app stay. Every change goes through model saves, so the audit log records each one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from safercity.analytics import monitoring as rules
from safercity.strategy import StrategyFile
from safercity.strategy import model as sf

from .models import (
    Activity,
    ActivityBody,
    Body,
    BudgetCommitment,
    FundingSource,
    Measure,
    MeasureValue,
    Milestone,
    Objective,
    Outcome,
    Partnership,
    Priority,
    ProgressUpdate,
    Spend,
    Strategy,
)

# --------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    strategy: Strategy
    created: int = 0
    updated: int = 0
    deleted: int = 0
    updates_added: int = 0
    values_added: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "partnership": self.strategy.partnership.name,
            "strategy": self.strategy.title,
            "strategy_id": str(self.strategy.pk),
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "updates_added": self.updates_added,
            "values_added": self.values_added,
        }


def _s(value: str | None) -> str:
    return value or ""


def _n(value: str) -> str | None:
    return value or None


class _Syncer:
    """Upserts one table's rows by key, counting what changed."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result

    def sync(
        self,
        model: type[models.Model],
        existing: dict[Any, Any],
        key: Any,
        fields: dict[str, Any],
        create: dict[str, Any] | None = None,
    ) -> Any:
        obj = existing.pop(key, None)
        if obj is None:
            obj = model(**(create or {}), **fields)
            obj.save()
            self.result.created += 1
            return obj
        changed = []
        for name, value in fields.items():
            if isinstance(value, models.Model) or (value is None and _is_fk(model, name)):
                current = getattr(obj, f"{name}_id")
                new = value.pk if value is not None else None
            else:
                current, new = getattr(obj, name), value
            if current != new:
                setattr(obj, name, value)
                changed.append(name)
        if changed:
            obj.save()
            self.result.updated += 1
        return obj

    def delete_rest(self, *remaining: dict[Any, Any]) -> None:
        for rest in remaining:
            for obj in rest.values():
                obj.delete()
                self.result.deleted += 1


def _is_fk(model: type[models.Model], name: str) -> bool:
    try:
        return isinstance(model._meta.get_field(name), models.ForeignKey)
    except Exception:
        return False


def _dump(items: Iterable[Any]) -> list[Any]:
    return [i.model_dump(mode="json", exclude_none=False) for i in items]


@transaction.atomic
def load(data: StrategyFile) -> LoadResult:
    """Load (or reload) a validated strategy file; see the module docstring."""
    p = data.partnership
    partnership = Partnership.objects.filter(name=p.name).first()
    result = LoadResult(strategy=None)  # type: ignore[arg-type]
    sync = _Syncer(result)
    pfields = {
        "abbreviation": _s(p.abbreviation),
        "area": p.area,
        "narrative": list(p.narrative),
        "community_engagement": list(p.community_engagement),
        "signatories": _dump(p.signatories),
    }
    partnership = sync.sync(
        Partnership,
        {p.name: partnership} if partnership else {},
        p.name,
        pfields,
        {"name": p.name},
    )

    # bodies: agencies then governance bodies, parents set in a second pass
    bodies_old = {b.key: b for b in Body.objects.filter(partnership=partnership)}
    bodies: dict[str, Body] = {}
    for i, a in enumerate(p.agencies):
        bodies[a.id] = sync.sync(
            Body,
            bodies_old,
            a.id,
            {
                "category": Body.AGENCY,
                "position": i,
                "name": a.name,
                "abbreviation": _s(a.abbreviation),
                "other_names": list(a.other_names),
                "member": a.member,
                "kind": "",
                "chair": "",
                "remit": "",
                "notes": _s(a.notes),
                "members": [],
            },
            {"partnership": partnership, "key": a.id},
        )
    for i, g in enumerate(p.governance_bodies):
        bodies[g.id] = sync.sync(
            Body,
            bodies_old,
            g.id,
            {
                "category": Body.GOVERNANCE,
                "position": i,
                "name": g.name,
                "abbreviation": _s(g.abbreviation),
                "other_names": list(g.other_names),
                "member": False,
                "kind": g.kind,
                "chair": _s(g.chair),
                "remit": _s(g.remit),
                "notes": _s(g.notes),
                "members": list(g.members),
            },
            {"partnership": partnership, "key": g.id},
        )
    parents = {a.id: a.parent for a in p.agencies} | {g.id: g.parent for g in p.governance_bodies}
    for ident, parent in parents.items():
        body = bodies[ident]
        new = bodies[parent] if parent else None
        if body.parent_id != (new.pk if new else None):
            body.parent = new
            body.save()
            result.updated += 1

    s = data.strategy
    strategy = Strategy.objects.filter(partnership=partnership, title=s.title).first()
    strategy = sync.sync(
        Strategy,
        {s.title: strategy} if strategy else {},
        s.title,
        {
            "period_start": s.period_start,
            "period_end": s.period_end,
            "refreshed_annually": s.refreshed_annually,
            "review": _s(s.review),
            "introduction": list(s.introduction),
            "cross_cutting": list(s.cross_cutting),
            "enablers": list(s.enablers),
            "evidence": _dump(s.evidence),
            "consultation": data.consultation.model_dump(mode="json")
            if data.consultation
            else None,
            "format_version": data.format,
        },
        {"partnership": partnership, "title": s.title},
    )
    result.strategy = strategy

    in_strategy = {"priority__strategy": strategy}
    priorities_old = {x.key: x for x in Priority.objects.filter(strategy=strategy)}
    outcomes_old = {x.key: x for x in Outcome.objects.filter(**in_strategy)}
    objectives_old = {x.key: x for x in Objective.objects.filter(**in_strategy)}
    activities_old = {
        x.key: x for x in Activity.objects.filter(objective__priority__strategy=strategy)
    }
    roles_old = {
        (x.activity_id, x.body_id): x
        for x in ActivityBody.objects.filter(activity__objective__priority__strategy=strategy)
    }
    deep = {"activity__objective__priority__strategy": strategy}
    milestones_old = {x.key: x for x in Milestone.objects.filter(**deep)}
    measures_old = {x.key: x for x in Measure.objects.filter(**deep)}
    priorities: dict[str, Priority] = {}
    for i, pr in enumerate(data.priorities):
        plan = pr.action_plan
        priority = priorities[pr.id] = sync.sync(
            Priority,
            priorities_old,
            pr.id,
            {
                "position": i,
                "title": pr.title,
                "commitment": _s(pr.commitment),
                "quote": pr.quote.model_dump(mode="json") if pr.quote else None,
                "narrative": list(pr.narrative),
                "evidence": _dump(pr.evidence),
                "approaches": list(pr.approaches),
                "has_action_plan": plan is not None,
                "action_plan_title": _s(plan.title) if plan else "",
                "action_plan_note": _s(plan.note) if plan else "",
            },
            {"strategy": strategy, "key": pr.id},
        )
        for j, oc in enumerate(pr.outcomes):
            sync.sync(
                Outcome,
                outcomes_old,
                oc.id,
                {
                    "priority": priority,
                    "position": j,
                    "text": oc.text,
                    "lead": list(oc.lead),
                    "narrative": list(oc.narrative),
                },
                {"key": oc.id},
            )
        for j, ob in enumerate(plan.objectives if plan else []):
            objective = sync.sync(
                Objective,
                objectives_old,
                ob.id,
                {"priority": priority, "position": j, "title": ob.title},
                {"key": ob.id},
            )
            for k, ac in enumerate(ob.activities):
                activity = sync.sync(
                    Activity,
                    activities_old,
                    ac.id,
                    {
                        "objective": objective,
                        "position": k,
                        "text": ac.text,
                        "lead_support_as_written": _s(ac.lead_support_as_written),
                    },
                    {"key": ac.id},
                )
                for role, idents in (
                    (ActivityBody.LEAD, ac.lead),
                    (ActivityBody.SUPPORT, ac.support),
                ):
                    for n, ident in enumerate(idents):
                        body = bodies[ident]
                        sync.sync(
                            ActivityBody,
                            roles_old,
                            (activity.pk, body.pk),
                            {"role": role, "position": n},
                            {"activity": activity, "body": body},
                        )
                _merge_updates(result, {"activity": activity}, ac.updates)
                for n, mi in enumerate(ac.milestones):
                    milestone = sync.sync(
                        Milestone,
                        milestones_old,
                        mi.id,
                        {
                            "activity": activity,
                            "position": n,
                            "text": mi.text,
                            "due": mi.due,
                            "due_as_written": _s(mi.due_as_written),
                            "start": mi.start,
                            "start_as_written": _s(mi.start_as_written),
                            "recurrence": _s(mi.recurrence),
                        },
                        {"key": mi.id},
                    )
                    _merge_updates(result, {"milestone": milestone}, mi.updates)
                for n, me in enumerate(ac.measures):
                    ds = me.data_source
                    owner = None
                    query = None
                    if isinstance(ds, sf.AnalyticsQuery):
                        query = ds.model_dump(mode="json", exclude={"kind"})
                    else:
                        owner = bodies[ds.owner] if ds.owner else None
                    measure = sync.sync(
                        Measure,
                        measures_old,
                        me.id,
                        {
                            "activity": activity,
                            "position": n,
                            "description": me.description,
                            "as_written": me.as_written,
                            "unit": me.unit,
                            "direction": _s(me.direction),
                            "indicator": _s(me.indicator),
                            "baseline": me.baseline.model_dump(mode="json")
                            if me.baseline
                            else None,
                            "target": me.target,
                            "target_upper": me.target_upper,
                            "due": me.due,
                            "due_as_written": _s(me.due_as_written),
                            "source_kind": ds.kind,
                            "query": query,
                            "owner": owner,
                            "source_evidence": _s(getattr(ds, "evidence", None)),
                        },
                        {"key": me.id},
                    )
                    _merge_updates(result, {"measure": measure}, me.updates)
                    if isinstance(ds, sf.OwnerEntered):
                        _merge_values(result, measure, ds.values)

    sources_old = {x.key: x for x in FundingSource.objects.filter(strategy=strategy)}
    commitments_old = {x.key: x for x in BudgetCommitment.objects.filter(strategy=strategy)}
    sources: dict[str, FundingSource] = {}
    for i, fs in enumerate(data.budget.funding_sources):
        sources[fs.id] = sync.sync(
            FundingSource,
            sources_old,
            fs.id,
            {
                "position": i,
                "name": fs.name,
                "kind": fs.kind,
                "provider": bodies[fs.provider] if fs.provider else None,
                "notes": _s(fs.notes),
            },
            {"strategy": strategy, "key": fs.id},
        )
    for i, bc in enumerate(data.budget.commitments):
        sync.sync(
            BudgetCommitment,
            commitments_old,
            bc.id,
            {
                "position": i,
                "priority": priorities[bc.priority] if bc.priority else None,
                "funding_source": sources[bc.funding_source],
                "amount_gbp": bc.amount_gbp,
                "at_least": bc.at_least,
                "purpose": bc.purpose,
            },
            {"strategy": strategy, "key": bc.id},
        )
    sync.delete_rest(
        commitments_old,
        sources_old,
        roles_old,
        measures_old,
        milestones_old,
        activities_old,
        objectives_old,
        outcomes_old,
        priorities_old,
    )
    # a body still named by another strategy of the partnership is kept
    for key in list(bodies_old):
        body = bodies_old[key]
        if body.roles.exists() or FundingSource.objects.filter(provider=body).exists():
            del bodies_old[key]
    sync.delete_rest(bodies_old)
    return result


def _merge_updates(
    result: LoadResult, target: dict[str, Any], updates: list[sf.ProgressUpdate]
) -> None:
    held = list(ProgressUpdate.objects.filter(**target))
    keys = {(u.date, u.author, u.status, u.narrative, u.evidence) for u in held}
    position = max((u.position for u in held), default=-1) + 1
    for up in updates:
        key = (up.date, up.author, up.status, up.narrative, _s(up.evidence))
        if key in keys:
            continue
        keys.add(key)
        ProgressUpdate.objects.create(
            **target,
            date=up.date,
            author=up.author,
            status=up.status,
            narrative=up.narrative,
            evidence=_s(up.evidence),
            position=position,
        )
        position += 1
        result.updates_added += 1


def _merge_values(result: LoadResult, measure: Measure, values: list[sf.MeasureValue]) -> None:
    held = list(measure.values.all())
    keys = {(v.date, v.value, v.entered_by, v.evidence) for v in held}
    position = max((v.position for v in held), default=-1) + 1
    for mv in values:
        key = (mv.date, mv.value, _s(mv.entered_by), _s(mv.evidence))
        if key in keys:
            continue
        keys.add(key)
        MeasureValue.objects.create(
            measure=measure,
            date=mv.date,
            value=mv.value,
            entered_by=_s(mv.entered_by),
            evidence=_s(mv.evidence),
            position=position,
        )
        position += 1
        result.values_added += 1


def load_file(path: str | Path) -> LoadResult:
    from safercity.strategy import load as read

    return load(read(path))


# --------------------------------------------------------------------------- export


def _updates(qs: Iterable[ProgressUpdate]) -> list[dict[str, Any]]:
    return [
        {
            "date": u.date,
            "author": u.author,
            "status": u.status,
            "narrative": u.narrative,
            "evidence": _n(u.evidence),
        }
        for u in qs
    ]


def export(strategy: Strategy) -> StrategyFile:
    """The strategy as a :class:`StrategyFile` (spend is not part of the file format)."""
    partnership = strategy.partnership
    bodies = list(partnership.bodies.select_related("parent").order_by("position"))
    agencies = [b for b in bodies if b.category == Body.AGENCY]
    governance = [b for b in bodies if b.category == Body.GOVERNANCE]
    priorities = []
    for pr in strategy.priorities.prefetch_related(
        "outcomes",
        "objectives__activities__roles__body",
        "objectives__activities__updates",
        "objectives__activities__milestones__updates",
        "objectives__activities__measures__updates",
        "objectives__activities__measures__values",
        "objectives__activities__measures__owner",
    ):
        plan = None
        if pr.has_action_plan:
            objectives = []
            for ob in pr.objectives.all():
                activities = []
                for ac in ob.activities.all():
                    roles = sorted(ac.roles.all(), key=lambda r: r.position)
                    measures = []
                    for me in ac.measures.all():
                        if me.source_kind == Measure.ANALYTICS:
                            source: dict[str, Any] = {"kind": "analytics", **(me.query or {})}
                        else:
                            source = {
                                "kind": "owner_entered",
                                "owner": me.owner.key if me.owner else None,
                                "evidence": _n(me.source_evidence),
                                "values": [
                                    {
                                        "date": v.date,
                                        "value": v.value,
                                        "entered_by": _n(v.entered_by),
                                        "evidence": _n(v.evidence),
                                    }
                                    for v in me.values.all()
                                ],
                            }
                        measures.append(
                            {
                                "id": me.key,
                                "description": me.description,
                                "as_written": me.as_written,
                                "unit": me.unit,
                                "direction": _n(me.direction),
                                "indicator": _n(me.indicator),
                                "baseline": me.baseline,
                                "target": me.target,
                                "target_upper": me.target_upper,
                                "due": me.due,
                                "due_as_written": _n(me.due_as_written),
                                "data_source": source,
                                "updates": _updates(me.updates.all()),
                            }
                        )
                    activities.append(
                        {
                            "id": ac.key,
                            "text": ac.text,
                            "lead": [r.body.key for r in roles if r.role == ActivityBody.LEAD],
                            "support": [
                                r.body.key for r in roles if r.role == ActivityBody.SUPPORT
                            ],
                            "lead_support_as_written": _n(ac.lead_support_as_written),
                            "milestones": [
                                {
                                    "id": mi.key,
                                    "text": mi.text,
                                    "due": mi.due,
                                    "due_as_written": _n(mi.due_as_written),
                                    "start": mi.start,
                                    "start_as_written": _n(mi.start_as_written),
                                    "recurrence": _n(mi.recurrence),
                                    "updates": _updates(mi.updates.all()),
                                }
                                for mi in ac.milestones.all()
                            ],
                            "measures": measures,
                            "updates": _updates(ac.updates.all()),
                        }
                    )
                objectives.append({"id": ob.key, "title": ob.title, "activities": activities})
            plan = {
                "title": _n(pr.action_plan_title),
                "objectives": objectives,
                "note": _n(pr.action_plan_note),
            }
        priorities.append(
            {
                "id": pr.key,
                "title": pr.title,
                "commitment": _n(pr.commitment),
                "quote": pr.quote,
                "narrative": pr.narrative,
                "evidence": pr.evidence,
                "outcomes": [
                    {"id": o.key, "text": o.text, "lead": o.lead, "narrative": o.narrative}
                    for o in pr.outcomes.all()
                ],
                "approaches": pr.approaches,
                "action_plan": plan,
            }
        )
    data = {
        "format": strategy.format_version,
        "partnership": {
            "name": partnership.name,
            "abbreviation": _n(partnership.abbreviation),
            "area": partnership.area,
            "agencies": [
                {
                    "id": b.key,
                    "name": b.name,
                    "abbreviation": _n(b.abbreviation),
                    "other_names": b.other_names,
                    "member": b.member,
                    "parent": b.parent.key if b.parent else None,
                    "notes": _n(b.notes),
                }
                for b in agencies
            ],
            "governance_bodies": [
                {
                    "id": b.key,
                    "name": b.name,
                    "abbreviation": _n(b.abbreviation),
                    "other_names": b.other_names,
                    "kind": b.kind,
                    "parent": b.parent.key if b.parent else None,
                    "chair": _n(b.chair),
                    "remit": _n(b.remit),
                    "members": b.members,
                    "notes": _n(b.notes),
                }
                for b in governance
            ],
            "narrative": partnership.narrative,
            "community_engagement": partnership.community_engagement,
            "signatories": partnership.signatories,
        },
        "strategy": {
            "title": strategy.title,
            "period_start": strategy.period_start,
            "period_end": strategy.period_end,
            "refreshed_annually": strategy.refreshed_annually,
            "review": _n(strategy.review),
            "introduction": strategy.introduction,
            "cross_cutting": strategy.cross_cutting,
            "enablers": strategy.enablers,
            "evidence": strategy.evidence,
        },
        "consultation": strategy.consultation,
        "priorities": priorities,
        "budget": {
            "funding_sources": [
                {
                    "id": f.key,
                    "name": f.name,
                    "kind": f.kind,
                    "provider": f.provider.key if f.provider else None,
                    "notes": _n(f.notes),
                }
                for f in strategy.funding_sources.select_related("provider")
            ],
            "commitments": [
                {
                    "id": c.key,
                    "priority": c.priority.key if c.priority else None,
                    "funding_source": c.funding_source.key,
                    "amount_gbp": c.amount_gbp,
                    "at_least": c.at_least,
                    "purpose": c.purpose,
                }
                for c in strategy.commitments.select_related("priority", "funding_source")
            ],
        },
    }
    return StrategyFile.model_validate(data)


def current_strategy() -> Strategy | None:
    """The strategy the pages show: the latest period, most recently loaded."""
    return Strategy.objects.select_related("partnership").first()


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


def can_update_activity(user: Any, activity: Activity) -> bool:
    """Administrators update anything; an action owner what a body they act for leads."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_admin(user):
        return True
    if user.role != "action_owner":
        return False
    partnership = activity.objective.priority.strategy.partnership
    mine = bodies_for(user, partnership)
    return any(r.body_id in mine for r in activity.roles.all() if r.role == ActivityBody.LEAD)


def can_enter_values(user: Any, measure: Measure) -> bool:
    """Owner-entered measures: the owner body (default: the activity's leads) enters values."""
    if measure.source_kind != Measure.OWNER_ENTERED:
        return False
    if is_admin(user):
        return True
    if measure.owner_id is None:
        return can_update_activity(user, measure.activity)
    if not (user.is_authenticated and user.role == "action_owner"):
        return False
    partnership = measure.activity.objective.priority.strategy.partnership
    return measure.owner_id in bodies_for(user, partnership)


def led_by_me(user: Any, strategy: Strategy) -> set[Any]:
    """Ids of the activities the user may update."""
    if is_admin(user):
        return set(
            Activity.objects.filter(objective__priority__strategy=strategy).values_list(
                "pk", flat=True
            )
        )
    if getattr(user, "role", None) != "action_owner":
        return set()
    mine = bodies_for(user, strategy.partnership)
    return set(
        ActivityBody.objects.filter(
            role=ActivityBody.LEAD,
            body_id__in=mine,
            activity__objective__priority__strategy=strategy,
        ).values_list("activity_id", flat=True)
    )


# --------------------------------------------------------------------------- changes


def _author(user: Any) -> str:
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
        author=_author(user),
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
        entered_by=_author(user),
        evidence=evidence,
        author=user,
        position=position,
    )


def record_spend(
    user: Any, commitment: BudgetCommitment, *, date: dt.date, amount_gbp: int, description: str
) -> Spend:
    return Spend.objects.create(
        commitment=commitment,
        date=date,
        amount_gbp=amount_gbp,
        description=description,
        entered_by=user,
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


# --------------------------------------------------------------------------- monitoring


def _u(updates: Iterable[ProgressUpdate]) -> list[rules.Update]:
    return [rules.Update(u.date, u.status) for u in updates]


@dataclass
class MeasureView:
    measure: Measure
    values: list[tuple[dt.date, float]]
    rating: rules.MeasureRating


@dataclass
class ActivityView:
    activity: Activity
    status: str
    milestones: list[tuple[Milestone, str]]
    measures: list[MeasureView]
    leads: list[Body]
    supports: list[Body]
    last_update: ProgressUpdate | None


@dataclass
class PriorityView:
    priority: Priority
    rag: str
    activities: list[ActivityView] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    committed: int = 0
    spent: int = 0

    @property
    def remaining(self) -> int:
        return self.committed - self.spent

    @property
    def measures(self) -> list[MeasureView]:
        return [m for a in self.activities for m in a.measures]


def measure_values(measure: Measure) -> list[tuple[dt.date, float]]:
    """The owner's values, or the analytics query over the workspace's store."""
    if measure.source_kind == Measure.OWNER_ENTERED:
        return [(v.date, v.value) for v in measure.values.all()]
    from safercity.analytics.store import STORE_FILE, Workspace

    store = Path(settings.WORKSPACE)
    if not (store / STORE_FILE).is_file():
        return []
    q = measure.query or {}
    try:
        with Workspace(store, read_only=True) as ws:
            return rules.analytics_values(
                ws,
                category=q.get("category") or (),
                theme=q.get("theme"),
                area=q.get("area"),
                period=q.get("period") or "rolling_12_months",
            )
    except Exception:  # an unreadable or empty store: no values, not an error page
        return []


def rate_measure(measure: Measure, today: dt.date, strategy: Strategy) -> MeasureView:
    values = measure_values(measure)
    base = measure.baseline or {}
    base_date = base.get("date")
    rating = rules.MeasureRating(
        values,
        today,
        direction=measure.direction or None,
        target=measure.target,
        target_upper=measure.target_upper,
        baseline=base.get("value"),
        baseline_date=dt.date.fromisoformat(base_date) if base_date else None,
        deadline=measure.due or rules.strategy_end(strategy.period_end),
        unit=measure.unit,
    )
    return MeasureView(measure, values, rating)


def monitor(strategy: Strategy, today: dt.date | None = None) -> list[PriorityView]:
    """The whole monitoring picture, as at ``today`` (default: today)."""
    today = today or timezone.localdate()
    committed: dict[Any, int] = {}
    spent: dict[Any, int] = {}
    for c in strategy.commitments.prefetch_related("spend"):
        committed[c.priority_id] = committed.get(c.priority_id, 0) + c.amount_gbp
        spent[c.priority_id] = spent.get(c.priority_id, 0) + sum(
            s.amount_gbp for s in c.spend.all()
        )
    out = []
    for pr in strategy.priorities.prefetch_related(
        "objectives__activities__roles__body",
        "objectives__activities__updates",
        "objectives__activities__milestones__updates",
        "objectives__activities__measures__values",
    ):
        views = []
        for ob in pr.objectives.all():
            for ac in ob.activities.all():
                ms = [
                    (
                        m,
                        rules.milestone_status(_u(m.updates.all()), today, due=m.due),
                    )
                    for m in ac.milestones.all()
                ]
                updates = list(ac.updates.all())
                status = rules.activity_status(_u(updates), [s for _, s in ms], today)
                roles = sorted(ac.roles.all(), key=lambda r: r.position)
                views.append(
                    ActivityView(
                        activity=ac,
                        status=status,
                        milestones=ms,
                        measures=[rate_measure(m, today, strategy) for m in ac.measures.all()],
                        leads=[r.body for r in roles if r.role == ActivityBody.LEAD],
                        supports=[r.body for r in roles if r.role == ActivityBody.SUPPORT],
                        last_update=max(updates, key=lambda u: (u.date, u.position))
                        if updates
                        else None,
                    )
                )
        statuses = [v.status for v in views]
        rag = rules.priority_rag(statuses, [m.rating.rag for v in views for m in v.measures])
        counts = {s: statuses.count(s) for s in rules.STATUS_LABELS}
        out.append(
            PriorityView(
                priority=pr,
                rag=rag,
                activities=views,
                counts=counts,
                committed=committed.get(pr.pk, 0),
                spent=spent.get(pr.pk, 0),
            )
        )
    return out


def budget(strategy: Strategy) -> dict[str, Any]:
    """Committed, spent and remaining per priority and per funding source (whole pounds)."""
    by_priority: dict[str, dict[str, Any]] = {}
    by_source: dict[str, dict[str, Any]] = {}
    for pr in strategy.priorities.all():
        by_priority[pr.key] = {"name": pr.title, "committed": 0, "spent": 0}
    for fs in strategy.funding_sources.all():
        by_source[fs.key] = {"name": fs.name, "committed": 0, "spent": 0}
    unassigned = {"name": "Not assigned to a priority", "committed": 0, "spent": 0}
    for c in strategy.commitments.select_related("priority", "funding_source").prefetch_related(
        "spend"
    ):
        spent = sum(s.amount_gbp for s in c.spend.all())
        for row in (
            by_priority[c.priority.key] if c.priority else unassigned,
            by_source[c.funding_source.key],
        ):
            row["committed"] += c.amount_gbp
            row["spent"] += spent
    if unassigned["committed"]:
        by_priority[""] = unassigned
    for rows in (by_priority, by_source):
        for row in rows.values():
            row["remaining"] = row["committed"] - row["spent"]
    total = {k: sum(r[k] for r in by_source.values()) for k in ("committed", "spent", "remaining")}
    return {"by_priority": by_priority, "by_funding_source": by_source, "total": total}
