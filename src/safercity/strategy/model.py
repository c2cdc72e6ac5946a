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
from safercity.analytics.monitoring import NON_COUNT_UNITS, milestone_kind, parse_recurrence

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


class Paper(_Model):
    """A paper of a meeting: the board report as at a day, or another document."""

    title: Text
    board_report_as_at: dt.date | None = Field(
        default=None, description="For the board report: the day it reports progress as at."
    )
    link: str | None = Field(default=None, description="Where another paper is kept.")


class MeetingAction(_Model):
    text: Text
    owner: Id | None = Field(default=None, description="Agency or governance body.")
    due: dt.date | None = None
    done: dt.date | None = Field(default=None, description="When it was done.")


class Meeting(_Model):
    """A meeting of a governance body: its papers, decisions and actions."""

    id: Id
    date: dt.date
    title: str | None = None
    papers: list[Paper] = Field(default_factory=list)
    decisions: list[Text] = Field(default_factory=list)
    actions: list[MeetingAction] = Field(default_factory=list)


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
    meetings: list[Meeting] = Field(default_factory=list)


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
    """A thing to be done: by a due date (a deliverable), on a recurrence (due at each
    occurrence), from a start date (work that starts on a day and runs until a day: the
    document gives only a date, such as "May 2011"), or with no date where the document gives
    none. See :attr:`kind`."""

    id: Id
    text: Text = Field(description="The document's words.")
    due: dt.date | None = Field(
        default=None,
        description="Last day of the period named in due_as_written; with a recurrence, when "
        "the first occurrence is due.",
    )
    due_as_written: str | None = Field(
        default=None, description="The date words as the document gives them (in text)."
    )
    start: dt.date | None = Field(
        default=None,
        description="First day of the period named in start_as_written: when the work starts "
        "(a milestone that is only a date is a start date).",
    )
    start_as_written: str | None = None
    until: dt.date | None = Field(
        default=None,
        description="Last day the work runs (or the recurrence recurs); default: the end of "
        "the strategy.",
    )
    until_as_written: str | None = None
    recurrence: str | None = Field(
        default=None,
        description="e.g. monthly, fortnightly, every 6 weeks, 3 times per year, at least "
        "weekly, ongoing.",
    )
    updates: list[ProgressUpdate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_have_words(self) -> Milestone:
        _check_date_words(self.due, self.due_as_written, "due", self.text)
        _check_date_words(self.start, self.start_as_written, "start", self.text)
        if self.until_as_written is not None and self.until is None:
            raise ValueError("until_as_written needs until")
        if self.until_as_written is not None and self.until_as_written not in self.text:
            raise ValueError(
                f"until_as_written {self.until_as_written!r} does not occur in the text"
            )
        if self.recurrence is not None and parse_recurrence(self.recurrence) is None:
            raise ValueError(
                f"recurrence {self.recurrence!r} is not understood: write for example monthly, "
                "fortnightly, weekly, every 6 weeks, every 2 months, quarterly, 3 times per "
                "year, annually or ongoing"
            )
        begins = self.start or self.due
        if self.until is not None and begins is not None and self.until < begins:
            raise ValueError("until is before the milestone starts")
        return self

    @property
    def kind(self) -> str:
        """``recurring`` (due at each occurrence), ``ongoing``, ``start`` (starts on a day,
        runs until a day), ``deliverable`` (due by a day) or ``undated``."""
        return milestone_kind(self.recurrence, self.due, self.start)


def _check_date_words(date: dt.date | None, words: str | None, name: str, text: str) -> None:
    """The date words, where given, are the document's and need their date; a date entered
    directly (in the web app) needs no words."""
    if words is not None and date is None:
        raise ValueError(f"{name}_as_written needs {name}")
    if words is not None and words not in text:
        raise ValueError(f"{name}_as_written {words!r} does not occur in the text")


class ShareOf(_Model):
    """The whole a share is of: the incidents matching these filters (left out: as the
    measure's own)."""

    category: list[Text] | None = Field(
        default=None, description="police.uk categories of the whole; [] for all crime."
    )
    theme: str | None = None
    area: str | None = None
    wards: list[Text] | None = None

    @field_validator("category")
    @classmethod
    def _known_categories(cls, value: list[str] | None) -> list[str] | None:
        return _check_categories(value) if value is not None else None


def _check_categories(value: list[str]) -> list[str]:
    unknown = [c for c in value if normalise_category(c) is None]
    if unknown:
        raise ValueError(f"not police.uk crime categories: {unknown}")
    return value


class AnalyticsQuery(_Model):
    """A measure computed by SaferCity's analytics over the incident store: a count, a rate
    per residents, a share, or the repeat rate of a group of incidents, for an area, category
    or theme, by period."""

    kind: Literal["analytics"]
    statistic: Literal["count", "rate", "share", "repeat_rate"] = Field(
        default="count",
        description="count of incidents; rate per `per` residents of the area or wards; share "
        "(percent) of the incidents of `share_of`; repeat_rate: percent of incidents against a "
        "victim with another within `repeat_within_days` before it (needs victim ids).",
    )
    category: list[Text] = Field(
        default_factory=list, description="police.uk crime categories (empty: all crime)."
    )
    theme: str | None = Field(default=None, description="e.g. night-time-economy, youth.")
    area: str | None = Field(
        default=None, description="Local authority of the incidents (empty: the whole store)."
    )
    wards: list[Text] = Field(
        default_factory=list, description="Ward names or codes (empty: every ward)."
    )
    flags: dict[Literal["flag_domestic", "flag_alcohol", "flag_hate"], bool] = Field(
        default_factory=dict,
        description="Flags of a local extract each incident must have, e.g. flag_domestic: true.",
    )
    period: Literal["rolling_12_months", "financial_year", "quarter", "month"] = "rolling_12_months"
    per: int = Field(default=1000, ge=1, description="Residents per rate (statistic rate).")
    share_of: ShareOf | None = Field(
        default=None,
        description="The whole of a share (statistic share); default: every incident of the "
        "measure's area and wards.",
    )
    repeat_within_days: int = Field(
        default=365, ge=1, description="Window of a repeat (statistic repeat_rate)."
    )

    @field_validator("category")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        return _check_categories(value)

    @model_validator(mode="after")
    def _statistic_fields(self) -> AnalyticsQuery:
        if self.share_of is not None and self.statistic != "share":
            raise ValueError("share_of is for statistic share only")
        if self.statistic == "rate" and not (self.area or self.wards):
            raise ValueError("a rate needs an area or wards, whose residents it is per")
        return self


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


class CasesQuery(_Model):
    """A measure computed from a cohort's case records (the case work of a panel such as
    MARAC, IOM or the gangs panel), by period: aggregate numbers only, over every case of the
    cohort, worked out again whenever the monitoring is shown."""

    kind: Literal["cases"]
    cohort: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)] = Field(
        description="The cohort's key, e.g. gangs-panel, marac, iom."
    )
    statistic: Literal["size", "referrals", "reviewed", "actions_on_time"] = Field(
        description="size: cases open on the period's last day; referrals: referrals received "
        "in the period; reviewed: distinct cases discussed at a panel meeting in the period; "
        "actions_on_time: percent of the actions due in the period completed by their due date."
    )
    period: Literal["month", "quarter", "financial_year"] = Field(
        default="quarter",
        description="Calendar month, calendar quarter or financial year (April to March); a "
        "period has a value once it has ended.",
    )


DataSource = Annotated[AnalyticsQuery | CasesQuery | OwnerEntered, Field(discriminator="kind")]


class Baseline(_Model):
    """The value a measure starts from. A computed (analytics) measure may give only the
    ``date`` of its baseline: its value on that date is then read from the data."""

    value: float | None = None
    date: dt.date | None = None
    period: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _value_or_date(self) -> Baseline:
        if self.value is None and self.date is None:
            raise ValueError("a baseline needs a value or a date")
        return self


class RelativeTarget(_Model):
    """A target relative to the baseline: ``times: 2`` ("double"), ``percent: -5``
    ("5% fewer")."""

    times: float | None = Field(default=None, gt=0)
    percent: float | None = Field(default=None, gt=-100)

    @model_validator(mode="after")
    def _one(self) -> RelativeTarget:
        if (self.times is None) == (self.percent is None):
            raise ValueError("give times or percent, not both")
        return self


class YearTarget(_Model):
    """The target for one year of the strategy (a financial year, April to March)."""

    year: int = Field(description="The year the financial year starts: 2011 for 2011/12.")
    target: float | None = None
    target_upper: float | None = None
    target_relative: RelativeTarget | None = None

    @model_validator(mode="after")
    def _one(self) -> YearTarget:
        _check_target(self.target, self.target_upper, self.target_relative)
        if self.target is None and self.target_relative is None:
            raise ValueError("give target or target_relative")
        return self


def _check_target(
    target: float | None, upper: float | None, relative: RelativeTarget | None
) -> None:
    if target is not None and relative is not None:
        raise ValueError("give target or target_relative, not both")
    if upper is not None and (target is None or upper < target):
        raise ValueError("target_upper needs a target no larger than it")


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
    target: float | None = Field(default=None, description="An absolute target.")
    target_upper: float | None = Field(
        default=None, description="Upper end where the document gives a range."
    )
    target_relative: RelativeTarget | None = Field(
        default=None, description="A target relative to the baseline (x2, -5%)."
    )
    targets: list[YearTarget] = Field(
        default_factory=list, description="Targets for single years of the strategy."
    )
    values_are: Literal["cumulative", "period"] = Field(
        default="cumulative",
        description="cumulative: each value is the total (or level) so far; period: each value "
        "counts its own period only, and values are summed over the target's year or the "
        "strategy.",
    )
    due: dt.date | None = None
    due_as_written: str | None = None
    data_source: DataSource
    updates: list[ProgressUpdate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        _check_date_words(self.due, self.due_as_written, "due", self.as_written)
        _check_target(self.target, self.target_upper, self.target_relative)
        years = [t.year for t in self.targets]
        if len(set(years)) != len(years):
            raise ValueError("a year has two targets")
        if (
            isinstance(self.data_source, OwnerEntered)
            and self.baseline is not None
            and self.baseline.value is None
        ):
            raise ValueError("the baseline of an owner-entered measure needs a value")
        if self.values_are == "period" and self.unit.strip().lower() in NON_COUNT_UNITS:
            raise ValueError("period values are summed: not for percentages, rates or ratios")
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
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="Milestones of the plan itself, e.g. 'An action plan will be produced "
        "during 2011/12'.",
    )


class Outcome(_Model):
    id: Id
    text: Text
    lead: list[Id] = Field(default_factory=list)
    narrative: list[Text] = Field(default_factory=list)
    measures: list[Measure] = Field(
        default_factory=list, description="Measures of the outcome (often from the data)."
    )


class Priority(_Model):
    id: Id
    title: Text
    lead: list[Id] = Field(
        default_factory=list,
        description="Agencies or governance bodies leading the priority (its priority leads).",
    )
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


class StrategyChange(_Model):
    """One thing a refresh changed, and why."""

    what: Text
    why: str | None = None


class YouSaidWeDid(_Model):
    """What consultation respondents said and what the partnership did about it."""

    you_said: Text
    we_did: Text
    consultation: str | None = Field(
        default=None,
        description="Reference of the consultation finding this answers (for example "
        "'consultation:2012-priorities#q3'), so the consultation app can link to it.",
    )


class Refresh(_Model):
    """The annual refresh that made this version of the strategy from the one before."""

    previous: Text = Field(description="Title of the version refreshed.")
    year: int = Field(description="The financial year of this version: 2012 for 2012/13.")
    date: dt.date = Field(description="When the refresh was made.")
    changes: list[StrategyChange] = Field(default_factory=list)
    you_said_we_did: list[YouSaidWeDid] = Field(default_factory=list)


class Strategy(_Model):
    title: Text
    period_start: int
    period_end: int
    refreshed_annually: bool
    refresh: Refresh | None = Field(
        default=None, description="How this version was made from the one before."
    )
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


class ProfileYear(_Model):
    """How much of a commitment is planned to be spent in one financial year, and when."""

    year: int = Field(description="The year the financial year starts: 2011 for 2011/12.")
    amount_gbp: int = Field(ge=0)
    quarters: list[int] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description="The amount by quarter (April-June first); default: evenly by month.",
    )

    @model_validator(mode="after")
    def _quarters_add_up(self) -> ProfileYear:
        if self.quarters is not None:
            if any(q < 0 for q in self.quarters):
                raise ValueError("a quarter's amount is negative")
            if sum(self.quarters) != self.amount_gbp:
                raise ValueError(
                    f"the quarters add up to £{sum(self.quarters):,}, not £{self.amount_gbp:,}"
                )
        return self


class BudgetCommitment(_Model):
    id: Id
    priority: Id | None = None
    funding_source: Id
    amount_gbp: int = Field(ge=0)
    at_least: bool = Field(default=False, description="The document says 'at least'.")
    purpose: Text = Field(description="The document's words.")
    profile: list[ProfileYear] = Field(
        default_factory=list, description="Planned spend by financial year (the annual profile)."
    )

    @model_validator(mode="after")
    def _one_profile_a_year(self) -> BudgetCommitment:
        years = [p.year for p in self.profile]
        if len(set(years)) != len(years):
            raise ValueError("a year is profiled twice")
        return self


class Spend(_Model):
    """Money spent against a commitment, on a day; corrections are adjustments (an entry that
    ``corrects`` an earlier one, with a reason), never edits."""

    id: Id
    commitment: Id
    activity: Id | None = Field(default=None, description="The activity it was spent on.")
    date: dt.date
    amount_gbp: int = Field(description="Negative only for an adjustment.")
    description: Text
    entered_by: str | None = None
    corrects: Id | None = Field(default=None, description="The spend entry this adjusts.")
    reason: str | None = Field(default=None, description="Why (an adjustment needs one).")

    @model_validator(mode="after")
    def _adjustment(self) -> Spend:
        if self.corrects is None and self.amount_gbp < 0:
            raise ValueError("only an adjustment (corrects) may be negative")
        if self.corrects is not None and not (self.reason or "").strip():
            raise ValueError("an adjustment needs a reason")
        return self


class Budget(_Model):
    funding_sources: list[FundingSource] = Field(default_factory=list)
    commitments: list[BudgetCommitment] = Field(default_factory=list)
    spend: list[Spend] = Field(default_factory=list)


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

    def measures(self) -> Iterator[tuple[Loc, Measure]]:
        """Every measure: those of outcomes, then those of activities."""
        for p, priority in enumerate(self.priorities):
            for o, outcome in enumerate(priority.outcomes):
                for m, measure in enumerate(outcome.measures):
                    yield ("priorities", p, "outcomes", o, "measures", m), measure
        for loc, activity in self.activities():
            for m, measure in enumerate(activity.measures):
                yield (*loc, "measures", m), measure

    def milestones(self) -> Iterator[tuple[Loc, Milestone]]:
        """Every milestone: those of action plans themselves, then those of activities."""
        for p, priority in enumerate(self.priorities):
            if priority.action_plan is not None:
                for m, milestone in enumerate(priority.action_plan.milestones):
                    yield ("priorities", p, "action_plan", "milestones", m), milestone
        for loc, activity in self.activities():
            for m, milestone in enumerate(activity.milestones):
                yield (*loc, "milestones", m), milestone


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
        for j, meeting in enumerate(body.meetings):
            yield ("partnership", "governance_bodies", i, "meetings", j, "id"), meeting.id
    for p, priority in enumerate(model.priorities):
        yield ("priorities", p, "id"), priority.id
        for o, outcome in enumerate(priority.outcomes):
            yield ("priorities", p, "outcomes", o, "id"), outcome.id
        if priority.action_plan is not None:
            for o, objective in enumerate(priority.action_plan.objectives):
                yield ("priorities", p, "action_plan", "objectives", o, "id"), objective.id
    for loc, activity in model.activities():
        yield (*loc, "id"), activity.id
    for loc, milestone in model.milestones():
        yield (*loc, "id"), milestone.id
    for loc, measure in model.measures():
        yield (*loc, "id"), measure.id
    for i, source in enumerate(model.budget.funding_sources):
        yield ("budget", "funding_sources", i, "id"), source.id
    for i, commitment in enumerate(model.budget.commitments):
        yield ("budget", "commitments", i, "id"), commitment.id
    for i, spend in enumerate(model.budget.spend):
        yield ("budget", "spend", i, "id"), spend.id


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
    for i, body in enumerate(model.partnership.governance_bodies):
        for j, meeting in enumerate(body.meetings):
            for k, action in enumerate(meeting.actions):
                loc_a: Loc = ("partnership", "governance_bodies", i, "meetings", j, "actions", k)
                check((*loc_a, "owner"), action.owner, leaders, "agency or governance body")
    first_year, last_year = model.strategy.period_start, model.strategy.period_end - 1
    for p, priority in enumerate(model.priorities):
        for j, lead in enumerate(priority.lead):
            check(("priorities", p, "lead", j), lead, leaders, "agency or governance body")
        for o, outcome in enumerate(priority.outcomes):
            for j, lead in enumerate(outcome.lead):
                check(("priorities", p, "outcomes", o, "lead", j), lead, leaders, "agency or body")
    for loc, measure in model.measures():
        if isinstance(measure.data_source, OwnerEntered):
            check(
                (*loc, "data_source", "owner"),
                measure.data_source.owner,
                leaders,
                "agency or governance body",
            )
        for t, year_target in enumerate(measure.targets):
            if not first_year <= year_target.year <= last_year:
                problems.append(
                    (
                        (*loc, "targets", t, "year"),
                        f"{year_target.year} is not a year of the strategy "
                        f"({first_year} to {last_year}, each the year its April starts)",
                    )
                )
    for loc, activity in model.activities():
        for role in ("lead", "support"):
            for j, ident in enumerate(getattr(activity, role)):
                check((*loc, role, j), ident, leaders, "agency or governance body")
        both = set(activity.lead) & set(activity.support)
        if both:
            problems.append(((*loc, "support"), f"{sorted(both)} both lead and support"))
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
        for j, year in enumerate(commitment.profile):
            if not first_year <= year.year <= last_year:
                problems.append(
                    (
                        (*base, "profile", j, "year"),
                        f"{year.year} is not a year of the strategy ({first_year} to {last_year})",
                    )
                )
    commitments = {c.id: c for c in model.budget.commitments}
    activity_priority = {
        a.id: model.priorities[loc[1]].id  # loc = ("priorities", p, ...)
        for loc, a in model.activities()
        if isinstance(loc[1], int)
    }
    spend_before: set[str] = set()
    for i, spend in enumerate(model.budget.spend):
        base = ("budget", "spend", i)
        check((*base, "commitment"), spend.commitment, set(commitments), "budget commitment")
        check((*base, "activity"), spend.activity, set(activity_priority), "activity")
        commitment = commitments.get(spend.commitment)
        if (
            spend.activity in activity_priority
            and commitment is not None
            and commitment.priority is not None
            and activity_priority[spend.activity] != commitment.priority
        ):
            problems.append(
                (
                    (*base, "activity"),
                    f"{spend.activity!r} is not an activity of the commitment's priority "
                    f"{commitment.priority!r}",
                )
            )
        if spend.corrects is not None and spend.corrects not in spend_before:
            problems.append(
                ((*base, "corrects"), f"{spend.corrects!r} is not an earlier spend entry")
            )
        spend_before.add(spend.id)
    return problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the strategy file, generated from :class:`StrategyFile`."""
    return StrategyFile.model_json_schema(mode="validation")
