"""Strategic Assessment reports in the browser: generate, follow progress, list, read, download.

Runs on the SYNTHETIC workspace of the web tests (tests/web/synthetic.py).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from conftest import ROLES
from safercity.web.audit.models import AuditEvent
from safercity.web.reports import services
from safercity.web.reports.models import STEM, AssessmentReport

PERIOD = "2017-01:2017-12"
# expected status by role for reading a report's pages and files (ROLES order)
READ = dict(zip(ROLES, (302, 200, 200, 200, 403, 403), strict=True))


def _audit_rows(report: AssessmentReport) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(model="reports.AssessmentReport", object_id=str(report.pk))
    )


def test_generate_a_report_end_to_end(client: Any, make_user: Any, settings: Any) -> None:
    """The button runs the same engine as ``safercity assess``: the kept tables are byte for byte
    the engine's, the HTML and PDF are served to readers only, and the request is audited once."""
    from safercity import settings as safercity_settings
    from safercity.analytics.assessment import Assessment
    from safercity.analytics.report import table_csv
    from safercity.analytics.store import Workspace

    settings.JOBS_INLINE = True
    analyst = make_user("analyst")
    client.force_login(analyst)

    form = client.get(reverse("reports:new"))
    assert form.status_code == 200
    page = form.content.decode()
    # the areas offered are the local authorities in the store, by their built-in names
    assert '<option value="Westminster"' in page and '<option value="Camden"' in page
    assert '<option value="Leeds"' not in page
    # suggested period: the 12 months to the store's last month (synthetic data ends 2017-12)
    assert 'value="2017-01:2017-12"' in page

    response = client.post(reverse("reports:new"), {"area": "Westminster", "period": PERIOD})
    report = AssessmentReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report", kwargs={"pk": report.pk})
    assert report.status == AssessmentReport.Status.DONE, report.error
    assert report.progress == 100 and report.requested_by == analyst
    folder = Path(settings.WORKSPACE) / "reports" / str(report.pk)
    assert report.folder == folder
    for name in (f"{STEM}.html", f"{STEM}.pdf", f"{STEM}-manifest.json"):
        assert (folder / name).is_file(), name

    # one audit row: the create, by the analyst (progress updates are not audited)
    rows = _audit_rows(report)
    assert [(r.action, r.actor_id) for r in rows] == [("create", analyst.pk)]

    # the detail page: finished, links to the files, key findings from the engine
    detail = client.get(reverse("reports:report", kwargs={"pk": report.pk})).content.decode()
    assert "Finished" in detail and "hx-get" not in detail
    assert reverse("reports:file", kwargs={"pk": report.pk, "name": f"{STEM}.pdf"}) in detail
    assert report.summary["findings"][0] in detail.replace("&#x27;", "'")

    # the tables zip holds exactly the engine's tables for the same inputs, byte for byte
    with Workspace(settings.WORKSPACE, read_only=True) as ws:
        direct = Assessment(
            ws,
            area="Westminster",
            period=PERIOD,
            seed=int(safercity_settings.get("seed")),
            permutations=int(safercity_settings.get("permutations")),
        )
    zipped = client.get(reverse("reports:tables", kwargs={"pk": report.pk}))
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
        names = set(zf.namelist())
        assert names == {f"{STEM}-tables/{t}.csv" for t in direct.tables} | {
            f"{STEM}-manifest.json"
        }
        for t, frame in direct.tables.items():
            assert zf.read(f"{STEM}-tables/{t}.csv") == table_csv(frame), t
    assert report.summary["outputs"]["tables"] == len(direct.tables)
    assert report.summary["findings"] == direct.findings

    # the list shows it, newest first, with its files
    later = services.create(analyst, "Camden", PERIOD)  # queued, not run
    listing = client.get(reverse("reports:list")).content.decode()
    first = listing.index(reverse("reports:report", kwargs={"pk": later.pk}))
    second = listing.index(reverse("reports:report", kwargs={"pk": report.pk}))
    assert first < second
    assert reverse("reports:tables", kwargs={"pk": report.pk}) in listing
    assert reverse("reports:tables", kwargs={"pk": later.pk}) not in listing

    # files per role
    html_url = reverse("reports:file", kwargs={"pk": report.pk, "name": f"{STEM}.html"})
    pdf_url = reverse("reports:file", kwargs={"pk": report.pk, "name": f"{STEM}.pdf"})
    svg = sorted((folder / f"{STEM}-figures").glob("*.svg"))[0]
    svg_url = reverse(
        "reports:file", kwargs={"pk": report.pk, "name": f"{STEM}-figures/{svg.name}"}
    )
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(make_user(role))
        for url in (
            html_url,
            pdf_url,
            svg_url,
            reverse("reports:tables", kwargs={"pk": report.pk}),
        ):
            got = client.get(url)
            assert got.status_code == READ[role], (role, url)
        if READ[role] == 200:
            html = client.get(html_url)
            assert html.content == (folder / f"{STEM}.html").read_bytes()
            assert html["Content-Type"].startswith("text/html")
            assert "script-src" not in html["Content-Security-Policy"]
            assert "default-src 'none'" in html["Content-Security-Policy"]
            pdf = client.get(pdf_url)
            assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
            assert pdf["Content-Disposition"].startswith("attachment;")
            assert client.get(svg_url).content == svg.read_bytes()
    # reading is not a change: still the one audit row
    assert len(_audit_rows(report)) == 1


@pytest.mark.parametrize(
    ("period", "error"),
    [
        ("", "Enter the period"),
        ("2017-01", "START:END"),
        ("2017-01:", "both the first and the last month"),
        ("2017-13:2018-01", "real months"),
        ("2018-01:2017-01", "must end after it starts"),
        ("2000-01:2017-12", "10 years or shorter"),
    ],
)
def test_the_form_refuses_a_bad_period(
    client: Any, make_user: Any, settings: Any, period: str, error: str
) -> None:
    settings.JOBS_INLINE = True
    client.force_login(make_user("administrator"))
    response = client.post(reverse("reports:new"), {"area": "Westminster", "period": period})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and error in page
    assert 'href="#id_period"' in page  # the summary links to the field
    assert not AssessmentReport.objects.exists()
    assert not AuditEvent.objects.filter(model="reports.AssessmentReport").exists()


def test_the_form_offers_only_areas_in_the_store(client: Any, make_user: Any) -> None:
    client.force_login(make_user("analyst"))
    response = client.post(reverse("reports:new"), {"area": "Leeds", "period": PERIOD})
    assert response.status_code == 200
    assert "Select an area from the list" in response.content.decode()
    assert not AssessmentReport.objects.exists()


def test_progress_is_polled_with_htmx_and_refreshable_without(client: Any, make_user: Any) -> None:
    client.force_login(make_user("board_member"))
    report = services.create(make_user("analyst"), "Westminster", PERIOD)
    AssessmentReport.objects.filter(pk=report.pk).update(
        status=AssessmentReport.Status.RUNNING, progress=40, message="Step 6 of 15: theme"
    )
    url = reverse("reports:report", kwargs={"pk": report.pk})
    full = client.get(url).content.decode()
    assert "<html" in full and f'hx-get="{url}"' in full
    assert f'href="{url}">refresh the page' in full  # works without JavaScript
    assert 'value="40"' in full and "Step 6 of 15: theme" in full
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and partial.lstrip().startswith('<div id="report-status"')
    # a running report has no files yet
    for name in (f"{STEM}.html", f"{STEM}.pdf"):
        file_url = reverse("reports:file", kwargs={"pk": report.pk, "name": name})
        assert client.get(file_url).status_code == 404
    assert client.get(reverse("reports:tables", kwargs={"pk": report.pk})).status_code == 404


def _fake_done_report(user: Any) -> AssessmentReport:
    report = services.create(user, "Westminster", PERIOD)
    (report.folder / f"{STEM}-tables").mkdir(parents=True)
    (report.folder / f"{STEM}.html").write_text("<!doctype html><title>x</title>")
    (report.folder / f"{STEM}-tables" / "overview.csv").write_text("a\n1\n")
    (report.folder / "notes.txt").write_text("not a report file")
    (report.folder.parent / "secret.csv").write_text("outside the report\n")
    report.status = AssessmentReport.Status.DONE
    report.save()
    return report


def test_only_the_reports_own_files_are_served(client: Any, make_user: Any) -> None:
    client.force_login(make_user("analyst"))
    report = _fake_done_report(make_user("analyst"))

    def get(name: str) -> int:
        url = reverse("reports:file", kwargs={"pk": report.pk, "name": name})
        return int(client.get(url).status_code)

    assert get(f"{STEM}.html") == 200
    assert get(f"{STEM}-tables/overview.csv") == 200
    assert get("notes.txt") == 404  # not a report file type
    assert get("../secret.csv") == 404  # outside the folder
    assert get(f"{STEM}-tables/../../secret.csv") == 404
    assert get(f"{STEM}.pdf") == 404  # not written
    with zipfile.ZipFile(
        io.BytesIO(client.get(reverse("reports:tables", kwargs={"pk": report.pk})).content)
    ) as zf:
        assert zf.namelist() == [f"{STEM}-tables/overview.csv"]


def test_a_report_left_running_by_a_stopped_server_is_marked_failed(
    client: Any, make_user: Any, settings: Any, tmp_path: Any
) -> None:
    """The job worker, starting, fails reports whose process is gone (nobody holds their lock)
    and leaves the queued ones to run."""
    from safercity.web.jobs import queue

    settings.WORKSPACE = tmp_path
    report = services.create(make_user("analyst"), "Westminster", PERIOD)
    fresh = services.create(make_user("analyst"), "Camden", PERIOD)
    AssessmentReport.objects.filter(pk=report.pk).update(status=AssessmentReport.Status.RUNNING)
    assert queue.recover_orphans() == 1
    client.force_login(make_user("board_member"))
    page = client.get(reverse("reports:list")).content.decode()
    report.refresh_from_db()
    fresh.refresh_from_db()
    assert report.status == AssessmentReport.Status.FAILED and "stopped" in report.error
    assert fresh.status == AssessmentReport.Status.QUEUED
    assert "Failed" in page


@pytest.mark.django_db(transaction=True)
def test_the_job_worker_records_the_engines_failure(
    make_user: Any, settings: Any, job_worker: Any
) -> None:
    """Without inline jobs the request returns at once; the job worker's process records the
    engine's error (no incidents for this area) on the report."""
    report = services.create(make_user("analyst"), "Leeds", PERIOD)
    services.start(report)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.finished:
            break
        time.sleep(0.1)
    assert report.status == AssessmentReport.Status.FAILED
    assert "no incidents for area" in report.error and "Leeds" in report.error
    assert report.progress == 100 and report.finished_at is not None


def test_every_reports_view_states_who_may_use_it() -> None:
    from safercity.web.reports import urls
    from safercity.web.reports.permissions import URL_DECISIONS

    assert {f"reports:{p.name}" for p in urls.urlpatterns} == set(URL_DECISIONS)
    for p in urls.urlpatterns:
        assert getattr(p.callback, "capability", None) in {"read_reports", "generate_reports"}


def test_a_report_the_engine_refuses_is_shown_as_failed(
    client: Any, make_user: Any, settings: Any
) -> None:
    """A period before the data: the engine's own message is on the report, no files."""
    settings.JOBS_INLINE = True
    client.force_login(make_user("analyst"))
    response = client.post(reverse("reports:new"), {"area": "Westminster", "period": "2010"})
    assert response.status_code == 200  # "2010" is not START:END
    response = client.post(
        reverse("reports:new"), {"area": "Westminster", "period": "2010-01:2010-12"}
    )
    report = AssessmentReport.objects.get()
    assert response.status_code == 302
    assert report.status == AssessmentReport.Status.FAILED
    assert "no incidents for area 'Westminster' up to 2010-12" in report.error
    page = client.get(reverse("reports:report", kwargs={"pk": report.pk})).content.decode()
    assert "Failed" in page and "no incidents for area" in page
    assert "hx-get" not in page and "Read the report" not in page
    assert len(_audit_rows(report)) == 1


def test_reports_written_by_the_command_line_are_listed_with_their_files(
    client: Any, make_user: Any, settings: Any, tmp_path: Any
) -> None:
    """What `make demo` writes with `safercity assess --out <workspace>/reports/leeds-2018-07`
    is listed for every reader, with its HTML and PDF (issue 12: the list said "No reports")."""
    settings.WORKSPACE = tmp_path
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "leeds-2018-07.html").write_text("<!doctype html><title>Leeds</title>")
    (folder / "leeds-2018-07.pdf").write_bytes(b"%PDF-1.7 example")
    (folder / "leeds-2018-07-manifest.json").write_text(
        json.dumps(
            {
                "parameters": {"area": "Leeds", "period": "2018-07:2018-07"},
                "outputs": {"html": "leeds-2018-07.html", "pdf": "leeds-2018-07.pdf"},
            }
        )
    )
    (folder / "other.html").write_text("<!doctype html><title>Not this report</title>")
    client.force_login(make_user("board_member"))
    page = client.get(reverse("reports:list")).content.decode()
    report = AssessmentReport.objects.get()
    assert report.source == AssessmentReport.Source.COMMAND_LINE
    assert "Leeds, July 2018" in page and "Written by safercity assess" in page
    html = reverse("reports:file", kwargs={"pk": report.pk, "name": "leeds-2018-07.html"})
    pdf = reverse("reports:file", kwargs={"pk": report.pk, "name": "leeds-2018-07.pdf"})
    assert html in page and pdf in page
    assert client.get(html).status_code == 200
    assert client.get(pdf).content.startswith(b"%PDF")
    other = reverse("reports:file", kwargs={"pk": report.pk, "name": "other.html"})
    assert client.get(other).status_code == 404  # only this report's own files
    client.get(reverse("reports:list"))
    assert AssessmentReport.objects.count() == 1  # found once, not again on every visit


def test_a_report_takes_the_partnerships_strategy_and_consultation_for_its_area(
    make_user: Any, settings: Any, tmp_path: Any
) -> None:
    """Generated in the browser, the assessment reviews the partnership's own strategy (as last
    year's priorities) and uses its counted consultation, when they are for the report's area."""
    from safercity.strategy import load
    from safercity.web.consult import demo as consult_demo
    from safercity.web.strategy import services as strategy_services

    example = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"
    strategy_services.load(load(example))
    consult_demo.load(responses=40)
    folder = tmp_path / "westminster"
    folder.mkdir()
    inputs = services.partnership_inputs("Westminster", folder)
    assert inputs["previous_strategy"] == folder / "previous-strategy.yaml"
    assert "Safer Westminster Partnership" in inputs["previous_strategy"].read_text()
    assert inputs["consultation"].ranking  # from the counted responses
    assert (folder / "consultation.yaml").is_file()
    other = tmp_path / "camden"
    other.mkdir()
    assert services.partnership_inputs("Camden", other) == {}  # not Camden's strategy
