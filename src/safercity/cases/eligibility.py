"""Eligibility rules: does a referral meet a cohort's criteria?

A rule is written in the cohort's YAML as a tree of conditions::

    eligibility:
      all:
        - {field: age, op: between, value: [18, 24]}
        - {field: sentence_months, op: "<", value: 12}
      any: ...

``all`` and ``any`` nest. A condition names a *fact* (a referral answer such as
``dash_score``, or ``age``, worked out from the date of birth on the day of referral) and
compares it. The answer says whether the referral is eligible, every reason in words, and which
facts were missing: a referral with a fact missing is not refused, it is "to be checked"
(a panel can still accept it on professional judgement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

Op = Literal["=", "!=", "<", "<=", ">", ">=", "between", "in", "not in", "is true", "is false"]

_SYMBOL_WORDS = {
    "=": "is",
    "!=": "is not",
    "<": "is under",
    "<=": "is at most",
    ">": "is over",
    ">=": "is at least",
    "between": "is between",
    "in": "is one of",
    "not in": "is not one of",
    "is true": "is yes",
    "is false": "is no",
}


class Condition(BaseModel):
    """One comparison of a fact with a value."""

    model_config = ConfigDict(extra="forbid")
    field: str
    op: Op
    value: Any = None
    label: str | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op == "between":
            if not (isinstance(self.value, list) and len(self.value) == 2):
                raise ValueError("'between' needs two values: [low, high]")
        elif self.op in {"in", "not in"}:
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"'{self.op}' needs a list of values")
        elif self.op in {"is true", "is false"}:
            if self.value is not None:
                raise ValueError(f"'{self.op}' takes no value")
        elif self.value is None:
            raise ValueError(f"'{self.op}' needs a value")
        return self

    def describe(self) -> str:
        name = self.label or self.field.replace("_", " ")
        words = _SYMBOL_WORDS[self.op]
        if self.op == "between":
            return f"{name} {words} {self.value[0]} and {self.value[1]}"
        if self.op in {"in", "not in"}:
            return f"{name} {words} {', '.join(str(v) for v in self.value)}"
        if self.op in {"is true", "is false"}:
            return f"{name} {words}"
        return f"{name} {words} {self.value}"


class Rule(BaseModel):
    """``all`` of some rules and conditions, and/or ``any`` of others (both must hold)."""

    model_config = ConfigDict(extra="forbid")
    all: list[Condition | Rule] = []
    any: list[Condition | Rule] = []

    @model_validator(mode="after")
    def _not_empty(self) -> Rule:
        if not self.all and not self.any:
            raise ValueError("a rule needs 'all' or 'any' conditions")
        return self

    def fields(self) -> set[str]:
        out: set[str] = set()
        for item in [*self.all, *self.any]:
            out |= {item.field} if isinstance(item, Condition) else item.fields()
        return out


@dataclass(frozen=True)
class Decision:
    """``eligible`` is True, False or None (a fact needed is missing: to be checked)."""

    eligible: bool | None
    met: list[str] = field(default_factory=list)
    not_met: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {True: "Eligible", False: "Not eligible", None: "To be checked"}[self.eligible]


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def facts_for(
    answers: Mapping[str, Any], *, born: dt.date | None, referred: dt.date
) -> dict[str, Any]:
    """The facts a rule reads: the referral answers and ``age`` on the day of referral."""
    facts = dict(answers)
    if born is not None:
        facts["age"] = age_on(born, referred)
    return facts


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _holds(c: Condition, value: Any) -> bool:
    if c.op == "is true":
        return value is True
    if c.op == "is false":
        return value is False
    if c.op in {"in", "not in"}:
        inside = str(value) in {str(v) for v in c.value}
        return inside if c.op == "in" else not inside
    if c.op in {"=", "!="}:
        same = str(value) == str(c.value)
        if _number(value) is not None and _number(c.value) is not None:
            same = _number(value) == _number(c.value)
        return same if c.op == "=" else not same
    x = _number(value)
    if x is None:
        return False
    if c.op == "between":
        low, high = (_number(v) for v in c.value)
        return low is not None and high is not None and low <= x <= high
    y = _number(c.value)
    if y is None:
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[c.op]


def _check(item: Condition | Rule, facts: Mapping[str, Any], out: Decision) -> bool | None:
    if isinstance(item, Condition):
        value = facts.get(item.field)
        if value is None or value == "":
            out.missing.append(item.describe())
            return None
        ok = _holds(item, value)
        (out.met if ok else out.not_met).append(item.describe())
        return ok
    return _evaluate(item, facts, out)


def _combine(results: Sequence[bool | None], want_all: bool) -> bool | None:
    if want_all:
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _evaluate(rule: Rule, facts: Mapping[str, Any], out: Decision) -> bool | None:
    parts = []
    if rule.all:
        parts.append(_combine([_check(c, facts, out) for c in rule.all], want_all=True))
    if rule.any:
        parts.append(_combine([_check(c, facts, out) for c in rule.any], want_all=False))
    return _combine(parts, want_all=True)


def evaluate(rule: Rule | None, facts: Mapping[str, Any]) -> Decision:
    """Judge ``facts`` against ``rule`` (no rule: everyone referred is eligible)."""
    if rule is None:
        return Decision(True, met=["the cohort has no eligibility criteria"])
    out = Decision(None)
    result = _evaluate(rule, facts, out)
    return Decision(result, out.met, out.not_met, out.missing)
