"""Uploading a police.uk file imports it into the workspace with a quarantine report."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safercity.web.imports.models import ImportJob

pytestmark = pytest.mark.django_db
SYNTHETIC_CSV = Path(__file__).parent / "data" / "synthetic-street.csv"


@pytest.fixture
def writable_workspace(settings: Any, synthetic_workspace: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    settings.WORKSPACE = ws
    return ws


def test_upload_runs_the_import_and_shows_the_quarantine(
    client: Any, make_user: Any, writable_workspace: Path
) -> None:
    client.force_login(make_user("analyst"))
    upload = SimpleUploadedFile(
        "2016-03-metropolitan-street.csv", SYNTHETIC_CSV.read_bytes(), content_type="text/csv"
    )
    response = client.post(reverse("imports:list"), {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.progress, job.rows_stored, job.rows_quarantined) == (100, 5, 1)
    assert job.quarantine[0]["field"] == "Month" and "2016-13" in job.quarantine[0]["reason"]
    page = client.get(response["Location"]).content.decode()
    assert "Quarantine report" in page and "2016-13" in page
    # the analysis pages see the new rows (1,200 synthetic + 5)
    overview = client.get(reverse("api:overview")).json()
    assert overview["totals"]["incidents"] == 1205


def test_upload_refuses_other_file_types(client: Any, make_user: Any) -> None:
    client.force_login(make_user("analyst"))
    upload = SimpleUploadedFile("notes.exe", b"MZ", content_type="application/octet-stream")
    page = client.post(reverse("imports:list"), {"file": upload})
    assert page.status_code == 200
    assert "The selected file must be a CSV, JSON or zip file" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_a_failing_import_is_reported_on_the_job(
    client: Any, make_user: Any, writable_workspace: Path, monkeypatch: Any
) -> None:
    from safercity.web.imports import services

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "ingest", broken)
    client.force_login(make_user("analyst"))
    client.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("x.csv", b"Crime ID\n", content_type="text/csv")},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "disk full" in job.message
