"""Eligibility rules by hand: each condition, all/any, missing facts, age on a day."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from safercity.cases.eligibility import Rule, age_on, evaluate, facts_for

IOM = Rule.model_validate(
    {
        "all": [
            {"field": "age", "op": "between", "value": [18, 24]},
            {"field": "sentence_months", "op": "<", "value": 12},
        ]
    }
)
MARAC = Rule.model_validate(
    {
        "any": [
            {"field": "dash_score", "op": ">=", "value": 14},
            {"field": "referral_criterion", "op": "in", "value": ["professional_judgement"]},
        ]
    }
)


def test_age_on_a_day_counts_whole_years() -> None:
    assert age_on(dt.date(2000, 6, 15), dt.date(2018, 6, 14)) == 17
    assert age_on(dt.date(2000, 6, 15), dt.date(2018, 6, 15)) == 18
    # born on 29 February: 18 on 1 March of a common year
    assert age_on(dt.date(2004, 2, 29), dt.date(2022, 2, 28)) == 17
    assert age_on(dt.date(2004, 2, 29), dt.date(2022, 3, 1)) == 18


@pytest.mark.parametrize(
    ("born", "months", "eligible"),
    [
        (dt.date(2001, 1, 2), 6, True),  # 24, and 25 tomorrow
        (dt.date(2001, 1, 1), 6, False),  # 25 that day
        (dt.date(2008, 1, 2), 6, False),  # 17
        (dt.date(2008, 1, 1), 11.9, True),  # 18 that day
        (dt.date(2005, 1, 1), 12, False),  # a 12-month sentence is not under 12
    ],
)
def test_iom_takes_18_to_24_year_olds_on_short_sentences(
    born: dt.date, months: float, eligible: bool
) -> None:
    facts = facts_for({"sentence_months": months}, born=born, referred=dt.date(2026, 1, 1))
    assert evaluate(IOM, facts).eligible is eligible


def test_missing_facts_leave_the_referral_to_be_checked_not_refused() -> None:
    decision = evaluate(IOM, {"sentence_months": 6})
    assert decision.eligible is None
    assert decision.label == "To be checked"
    assert decision.missing == ["age is between 18 and 24"]
    assert decision.met == ["sentence months is under 12"]
    # but a failed condition with another missing is a refusal: 'all' cannot hold
    assert evaluate(IOM, {"sentence_months": 30}).eligible is False


def test_any_holds_on_one_condition_even_with_another_missing() -> None:
    assert evaluate(MARAC, {"dash_score": 16}).eligible is True
    assert evaluate(MARAC, {"dash_score": "15"}).eligible is True  # numbers typed as text
    assert evaluate(MARAC, {"referral_criterion": "professional_judgement"}).eligible is True
    assert evaluate(MARAC, {"dash_score": 9}).eligible is None  # criterion unknown
    no = evaluate(MARAC, {"dash_score": 9, "referral_criterion": "visible_high_risk"})
    assert no.eligible is False
    assert no.not_met == [
        "dash score is at least 14",
        "referral criterion is one of professional_judgement",
    ]


def test_yes_no_equality_and_no_rule() -> None:
    rule = Rule.model_validate(
        {"all": [{"field": "admits", "op": "is true"}, {"field": "level", "op": "=", "value": 1}]}
    )
    assert evaluate(rule, {"admits": True, "level": "1"}).eligible is True
    assert evaluate(rule, {"admits": False, "level": 1}).eligible is False
    assert evaluate(None, {}).eligible is True


@pytest.mark.parametrize(
    "bad",
    [
        {"all": [{"field": "age", "op": "between", "value": 18}]},
        {"all": [{"field": "x", "op": "in", "value": []}]},
        {"all": [{"field": "x", "op": "is true", "value": 1}]},
        {"all": [{"field": "x", "op": ">"}]},
        {"all": [{"field": "x", "op": "~", "value": 1}]},
        {},
    ],
)
def test_badly_written_rules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Rule.model_validate(bad)


def test_rules_nest() -> None:
    rule = Rule.model_validate(
        {
            "any": [
                {
                    "all": [
                        {"field": "level", "op": "=", "value": 1},
                        {"field": "priors", "op": "=", "value": 0},
                    ]
                },
                {"field": "level", "op": "=", "value": 2},
            ]
        }
    )
    assert evaluate(rule, {"level": 1, "priors": 0}).eligible is True
    assert evaluate(rule, {"level": 1, "priors": 2}).eligible is False
    assert evaluate(rule, {"level": 2, "priors": 5}).eligible is True
    assert rule.fields() == {"level", "priors"}
