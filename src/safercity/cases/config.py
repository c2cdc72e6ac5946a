"""Cohort definitions: a cohort type as configuration, read from YAML and checked.

A cohort file says what a partnership's cohort is and how it works: its name, the legal basis
it processes personal data under, the agencies that are members and the one that leads, the
person details it collects (data minimisation: only those), its referral form, eligibility
rules, statuses, review cadence, panel meetings, retention period and what happens at its end.
``docs/cases.md`` describes every key; :func:`json_schema` gives the JSON Schema.

Errors name the file, the YAML path and the line. Files are read with a safe loader that
refuses anchors and aliases (a cohort file needs none, and nested aliases are the "billion
laughs" attack) and files over :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from safercity.strategy.io import Problem  # one way to say where a YAML file is wrong

from . import lifecycle
from .eligibility import Rule
from .retention import Policy
from .schedule import Cadence, MeetingRule, ScheduleError

FORMAT_VERSION = 1
MAX_FILE_BYTES = 200_000

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

AgencyKind = Literal["police", "council", "probation", "health", "fire", "voluntary", "other"]

#: the details about a person a cohort may collect; names are always collected
PERSON_FIELDS: dict[str, str] = {
    "aliases": "Other names and aliases",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "gender": "Gender identity",
    "ethnicity": "Ethnic group (ONS 2021)",
    "address": "Addresses and postcodes",
    "phone": "Telephone",
    "email": "Email address",
    "police_reference": "Police reference (PNC or CRIS)",
    "probation_reference": "Probation case reference (CRN)",
    "nhs_number": "NHS number",
    "council_reference": "Council reference",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Agency(_Model):
    name: Text
    kind: AgencyKind = "other"


class Choice(_Model):
    value: Key
    label: Text


def _choices(value: Any) -> Any:
    """Choices may be written as plain labels: the value is made from the label."""
    if isinstance(value, list):
        return [
            {"value": re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_"), "label": v}
            if isinstance(v, str)
            else v
            for v in value
        ]
    return value


class FormField(_Model):
    """A question of the referral form (or of the case, asked later)."""

    key: Key
    label: Text
    type: Literal["text", "long_text", "integer", "number", "date", "yes_no", "choice", "choices"]
    hint: str = ""
    required: bool = False
    choices: list[Choice] = []
    min: float | None = None
    max: float | None = None
    #: who may read the answer besides the chair: "health" (health agencies only)
    restricted: Literal["health"] | None = None
    #: asked at referral, or kept on the case and filled in as the work goes on
    stage: Literal["referral", "case"] = "referral"

    _split_choices = field_validator("choices", mode="before")(_choices)

    @model_validator(mode="after")
    def _choices_fit_type(self) -> FormField:
        if self.type in {"choice", "choices"} and not self.choices:
            raise ValueError(f"a '{self.type}' question needs choices")
        if self.type not in {"choice", "choices"} and self.choices:
            raise ValueError(f"a '{self.type}' question takes no choices")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


class Consent(_Model):
    """How consent works in this cohort: ``sought`` (asked for; the case may go on without it
    under one of ``without_consent``), ``required`` (no case without it) or ``not_sought``
    (processing rests on a law-enforcement or statutory basis)."""

    approach: Literal["sought", "required", "not_sought"]
    without_consent: list[Text] = []

    @model_validator(mode="after")
    def _bases(self) -> Consent:
        if self.approach == "sought" and not self.without_consent:
            raise ValueError("consent 'sought' needs the legal bases used without it")
        return self


class LegalBasis(_Model):
    #: the regime: UK GDPR (general processing) or DPA 2018 Part 3 (law enforcement)
    regime: Literal["uk_gdpr", "law_enforcement"]
    lawful_basis: Text
    special_category: str = ""
    statutory_powers: list[Text] = []


class Statuses(_Model):
    labels: dict[Key, Text] = Field(default_factory=lambda: dict(lifecycle.DEFAULT_STATUSES))
    transitions: dict[Key, list[Key]] = Field(
        default_factory=lambda: {k: list(v) for k, v in lifecycle.DEFAULT_TRANSITIONS.items()}
    )

    @model_validator(mode="after")
    def _valid_lifecycle(self) -> Statuses:
        found = lifecycle.problems(self.labels, self.transitions)
        if found:
            raise ValueError("; ".join(found))
        return self


class Review(_Model):
    every: str

    @field_validator("every")
    @classmethod
    def _cadence(cls, value: str) -> str:
        try:
            Cadence.parse(value)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
        return value


class Meetings(_Model):
    name: Text
    every: str
    first: dt.date | None = None
    time: dt.time = dt.time(10, 0)
    #: how many cases one meeting discusses at most (the rest are carried forward)
    capacity: int | None = Field(default=None, ge=1)
    #: referrals made within this many days of a meeting wait for the next one
    papers_days: int = Field(default=0, ge=0, le=60)

    @model_validator(mode="after")
    def _rule(self) -> Meetings:
        try:
            MeetingRule.parse(self.every, self.first)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
        return self


class Retention(_Model):
    years: int = Field(ge=1, le=100)
    declined_years: int = Field(default=1, ge=0, le=100)
    at_end: Literal["erase", "anonymise"] = "erase"
    basis: Text


class CohortDefinition(_Model):
    """One cohort type, as its YAML file writes it."""

    format: Literal[1] = 1
    key: Slug
    name: Text
    short_name: Annotated[str, StringConstraints(min_length=1, max_length=30)]
    reference_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,6}$")]
    description: Text
    source: str = ""
    legal_basis: LegalBasis
    consent: Consent
    lead_agency: Text
    member_agencies: list[Agency] = Field(min_length=1)
    #: agencies outside the partnership a case may be shared with (neighbouring boroughs)
    share_with: list[Agency] = []
    person_fields: list[str] = []
    form: list[FormField] = []
    eligibility: Rule | None = None
    statuses: Statuses = Field(default_factory=Statuses)
    review: Review
    meetings: Meetings | None = None
    decline_reasons: list[Text] = Field(min_length=1)
    closure_reasons: list[Text] = Field(min_length=1)
    outcomes: list[Text] = Field(min_length=1)
    retention: Retention
    break_glass_hours: int = Field(default=4, ge=1, le=72)

    @field_validator("person_fields")
    @classmethod
    def _known_person_fields(cls, value: list[str]) -> list[str]:
        unknown = [f for f in value if f not in PERSON_FIELDS]
        if unknown:
            raise ValueError(
                f"unknown person field(s) {', '.join(unknown)}: choose from "
                + ", ".join(PERSON_FIELDS)
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CohortDefinition:
        names = [a.name for a in self.member_agencies]
        if len(set(names)) != len(names):
            raise ValueError("an agency is listed twice in member_agencies")
        if self.lead_agency not in names:
            raise ValueError(f"the lead agency '{self.lead_agency}' is not a member agency")
        keys = [f.key for f in self.form]
        if len(set(keys)) != len(keys):
            raise ValueError("a form question key is used twice")
        if self.eligibility is not None:
            known = {*keys, "age"}
            unknown = sorted(self.eligibility.fields() - known)
            if unknown:
                raise ValueError(
                    f"the eligibility rule reads {', '.join(unknown)}, which is not a form "
                    "question (or 'age')"
                )
            if "age" in self.eligibility.fields() and "date_of_birth" not in self.person_fields:
                raise ValueError("the eligibility rule reads age: collect date_of_birth")
        return self

    # ----------------------------------------------------------------- derived rules

    @property
    def lifecycle(self) -> lifecycle.Lifecycle:
        return lifecycle.Lifecycle(self.statuses.labels, self.statuses.transitions)

    @property
    def review_cadence(self) -> Cadence:
        return Cadence.parse(self.review.every)

    @property
    def meeting_rule(self) -> MeetingRule | None:
        if self.meetings is None:
            return None
        return MeetingRule.parse(self.meetings.every, self.meetings.first)

    @property
    def retention_policy(self) -> Policy:
        r = self.retention
        return Policy(r.years, r.declined_years, r.at_end)

    def collects(self, person_field: str) -> bool:
        return person_field in self.person_fields

    def restricted_keys(self) -> set[str]:
        return {f.key for f in self.form if f.restricted}


# --------------------------------------------------------------------------- reading YAML


class CohortFileError(ValueError):
    """The text is not a valid cohort definition; ``problems`` says where and why."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {source}: {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in a cohort file", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                None, None, "anchors (&name) are not allowed in a cohort file", event.start_mark
            )
        return super().compose_node(parent, index)


def _lines(node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]):  # type: ignore[no-untyped-def]
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            child = (*path, str(k.value))
            _lines(v, child, out)
            out[child] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _where(loc: tuple[str | int, ...], index: dict[tuple[str | int, ...], int]) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in index:
            return index[loc[:n]]
    return None


def parse(text: str, source: str = "<text>") -> CohortDefinition:
    """Read and check one cohort definition from YAML text."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise CohortFileError(
            source, [Problem("", None, f"larger than {MAX_FILE_BYTES:,} bytes: not a cohort file")]
        )
    try:
        loader = _NoAliasLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = getattr(exc, "problem", None) or str(exc)
        raise CohortFileError(source, [Problem("", line, f"not valid YAML: {message}")]) from None
    if not isinstance(data, dict):
        raise CohortFileError(source, [Problem("", 1, "a cohort file is a mapping of keys")])
    index: dict[tuple[str | int, ...], int] = {}
    if root is not None:
        _lines(root, (), index)
    try:
        return CohortDefinition.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            path = ".".join(str(p) for p in loc)
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(path, _where(loc, index), message))
        raise CohortFileError(source, problems) from None


def load(path: str | Path) -> CohortDefinition:
    p = Path(path)
    if p.stat().st_size > MAX_FILE_BYTES:
        raise CohortFileError(
            str(p), [Problem("", None, f"larger than {MAX_FILE_BYTES:,} bytes: not a cohort file")]
        )
    return parse(p.read_text(encoding="utf-8"), str(p))


def bundled() -> Iterator[tuple[str, str]]:
    """The cohort files shipped with SaferCity (the Safer Westminster Partnership's cohorts):
    ``(file name, YAML text)``, in name order."""
    folder = resources.files("safercity.cases").joinpath("data", "cohorts")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            yield entry.name, entry.read_text(encoding="utf-8")


def dumps(definition: CohortDefinition) -> str:
    """The definition as YAML (the keys in the model's order, defaults left out)."""
    data = definition.model_dump(mode="json", exclude_defaults=True)
    data = {"format": FORMAT_VERSION, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def json_schema() -> str:
    return json.dumps(CohortDefinition.model_json_schema(), indent=2) + "\n"
