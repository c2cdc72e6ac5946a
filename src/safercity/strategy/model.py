"""The strategy file: a Community Safety Partnership's strategy in the CSP's own words.

One YAML file holds one partnership strategy: the partnership and its member agencies, the
governance bodies (board, thematic subgroups, commissioning group), the strategy itself, the
public consultation, the priorities with their outcomes, narrative evidence and action plans
(objectives, activities, lead and support bodies, milestones, measures) and the budget.

Everything here is plain pydantic: this module never imports Django. The web app maps these
models into its database; the command line validates, summarises and exports them.

Cross-references (every ``lead``/``support`` id names an agency or a governance body, every
budget commitment names a priority and a funding source, ...) are checked by
:func:`reference_problems`, which reports each problem with the path of the offending value, so
that :mod:`safercity.strategy.io` can name the YAML path and the file line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from safercity.analytics.categories import normalise_category

FORMAT_VERSION = 1

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
"""An identifier: lower-case letters, digits and hyphens, unique in the whole file."""

Text = Annotated[str, StringConstraints(min_length=1)]

Loc = tuple[str | int, ...]

Status = Literal["not_started", "on_track", "at_risk", "overdue", "complete"]
"""Delivery status, in the board's words: not started, on track, at risk, overdue, complete."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


# --------------------------------------------------------------------------- partnership


class Agency(_Model):
    """An organisation, service or team that can lead or support an activity."""

    id: Id
    name: Text
    abbreviation: str | None = None
    other_names: list[Text] = Field(
        default_factory=list,
        description="Other names the document uses for the same agency (e.g. 'Policy').",
    )
    member: bool = Field(
        default=False, description="True for the partnership's member agencies (the board)."
    )
    parent: Id | None = Field(
        default=None, description="Agency this one is part of, where the document says so."
    )
    notes: str | None = None


class GovernanceBody(_Model):
    """A board, thematic subgroup, commissioning group or other group of the partnership."""

    id: Id
    name: Text
    abbreviation: str | None = None
    other_names: list[Text] = Field(default_factory=list)
    kind: Literal["board", "thematic_subgroup", "commissioning_group", "group", "wider_partnership"]
    parent: Id | None = Field(default=None, description="Governance body this one reports to.")
    chair: str | None = None
    remit: str | None = None
    members: list[Id] = Field(default_factory=list, description="Agency ids.")
    notes: str | None = None


class Signatory(_Model):
    name: Text
    role: str | None = None


class Partnership(_Model):
    name: Text
    abbreviation: str | None = None
    area: Text
    agencies: list[Agency]
    governance_bodies: list[GovernanceBody] = Field(default_factory=list)
    narrative: list[Text] = Field(
        default_factory=list, description="How the partnership works and delivers, its words."
    )
    community_engagement: list[Text] = Field(
        default_factory=list, description="How the partnership involves the community."
    )
    signatories: list[Signatory] = Field(default_factory=list)


# --------------------------------------------------------------------------- evidence


class Quantity(_Model):
    """One number quoted in a piece of evidence."""

    value: float
    unit: Text = Field(description="e.g. percent, people, offences, premises, rank.")
    label: str | None = None


class Evidence(_Model):
    """A quoted statement or statistic, with where it comes from."""

    quote: Text = Field(description="The document's words.")
    values: list[Quantity] = Field(default_factory=list)
    period: str | None = None
    source: str | None = Field(
        default=None, description="The source the document names; none if it names none."
    )
    section: str | None = Field(default=None, description="Section of the document.")
    figure: str | None = Field(default=None, description="Figure of the document, if any.")
    page: int | None = None


# --------------------------------------------------------------------------- monitoring


class ProgressUpdate(_Model):
    """One update on an activity, milestone or measure; updates are kept as history."""

    date: dt.date
    author: Text
    status: Status
    narrative: Text
    evidence: str | None = None


class Milestone(_Model):
    """A thing to be done: by a due date, on a recurrence, or (where the document gives
    neither) with neither."""

    id: Id
    text: Text = Field(description="The document's words.")
    due: dt.date | None = Field(
        default=None, description="Last day of the period named in due_as_written."
    )
    due_as_written: str | None = Field(
        default=None, description="The date words as the document gives them (in text)."
    )
    start: dt.date | None = None
    start_as_written: str | None = None
    recurrence: str | None = Field(
        default=None, description="e.g. monthly, fortnightly, every 6 weeks, ongoing."
    )
    updates: list[ProgressUpdate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_have_words(self) -> Milestone:
        _check_date_words(self.due, self.due_as_written, "due", self.text)
        _check_date_words(self.start, self.start_as_written, "start", self.text)
        return self


def _check_date_words(date: dt.date | None, words: str | None, name: str, text: str) -> None:
    if (date is None) != (words is None):
        raise ValueError(f"{name} and {name}_as_written must be given together")
    if words is not None and words not in text:
        raise ValueError(f"{name}_as_written {words!r} does not occur in the text")


class AnalyticsQuery(_Model):
    """A measure computed by SaferCity's analytics over the incident store."""

    kind: Literal["analytics"]
    category: list[Text] = Field(
        default_factory=list, description="police.uk crime categories (empty: all crime)."
    )
    theme: str | None = Field(default=None, description="e.g. night time economy, youth.")
    area: str | None = Field(default=None, description="Area name or code in the workspace.")
    period: Literal["rolling_12_months", "financial_year", "quarter", "month"] = "rolling_12_months"

    @field_validator("category")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if normalise_category(c) is None]
        if unknown:
            raise ValueError(f"not police.uk crime categories: {unknown}")
        return value


class MeasureValue(_Model):
    date: dt.date
    value: float
    entered_by: str | None = None
    evidence: str | None = None


class OwnerEntered(_Model):
    """A measure whose values the owner enters, each with its evidence."""

    kind: Literal["owner_entered"]
    owner: Id | None = Field(
        default=None, description="Body that enters values; none means the activity's lead."
    )
    evidence: str | None = Field(default=None, description="Where values come from.")
    values: list[MeasureValue] = Field(default_factory=list)


DataSource = Annotated[AnalyticsQuery | OwnerEntered, Field(discriminator="kind")]


class Baseline(_Model):
    value: float
    date: dt.date | None = None
    period: str | None = None
    source: str | None = None


class Measure(_Model):
    """A quantified target or indicator."""

    id: Id
    description: Text
    as_written: Text = Field(description="The document's words.")
    unit: Text
    direction: Literal["increase", "reduce", "achieve"] | None = Field(
        default=None,
        description="increase/reduce: higher/lower is better; achieve: reach the target. "
        "None where the document does not say.",
    )
    indicator: str | None = Field(default=None, description="e.g. a national indicator.")
    baseline: Baseline | None = None
    target: float | None = None
    target_upper: float | None = Field(
        default=None, description="Upper end where the document gives a range."
    )
    due: dt.date | None = None
    due_as_written: str | None = None
    data_source: DataSource
    updates: list[ProgressUpdate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        _check_date_words(self.due, self.due_as_written, "due", self.as_written)
        if self.target_upper is not None and (
            self.target is None or self.target_upper < self.target
        ):
            raise ValueError("target_upper needs a target no larger than it")
        return self


# --------------------------------------------------------------------------- action plans


class Activity(_Model):
    id: Id
    text: Text = Field(description="The document's words.")
    lead: list[Id] = Field(min_length=1, description="Agency or governance body ids.")
    support: list[Id] = Field(default_factory=list)
    lead_support_as_written: str | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    updates: list[ProgressUpdate] = Field(default_factory=list)


class Objective(_Model):
    id: Id
    title: Text
    activities: list[Activity] = Field(default_factory=list)


class ActionPlan(_Model):
    title: str | None = None
    objectives: list[Objective] = Field(default_factory=list)
    note: str | None = Field(default=None, description="e.g. when the plan will be produced.")


class Outcome(_Model):
    id: Id
    text: Text
    lead: list[Id] = Field(default_factory=list)
    narrative: list[Text] = Field(default_factory=list)


class Priority(_Model):
    id: Id
    title: Text
    commitment: str | None = Field(default=None, description="How the strategy states it.")
    quote: Evidence | None = None
    narrative: list[Text] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1)
    approaches: list[Text] = Field(
        default_factory=list, description="'To achieve these outcomes, we will ...'"
    )
    action_plan: ActionPlan | None = None


# --------------------------------------------------------------------------- strategy


class Strategy(_Model):
    title: Text
    period_start: int
    period_end: int
    refreshed_annually: bool
    review: str | None = Field(default=None, description="How the strategy is reviewed.")
    introduction: list[Text] = Field(default_factory=list)
    cross_cutting: list[Text] = Field(default_factory=list)
    enablers: list[Text] = Field(default_factory=list)
    evidence: list[Evidence] = Field(
        default_factory=list, description="Headline statistics on the area as a whole."
    )

    @model_validator(mode="after")
    def _period(self) -> Strategy:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class Consultation(_Model):
    when: Text
    method: str | None = None
    responses: str | None = Field(default=None, description="As written, e.g. 'over 100'.")
    summary: str | None = None
    ranking: list[Id] = Field(
        default_factory=list, description="Priority ids as ranked by respondents, first first."
    )
    ranking_as_written: list[Text] = Field(default_factory=list)
    results: str | None = None


class FundingSource(_Model):
    id: Id
    name: Text
    kind: Literal["partnership", "core", "grant", "external"]
    provider: Id | None = Field(default=None, description="Agency id.")
    notes: str | None = None


class BudgetCommitment(_Model):
    id: Id
    priority: Id | None = None
    funding_source: Id
    amount_gbp: int = Field(ge=0)
    at_least: bool = Field(default=False, description="The document says 'at least'.")
    purpose: Text = Field(description="The document's words.")


class Budget(_Model):
    funding_sources: list[FundingSource] = Field(default_factory=list)
    commitments: list[BudgetCommitment] = Field(default_factory=list)


class StrategyFile(_Model):
    """The whole file. Root of the JSON Schema in ``docs/strategy-schema.json``."""

    model_config = ConfigDict(
        extra="forbid",
        title="SaferCity partnership strategy file",
        json_schema_extra={"$id": "https://safercity.example/strategy-schema.json"},
    )

    format: Literal[1] = Field(description="Version of this file format.")
    partnership: Partnership
    strategy: Strategy
    consultation: Consultation | None = None
    priorities: list[Priority] = Field(min_length=1)
    budget: Budget = Field(default_factory=Budget)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> StrategyFile:
        if info.context and info.context.get("defer_references"):
            return self
        problems = reference_problems(self)
        if problems:
            raise ValueError(
                "; ".join(f"{format_loc(loc)}: {message}" for loc, message in problems)
            )
        return self

    # ---------------------------------------------------------------- walking
    def activities(self) -> Iterator[tuple[Loc, Activity]]:
        for p, priority in enumerate(self.priorities):
            if priority.action_plan is None:
                continue
            for o, objective in enumerate(priority.action_plan.objectives):
                for a, activity in enumerate(objective.activities):
                    loc: Loc = ("priorities", p, "action_plan", "objectives", o, "activities", a)
                    yield loc, activity


def format_loc(loc: Loc) -> str:
    """``('priorities', 2, 'lead')`` -> ``priorities[2].lead``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _ids(model: StrategyFile) -> Iterator[tuple[Loc, str]]:
    """Every id in the file with its location."""
    for i, agency in enumerate(model.partnership.agencies):
        yield ("partnership", "agencies", i, "id"), agency.id
    for i, body in enumerate(model.partnership.governance_bodies):
        yield ("partnership", "governance_bodies", i, "id"), body.id
    for p, priority in enumerate(model.priorities):
        yield ("priorities", p, "id"), priority.id
        for o, outcome in enumerate(priority.outcomes):
            yield ("priorities", p, "outcomes", o, "id"), outcome.id
        if priority.action_plan is not None:
            for o, objective in enumerate(priority.action_plan.objectives):
                yield ("priorities", p, "action_plan", "objectives", o, "id"), objective.id
    for loc, activity in model.activities():
        yield (*loc, "id"), activity.id
        for m, milestone in enumerate(activity.milestones):
            yield (*loc, "milestones", m, "id"), milestone.id
        for m, measure in enumerate(activity.measures):
            yield (*loc, "measures", m, "id"), measure.id
    for i, source in enumerate(model.budget.funding_sources):
        yield ("budget", "funding_sources", i, "id"), source.id
    for i, commitment in enumerate(model.budget.commitments):
        yield ("budget", "commitments", i, "id"), commitment.id


def reference_problems(model: StrategyFile) -> list[tuple[Loc, str]]:
    """Every broken cross-reference or duplicate id, as ``(location, message)`` pairs."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Loc] = {}
    for loc, ident in _ids(model):
        if ident in seen:
            first_at = format_loc(seen[ident])
            problems.append((loc, f"duplicate id {ident!r} (first used at {first_at})"))
        else:
            seen[ident] = loc

    agencies = {a.id for a in model.partnership.agencies}
    bodies = {b.id for b in model.partnership.governance_bodies}
    leaders = agencies | bodies
    priorities = {p.id for p in model.priorities}
    sources = {s.id for s in model.budget.funding_sources}

    def check(loc: Loc, ident: str | None, allowed: set[str], what: str) -> None:
        if ident is not None and ident not in allowed:
            problems.append((loc, f"{ident!r} is not the id of any {what}"))

    for i, agency in enumerate(model.partnership.agencies):
        check(("partnership", "agencies", i, "parent"), agency.parent, agencies, "agency")
        if agency.parent == agency.id:
            problems.append((("partnership", "agencies", i, "parent"), "agency is its own parent"))
    for i, body in enumerate(model.partnership.governance_bodies):
        base: Loc = ("partnership", "governance_bodies", i)
        check((*base, "parent"), body.parent, bodies, "governance body")
        if body.parent == body.id:
            problems.append(((*base, "parent"), "body is its own parent"))
        for j, member in enumerate(body.members):
            check((*base, "members", j), member, agencies, "agency")
    for p, priority in enumerate(model.priorities):
        for o, outcome in enumerate(priority.outcomes):
            for j, lead in enumerate(outcome.lead):
                check(("priorities", p, "outcomes", o, "lead", j), lead, leaders, "agency or body")
    for loc, activity in model.activities():
        for role in ("lead", "support"):
            for j, ident in enumerate(getattr(activity, role)):
                check((*loc, role, j), ident, leaders, "agency or governance body")
        both = set(activity.lead) & set(activity.support)
        if both:
            problems.append(((*loc, "support"), f"{sorted(both)} both lead and support"))
        for m, measure in enumerate(activity.measures):
            if isinstance(measure.data_source, OwnerEntered):
                check(
                    (*loc, "measures", m, "data_source", "owner"),
                    measure.data_source.owner,
                    leaders,
                    "agency or governance body",
                )
    if model.consultation is not None:
        first: dict[str, int] = {}
        for r, ident in enumerate(model.consultation.ranking):
            check(("consultation", "ranking", r), ident, priorities, "priority")
            if ident in first:
                problems.append((("consultation", "ranking", r), f"{ident!r} ranked twice"))
            first.setdefault(ident, r)
        if model.consultation.ranking_as_written and len(
            model.consultation.ranking_as_written
        ) != len(model.consultation.ranking):
            problems.append(
                (("consultation", "ranking_as_written"), "must have one entry per ranked priority")
            )
    for i, source in enumerate(model.budget.funding_sources):
        check(("budget", "funding_sources", i, "provider"), source.provider, agencies, "agency")
    for i, commitment in enumerate(model.budget.commitments):
        base = ("budget", "commitments", i)
        check((*base, "priority"), commitment.priority, priorities, "priority")
        check((*base, "funding_source"), commitment.funding_source, sources, "funding source")
    return problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the strategy file, generated from :class:`StrategyFile`."""
    return StrategyFile.model_json_schema(mode="validation")
