"""The dependency audit of ``make test`` (scripts/audit.py), on reports in pip-audit's and npm
audit's own JSON shapes: a known vulnerability fails it unless excepted with a reason; a
database that could not be reached is never read as "no vulnerabilities"."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("dependency_audit", REPO / "scripts" / "audit.py")
assert _spec and _spec.loader
audit = importlib.util.module_from_spec(_spec)
sys.modules["dependency_audit"] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)

PIP_REPORT: dict[str, Any] = {
    "dependencies": [
        {"name": "django", "version": "5.0.0", "vulns": [
            {"id": "PYSEC-2024-1", "aliases": ["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"],
             "fix_versions": ["5.0.1"], "description": "..."}]},
        {"name": "numpy", "version": "2.0.0", "vulns": []},
        {"name": "private-thing", "skip_reason": "Dependency not found on PyPI"},
    ],
    "fixes": [],
}  # fmt: skip
UNREACHED: dict[str, Any] = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "numpy", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]
}
NPM_REPORT: dict[str, Any] = {
    "vulnerabilities": {
        "leaflet": {"name": "leaflet", "severity": "high", "via": [
            {"source": 1099999, "title": "XSS in popups",
             "url": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz", "range": "<1.9.5"}]},
        "htmx.org": {"name": "htmx.org", "severity": "low", "via": ["leaflet"]},
    },
    "metadata": {"dependencies": {"prod": 4}},
}  # fmt: skip


def test_a_known_vulnerability_fails_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = [audit.judge_pip_audit(PIP_REPORT, {}), audit.judge_npm_audit(NPM_REPORT, {})]
    assert outcomes[0].found == [
        "django 5.0.0: PYSEC-2024-1 / CVE-2024-0001 / GHSA-aaaa-bbbb-cccc (fixed in 5.0.1)"
    ]
    assert outcomes[1].found == ["leaflet <1.9.5: GHSA-xxxx-yyyy-zzzz XSS in popups"]
    assert audit.verdict(outcomes, [], require_database=False) == 1
    assert "KNOWN VULNERABILITY: django 5.0.0" in capsys.readouterr().err


def test_an_exception_by_any_of_its_ids_passes() -> None:
    outcomes = [
        audit.judge_pip_audit(PIP_REPORT, {"CVE-2024-0001": "django"}),
        audit.judge_npm_audit(NPM_REPORT, {"GHSA-xxxx-yyyy-zzzz": "leaflet"}),
    ]
    assert [o.found for o in outcomes] == [[], []]
    assert [len(o.excepted) for o in outcomes] == [1, 1]
    assert audit.verdict(outcomes, [], require_database=True) == 0


def test_an_unreached_database_is_not_a_clean_audit(capsys: pytest.CaptureFixture[str]) -> None:
    """pip-audit prints "No known vulnerabilities found" and exits 0 when it could look up no
    package (as through a package mirror): that is reported NOT AUDITED, a warning by default
    and a failure when the database is required; npm's refused audit likewise."""
    pip = audit.judge_pip_audit(UNREACHED, {})
    npm = audit.judge_npm_audit({"message": "405 Method Not Allowed - POST .../bulk"}, {})
    assert pip.unreachable and npm.unreachable and not pip.found
    assert audit.verdict([pip, npm], [], require_database=False) == 0
    assert capsys.readouterr().err.count("NOT AUDITED (warning)") == 2
    assert audit.verdict([pip, npm], [], require_database=True) == 1


def test_every_exception_needs_a_reason(tmp_path: Path) -> None:
    listed = tmp_path / "audit-exceptions.toml"
    listed.write_text(
        '[[python]]\nid = "CVE-2024-0001"\npackage = "django"\nreason = "not used"\n'
        '[[npm]]\nid = "GHSA-xxxx-yyyy-zzzz"\npackage = "leaflet"\nreason = " "\n'
    )
    excepted, problems = audit.read_exceptions(listed)
    assert excepted == {"python": {"CVE-2024-0001": "django"}, "npm": {}}
    assert problems == ["audit-exceptions.toml: [[npm]] entry 1 has no reason"]
    assert audit.verdict([], problems, require_database=False) == 1


def test_the_shipped_exception_list_is_valid() -> None:
    _, problems = audit.read_exceptions()
    assert problems == []
