"""Need-to-know, as a table of decisions: who gets which case, person, search hit, count,
export and page, and who gets nothing, not even a hint that it exists.

Every probe is made as every user of the world (tests/web/test_cases_world.py); the table says
who sees. Whoever does not see gets the status in the table and a body that names nobody.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from test_cases_world import CHILD, HEALTH_ANSWER, HEALTH_MINUTE, OFFENDER, VICTIM, World, world

__all__ = ["world"]
pytestmark = pytest.mark.django_db

USERS = [
    "marac_police",
    "marac_chair",
    "marac_council",
    "iom_probation",
    "admin",
    "fire_in_marac",
    "housing_in_marac",
    "outsider",
]
MARAC = {"marac_police", "marac_chair", "marac_council"}
IOM = {"iom_probation"}
CHAIR = {"marac_chair"}
NAMES = [" ".join(VICTIM), " ".join(CHILD), " ".join(OFFENDER), VICTIM[1], OFFENDER[1]]

Probe = Callable[[Any, World], Any]


def _get(name: str, key: Callable[[World], dict[str, Any]]) -> Probe:
    return lambda client, w: client.get(reverse(name, kwargs=key(w)))


def _post(name: str, key: Callable[[World], dict[str, Any]] | None, data: dict[str, str]) -> Probe:
    return lambda client, w: client.post(reverse(name, kwargs=key(w) if key else {}), data)


def _case(k: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": w.cases[k].pk}


def _person(k: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": w.people[k].pk}


def _cohort(k: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": w.cohorts[k].pk}


# probe: (request, users who see, status for the others, what those who see find in the page)
DECISIONS: dict[str, tuple[Probe, set[str], int, list[str]]] = {
    "MARAC case": (_get("cases:case", _case("marac")), MARAC, 404, [" ".join(VICTIM)]),
    "MARAC case status form": (_get("cases:case_status", _case("marac")), MARAC, 404, ["Change the status"]),
    "victim": (_get("cases:person", _person("victim")), MARAC, 404, [" ".join(VICTIM)]),
    "child in the household": (_get("cases:person", _person("child")), MARAC, 404, [" ".join(CHILD)]),
    "IOM case": (_get("cases:case", _case("iom")), IOM, 404, [" ".join(OFFENDER)]),
    "offender": (_get("cases:person", _person("offender")), IOM, 404, [" ".join(OFFENDER)]),
    "MARAC list": (_get("cases:cohort", _cohort("marac")), MARAC, 404, [" ".join(VICTIM)]),
    "MARAC figures": (_get("cases:figures", _cohort("marac")), MARAC, 404, ["Referrals by month"]),
    "MARAC meeting": (
        lambda c, w: c.get(reverse("cases:meeting", kwargs={"pk": w.meetings["marac"].pk})),
        MARAC, 404, [" ".join(VICTIM)],
    ),
    "MARAC action": (
        lambda c, w: c.get(reverse("cases:action", kwargs={"pk": w.actions["marac"].pk})),
        MARAC, 404, ["Synthetic action"],
    ),
    "IOM action": (
        lambda c, w: c.get(reverse("cases:action", kwargs={"pk": w.actions["iom"].pk})),
        IOM, 404, ["Synthetic IOM action"],
    ),
    "MARAC export": (
        _post("cases:case_export", _case("marac"), {"purpose": "court bundle", "recipient": "Court", "format": "json"}),
        MARAC, 404, [VICTIM[1]],
    ),
    "victim's access history": (_get("cases:person_history", _person("victim")), CHAIR, 404, ["Access history"]),
    "victim's subject access": (
        _post("cases:subject_access", _person("victim"), {"requested_by": "The data subject"}),
        CHAIR, 404, [VICTIM[1]],
    ),
    "MARAC transfer form": (_get("cases:case_transfer", _case("marac")), CHAIR, 404, ["Transfer"]),
    "search for the victim": (
        _post("cases:find", None, {"family_name": VICTIM[1]}), MARAC, 0, [" ".join(VICTIM)],
    ),
    "search for the offender": (
        _post("cases:find", None, {"family_name": OFFENDER[1]}), IOM, 0, [" ".join(OFFENDER)],
    ),
    "case-work home": (lambda c, w: c.get(reverse("cases:home")), MARAC | IOM, 403, ["Your cohorts"]),
}  # fmt: skip
#: who, of those who do not see, gets 403 on the lists (no cohort at all) rather than a page
NO_CASE_WORK = {"admin", "fire_in_marac", "housing_in_marac", "outsider"}


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("probe", sorted(DECISIONS))
def test_decision_table(probe: str, client: Any, world: World) -> None:
    request, sees, status, shown = DECISIONS[probe]
    got: dict[str, tuple[int, bool]] = {}
    for name in USERS:
        client.force_login(world.users[name])
        response = request(client, world)
        body = _body(response)
        if name in sees:
            assert response.status_code == 200, (probe, name, response.status_code)
            assert all(s in body for s in shown), (probe, name)
        else:
            expected = status or (403 if name in NO_CASE_WORK else 200)
            got[name] = (response.status_code, expected)
            # what the user typed comes back in the form's value="..." attributes: not a leak
            shown_text = re.sub(r'value="[^"]*"', "", body)
            leaked = [n for n in NAMES if n in shown_text]
            assert not leaked, f"{probe} shows {leaked} to {name}"
    wrong = {n: g for n, g in got.items() if g[0] != g[1]}
    assert not wrong, f"{probe}: (got, expected) {wrong}"


def test_a_404_for_a_hidden_case_is_the_404_for_no_case(client: Any, world: World) -> None:
    client.force_login(world.users["iom_probation"])
    hidden = client.get(reverse("cases:case", kwargs={"pk": world.cases["marac"].pk}))
    missing = client.get(
        reverse("cases:case", kwargs={"pk": "00000000-0000-0000-0000-000000000000"})
    )
    assert hidden.status_code == missing.status_code == 404
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", _body(hidden)) == token.sub("", _body(missing))


def test_counts_are_over_what_the_user_may_see(client: Any, world: World) -> None:
    from safercity.web.cases.models import Case

    # a second MARAC case the IOM worker must not count, and an IOM one the MARAC worker must not
    client.force_login(world.users["iom_probation"])
    page = client.get(reverse("cases:home"))
    cohorts = {c.key: c for c in page.context["cohorts"]}
    assert set(cohorts) == {"iom"} and cohorts["iom"].open_cases == 1
    client.force_login(world.users["marac_police"])
    page = client.get(reverse("cases:home"))
    assert {c.key for c in page.context["cohorts"]} == {"marac"}
    assert page.context["cohorts"][0].open_cases == Case.objects.filter(cohort__key="marac").count()
    figures = client.get(reverse("cases:figures", kwargs={"pk": world.cohorts["marac"].pk}))
    assert sum(figures.context["f"].referrals_by_month.values()) == 1


def test_health_answers_and_notes_only_for_health_and_the_chair(client: Any, world: World) -> None:
    url = reverse("cases:case", kwargs={"pk": world.cases["marac"].pk})
    seen = {}
    for name in ("marac_police", "marac_chair", "marac_council"):
        client.force_login(world.users[name])
        body = _body(client.get(url))
        seen[name] = (HEALTH_ANSWER in body, HEALTH_MINUTE in body)
    assert seen == {
        "marac_police": (False, False),
        "marac_chair": (True, True),
        "marac_council": (False, False),
    }
    # nor in an export by a member who may not read them
    client.force_login(world.users["marac_police"])
    export = client.post(
        reverse("cases:case_export", kwargs={"pk": world.cases["marac"].pk}),
        {"purpose": "court bundle", "recipient": "Court", "format": "json"},
    )
    assert HEALTH_ANSWER not in _body(export) and HEALTH_MINUTE not in _body(export)
    # a member who may not read restricted answers cannot blank them either
    client.post(
        reverse("cases:case_answers", kwargs={"pk": world.cases["marac"].pk}),
        {"q_referral_criterion": "repeat", "q_dash_score": "17"},
    )
    world.cases["marac"].refresh_from_db()
    assert world.cases["marac"].restricted_answers == {"health_information": HEALTH_ANSWER}
    assert world.cases["marac"].answers["dash_score"] == 17


def test_only_the_details_a_cohort_collects_are_shown(client: Any, world: World) -> None:
    # MARAC does not collect e-mail addresses (data minimisation): the one on record is not shown
    client.force_login(world.users["marac_chair"])
    body = _body(client.get(reverse("cases:person", kwargs={"pk": world.people["victim"].pk})))
    assert "zinnia.secret@example.org" not in body
    assert "CRIS-4455-ZQ" in body and "SW1E 6QP" in body and "Quibbleworth-Smith" in body
    # the IOM's offender: no NHS number field was collected, the probation reference was
    client.force_login(world.users["iom_probation"])
    body = _body(client.get(reverse("cases:person", kwargs={"pk": world.people["offender"].pk})))
    assert "X123456" in body


def test_administrators_configure_but_see_no_case(client: Any, world: World) -> None:
    client.force_login(world.users["admin"])
    assert client.get(reverse("cases:config")).status_code == 200
    page = client.get(reverse("cases:cohort_config", kwargs={"pk": world.cohorts["marac"].pk}))
    assert page.status_code == 200 and "marac_police" in _body(page)
    assert not any(n in _body(page) for n in NAMES)
    assert (
        client.get(reverse("cases:case", kwargs={"pk": world.cases["marac"].pk})).status_code == 404
    )
    # made a member, they see it
    from safercity.web.cases import cohorts

    cohorts.add_member(world.cohorts["marac"], world.users["admin"])
    assert (
        client.get(reverse("cases:case", kwargs={"pk": world.cases["marac"].pk})).status_code == 200
    )


def test_an_agreement_that_ends_ends_the_access_it_gave(client: Any, world: World) -> None:
    from safercity.web.cases.models import SharingAgreement

    client.force_login(world.users["marac_council"])
    url = reverse("cases:case", kwargs={"pk": world.cases["marac"].pk})
    assert client.get(url).status_code == 200
    SharingAgreement.objects.filter(title="MARAC agreement").update(withdrawn=True)
    assert client.get(url).status_code == 404
    # the lead agency (police) holds the cohort's data and needs no agreement with itself
    client.force_login(world.users["marac_police"])
    assert client.get(url).status_code == 200


def test_emergency_access(client: Any, world: World, settings: Any) -> None:
    case = world.cases["marac"]
    url = reverse("cases:case", kwargs={"pk": case.pk})
    emergency = reverse("cases:emergency")
    reason = "Child at risk tonight, no MARAC member reachable"
    # refused alike for a reference that does not exist and for an agency with no entitlement
    client.force_login(world.users["fire_in_marac"])
    refused = client.post(emergency, {"reference": case.reference, "reason": reason})
    client.force_login(world.users["outsider"])
    unknown = client.post(emergency, {"reference": "MARAC-ZZZZZZ", "reason": reason})
    message = re.compile(r"Emergency access could not be given[^<]*")
    assert message.findall(_body(refused)) == message.findall(_body(unknown)) != []
    assert not mail.outbox
    # a police case worker outside the cohort: granted for the cohort's hours, the chair told
    assert client.get(url).status_code == 404
    granted = client.post(emergency, {"reference": case.reference.lower(), "reason": reason})
    assert granted.status_code == 302 and granted["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and "emergency access" in _body(page)
    (alert,) = mail.outbox
    assert alert.to == ["marac_chair@example.org"] and reason in alert.body
    assert case.reference in alert.subject and VICTIM[1] not in alert.body
    # it reads only: no changes, no meetings, no person edits
    assert client.get(reverse("cases:case_status", kwargs={"pk": case.pk})).status_code == 404
    assert (
        client.get(reverse("cases:meeting", kwargs={"pk": world.meetings["marac"].pk})).status_code
        == 404
    )
    assert (
        client.get(
            reverse("cases:person_edit", kwargs={"pk": world.people["victim"].pk})
        ).status_code
        == 404
    )
    # and it ends
    from safercity.web.cases.models import EmergencyAccess

    EmergencyAccess.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 404
    # only case workers may ask
    client.force_login(world.users["admin"])
    assert client.get(emergency).status_code == 403


def test_guessing_references_for_emergency_access_stops_after_five_refusals(
    client: Any, world: World
) -> None:
    from safercity.web.cases.casework import MAX_REFUSALS_A_DAY

    client.force_login(world.users["outsider"])
    reason = "Child at risk tonight, no MARAC member reachable"
    for n in range(MAX_REFUSALS_A_DAY):
        client.post(reverse("cases:emergency"), {"reference": f"MARAC-GUESS{n}", "reason": reason})
    # the right reference now is refused too, with the same message
    page = client.post(
        reverse("cases:emergency"), {"reference": world.cases["marac"].reference, "reason": reason}
    )
    assert page.status_code == 200 and "Emergency access could not be given" in _body(page)
    assert (
        client.get(reverse("cases:case", kwargs={"pk": world.cases["marac"].pk})).status_code == 404
    )


def test_merging_needs_the_chair_and_people_the_chair_sees(client: Any, world: World) -> None:
    url = reverse("cases:merge", kwargs={"pk": world.people["victim"].pk})
    client.force_login(world.users["marac_police"])
    assert client.post(url, {"other": str(world.people["child"].pk)}).status_code == 404
    client.force_login(world.users["marac_chair"])
    # the offender is an IOM person: unseen, so 404 (not merged)
    assert client.post(url, {"other": str(world.people["offender"].pk)}).status_code == 404
    world.people["offender"].refresh_from_db()
    assert world.people["offender"].merged_into_id is None


def test_an_agreement_does_not_make_an_agency_a_member(client: Any, world: World) -> None:
    """The fire brigade signed the MARAC agreement (say, for home fire-safety visits) but is not
    one of the MARAC's member agencies: its staff made members still see nothing."""
    from test_cases_world import agency

    from safercity.web.cases.models import SharingAgreement

    SharingAgreement.objects.get(title="MARAC agreement").parties.add(agency("London Fire Brigade"))
    client.force_login(world.users["fire_in_marac"])
    assert (
        client.get(reverse("cases:case", kwargs={"pk": world.cases["marac"].pk})).status_code == 404
    )
    assert client.get(reverse("cases:home")).status_code == 403
