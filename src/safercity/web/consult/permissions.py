"""Who may do what with consultations.

* **The public** (no account): the consultations that are open or closed, the form, results,
  quotes, "You said, we did", public meetings and the dashboard, each once an officer has
  approved it. Nothing unapproved and nothing personal.
* **Officers** (partnership administrators and analysts) build and publish consultations,
  review flagged responses, moderate free text, tag themes, choose quotes, publish results and
  record meetings and "You said, we did". They see responses, which are personal data: every
  view of a response's answers is audited.
* **Board members** read the results (weighted and unweighted) but not individual responses.
* Action owners and case workers see nothing of it beyond the public pages.
"""

from __future__ import annotations

from safercity.web.accounts.permissions import ADMIN, ANALYST, BOARD, require_roles

MANAGE_ROLES = frozenset({ADMIN, ANALYST})
RESULTS_ROLES = frozenset({ADMIN, ANALYST, BOARD})

can_manage = require_roles("manage_consultations", MANAGE_ROLES)
can_read_results = require_roles("read_consultation_results", RESULTS_ROLES)

# status for: anonymous, administrator, analyst, board_member, action_owner, case_worker
PUBLIC = (200, 200, 200, 200, 200, 200)
MANAGE = (302, 200, 200, 403, 403, 403)
MANAGE_POST = (302, 405, 405, 403, 403, 403)
RESULTS = (302, 200, 200, 200, 403, 403)
# the form's later pages send a visitor who has not started back to the start page
FORM_STEP = (302, 302, 302, 302, 302, 302)

URL_DECISIONS: dict[str, tuple[int, ...]] = {
    "consult:index": PUBLIC,
    "consult:language": FORM_STEP,  # sets the language and goes back
    "consult:start": PUBLIC,
    "consult:ranking": PUBLIC,
    "consult:about": FORM_STEP,
    "consult:question": FORM_STEP,
    "consult:email": FORM_STEP,
    "consult:check": FORM_STEP,
    "consult:done": FORM_STEP,
    "consult:verify": PUBLIC,  # says whether the link worked
    "consult:results": PUBLIC,
    "consult:you_said": PUBLIC,
    "consult:meetings": PUBLIC,
    "consult:dashboard": PUBLIC,
    "consult:manage": MANAGE,
    "consult:manage_new": MANAGE,
    "consult:manage_detail": MANAGE,
    "consult:manage_edit": MANAGE,
    "consult:manage_publish": MANAGE_POST,
    "consult:manage_responses": MANAGE,
    "consult:manage_response": MANAGE,
    "consult:manage_moderate": MANAGE,
    "consult:manage_answer": MANAGE,
    "consult:manage_themes": MANAGE,
    "consult:manage_results": RESULTS,
    "consult:manage_publish_results": MANAGE,
    "consult:manage_export": RESULTS,
    "consult:manage_meetings": MANAGE,
    "consult:manage_meeting_new": MANAGE,
    "consult:manage_meeting": MANAGE,
    "consult:manage_changes": MANAGE,
    "consult:manage_change_new": MANAGE,
    "consult:manage_change": MANAGE,
    "consult:manage_approve": MANAGE_POST,
    "consult:manage_dashboard": MANAGE,
}


def url_examples() -> dict[str, dict[str, object]]:
    """For the every-URL-every-role test: a published example consultation (open today) with
    one response and one free-text answer, a meeting and a "You said, we did" entry."""
    import datetime as dt

    from django.utils import timezone

    from . import models, services

    today = timezone.localdate()
    c = services.save_consultation(
        {
            "title": "Example consultation",
            "slug": "example",
            "introduction": "Tell us what matters.",
            "privacy_notice": "We keep your answers for a year.",
            "mode": "all",
            "top_k": 3,
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=30),
            "about_you": ["ward", "age_band"],
            "wards": ["Example Ward"],
            "priorities": [
                {"key": "youth", "title": "Young people"},
                {"key": "night-time-economy", "title": "Night time economy"},
            ],
            "questions": [("What else?", "")],
        }
    )
    c.published_at = c.results_published_at = timezone.now()
    c.save()
    q = c.questions.get()
    r = services.submit(
        c,
        services.Answers(
            ["youth", "night-time-economy"], {"ward": "Example Ward"}, {str(q.pk): "More patrols"}
        ),
        synthetic=True,
    )
    meeting = models.PublicMeeting.objects.create(
        title="Annual public meeting", date=today, place="City Hall"
    )
    change = models.YouSaidWeDid.objects.create(you_said="More patrols", we_did="Two more")
    return {
        "consult:language": {"code": "cy"},
        "consult:start": {"slug": c.slug},
        "consult:ranking": {"slug": c.slug},
        "consult:about": {"slug": c.slug, "question": "ward"},
        "consult:question": {"slug": c.slug, "number": 1},
        "consult:email": {"slug": c.slug},
        "consult:check": {"slug": c.slug},
        "consult:done": {"slug": c.slug},
        "consult:verify": {"token": "not-a-token"},
        "consult:results": {"slug": c.slug},
        "consult:manage_detail": {"pk": c.pk},
        "consult:manage_edit": {"pk": c.pk},
        "consult:manage_publish": {"pk": c.pk},
        "consult:manage_responses": {"pk": c.pk},
        "consult:manage_response": {"pk": r.pk},
        "consult:manage_moderate": {"pk": c.pk},
        "consult:manage_answer": {"pk": r.answers.get().pk},
        "consult:manage_themes": {"pk": c.pk},
        "consult:manage_results": {"pk": c.pk},
        "consult:manage_publish_results": {"pk": c.pk},
        "consult:manage_export": {"pk": c.pk, "fmt": "yaml"},
        "consult:manage_meeting": {"pk": meeting.pk},
        "consult:manage_change": {"pk": change.pk},
        "consult:manage_approve": {"kind": "meeting", "pk": meeting.pk},
    }
