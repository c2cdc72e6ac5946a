"""Load a strategy file into the database and export it back (lossless both ways).

Loading is idempotent. The file is the source of truth for the strategy's structure: each part
is matched by its ``id`` (our ``key``) and updated in place, parts no longer in the file are
removed, and nothing unchanged is written (so a second load of the same file writes nothing and
leaves no audit row). Delivery history is never removed by a load: progress updates, measure
values, spend and meetings in the file are added when they are not already held (updates and
values: the same date, author, status, narrative and evidence; same date, value, entered-by and
evidence; spend and meetings: the same id), and those entered in the web app stay. Every change
goes through model saves, so the audit log records each one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

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
    Meeting,
    MeetingAction,
    MeetingPaper,
    Milestone,
    Objective,
    Outcome,
    Partnership,
    Priority,
    ProgressUpdate,
    Spend,
    Strategy,
)


@dataclass
class LoadResult:
    strategy: Strategy
    created: int = 0
    updated: int = 0
    deleted: int = 0
    updates_added: int = 0
    values_added: int = 0
    spend_added: int = 0
    meetings_added: int = 0

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
            "spend_added": self.spend_added,
            "meetings_added": self.meetings_added,
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
    for g in p.governance_bodies:
        _merge_meetings(result, bodies[g.id], g.meetings, bodies)

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
            "refresh": s.refresh.model_dump(mode="json") if s.refresh else None,
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
    deep = models.Q(activity__objective__priority__strategy=strategy)
    milestones_old = {
        x.key: x for x in Milestone.objects.filter(deep | models.Q(priority__strategy=strategy))
    }
    measures_old = {
        x.key: x
        for x in Measure.objects.filter(deep | models.Q(outcome__priority__strategy=strategy))
    }
    parts = _Parts(sync, result, bodies, milestones_old, measures_old)
    priorities: dict[str, Priority] = {}
    activities: dict[str, Activity] = {}
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
                "lead": list(pr.lead),
                "has_action_plan": plan is not None,
                "action_plan_title": _s(plan.title) if plan else "",
                "action_plan_note": _s(plan.note) if plan else "",
            },
            {"strategy": strategy, "key": pr.id},
        )
        for j, oc in enumerate(pr.outcomes):
            outcome = sync.sync(
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
            for n, me in enumerate(oc.measures):
                parts.measure(me, n, outcome=outcome)
        for n, mi in enumerate(plan.milestones if plan else []):
            parts.milestone(mi, n, priority=priority)
        for j, ob in enumerate(plan.objectives if plan else []):
            objective = sync.sync(
                Objective,
                objectives_old,
                ob.id,
                {"priority": priority, "position": j, "title": ob.title},
                {"key": ob.id},
            )
            for k, ac in enumerate(ob.activities):
                activity = activities[ac.id] = sync.sync(
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
                    parts.milestone(mi, n, activity=activity)
                for n, me in enumerate(ac.measures):
                    parts.measure(me, n, activity=activity)

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
    commitments: dict[str, BudgetCommitment] = {}
    for i, bc in enumerate(data.budget.commitments):
        commitments[bc.id] = sync.sync(
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
                "profile": _dump(bc.profile),
            },
            {"strategy": strategy, "key": bc.id},
        )
    _merge_spend(result, strategy, data.budget.spend, commitments, activities)
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


class _Parts:
    """Milestones and measures, of activities or of priorities' plans and outcomes."""

    def __init__(
        self,
        sync: _Syncer,
        result: LoadResult,
        bodies: dict[str, Body],
        milestones_old: dict[str, Milestone],
        measures_old: dict[str, Measure],
    ) -> None:
        self.sync, self.result, self.bodies = sync, result, bodies
        self.milestones_old, self.measures_old = milestones_old, measures_old

    def milestone(self, mi: sf.Milestone, n: int, **parent: Any) -> Milestone:
        fields = {"activity": None, "priority": None, **parent}
        milestone: Milestone = self.sync.sync(
            Milestone,
            self.milestones_old,
            mi.id,
            {
                **fields,
                "position": n,
                "text": mi.text,
                "due": mi.due,
                "due_as_written": _s(mi.due_as_written),
                "start": mi.start,
                "start_as_written": _s(mi.start_as_written),
                "until": mi.until,
                "until_as_written": _s(mi.until_as_written),
                "recurrence": _s(mi.recurrence),
            },
            {"key": mi.id},
        )
        _merge_updates(self.result, {"milestone": milestone}, mi.updates)
        return milestone

    def measure(self, me: sf.Measure, n: int, **parent: Any) -> Measure:
        ds = me.data_source
        owner = None
        query = None
        if isinstance(ds, sf.AnalyticsQuery | sf.CasesQuery):
            query = ds.model_dump(mode="json", exclude={"kind"})
        else:
            owner = self.bodies[ds.owner] if ds.owner else None
        fields = {"activity": None, "outcome": None, **parent}
        measure: Measure = self.sync.sync(
            Measure,
            self.measures_old,
            me.id,
            {
                **fields,
                "position": n,
                "description": me.description,
                "as_written": me.as_written,
                "unit": me.unit,
                "direction": _s(me.direction),
                "indicator": _s(me.indicator),
                "baseline": me.baseline.model_dump(mode="json") if me.baseline else None,
                "target": me.target,
                "target_upper": me.target_upper,
                "target_relative": me.target_relative.model_dump(mode="json")
                if me.target_relative
                else None,
                "targets": _dump(me.targets),
                "values_are": me.values_are,
                "due": me.due,
                "due_as_written": _s(me.due_as_written),
                "source_kind": ds.kind,
                "query": query,
                "owner": owner,
                "source_evidence": _s(getattr(ds, "evidence", None)),
            },
            {"key": me.id},
        )
        _merge_updates(self.result, {"measure": measure}, me.updates)
        if isinstance(ds, sf.OwnerEntered):
            _merge_values(self.result, measure, ds.values)
        return measure


def _merge_spend(
    result: LoadResult,
    strategy: Strategy,
    spend: list[sf.Spend],
    commitments: dict[str, BudgetCommitment],
    activities: dict[str, Activity],
) -> None:
    """Spend entries are history: those not held (by id) are added, in the file's order, and
    none is changed or removed."""
    held = {s.key: s for s in Spend.objects.filter(commitment__strategy=strategy)}
    for entry in spend:
        if entry.id in held:
            continue
        held[entry.id] = Spend.objects.create(
            key=entry.id,
            commitment=commitments[entry.commitment],
            activity=activities.get(entry.activity) if entry.activity else None,
            date=entry.date,
            amount_gbp=entry.amount_gbp,
            description=entry.description,
            entered_by_name=_s(entry.entered_by),
            corrects=held[entry.corrects] if entry.corrects else None,
            reason=_s(entry.reason),
        )
        result.spend_added += 1


def _merge_meetings(
    result: LoadResult, body: Body, meetings: list[sf.Meeting], bodies: dict[str, Body]
) -> None:
    """Meetings are history: those not held (by id) are added with their papers, decisions and
    actions; held ones are left as the web app keeps them."""
    held = set(body.meetings.values_list("key", flat=True))
    for me in meetings:
        if me.id in held:
            continue
        meeting = Meeting.objects.create(
            body=body, key=me.id, date=me.date, title=_s(me.title), decisions=list(me.decisions)
        )
        for n, paper in enumerate(me.papers):
            MeetingPaper.objects.create(
                meeting=meeting,
                title=paper.title,
                board_report_as_at=paper.board_report_as_at,
                link=_s(paper.link),
                position=n,
            )
        for n, action in enumerate(me.actions):
            MeetingAction.objects.create(
                meeting=meeting,
                text=action.text,
                owner=bodies.get(action.owner) if action.owner else None,
                due=action.due,
                done=action.done,
                position=n,
            )
        result.meetings_added += 1


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


def _milestone(mi: Milestone) -> dict[str, Any]:
    return {
        "id": mi.key,
        "text": mi.text,
        "due": mi.due,
        "due_as_written": _n(mi.due_as_written),
        "start": mi.start,
        "start_as_written": _n(mi.start_as_written),
        "until": mi.until,
        "until_as_written": _n(mi.until_as_written),
        "recurrence": _n(mi.recurrence),
        "updates": _updates(mi.updates.all()),
    }


def _measure(me: Measure) -> dict[str, Any]:
    if me.source_kind in Measure.COMPUTED:
        source: dict[str, Any] = {"kind": me.source_kind, **(me.query or {})}
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
    return {
        "id": me.key,
        "description": me.description,
        "as_written": me.as_written,
        "unit": me.unit,
        "direction": _n(me.direction),
        "indicator": _n(me.indicator),
        "baseline": me.baseline,
        "target": me.target,
        "target_upper": me.target_upper,
        "target_relative": me.target_relative,
        "targets": me.targets,
        "values_are": me.values_are,
        "due": me.due,
        "due_as_written": _n(me.due_as_written),
        "data_source": source,
        "updates": _updates(me.updates.all()),
    }


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.key,
        "date": m.date,
        "title": _n(m.title),
        "papers": [
            {
                "title": p.title,
                "board_report_as_at": p.board_report_as_at,
                "link": _n(p.link),
            }
            for p in m.papers.all()
        ],
        "decisions": m.decisions,
        "actions": [
            {
                "text": a.text,
                "owner": a.owner.key if a.owner else None,
                "due": a.due,
                "done": a.done,
            }
            for a in m.actions.all()
        ],
    }


def export(strategy: Strategy) -> StrategyFile:
    """The strategy as a :class:`StrategyFile`: its structure and all its history (updates,
    values, spend and adjustments, meetings)."""
    partnership = strategy.partnership
    bodies = list(
        partnership.bodies.select_related("parent")
        .prefetch_related("meetings__papers", "meetings__actions__owner")
        .order_by("position")
    )
    agencies = [b for b in bodies if b.category == Body.AGENCY]
    governance = [b for b in bodies if b.category == Body.GOVERNANCE]
    priorities = []
    for pr in strategy.priorities.prefetch_related(
        "outcomes__measures__updates",
        "outcomes__measures__values",
        "outcomes__measures__owner",
        "plan_milestones__updates",
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
                    activities.append(
                        {
                            "id": ac.key,
                            "text": ac.text,
                            "lead": [r.body.key for r in roles if r.role == ActivityBody.LEAD],
                            "support": [
                                r.body.key for r in roles if r.role == ActivityBody.SUPPORT
                            ],
                            "lead_support_as_written": _n(ac.lead_support_as_written),
                            "milestones": [_milestone(mi) for mi in ac.milestones.all()],
                            "measures": [_measure(me) for me in ac.measures.all()],
                            "updates": _updates(ac.updates.all()),
                        }
                    )
                objectives.append({"id": ob.key, "title": ob.title, "activities": activities})
            plan = {
                "title": _n(pr.action_plan_title),
                "objectives": objectives,
                "note": _n(pr.action_plan_note),
                "milestones": [_milestone(mi) for mi in pr.plan_milestones.all()],
            }
        priorities.append(
            {
                "id": pr.key,
                "title": pr.title,
                "commitment": _n(pr.commitment),
                "quote": pr.quote,
                "narrative": pr.narrative,
                "evidence": pr.evidence,
                "lead": pr.lead,
                "outcomes": [
                    {
                        "id": o.key,
                        "text": o.text,
                        "lead": o.lead,
                        "narrative": o.narrative,
                        "measures": [_measure(me) for me in o.measures.all()],
                    }
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
                    "meetings": [_meeting(m) for m in sorted(b.meetings.all(), key=_by_date)],
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
            "refresh": strategy.refresh,
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
                    "profile": c.profile,
                }
                for c in strategy.commitments.select_related("priority", "funding_source")
            ],
            "spend": [
                {
                    "id": x.key,
                    "commitment": x.commitment.key,
                    "activity": x.activity.key if x.activity else None,
                    "date": x.date,
                    "amount_gbp": x.amount_gbp,
                    "description": x.description,
                    "entered_by": _n(x.entered_by_name),
                    "corrects": x.corrects.key if x.corrects else None,
                    "reason": _n(x.reason),
                }
                for x in _spend_in_order(strategy)
            ],
        },
    }
    return StrategyFile.model_validate(data)


def _by_date(m: Meeting) -> tuple[dt.date, Any]:
    return (m.date, m.created_at)


def _spend_in_order(strategy: Strategy) -> list[Spend]:
    """Spend as it was entered, each adjustment after the entry it corrects."""
    rows = list(
        Spend.objects.filter(commitment__strategy=strategy)
        .select_related("commitment", "activity", "corrects")
        .order_by("created_at", "date")
    )
    out: list[Spend] = []
    placed: set[Any] = set()
    waiting = rows
    while waiting:
        later = []
        for row in waiting:
            if row.corrects_id is None or row.corrects_id in placed:
                out.append(row)
                placed.add(row.pk)
            else:
                later.append(row)
        if len(later) == len(waiting):  # cannot happen: an adjustment needs an earlier entry
            out.extend(later)
            break
        waiting = later
    return out
