"""The Westminster strategy file against the founding document, and the model's own rules.

Counts below were made BY HAND from the founding document (../shared/seed/000_*.txt), using
the encoding rules written at the top of examples/westminster-2011-14.yaml: one activity per
"Lead:" block of an action plan table; each item of a table's fourth column is either a
milestone or (a number, percentage, national indicator or change to measure) a measure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safercity.strategy import StrategyFile, load, parse, summary
from safercity.strategy.model import Measure, Milestone, reference_problems

REPO = Path(__file__).resolve().parents[2]
WESTMINSTER = REPO / "examples" / "westminster-2011-14.yaml"


@pytest.fixture(scope="module")
def westminster() -> StrategyFile:
    return load(WESTMINSTER)


def test_westminster_headline_counts(westminster: StrategyFile) -> None:
    counts = summary(westminster)
    # 5 priorities: the five commitments of the Introduction, each with its own section
    # (Night Time Economy, Youth Related Crime & Disorder, Reoffending, Violence against women
    # & girls, Substance misuse).
    assert counts["priorities"] == 5
    # Outcomes ("Over the next three years we will (seek to):" lists): NTE 4, Youth 2,
    # Reoffending 2, VaWG 2, Substance misuse 2.
    assert counts["outcomes"] == 4 + 2 + 2 + 2 + 2
    # Objectives (first column; "(Continued)" rows are the same objective): NTE 5 (Promote
    # positive personal behaviours; Ensure effective management of licensed premises; Enable
    # people to get home; Improve the feeling of safety; Reduce the risk of counter terrorism),
    # Youth 3, Reoffending 0 (no action plan yet), VaWG 4, Substance misuse 3.
    assert counts["objectives"] == 5 + 3 + 0 + 4 + 3
    # Activities = "Lead:" blocks: NTE tables 2+2+2 and 1+2 = 9; Youth 6 + 4 + 4 + 3 = 17;
    # VaWG 2+2+2 and 2+1+1 = 10; Substance misuse 2+3 and 2 = 7.
    assert counts["activities"] == 9 + 17 + 0 + 10 + 7 == 43
    # Milestones: NTE 1+2+1+1+1+2+2+1+2 = 13; Youth 13 (see per-activity list in the YAML);
    # VaWG 1+2+1+1+1+2+1+1+2+1 = 13; Substance misuse 1+1+1+3+0+1+1 = 8; and Reoffending's
    # plan itself: "An action plan will be produced during 2011/12" (issue 16).
    assert counts["milestones"] == 13 + 13 + 1 + 13 + 8 == 48
    # A milestone that is only a date is a start, not a deliverable: youth-a6/a7/a11 "May
    # 2011" and vawg-a9 "April 2011".
    assert counts["milestones_start_dates"] == 4
    # Measures: Youth 14 (100 young people monitored; 20–25% on ABC contracts; NI 111 first time
    # entrants; train 15; 30 sessions; double victims; 40 outreach; 12 workshops;
    # 12 presentations; 100% parents assessed; NI 43; NI 45; 20 young people in drug dealing;
    # 100% reprimands with joint visits), VaWG 1 (12 schools), Substance misuse 5 (75% closure
    # orders; 60% DIP clients; increase care-planned exits; 70% and 85% TOPs).
    assert counts["measures"] - counts["outcome_measures"] == 0 + 14 + 0 + 1 + 5 == 20
    # Outcome measures from the data: NTE violence, acquisitive crime and disorder in the West
    # End and St James's wards; the domestic abuse repeat rate (needs a local extract).
    assert counts["outcome_measures"] == counts["measures_from_data"] == 4
    # Governance & delivery names six member agencies.
    assert counts["member_agencies"] == 6
    # SWP board, Westminster City Partnership, commissioning group, 4 thematic subgroups
    # (NTE, youth crime prevention, VaWG strategy, substance misuse & crime), Problematic
    # Premises Steering Group, GMAP, Schools DV Prevention Group, NCRD Group, JCG.
    assert counts["governance_bodies"] == 12
    # 6 members + 13 services/teams named as lead or support + the Home Office (funder).
    assert counts["agencies"] == 20
    # "committed at least £39,000 / £294,000 / £35,000 / £195,000 / £10,000": the partnership's
    # own money; the "£420,000 Home Office grant" alongside the Substance Misuse Action Plan
    # is external money, shown apart (issue 16: not a £993,000 commitment).
    assert counts["budget_by_funding_source_gbp"]["swp-resources"] == 573_000
    assert counts["budget_by_funding_source_gbp"]["home-office-grant"] == 420_000
    assert counts["budget_partnership_gbp"] == 39_000 + 294_000 + 35_000 + 195_000 + 10_000
    assert counts["budget_external_gbp"] == 420_000
    assert "budget_committed_gbp" not in counts


def test_westminster_counts_per_priority(westminster: StrategyFile) -> None:
    def per_priority(what: str) -> list[int]:
        out = []
        for p in westminster.priorities:
            plan = p.action_plan
            acts = [a for o in plan.objectives for a in o.activities] if plan else []
            out.append(sum(len(getattr(a, what)) for a in acts) if what != "acts" else len(acts))
        return out

    assert [p.id for p in westminster.priorities] == [
        "night-time-economy",
        "youth-crime",
        "reoffending",
        "violence-against-women-and-girls",
        "substance-misuse",
    ]
    assert per_priority("acts") == [9, 17, 0, 10, 7]
    assert per_priority("milestones") == [13, 13, 0, 13, 8]
    assert per_priority("measures") == [0, 14, 0, 1, 5]
    budget = summary(westminster)["budget_partnership_by_priority_gbp"]
    assert budget == {
        "night-time-economy": 39_000,
        "youth-crime": 294_000,
        "reoffending": 35_000,
        "violence-against-women-and-girls": 195_000,
        "substance-misuse": 10_000,
    }
    external = summary(westminster)["budget_external_by_priority_gbp"]
    assert external["substance-misuse"] == 420_000
    assert sum(external.values()) == 420_000


def test_westminster_consultation_ranking(westminster: StrategyFile) -> None:
    # "Respondents ranked night time economy as the number one priority followed by
    # re-offending, young people, drugs, and violence against women."
    assert westminster.consultation is not None
    assert westminster.consultation.ranking == [
        "night-time-economy",
        "reoffending",
        "youth-crime",
        "substance-misuse",
        "violence-against-women-and-girls",
    ]


def test_westminster_dates_follow_the_document(westminster: StrategyFile) -> None:
    milestones = {m.id: m for _, a in westminster.activities() for m in a.milestones}
    # "To have the pilot report signed off by partners by June 2011"
    assert str(milestones["nte-a2-m1"].due) == "2011-06-30"
    # "Summer 2011. Milestone to be determined": no due date is invented.
    assert milestones["youth-a9-m1"].due is None
    # "Ongoing" and "Hold six weekly cross-border meetings" recur, with no date.
    assert milestones["nte-a4-m1"].recurrence == "ongoing"
    assert milestones["youth-a2-m1"].recurrence == "every 6 weeks"
    assert milestones["youth-a2-m1"].due is None
    # No baseline anywhere in the action plans: the document gives none.
    assert all(m.baseline is None for _, a in westminster.activities() for m in a.measures)
    # "May 2011" alone is when the work starts (issue 16: not a deliverable falsely overdue)
    for ident in ("youth-a6-m1", "youth-a7-m1", "youth-a11-m1"):
        m = milestones[ident]
        assert (m.kind, m.due, str(m.start)) == ("start", None, "2011-05-01")
    # "May 2011; monthly thereafter": due in May 2011, then every month
    assert (milestones["youth-a1-m1"].kind, str(milestones["youth-a1-m1"].due)) == (
        "recurring",
        "2011-05-31",
    )
    # Reoffending: "An action plan will be produced during 2011/12" is the plan's milestone
    reoffending = next(p for p in westminster.priorities if p.id == "reoffending")
    assert reoffending.action_plan is not None
    ((plan_milestone),) = reoffending.action_plan.milestones
    assert (plan_milestone.kind, str(plan_milestone.due)) == ("deliverable", "2012-03-31")
    # "Double the numbers of victims accessing support": twice the baseline
    measures = {m.id: m for _, m in westminster.measures()}
    relative = measures["youth-a6-k1"].target_relative
    assert relative is not None and relative.times == 2


def _norm(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"[^\w%£&'’/]+", " ", text)
    return " ".join(text.split())


@pytest.mark.shared_data
def test_westminster_words_are_the_documents(westminster: StrategyFile, shared_data: Path) -> None:
    """Every field that claims to be the document's words occurs in the document."""
    (seed,) = sorted((shared_data.parent / "seed").glob("000_*.txt"))
    document = seed.read_text(encoding="utf-8")
    words = _norm(document)
    texts: list[str] = []
    for p in westminster.priorities:
        texts += [o.text for o in p.outcomes] + p.approaches + p.narrative
        texts += [e.quote for e in p.evidence] + [n for o in p.outcomes for n in o.narrative]
        texts += [p.quote.quote] if p.quote else []
        texts += [o.title for o in p.action_plan.objectives] if p.action_plan else []
    for _, a in westminster.activities():
        texts += [a.text, a.lead_support_as_written or ""]
        texts += [m.text for m in a.milestones] + [m.as_written for m in a.measures]
    texts += [e.quote for e in westminster.strategy.evidence]
    texts += westminster.strategy.introduction + westminster.strategy.cross_cutting
    texts += westminster.strategy.enablers + westminster.partnership.narrative
    texts += [b.remit or "" for b in westminster.partnership.governance_bodies]
    texts += [c.purpose for c in westminster.budget.commitments]
    texts += [m.text for _, m in westminster.milestones()]
    texts += [m.as_written for _, m in westminster.measures()]
    missing = [t for t in texts if _norm(t) not in words]
    assert missing == []
    assert len(texts) > 250
    # Independent checks straight from the document text.
    assert document.count("Lead:") == summary(westminster)["activities"]
    committed = [
        int(x.replace(",", "")) for x in re.findall(r"committed at least £([\d,]+)", document)
    ]
    assert sum(committed) == summary(westminster)["budget_by_funding_source_gbp"]["swp-resources"]


# --------------------------------------------------------------------------- model rules

MINIMAL = """\
format: 1
partnership:
  name: Test Partnership
  area: Testshire
  agencies:
    - {id: police, name: Police, member: true}
    - {id: council, name: Council, member: true}
  governance_bodies:
    - {id: board, name: Board, kind: board, members: [police, council]}
    - {id: nte-group, name: Night Time Economy Group, kind: thematic_subgroup, parent: board}
strategy: {title: Test strategy, period_start: 2024, period_end: 2027, refreshed_annually: true}
priorities:
  - id: nte
    title: Night time economy
    outcomes: [{id: nte-outcome-1, text: Reduce violence}]
    action_plan:
      objectives:
        - id: o1
          title: Manage premises
          activities:
            - id: a1
              text: Visit premises
              lead: [nte-group]
              support: [police]
              milestones:
                - {id: a1-m1, text: "June 2025 first visits", due: 2025-06-30,
                   due_as_written: June 2025}
              measures:
                - id: a1-k1
                  description: Violence in the NTE area
                  as_written: Violence in the NTE area, rolling 12 months
                  unit: offences
                  direction: reduce
                  data_source: {kind: analytics, category: [violent-crime], area: NTE}
budget:
  funding_sources: [{id: swp, name: Partnership, kind: partnership}]
  commitments: [{id: c1, priority: nte, funding_source: swp, amount_gbp: 1000,
                 purpose: for the plan}]
"""


def test_minimal_file_loads_with_an_analytics_measure() -> None:
    model = parse(MINIMAL)
    measure = model.priorities[0].action_plan.objectives[0].activities[0].measures[0]  # type: ignore[union-attr]
    assert measure.data_source.kind == "analytics"
    assert measure.data_source.period == "rolling_12_months"  # type: ignore[union-attr]
    assert summary(model)["budget_partnership_gbp"] == 1000


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("lead: [nte-group]", "lead: [nobody]", "'nobody' is not the id of any agency"),
        ("support: [police]", "support: [nte-group]", "both lead and support"),
        ("parent: board}", "parent: nowhere}", "'nowhere' is not the id of any governance body"),
        ("members: [police, council]", "members: [police, ghost]", "'ghost' is not the id"),
        ("priority: nte,", "priority: youth,", "'youth' is not the id of any priority"),
        ("funding_source: swp,", "funding_source: lottery,", "'lottery' is not the id"),
        ("id: a1-m1", "id: a1", "duplicate id 'a1'"),
    ],
)
def test_bad_references_are_rejected(old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    with pytest.raises(ValueError, match=expected):
        parse(MINIMAL.replace(old, new, 1))
    # and also when the model is built in Python rather than read from YAML
    import yaml

    with pytest.raises(ValueError, match=expected):
        StrategyFile.model_validate(yaml.safe_load(MINIMAL.replace(old, new, 1)))


def test_reference_problems_is_empty_for_a_good_file() -> None:
    assert reference_problems(parse(MINIMAL)) == []


def test_milestone_date_needs_the_documents_words() -> None:
    Milestone(id="m", text="By June 2025", due="2025-06-30", due_as_written="June 2025")
    with pytest.raises(ValueError, match="due_as_written needs due"):
        Milestone(id="m", text="By June 2025", due_as_written="June 2025")
    # a date entered in the web app has no words of a document
    assert str(Milestone(id="m", text="First visits", due="2025-06-30").due) == "2025-06-30"
    with pytest.raises(ValueError, match="does not occur in the text"):
        Milestone(id="m", text="By June 2025", due="2025-07-31", due_as_written="July 2025")
    recurring = Milestone(id="m", text="Meet every 6 weeks", recurrence="every 6 weeks")
    assert recurring.due is None


def test_measure_target_range_must_be_ordered() -> None:
    base = {
        "id": "k",
        "description": "d",
        "as_written": "20 – 25%",
        "unit": "percent",
        "data_source": {"kind": "owner_entered"},
    }
    assert Measure.model_validate({**base, "target": 20, "target_upper": 25}).target_upper == 25
    with pytest.raises(ValueError, match="target_upper"):
        Measure.model_validate({**base, "target": 25, "target_upper": 20})
    with pytest.raises(ValueError, match="does not match any of the expected tags"):
        Measure.model_validate({**base, "data_source": {"kind": "guesswork"}})


def test_a_measure_from_case_work() -> None:
    base = {
        "id": "gangs-reviewed",
        "description": "Young people reviewed by the gangs panel",
        "as_written": "Young people reviewed by the gangs panel each six weeks",
        "unit": "young people",
    }
    source = {"kind": "cases", "cohort": "gangs-panel", "statistic": "reviewed"}
    measure = Measure.model_validate({**base, "data_source": source})
    assert measure.data_source.kind == "cases"
    assert measure.data_source.period == "quarter"  # the default
    # a baseline from the data may give only its date, as for analytics
    Measure.model_validate({**base, "data_source": source, "baseline": {"date": "2026-01-01"}})
    for bad in (
        {**source, "statistic": "people"},
        {**source, "period": "rolling_12_months"},
        {**source, "cohort": "Gangs Panel"},
        {**source, "category": ["burglary"]},
        {"kind": "cases", "cohort": "gangs-panel"},
    ):
        with pytest.raises(ValueError):
            Measure.model_validate({**base, "data_source": bad})


def test_strategy_package_does_not_import_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, safercity.strategy, safercity.commands.strategy, safercity.cases.measures; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
