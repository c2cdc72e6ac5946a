"""The audit log: who did what to which record, and when. Rows are written once, never changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from safercity.web.core.models import BaseModel


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit row through the application."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit rows cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit rows cannot be deleted")


class AuditEvent(BaseModel):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed personal record"
        EXPORT = "export", "Exported"
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOGOUT = "logout", "Signed out"
        # case work (issue 13): a disclosure names its purpose and recipient (DPA 2018 s.62)
        DISCLOSE = "disclose", "Disclosed"
        BREAK_GLASS = "break_glass", "Emergency access"
        MERGE = "merge", "Merged records"
        ERASE = "erase", "Erased"

    # an account with audit rows cannot be deleted (deactivate it): its rows keep their actor
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=20, choices=Action.choices)
    model = models.CharField(max_length=100, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    summary = models.TextField(blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    #: the person a row is about, as a pseudonymous reference (their record's UUID), so that a
    #: person's access history is one query and survives the erasure of their record
    subject = models.CharField(max_length=64, blank=True, default="", db_index=True)
    #: for a disclosure: why, and to whom (Data Protection Act 2018 s.62)
    purpose = models.CharField(max_length=300, blank=True, default="")
    recipient = models.CharField(max_length=300, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        indexes = (
            models.Index(fields=["model", "object_id"]),
            models.Index(fields=["created_at"]),
        )
        # No change or delete permission for anyone: the log is append-only.
        default_permissions = ("add", "view")
        # Django's internal queries through the base manager (related lookups, refreshes) are
        # guarded too; its raw deletes are not, and no audited model cascades to this table
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.model}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit rows cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit rows cannot be deleted")
