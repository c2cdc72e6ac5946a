"""Who may see and change the strategy.

* Every signed-in partner (administrator, analyst, board member, action owner, case worker)
  reads the strategy, its monitoring and the board report: it is the partnership's plan, not a
  personal record. The public sees nothing of it (the published strategy document is the
  partnership's to publish; monitoring is for partners).
* An action owner posts progress updates on the activities a body they act for leads, and enters
  values for the measures such a body owns (:func:`services.can_update_activity`); an
  administrator on any. Board members and analysts read only.
* Spend against the budget is entered by administrators.
"""

from safercity.web.accounts.permissions import require

view_strategy = require("account")

# status for: anonymous, administrator, analyst, board_member, action_owner, case_worker
READ = (302, 200, 200, 200, 200, 200)

URL_DECISIONS: dict[str, tuple[int, ...]] = {
    "strategy:overview": READ,
    "strategy:priority": READ,
    "strategy:activity": READ,
    "strategy:measure": READ,
    "strategy:governance": READ,
    "strategy:budget": READ,
    "strategy:report": READ,
    "strategy:report_pdf": READ,
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
        }
    )
    strategy = services.load(example).strategy
    priority = strategy.priorities.get()
    activity = priority.objectives.get().activities.get()
    return {
        "strategy:priority": {"pk": priority.pk},
        "strategy:activity": {"pk": activity.pk},
        "strategy:measure": {"pk": activity.measures.get().pk},
    }
