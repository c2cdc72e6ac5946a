"""factory_boy factories for the strategy app (no tests here: imported by the strategy tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from safercity.web.strategy import models as sm


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Partnership
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Safer Testborough Partnership {n}")
    area = "Testborough"


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Body

    partnership = factory.SubFactory(PartnershipFactory)
    key = factory.Sequence(lambda n: f"body-{n}")
    category = sm.Body.AGENCY
    name = factory.Sequence(lambda n: f"Body {n}")


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Strategy

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Community Safety Strategy {n}")
    period_start = 2011
    period_end = 2014


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Priority

    strategy = factory.SubFactory(StrategyFactory)
    key = factory.Sequence(lambda n: f"priority-{n}")
    title = factory.Sequence(lambda n: f"Priority {n}")
    has_action_plan = True


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Objective

    priority = factory.SubFactory(PriorityFactory)
    key = factory.Sequence(lambda n: f"objective-{n}")
    title = "Reduce violence in the night time economy"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Activity

    objective = factory.SubFactory(ObjectiveFactory)
    key = factory.Sequence(lambda n: f"activity-{n}")
    text = "Run a Street Pastors pilot"


class ActivityBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.ActivityBody

    activity = factory.SubFactory(ActivityFactory)
    body = factory.SubFactory(
        BodyFactory,
        partnership=factory.SelfAttribute("..activity.objective.priority.strategy.partnership"),
    )
    role = sm.ActivityBody.LEAD


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Milestone

    activity = factory.SubFactory(ActivityFactory)
    key = factory.Sequence(lambda n: f"milestone-{n}")
    text = "Training complete July 2011"
    due = dt.date(2011, 7, 31)
    due_as_written = "July 2011"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Measure

    activity = factory.SubFactory(ActivityFactory)
    key = factory.Sequence(lambda n: f"measure-{n}")
    description = "Sessions delivered in schools"
    as_written = "Deliver 30 sessions in schools"
    unit = "sessions"
    direction = "achieve"
    target = 30.0
    source_kind = sm.Measure.OWNER_ENTERED


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.FundingSource

    strategy = factory.SubFactory(StrategyFactory)
    key = factory.Sequence(lambda n: f"source-{n}")
    name = "Partnership resources"
    kind = "partnership"


class BudgetCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.BudgetCommitment

    strategy = factory.SubFactory(StrategyFactory)
    key = factory.Sequence(lambda n: f"commitment-{n}")
    funding_source = factory.SubFactory(
        FundingSourceFactory, strategy=factory.SelfAttribute("..strategy")
    )
    amount_gbp = 39_000
    purpose = "to deliver the action plan"


def small_strategy(lead_name: str = "Victim Support") -> dict[str, Any]:
    """One strategy, one priority, one activity led by ``lead_name`` with a milestone and a
    measure, and a budget commitment."""
    activity = ActivityFactory()
    priority = activity.objective.priority
    strategy = priority.strategy
    lead = BodyFactory(partnership=strategy.partnership, key="lead-body", name=lead_name)
    ActivityBodyFactory(activity=activity, body=lead)
    milestone = MilestoneFactory(activity=activity)
    measure = MeasureFactory(activity=activity)
    commitment = BudgetCommitmentFactory(strategy=strategy, priority=priority)
    return {
        "strategy": strategy,
        "priority": priority,
        "activity": activity,
        "lead": lead,
        "milestone": milestone,
        "measure": measure,
        "commitment": commitment,
    }
