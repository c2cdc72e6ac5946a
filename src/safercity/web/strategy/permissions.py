"""Who may see and change the strategy.

* Every signed-in partner (administrator, analyst, board member, action owner, case worker)
  reads the strategy, its monitoring and the board report: it is the partnership's plan, not a
  personal record. The public sees nothing of it (the published strategy document is the
  partnership's to publish; monitoring is for partners).
* An action owner posts progress updates on the activities a body they act for leads, and enters
  values for the measures such a body owns (:func:`services.can_update_activity`); an
  administrator on any. Board members and analysts read only.
* Administrators and a priority's leads (action owners acting for a body that leads the
  priority, :func:`services.can_edit_priority`) add and change its objectives, activities,
  milestones and measures and its commitments' profiles; every change is audited.
* Spend and its adjustments, the annual refresh and the governance bodies' meetings are
  recorded by administrators.
"""

import datetime as dt

from safercity.web.accounts.permissions import require

view_strategy = require("account")

# status for: anonymous, administrator, analyst, board_member, action_owner, case_worker
READ = (302, 200, 200, 200, 200, 200)
#: administrators and the priority's leads (the example's action owner leads no priority)
EDIT = (302, 200, 403, 403, 403, 403)
ADMIN = (302, 200, 403, 403, 403, 403)

URL_DECISIONS: dict[str, tuple[int, ...]] = {
    "strategy:overview": READ,
    "strategy:priority": READ,
    "strategy:activity": READ,
    "strategy:measure": READ,
    "strategy:governance": READ,
    "strategy:budget": READ,
    "strategy:report": READ,
    "strategy:report_pdf": READ,
    "strategy:versions": READ,
    "strategy:meeting": READ,
    "strategy:paper": READ,
    "strategy:objective_add": EDIT,
    "strategy:objective_edit": EDIT,
    "strategy:activity_add": EDIT,
    "strategy:activity_edit": EDIT,
    "strategy:milestone_add": EDIT,
    "strategy:milestone_edit": EDIT,
    "strategy:measure_add": EDIT,
    "strategy:measure_edit": EDIT,
    "strategy:commitment_edit": EDIT,
    "strategy:spend_adjust": ADMIN,
    "strategy:refresh": ADMIN,
    "strategy:meeting_add": ADMIN,
}


def url_examples() -> dict[str, dict[str, object]]:
    """For the every-URL-every-role test: a small example strategy in the (test) database and
    the arguments of each page of one record."""
    from safercity.strategy import StrategyFile

    from . import services

    example = StrategyFile.model_validate(
        {
            "format": 1,
            "partnership": {
                "name": "Example Partnership",
                "area": "Example",
                "agencies": [{"id": "example-agency", "name": "Example Agency"}],
                "governance_bodies": [
                    {
                        "id": "example-board",
                        "name": "Example Board",
                        "kind": "board",
                        "meetings": [
                            {
                                "id": "example-meeting",
                                "date": "2011-07-14",
                                "decisions": ["Agree the plan"],
                                "actions": [{"text": "Report back", "due": "2011-10-31"}],
                            }
                        ],
                    }
                ],
            },
            "strategy": {
                "title": "Example strategy",
                "period_start": 2011,
                "period_end": 2014,
                "refreshed_annually": True,
            },
            "priorities": [
                {
                    "id": "example-priority",
                    "title": "Example priority",
                    "outcomes": [{"id": "example-outcome", "text": "Less crime"}],
                    "action_plan": {
                        "objectives": [
                            {
                                "id": "example-objective",
                                "title": "Example objective",
                                "activities": [
                                    {
                                        "id": "example-activity",
                                        "text": "Do something",
                                        "lead": ["example-agency"],
                                        "milestones": [
                                            {
                                                "id": "example-milestone",
                                                "text": "Monthly review",
                                                "due": "2011-05-31",
                                                "recurrence": "monthly",
                                            }
                                        ],
                                        "measures": [
                                            {
                                                "id": "example-measure",
                                                "description": "Sessions",
                                                "as_written": "Run 40 sessions",
                                                "unit": "sessions",
                                                "direction": "achieve",
                                                "target": 40,
                                                "data_source": {"kind": "owner_entered"},
                                            }
                                        ],
                                    }
                                ],
                            }
                        ]
                    },
                }
            ],
            "budget": {
                "funding_sources": [{"id": "example-fund", "name": "Fund", "kind": "partnership"}],
                "commitments": [
                    {
                        "id": "example-commitment",
                        "priority": "example-priority",
                        "funding_source": "example-fund",
                        "amount_gbp": 1000,
                        "purpose": "The plan",
                        "profile": [{"year": 2011, "amount_gbp": 1000}],
                    }
                ],
                "spend": [
                    {
                        "id": "example-spend",
                        "commitment": "example-commitment",
                        "activity": "example-activity",
                        "date": "2011-06-30",
                        "amount_gbp": 250,
                        "description": "Venue hire",
                    }
                ],
            },
        }
    )
    from .models import Body, BudgetCommitment, Meeting, Spend

    strategy = services.load(example).strategy
    priority = strategy.priorities.get()
    objective = priority.objectives.get()
    activity = objective.activities.get()
    meeting = Meeting.objects.get(key="example-meeting")
    from . import meetings

    paper = meetings.attach_board_report(meeting, strategy, dt.date(2011, 6, 30))
    return {
        "strategy:priority": {"pk": priority.pk},
        "strategy:activity": {"pk": activity.pk},
        "strategy:measure": {"pk": activity.measures.get().pk},
        "strategy:objective_add": {"pk": priority.pk},
        "strategy:objective_edit": {"pk": objective.pk},
        "strategy:activity_add": {"pk": objective.pk},
        "strategy:activity_edit": {"pk": activity.pk},
        "strategy:milestone_add": {"pk": activity.pk},
        "strategy:milestone_edit": {"pk": activity.milestones.get().pk},
        "strategy:measure_add": {"pk": activity.pk},
        "strategy:measure_edit": {"pk": activity.measures.get().pk},
        "strategy:commitment_edit": {"pk": BudgetCommitment.objects.get(strategy=strategy).pk},
        "strategy:spend_adjust": {"pk": Spend.objects.get(key="example-spend").pk},
        "strategy:meeting_add": {"pk": Body.objects.get(key="example-board").pk},
        "strategy:meeting": {"pk": meeting.pk},
        "strategy:paper": {"pk": paper.pk},
    }
