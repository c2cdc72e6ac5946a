"""Every URL pattern, as every role and as the public, against an explicit decision table.

A URL added without a row here fails ``test_every_url_has_a_decision``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES

# status for:        anonymous, administrator, analyst, board_member, action_owner, case_worker
PUBLIC = (200, 200, 200, 200, 200, 200)
ANALYSIS = (302, 200, 200, 200, 200, 403)
IMPORT = (302, 200, 200, 403, 403, 403)
ADMIN = (302, 200, 403, 403, 403, 403)
ACCOUNT = (302, 200, 200, 200, 200, 200)
API = (401, 200, 200, 200, 200, 403)

DECISIONS: dict[str, tuple[int, ...]] = {
    "core:home": PUBLIC,
    "core:accessibility": PUBLIC,
    "core:privacy": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:code": (302,) * 6,  # no password step pending: back to sign in
    "accounts:new_password": (302,) * 6,  # no reset sign-in pending: back to sign in
    "accounts:logout": (405,) * 6,  # POST only
    "accounts:security": ACCOUNT,
    "accounts:change_password": ACCOUNT,
    "accounts:two_step": ACCOUNT,
    "accounts:users": ADMIN,
    "accounts:user_new": ADMIN,
    "accounts:user": ADMIN,
    "accounts:user_edit": ADMIN,
    "accounts:user_unlock": (302, 405, 403, 403, 403, 403),  # POST only, administrators
    "accounts:user_reset": ADMIN,
    "accounts:agencies": ADMIN,
    "audit:search": ADMIN,
    "audit:export": ADMIN,
    "analysis:overview": ANALYSIS,
    "analysis:trend": ANALYSIS,
    "analysis:map": ANALYSIS,
    "analysis:hours": ANALYSIS,
    "analysis:rankings": ANALYSIS,
    "analysis:stop_search": ANALYSIS,
    "imports:list": IMPORT,
    "imports:job": IMPORT,
    "imports:retry": (302, 405, 405, 403, 403, 403),  # POST only, those who import
    "api:docs": PUBLIC,
    "api:schema": PUBLIC,
    "api:overview": API,
    "api:choices": API,
    "api:trend": API,
    "api:hotspots": API,
    "api:hours": API,
    "api:rankings": API,
}


def _app_decisions() -> dict[str, tuple[int, ...]]:
    """Domain apps state their own decisions: ``URL_DECISIONS`` in ``<app>/permissions.py``,
    same role order as above, keyed ``"<namespace>:<name>"``."""
    import importlib

    from django.conf import settings

    out: dict[str, tuple[int, ...]] = {}
    for name in settings.OPTIONAL_APPS:
        if f"safercity.web.{name}" not in settings.INSTALLED_APPS:
            continue
        try:
            module = importlib.import_module(f"safercity.web.{name}.permissions")
        except ModuleNotFoundError:
            continue
        out.update(getattr(module, "URL_DECISIONS", {}))
    return out


DECISIONS.update(_app_decisions())


def _names(patterns: list[Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            out += _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            assert p.name, f"URL pattern {p.pattern} has no name"
            out.append(prefix + p.name)
    return out


def test_every_url_has_a_decision() -> None:
    names = _names(get_resolver().url_patterns)
    assert len(names) == len(set(names)), "duplicate URL names"
    assert set(names) == set(DECISIONS), (
        f"no decision for {sorted(set(names) - set(DECISIONS))}; "
        f"stale decision for {sorted(set(DECISIONS) - set(names))}"
    )


def test_every_view_states_its_access() -> None:
    zero = "00000000-0000-0000-0000-000000000000"
    for name in DECISIONS:
        try:
            url = _url(name, {"pk": zero, "job": zero})
        except NoReverseMatch:  # app URL with other arguments: checked in the status test
            continue
        match = get_resolver().resolve(url)
        assert getattr(match.func, "capability", None), f"{name} does not state who may use it"


def _url(name: str, objects: dict[str, Any]) -> str:
    if name in {
        "accounts:user",
        "accounts:user_edit",
        "accounts:user_unlock",
        "accounts:user_reset",
    }:
        return reverse(name, kwargs={"pk": objects["pk"]})
    if name in {"imports:job", "imports:retry"}:
        return reverse(name, kwargs={"pk": objects["job"]})
    if name in objects.get("apps", {}):
        return reverse(name, kwargs=objects["apps"][name])
    return reverse(name)


def _app_examples() -> dict[str, dict[str, Any]]:
    """Domain apps whose URLs take arguments provide ``url_examples()`` in
    ``<app>/permissions.py``: it creates example records (in the test's database) and returns
    ``{"<namespace>:<name>": {reverse kwargs}}``."""
    import importlib

    from django.conf import settings

    out: dict[str, dict[str, Any]] = {}
    for name in settings.OPTIONAL_APPS:
        if f"safercity.web.{name}" not in settings.INSTALLED_APPS:
            continue
        try:
            module = importlib.import_module(f"safercity.web.{name}.permissions")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "url_examples"):
            out.update(module.url_examples())
    return out


@pytest.fixture
def objects(make_user: Any) -> dict[str, Any]:
    from safercity.web.imports.models import ImportJob

    person = make_user("board_member", username="subject")
    job = ImportJob.objects.create(
        uploaded_by=person, original_name="x.csv", stored_path="/x", status=ImportJob.Status.DONE
    )
    return {"pk": person.pk, "job": job.pk, "person": person, "apps": _app_examples()}


#: pages that show the example person's details (their email address): each must audit the view
SHOWS_PERSON = {"accounts:user", "accounts:user_edit"}


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_url_status_for_every_role(
    name: str, client: Any, make_user: Any, objects: dict[str, Any]
) -> None:
    from safercity.web.audit.models import AuditEvent

    url = _url(name, objects)
    person = objects["person"]
    got = {}
    shown_to = []
    for k, role in enumerate(ROLES):
        client.logout()
        if role != "anonymous":
            client.force_login(make_user(role))
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        response = client.get(url)
        got[role] = (response.status_code, DECISIONS[name][k])
        raw = b""
        if response.status_code == 200:
            stream = getattr(response, "streaming_content", None)
            raw = b"".join(stream) if response.streaming and stream else response.content
        body = raw.decode(errors="replace")
        if person.email in body:
            # any page that shows a person's details leaves one "view" row for them, whoever
            # looks: a page added without the audit call fails here
            shown_to.append(role)
            views = AuditEvent.objects.exclude(pk__in=before).filter(
                action="view", object_id=str(person.pk)
            )
            assert views.count() == 1, f"{name} shows {person} to {role} without auditing it"
    wrong = {r: g for r, g in got.items() if g[0] != g[1]}
    assert not wrong, f"{name} {url}: (got, expected) {wrong}"
    # the check above is not vacuous: the person pages do show the person (to administrators)
    assert (name in SHOWS_PERSON) == bool(shown_to), f"{name} shown to {shown_to}"


@pytest.mark.django_db
def test_navigation_follows_the_role_of_the_user_signed_in(client: Any, make_user: Any) -> None:
    def nav() -> list[str]:
        return [item["label"] for item in client.get(reverse("core:home")).context["service_nav"]]

    assert nav() == ["Home"]
    user = make_user("analyst")
    client.force_login(user)
    analyst = nav()
    assert "Crime analysis" in analyst and "Imports" in analyst and "Users" not in analyst
    user.role = "board_member"  # the navigation is the role's, never remembered for the user
    user.save()
    board = nav()
    assert "Crime analysis" in board and "Imports" not in board
    user.role = "administrator"
    user.save()
    assert {"Admin", "Imports"} <= set(nav())
    client.logout()
    assert nav() == ["Home"]
