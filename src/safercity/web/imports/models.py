"""An upload of police.uk files and its import into the workspace, run in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safercity.web.core.models import BaseModel


class ImportJob(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=1024)
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    rows_stored = models.BigIntegerField(default=0)
    rows_quarantined = models.BigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    quarantine = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: times the job was tried again after failing
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=["status", "created_at"]),)

    def __str__(self) -> str:
        return f"import of {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
