"""Model signals: every create, update and delete of an audited model writes one audit row.

An update row says which fields changed. For a record that is not personal it gives their old
and new values; for a personal one (a person's account) only the fields registered as safe to
show (role, active, two-step sign-in: what makes a change of privilege stand out) give values,
and the others, like a name or an email address, are logged as "changed", so that the
append-only log does not keep copies of personal details. Secrets are never shown. The values
before the change are read from the database just before it is saved."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from . import registry, services

#: fields whose values never go into the log, only that they changed
SECRET_FIELDS = frozenset({"password", "totp_secret"})
#: longest value shown in a change summary
MAX_VALUE = 80
_BEFORE = "_audit_before"


def _before_save(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    """Keep the stored values of the fields about to be saved (one query, audited models only)."""
    if registry.audited(sender) is None or kw.get("raw") or instance._state.adding:
        return
    fields = kw.get("update_fields")
    names = [
        f.attname
        for f in instance._meta.concrete_fields
        if fields is None or f.name in fields or f.attname in fields
    ]
    stored = sender._base_manager.filter(pk=instance.pk).values(*names).first()
    instance.__dict__[_BEFORE] = stored or {}


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(instance: models.Model, entry: registry.Audited) -> list[str]:
    """``field: old → new`` (or ``field changed``) for each saved field whose value differs
    from the stored one; ``updated_at`` and the entry's ignored fields left out."""
    before = instance.__dict__.pop(_BEFORE, {})
    out = []
    for name, old in before.items():
        new = instance.__dict__.get(name, old)
        if old == new or name in entry.ignore_fields or name == "updated_at":
            continue
        label = name.removesuffix("_id")
        hidden = name in SECRET_FIELDS or (
            entry.personal and name not in entry.shown_values and label not in entry.shown_values
        )
        out.append(f"{label} changed" if hidden else f"{label}: {_shown(old)} → {_shown(new)}")
    return out


def _saved(sender: type[models.Model], instance: models.Model, created: bool, **kw: Any) -> None:
    entry = registry.audited(sender)
    if entry is None or kw.get("raw"):
        return
    update_fields = kw.get("update_fields")
    if not created and update_fields is not None and set(update_fields) <= entry.ignore_fields:
        instance.__dict__.pop(_BEFORE, None)
        return
    if created:
        services.record_change(instance, "create")
    else:
        what = changes(instance, entry)
        services.record_change(
            instance, "update", f"update {instance}: " + ("; ".join(what) or "no field changed")
        )


def _deleted(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if registry.audited(sender) is None:
        return
    services.record_change(instance, "delete")


def connect() -> None:
    pre_save.connect(_before_save, dispatch_uid="safercity-audit-before")
    post_save.connect(_saved, dispatch_uid="safercity-audit-save")
    post_delete.connect(_deleted, dispatch_uid="safercity-audit-delete")
