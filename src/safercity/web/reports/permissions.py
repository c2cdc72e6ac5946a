"""Who may generate and read Strategic Assessment reports.

* Analysts and partnership administrators generate reports (the same people who import data).
* Board members, analysts and administrators read them: the list, the HTML, the PDF and the
  tables. The assessment is the partnership's evidence for setting priorities; action owners
  and case workers use the strategy and case pages instead. The public sees nothing.
"""

from __future__ import annotations

from safercity.web.accounts.permissions import ADMIN, ANALYST, BOARD, require_roles

GENERATE_ROLES = frozenset({ADMIN, ANALYST})
READ_ROLES = frozenset({ADMIN, ANALYST, BOARD})

can_generate = require_roles("generate_reports", GENERATE_ROLES)
can_read = require_roles("read_reports", READ_ROLES)

# status for: anonymous, administrator, analyst, board_member, action_owner, case_worker
READ = (302, 200, 200, 200, 403, 403)
GENERATE = (302, 200, 200, 403, 403, 403)

URL_DECISIONS: dict[str, tuple[int, ...]] = {
    "reports:list": READ,
    "reports:new": GENERATE,
    "reports:report": READ,
    "reports:file": READ,
    "reports:tables": READ,
    "reports:retry": (302, 405, 405, 403, 403, 403),  # POST only, those who generate
}


def url_examples() -> dict[str, dict[str, object]]:
    """For the every-URL-every-role test: one finished example report (its files written as
    small placeholders in the test workspace) and the arguments of its pages."""
    from safercity.web.accounts.models import Agency, User

    from .models import STEM, AssessmentReport
    from .services import reports_root

    agency, _ = Agency.objects.get_or_create(name="Example Agency")
    user, _ = User.objects.get_or_create(
        username="reports-example", defaults={"agency": agency, "role": ANALYST}
    )
    report = AssessmentReport(
        area="Westminster",
        period="2017-01:2017-12",
        requested_by=user,
        status=AssessmentReport.Status.DONE,
        progress=100,
        summary={"outputs": {"html": f"{STEM}.html", "pdf": f"{STEM}.pdf"}},
    )
    folder = reports_root() / str(report.id)
    report.output_dir = str(folder)
    (folder / f"{STEM}-tables").mkdir(parents=True, exist_ok=True)
    (folder / f"{STEM}.html").write_text("<!doctype html><title>Example</title>")
    (folder / f"{STEM}-tables" / "example.csv").write_text("a,b\n1,2\n")
    report.save()
    return {
        "reports:report": {"pk": report.pk},
        "reports:file": {"pk": report.pk, "name": f"{STEM}.html"},
        "reports:tables": {"pk": report.pk},
        "reports:retry": {"pk": report.pk},
    }
