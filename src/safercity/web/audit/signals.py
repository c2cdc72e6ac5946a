"""Model signals: every create, update and delete of an audited model writes one audit row."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from . import registry, services


def _saved(sender: type[models.Model], instance: models.Model, created: bool, **kw: Any) -> None:
    entry = registry.audited(sender)
    if entry is None or kw.get("raw"):
        return
    update_fields = kw.get("update_fields")
    if not created and update_fields is not None and set(update_fields) <= entry.ignore_fields:
        return
    action = "create" if created else "update"
    services.record_change(instance, action)


def _deleted(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    if registry.audited(sender) is None:
        return
    services.record_change(instance, "delete")


def connect() -> None:
    post_save.connect(_saved, dispatch_uid="safercity-audit-save")
    post_delete.connect(_deleted, dispatch_uid="safercity-audit-delete")
