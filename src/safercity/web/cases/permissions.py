"""Who may use the case-work pages.

Case work is by **cohort membership**, not by role: any signed-in partner may be made a member
(or the chair) of a cohort by an administrator, and then sees that cohort's cases as
:mod:`.access` rules (their agency a member agency; the lead agency, or a party to an
information-sharing agreement in force). The roles table is not extended.

* Case-work pages need a signed-in account; a user with no cohort gets 403 on the lists, and
  every record (case, person, meeting, action, merge) the user may not see answers 404, the
  same as a record that does not exist.
* Chairs also read a person's access history, make subject access exports, merge records,
  transfer cases and set legal holds.
* Emergency ("break-glass") access is for case workers.
* Administrators configure cohorts, memberships and the information-sharing register; they
  see no case unless they are members.
"""

from __future__ import annotations

from typing import Any

from safercity.web.accounts.permissions import require

casework = require("account")
configure = require("administer")

# status for: anonymous, administrator, analyst, board_member, action_owner, case_worker, as
# the every-URL test's users are: signed in, with no cohort membership
LISTS = (302, 403, 403, 403, 403, 403)
RECORD = (302, 404, 404, 404, 404, 404)
POST_ONLY = (302, 405, 405, 405, 405, 405)
CONFIG = (302, 200, 403, 403, 403, 403)
CONFIG_POST = (302, 405, 403, 403, 403, 403)

URL_DECISIONS: dict[str, tuple[int, ...]] = {
    "cases:home": LISTS,
    "cases:find": LISTS,
    "cases:emergency": (302, 403, 403, 403, 403, 200),
    "cases:cohort": RECORD,
    "cases:figures": RECORD,
    "cases:refer": RECORD,
    "cases:referral": RECORD,
    "cases:duplicates": RECORD,
    "cases:person": RECORD,
    "cases:person_edit": RECORD,
    "cases:person_name": RECORD,
    "cases:person_address": RECORD,
    "cases:person_history": RECORD,
    "cases:subject_access": RECORD,
    "cases:merge": POST_ONLY,
    "cases:unmerge": POST_ONLY,
    "cases:case": RECORD,
    "cases:case_status": RECORD,
    "cases:case_answers": RECORD,
    "cases:case_team": RECORD,
    "cases:link_person": RECORD,
    "cases:link_place": RECORD,
    "cases:action_new": RECORD,
    "cases:case_export": RECORD,
    "cases:case_transfer": RECORD,
    "cases:case_hold": RECORD,
    "cases:action": RECORD,
    "cases:meeting": RECORD,
    "cases:meeting_agenda": POST_ONLY,
    "cases:meeting_attendance": RECORD,
    "cases:minute": RECORD,
    "cases:config": CONFIG,
    "cases:cohort_new": CONFIG,
    "cases:cohort_config": CONFIG,
    "cases:member_add": CONFIG_POST,
    "cases:member_remove": CONFIG_POST,
    "cases:agreement_new": CONFIG,
    "cases:agreement": CONFIG,
}


def url_examples() -> dict[str, dict[str, Any]]:
    """For the every-URL-every-role test: the seeded MARAC with one synthetic case, its
    person, a meeting, an action and a merge, and the arguments of each record's pages."""
    import datetime as dt

    from safercity.cases import config
    from safercity.web.accounts.models import Agency, User

    from . import casework, cohorts, meetings, people
    from .models import Case, CohortMembership, PersonMerge, SharingAgreement

    cohort = cohorts.save_definition(dict(config.bundled())["marac.yaml"], "marac.yaml").cohort
    police = Agency.objects.get(name="Metropolitan Police Service")
    person = people.create({"given_name": "Example", "family_name": "Synthetic"}, synthetic=True)
    other = people.create({"given_name": "Other", "family_name": "Synthetic"}, synthetic=True)
    case = casework.refer(
        casework.Referral(
            cohort, person, dt.date(2026, 1, 5), police, "Example", Case.Consent.GIVEN, "", {}
        ),
        None,
    )
    meeting = meetings.schedule(cohort, dt.date(2026, 1, 1), dt.date(2026, 1, 31))[0]
    action = meetings.add_action(
        case, agency=police, description="Example", due_on=dt.date(2026, 2, 1)
    )
    merge = people.merge(person, other, None)
    people.unmerge(merge)
    agreement = SharingAgreement.objects.create(
        title="Example", purpose="x", legal_basis="x", starts=dt.date(2026, 1, 1)
    )
    chair = User.objects.create(username="example-chair", agency=police)
    membership = CohortMembership.objects.create(cohort=cohort, user=chair)
    c, p, m = {"pk": cohort.pk}, {"pk": person.pk}, {"pk": case.pk}
    return {
        "cases:cohort": c,
        "cases:figures": c,
        "cases:refer": c,
        "cases:referral": {"pk": cohort.pk, "person": person.pk},
        "cases:duplicates": c,
        "cases:person": p,
        "cases:person_edit": p,
        "cases:person_name": p,
        "cases:person_address": p,
        "cases:person_history": p,
        "cases:subject_access": p,
        "cases:merge": p,
        "cases:unmerge": {"pk": PersonMerge.objects.get().pk},
        "cases:case": m,
        "cases:case_status": m,
        "cases:case_answers": m,
        "cases:case_team": m,
        "cases:link_person": m,
        "cases:link_place": m,
        "cases:action_new": m,
        "cases:case_export": m,
        "cases:case_transfer": m,
        "cases:case_hold": m,
        "cases:action": {"pk": action.pk},
        "cases:meeting": {"pk": meeting.pk},
        "cases:meeting_agenda": {"pk": meeting.pk},
        "cases:meeting_attendance": {"pk": meeting.pk},
        "cases:minute": {"pk": meeting.pk, "case": case.pk},
        "cases:cohort_config": c,
        "cases:member_add": c,
        "cases:member_remove": {"pk": membership.pk},
        "cases:agreement": {"pk": agreement.pk},
    }
