"""Usernames unique ignoring case (issue 15, item 8): the database constraint, sign-in and the
user form (the migration that names accounts clashing already: test_accounts_migrations.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from factories import PASSWORD

from safercity.web.accounts.models import User


def _form(admin: User, **fields: str) -> dict[str, Any]:
    return {
        "first_name": "Synthetic",
        "last_name": "Person",
        "email": "synthetic@example.org",
        "agency": str(admin.agency.pk),  # type: ignore[union-attr]
        "role": "analyst",
        "is_active": "on",
        "password": "a-much-longer-passphrase",
        **fields,
    }


@pytest.mark.django_db
def test_the_database_refuses_a_username_differing_only_by_case(make_user: Any) -> None:
    make_user("analyst", username="victim3")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="VICTIM3")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Victim3")
    User.objects.create(username="victim4")  # a different name is fine


@pytest.mark.django_db
def test_the_user_form_refuses_a_clash_on_the_username_field(client: Any, make_user: Any) -> None:
    admin = make_user("administrator")
    victim = make_user("case_worker", username="victim3")
    client.force_login(admin)
    page = client.post(reverse("accounts:user_new"), _form(admin, username="VICTIM3"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="#id_username">There is already a user with that username' in html
    assert User.objects.filter(username__iexact="victim3").count() == 1
    # renaming another account onto it is refused the same way
    other = make_user("case_worker", username="other")
    page = client.post(
        reverse("accounts:user_edit", args=[other.pk]), _form(admin, username="Victim3")
    )
    html = page.content.decode()
    assert 'href="#id_username">There is already a user with that username' in html
    other.refresh_from_db()
    assert other.username == "other"
    # the account itself may change the case of its own name
    response = client.post(
        reverse("accounts:user_edit", args=[victim.pk]), _form(admin, username="Victim3")
    )
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.username == "Victim3"


@pytest.mark.django_db
def test_usernames_are_ascii_so_look_alike_letters_cannot_pass_for_another(
    client: Any, make_user: Any
) -> None:
    admin = make_user("administrator", username="admin")
    client.force_login(admin)
    cyrillic_a = "\u0430"
    page = client.post(reverse("accounts:user_new"), _form(admin, username=f"{cyrillic_a}dmin"))
    assert "Username must be letters A to Z, digits and @ . + - _ only" in page.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_sign_in_finds_the_account_whatever_the_case_typed(make_user: Any) -> None:
    user = make_user("analyst", username="Victim3")
    for typed in ("victim3", "VICTIM3", "Victim3"):
        client = Client()
        response = client.post(reverse("accounts:login"), {"username": typed, "password": PASSWORD})
        assert response.status_code == 302, typed
        assert client.session["_auth_user_id"] == str(user.pk)
    # Django's own look-up (createsuperuser, ModelBackend) ignores case as well
    assert User.objects.get_by_natural_key("VICTIM3") == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("victim")
