"""Model signals: every create, update and delete of an audited model writes one audit row.

An update row says which fields changed, with their old and new values (secrets only as
"changed"), so that, say, a user made an administrator stands out in the log. The values a
record was loaded with are kept on it when it is created in memory (``post_init``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_init, post_save

from . import registry, services

#: fields whose values never go into the log, only that they changed
SECRET_FIELDS = frozenset({"password", "totp_secret"})
#: longest value shown in a change summary
MAX_VALUE = 80
_SNAPSHOT = "_audit_snapshot"


def _values(instance: models.Model) -> dict[str, Any]:
    # the instance's own dict: a deferred field (``.only()``) is left out, not loaded
    held = instance.__dict__
    return {f.attname: held[f.attname] for f in instance._meta.concrete_fields if f.attname in held}


def _loaded(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if registry.audited(sender) is not None:
        instance.__dict__[_SNAPSHOT] = _values(instance)


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(instance: models.Model, ignore: frozenset[str]) -> list[str]:
    """``field: old → new`` for each field that differs from the values the record was loaded
    (or last saved) with; ``updated_at`` and ``ignore`` left out."""
    before = instance.__dict__.get(_SNAPSHOT, {})
    out = []
    for name, new in _values(instance).items():
        if name not in before:
            continue
        old = before[name]
        if old == new or name in ignore or name == "updated_at":
            continue
        label = name.removesuffix("_id")
        if name in SECRET_FIELDS:
            out.append(f"{label} changed")
        else:
            out.append(f"{label}: {_shown(old)} → {_shown(new)}")
    return out


def _saved(sender: type[models.Model], instance: models.Model, created: bool, **kw: Any) -> None:
    entry = registry.audited(sender)
    if entry is None or kw.get("raw"):
        return
    update_fields = kw.get("update_fields")
    if not created and update_fields is not None and set(update_fields) <= entry.ignore_fields:
        instance.__dict__[_SNAPSHOT] = _values(instance)
        return
    if created:
        services.record_change(instance, "create")
    else:
        what = changes(instance, entry.ignore_fields)
        services.record_change(
            instance, "update", f"update {instance}: " + ("; ".join(what) or "no field changed")
        )
    instance.__dict__[_SNAPSHOT] = _values(instance)


def _deleted(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if registry.audited(sender) is None:
        return
    services.record_change(instance, "delete")


def connect() -> None:
    post_init.connect(_loaded, dispatch_uid="safercity-audit-init")
    post_save.connect(_saved, dispatch_uid="safercity-audit-save")
    post_delete.connect(_deleted, dispatch_uid="safercity-audit-delete")
