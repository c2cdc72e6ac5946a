"""The audit log: one row per change and per view of a personal record; append-only; admin search."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from safercity.web.accounts.models import Agency, User
from safercity.web.audit.models import AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


def _new_rows(before: set[Any]) -> list[AuditEvent]:
    return list(AuditEvent.objects.exclude(pk__in=before).order_by("created_at"))


def _ids() -> set[Any]:
    return set(AuditEvent.objects.values_list("pk", flat=True))


def test_create_update_delete_each_leave_exactly_one_row(make_user: Any, client: Any) -> None:
    admin = make_user("administrator")
    client.force_login(admin)
    before = _ids()
    agency = Agency.objects.create(name="Westminster Drug Project", kind=Agency.Kind.VOLUNTARY)
    rows = _new_rows(before)
    assert [(r.action, r.model, r.object_id) for r in rows] == [
        ("create", "accounts.Agency", str(agency.pk))
    ]

    before = _ids()
    agency.name = "WDP"
    agency.save()
    rows = _new_rows(before)
    assert [(r.action, r.object_id) for r in rows] == [("update", str(agency.pk))]

    before = _ids()
    pk = agency.pk
    agency.delete()
    rows = _new_rows(before)
    assert [(r.action, r.object_id) for r in rows] == [("delete", str(pk))]


def test_change_through_a_page_records_who(make_user: Any, client: Any) -> None:
    admin = make_user("administrator", username="boss")
    target = make_user("analyst")
    client.force_login(admin)
    before = _ids()
    response = client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {
            "username": target.username,
            "first_name": "New",
            "last_name": "Name",
            "email": target.email,
            "agency": target.agency.pk,
            "role": "board_member",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rows = _new_rows(before)
    assert [(r.action, r.model, r.object_id, r.actor_name) for r in rows] == [
        ("update", "accounts.User", str(target.pk), "boss")
    ]
    target.refresh_from_db()
    assert target.role == "board_member"
    # the row says what changed, old and new (a change of role must stand out)
    summary = rows[0].summary
    assert "role: 'analyst' → 'board_member'" in summary
    # a name is personal: that it changed is logged, not the old or new name
    assert "first_name changed" in summary and "New" not in summary.split(":", 1)[1]
    assert "email" not in summary and "updated_at" not in summary  # unchanged / bookkeeping


def test_secrets_are_logged_as_changed_never_by_value(make_user: Any) -> None:
    user = make_user("analyst")
    user = User.objects.get(pk=user.pk)
    before = _ids()
    user.set_password("another long passphrase 42")
    user.save()
    (row,) = _new_rows(before)
    assert "password changed" in row.summary
    assert user.password not in row.summary


def test_edit_form_unlock_and_audit_search_are_recorded(make_user: Any, client: Any) -> None:
    admin = make_user("administrator", username="boss")
    person = make_user("case_worker")
    client.force_login(admin)
    before = _ids()
    assert client.get(reverse("accounts:user_edit", args=[person.pk])).status_code == 200
    assert client.post(reverse("accounts:user_unlock", args=[person.pk])).status_code == 302
    assert client.get(reverse("audit:search"), {"actor": "boss"}).status_code == 200
    rows = _new_rows(before)
    assert [(r.action, r.model, r.object_id, r.actor_name) for r in rows] == [
        ("view", "accounts.User", str(person.pk), "boss"),
        ("update", "accounts.User", str(person.pk), "boss"),
        ("view", "audit.AuditEvent", "", "boss"),
    ]
    assert rows[1].summary.startswith("unlocked ")
    assert "searched audit log" in rows[2].summary


def test_audit_rows_outlive_attempts_to_delete_their_actor(make_user: Any) -> None:
    from django.db.models import ProtectedError

    user = make_user("analyst")
    from safercity.web.audit import services as audit

    audit.record(None, "login", user, summary="signed in")
    with pytest.raises(ProtectedError):  # deactivate an account; never delete it
        user.delete()
    # Django's internal manager is the guarded one too
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent._base_manager.filter(actor=user).delete()
    assert AuditEvent.objects.filter(actor=user).exists()


def test_database_refuses_to_change_audit_rows_on_postgresql(make_user: Any) -> None:
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (the PostgreSQL pass of the suite runs this)")
    make_user("analyst")
    event = AuditEvent.objects.first()
    assert event is not None
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    for sql in (f"UPDATE {table} SET summary = 'x'", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match="audit rows cannot be changed or deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).summary != "x"


def test_view_of_a_personal_record_leaves_one_row(make_user: Any, client: Any) -> None:
    admin = make_user("administrator", username="viewer")
    person = make_user("case_worker")
    client.force_login(admin)
    before = _ids()
    assert client.get(reverse("accounts:user", args=[person.pk])).status_code == 200
    rows = _new_rows(before)
    assert [(r.action, r.model, r.object_id, r.actor_name) for r in rows] == [
        ("view", "accounts.User", str(person.pk), "viewer")
    ]


def test_views_of_non_personal_pages_leave_no_row(make_user: Any, client: Any) -> None:
    client.force_login(make_user("administrator"))
    before = _ids()
    for name in ("accounts:users", "accounts:agencies", "analysis:overview"):
        assert client.get(reverse(name)).status_code == 200
    assert _new_rows(before) == []


def test_rows_cannot_be_changed_or_deleted(make_user: Any) -> None:
    make_user("analyst")
    event = AuditEvent.objects.first()
    assert event is not None
    event.summary = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary != "tampered"
    # no change or delete permission exists for anyone
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"add_auditevent", "view_auditevent"}


def test_administrator_searches_and_exports(make_user: Any, client: Any) -> None:
    admin = make_user("administrator", username="chief")
    Agency.objects.create(name="Needle in a haystack")
    Agency.objects.create(name="Something else")
    client.force_login(admin)
    page = client.get(reverse("audit:search"), {"text": "haystack", "action": "create"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    bad = client.get(reverse("audit:search"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "The end date must be the same as or after the start date" in bad.content.decode()

    before = _ids()
    export = client.get(reverse("audit:export"), {"text": "haystack"})
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == [
        "when",
        "who",
        "action",
        "model",
        "object_id",
        "summary",
        "ip_address",
        "subject",
        "purpose",
        "recipient",
    ]
    # newest first: the search above is itself in the log (reading the log is recorded)
    assert [(r[1], r[2]) for r in rows[1:]] == [("chief", "view"), ("system", "create")]
    assert "searched audit log" in rows[1][5] and "haystack" in rows[2][5]
    assert [r.action for r in _new_rows(before)] == ["export"]


def test_only_saved_fields_are_reported_and_a_reload_is_not_a_change(make_user: Any) -> None:
    user = User.objects.get(pk=make_user("analyst").pk)
    user.first_name = "Edited but not saved"
    user.role = "board_member"
    before = _ids()
    user.save(update_fields=["role", "updated_at"])
    (row,) = _new_rows(before)
    assert "role: 'analyst' → 'board_member'" in row.summary and "first_name" not in row.summary
    user.refresh_from_db()
    before = _ids()
    user.save()
    (row,) = _new_rows(before)
    assert row.summary.endswith("no field changed")


def test_export_defuses_spreadsheet_formulas(make_user: Any, client: Any) -> None:
    client.force_login(make_user("administrator"))
    Agency.objects.create(name='=HYPERLINK("http://x")')
    AuditEvent.objects.create(
        actor_name="@SUM(1)", action="login_failed", model="\t=1", object_id="+1",
        summary="-2 HYPERLINK",
    )  # fmt: skip
    export = client.get(reverse("audit:export"), {"text": "HYPERLINK"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))[1:]
    assert len(rows) == 2
    # every text cell a person or a sign-in form could fill starts with a quote, not a formula
    cells = [cell for r in rows for cell in (r[1], r[3], r[4], r[5]) if cell]
    assert all(cell[0] not in "=+-@\t\r" for cell in cells), cells
    assert "'@SUM(1)" in [r[1] for r in rows]


def test_sign_in_and_sign_out_are_logged(client: Any, make_user: Any) -> None:
    user = make_user("analyst", username="ana")
    before = _ids()
    from factories import PASSWORD

    client.post(reverse("accounts:login"), {"username": "ana", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": "nobody", "password": "x"})
    assert [(r.action, r.object_id, r.actor_name) for r in _new_rows(before)] == [
        ("login_failed", str(user.pk), "ana"),
        ("login", str(user.pk), "ana"),
        ("logout", str(user.pk), "ana"),
        ("login_failed", "", "unknown username"),
    ]
    assert "nobody" not in AuditEvent.objects.order_by("-created_at").first().summary  # type: ignore[union-attr]
    assert User.objects.get(pk=user.pk).failed_logins == 0


def test_rows_carry_the_subject_and_a_disclosure_its_purpose_and_recipient(
    make_user: Any,
) -> None:
    """Case work (issue 13): the person a row is about, and DPA 2018 s.62's purpose and
    recipient of a disclosure, are kept and exported; the rows stay append-only."""
    from safercity.web.audit import services
    from safercity.web.audit.models import AuditEvent, AuditLogIsAppendOnly

    row = services.record(
        None,
        "disclose",
        model="cases.Case",
        object_id="c1",
        subject="p1",
        purpose="transfer to another MARAC",
        recipient="Kensington and Chelsea MARAC",
    )
    stored = AuditEvent.objects.get(pk=row.pk)
    assert (stored.subject, stored.purpose, stored.recipient) == (
        "p1",
        "transfer to another MARAC",
        "Kensington and Chelsea MARAC",
    )
    csv_text = "".join(services.csv_rows([stored]))
    assert "Kensington and Chelsea MARAC" in csv_text and ",p1," in csv_text
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=row.pk).update(subject="")


def test_record_many_writes_one_row_for_each_record_shown(make_user: Any) -> None:
    from safercity.web.audit import services

    people = [make_user("analyst"), make_user("analyst")]
    before = _ids()
    rows = services.record_many(None, "view", people, summary="listed")
    new = _new_rows(before)
    assert len(rows) == len(new) == 2
    assert {r.object_id for r in new} == {str(p.pk) for p in people}
    assert {r.summary for r in new} == {"listed"} and {r.actor_name for r in new} == {"system"}
    assert services.record_many(None, "view", [], summary="none") == []
