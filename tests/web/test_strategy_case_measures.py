"""Strategy measures of kind cases (issue 13): a cohort's figures by period as a measure that
updates itself. Added through the measure form, shown on the monitoring pages with values
counted from every case of the cohort (numbers only, nothing audited), changed when a case is
added; loaded from a strategy file and exported back unchanged."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from safercity.cases import config
from safercity.strategy import dumps, load, parse
from safercity.web.audit.models import AuditEvent
from safercity.web.strategy import models as sm
from safercity.web.strategy import services

pytestmark = pytest.mark.django_db

WESTMINSTER = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"
D = dt.date
_numbers = itertools.count(1)


@pytest.fixture
def westminster() -> sm.Strategy:
    return services.load(load(WESTMINSTER)).strategy


@pytest.fixture
def gangs() -> Any:
    from safercity.web.cases import cohorts

    shipped = dict(config.bundled())
    return cohorts.save_definition(shipped["gangs-panel.yaml"], "gangs-panel.yaml").cohort


def _case(cohort: Any, referred: dt.date, accepted: dt.date | None, panels: list[dt.date]) -> Any:
    """A SYNTHETIC case referred, accepted and discussed at the panels on the days given."""
    from safercity.web.accounts.models import Agency
    from safercity.web.cases import people
    from safercity.web.cases.models import AgendaItem, Case, Meeting

    n = next(_numbers)
    police, _ = Agency.objects.get_or_create(
        name="Metropolitan Police Service", defaults={"kind": "police"}
    )
    person = people.create(
        {"given_name": "Synthetic", "family_name": f"Youngperson{n}"}, synthetic=True
    )
    case = Case.objects.create(
        reference=f"GANGS-T{n:05d}",
        cohort=cohort,
        person=person,
        status="active" if accepted else "referred",
        referred_on=referred,
        referring_agency=police,
        referral_reason="Synthetic",
        consent=Case.Consent.NOT_SOUGHT,
        accepted_on=accepted,
        synthetic=True,
    )
    for day in panels:
        meeting, _ = Meeting.objects.get_or_create(
            cohort=cohort, date=day, defaults={"time": dt.time(10), "status": "held"}
        )
        AgendaItem.objects.create(meeting=meeting, case=case, reason="review", discussed=True)
    return case


def _form(**extra: str) -> dict[str, str]:
    return {
        "description": "Young people reviewed by the gangs panel",
        "as_written": "Young people reviewed by the gangs panel each six weeks",
        "unit": "young people",
        "direction": "increase",
        "target_kind": "none",
        "values_are": "cumulative",
        "source_kind": "cases",
        **extra,
    }


def test_the_form_offers_case_work_and_the_measure_shows_its_values(
    client: Any, make_user: Any, westminster: sm.Strategy, gangs: Any
) -> None:
    # two young people, discussed by the panel in May and June 2013 (one of them twice)
    _case(gangs, D(2013, 4, 2), D(2013, 4, 20), [D(2013, 5, 8), D(2013, 6, 19)])
    _case(gangs, D(2013, 4, 15), D(2013, 5, 1), [D(2013, 5, 8)])
    client.force_login(make_user("administrator"))
    activity = sm.Activity.objects.get(key="youth-a8")  # the gang interventions, through GMAP
    url = reverse("strategy:measure_add", args=[activity.pk])
    page = client.get(url).content.decode()
    assert "Worked out from case work" in page and 'value="gangs-panel"' in page
    assert "Cases discussed at a panel meeting in the period" in page
    # the cohort and the figure are needed
    refused = client.post(url, _form()).content.decode()
    assert "Choose the cohort" in refused and "Choose the cohort figure" in refused
    response = client.post(
        url, _form(cohort="gangs-panel", case_statistic="reviewed", case_period="month")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    measure = sm.Measure.objects.get(activity=activity, source_kind="cases")
    assert measure.query == {"cohort": "gangs-panel", "statistic": "reviewed", "period": "month"}
    assert measure.owner is None
    # the form shows it back
    edit = client.get(reverse("strategy:measure_edit", args=[measure.pk])).content.decode()
    assert 'value="gangs-panel" selected' in edit and 'value="reviewed" selected' in edit

    # the monitoring: values by month from April 2013, as at the strategy's last day
    view = services.rate_measure(measure, D(2014, 3, 31), westminster)
    values = dict(view.values)
    assert (values[D(2013, 4, 1)], values[D(2013, 5, 1)], values[D(2013, 6, 1)]) == (0, 2, 1)
    assert view.rating.latest == 0.0 and view.rating.latest_date == D(2014, 3, 1)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    page = client.get(reverse("strategy:measure", args=[measure.pk])).content.decode()
    assert "Case work figures" in page and "cohort gangs-panel" in page
    assert "June 2013" in page and "Youngperson" not in page
    # counting cases is not reading anyone's record: nothing about cases is audited
    made = AuditEvent.objects.exclude(pk__in=before)
    assert not [e for e in made if e.model.startswith("cases.")]

    # a case discussed in June: the value changes by itself
    _case(gangs, D(2013, 6, 1), D(2013, 6, 5), [D(2013, 6, 19)])
    again = dict(services.rate_measure(measure, D(2014, 3, 31), westminster).values)
    assert again[D(2013, 6, 1)] == 2
    priority = client.get(
        reverse("strategy:priority", args=[activity.objective.priority.pk])
    ).content.decode()
    assert "Young people reviewed by the gangs panel" in priority or measure.as_written in priority


def test_every_figure_counts_every_case_of_the_cohort_whoever_looks(
    make_user: Any, westminster: sm.Strategy, gangs: Any
) -> None:
    from safercity.web.cases import access

    _case(gangs, D(2013, 4, 2), D(2013, 4, 20), [D(2013, 5, 8)])
    _case(gangs, D(2013, 5, 15), None, [])
    outsider = make_user("action_owner")
    assert not access.for_user(outsider).any  # sees no case of the cohort
    outcome = westminster.priorities.get(key="youth-crime").outcomes.first()
    assert outcome is not None

    def measure(statistic: str, period: str = "quarter") -> sm.Measure:
        return sm.Measure.objects.create(
            outcome=outcome,
            key=f"cases-{statistic}-{period}".replace("_", "-"),
            description=statistic,
            as_written=statistic,
            unit="percent" if statistic == "actions_on_time" else "young people",
            source_kind=sm.Measure.CASES,
            query={"cohort": "gangs-panel", "statistic": statistic, "period": period},
        )

    day = D(2014, 3, 31)
    size = services.rate_measure(measure("size", "month"), day, westminster)
    assert dict(size.values)[D(2013, 4, 1)] == 1 and dict(size.values)[D(2013, 5, 1)] == 1
    referrals = services.rate_measure(measure("referrals"), day, westminster)
    assert dict(referrals.values)[D(2013, 4, 1)] == 2
    assert services.rate_measure(measure("actions_on_time"), day, westminster).values == []
    unknown = sm.Measure.objects.create(
        outcome=outcome,
        key="cases-unknown",
        description="x",
        as_written="x",
        unit="cases",
        source_kind=sm.Measure.CASES,
        query={"cohort": "no-such-cohort", "statistic": "size", "period": "month"},
    )
    view = services.rate_measure(unknown, day, westminster)
    assert view.values == [] and "no cohort" in view.note


def test_a_strategy_file_with_a_cases_measure_loads_and_exports_back(
    westminster: sm.Strategy,
) -> None:
    from safercity.strategy.model import Measure

    data = parse(dumps(services.export(westminster)))
    youth = next(p for p in data.priorities if p.id == "youth-crime")
    outcome = youth.outcomes[0]
    extra = Measure.model_validate(
        {
            "id": "youth-reviewed",
            "description": "Young people reviewed by the gangs panel",
            "as_written": "Young people reviewed by the gangs panel",
            "unit": "young people",
            "baseline": {"date": "2013-04-01"},
            "data_source": {
                "kind": "cases",
                "cohort": "gangs-panel",
                "statistic": "reviewed",
                "period": "quarter",
            },
        }
    )
    outcome.measures.append(extra)
    with_cases = dumps(data)
    assert "kind: cases" in with_cases
    sm.Partnership.objects.all().delete()
    loaded = services.load(parse(with_cases)).strategy
    measure = sm.Measure.objects.get(key="youth-reviewed")
    assert measure.source_kind == "cases" and measure.query == {
        "cohort": "gangs-panel",
        "statistic": "reviewed",
        "period": "quarter",
    }
    assert dumps(services.export(loaded)) == with_cases
