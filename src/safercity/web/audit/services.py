"""Writing, searching and exporting the audit log."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from . import registry
from .middleware import current_request
from .models import AuditEvent


def _actor(request: HttpRequest | None) -> tuple[Any, str, str | None]:
    if request is None:
        return None, "system", None
    user = getattr(request, "user", None)
    ip = request.META.get("REMOTE_ADDR") or None
    if user is not None and user.is_authenticated:
        return user, user.get_username(), ip
    return None, "anonymous", ip


def record(
    request: HttpRequest | None,
    action: str,
    obj: models.Model | None = None,
    *,
    model: str = "",
    object_id: str = "",
    summary: str = "",
    actor_name: str = "",
    subject: str = "",
    purpose: str = "",
    recipient: str = "",
) -> AuditEvent:
    """Write one audit row. ``request`` gives the actor (``None``: the system); ``actor_name``
    names an actor with no account (a sign-in under a username that does not exist).
    ``subject`` is the pseudonymous reference of the person the row is about (a record that has
    an ``audit_subject`` gives its own); ``purpose`` and ``recipient`` describe a disclosure."""
    if request is None:
        request = current_request()
    user, name, ip = _actor(request)
    if actor_name and user is None:
        name = actor_name
    if action in {"login", "login_failed"} and obj is not None and user is None:
        name = getattr(obj, "username", name)
        user = obj if action == "login" else None
    if obj is not None:
        model = model or obj._meta.label
        object_id = object_id or str(obj.pk)
        subject = subject or str(getattr(obj, "audit_subject", "") or "")
    return AuditEvent.objects.create(
        actor=user,
        actor_name=name,
        action=action,
        model=model,
        object_id=object_id,
        summary=summary[:2000],
        ip_address=ip,
        subject=subject,
        purpose=purpose[:300],
        recipient=recipient[:300],
    )


def record_many(
    request: HttpRequest | None,
    action: str,
    objects: Iterable[models.Model],
    *,
    summary: str,
) -> list[AuditEvent]:
    """One row for each of ``objects`` (the people a list or search shows), written in one
    statement. Each row's subject is the object's ``audit_subject``."""
    if request is None:
        request = current_request()
    user, name, ip = _actor(request)
    rows = [
        AuditEvent(
            actor=user,
            actor_name=name,
            action=action,
            model=obj._meta.label,
            object_id=str(obj.pk),
            summary=summary[:2000],
            ip_address=ip,
            subject=str(getattr(obj, "audit_subject", "") or ""),
        )
        for obj in objects
    ]
    return AuditEvent.objects.bulk_create(rows) if rows else []


def record_change(obj: models.Model, action: str, summary: str = "") -> AuditEvent:
    return record(None, action, obj, summary=summary or f"{action} {obj}")


def viewed(request: HttpRequest, obj: models.Model) -> AuditEvent | None:
    """Call from every view that shows a record: logs it when the record is personal."""
    if not registry.is_personal(obj):
        return None
    return record(request, AuditEvent.Action.VIEW, obj, summary=f"viewed {obj}")


def search(
    *,
    text: str = "",
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if text:
        qs = qs.filter(
            Q(summary__icontains=text) | Q(model__icontains=text) | Q(object_id__icontains=text)
        )
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs.order_by("-created_at")


CSV_FIELDS = [
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_FIELDS)
    for e in events:
        yield writer.writerow(
            [
                e.created_at.isoformat(),
                _safe_cell(e.actor_name),
                e.action,
                _safe_cell(e.model),
                _safe_cell(e.object_id),
                _safe_cell(e.summary),
                e.ip_address or "",
                _safe_cell(e.subject),
                _safe_cell(e.purpose),
                _safe_cell(e.recipient),
            ]
        )


def _safe_cell(value: str) -> str:
    """Defuses spreadsheet formula injection in exported text (OWASP's list of leading
    characters a spreadsheet may read as a formula)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
