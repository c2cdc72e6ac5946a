"""Dependency audit for ``make test``: known vulnerabilities in the installed Python packages
(pip-audit, PyPI's advisory data) and in the npm packages the product ships (``npm audit
--omit=dev``), less the exceptions listed, each with its reason, in ``audit-exceptions.toml``.

Exit status: 1 when a known vulnerability is not excepted, or an exception has no reason; 0
otherwise. When an advisory database cannot be reached (the package mirrors of the development
machines and CI serve packages, not advisories), the audit says NOT AUDITED loudly and passes,
unless ``AUDIT_REQUIRE_DATABASE=1`` (or ``--require-database``), which makes that a failure:
use it wherever the databases are reachable, e.g. before a release. See docs/dependency-audit.md.

Run: ``.venv/bin/python scripts/audit.py [--require-database]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXCEPTIONS = REPO / "audit-exceptions.toml"


@dataclass
class Outcome:
    """One ecosystem's audit: what was found, what was excepted, or why it could not run."""

    name: str
    found: list[str] = field(default_factory=list)  # "package version: id (aliases)"
    excepted: list[str] = field(default_factory=list)
    unreachable: str | None = None
    audited: int = 0


def read_exceptions(path: Path = EXCEPTIONS) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The excepted advisory ids per ecosystem (``python``, ``npm``), and the problems of the
    file itself (an entry without an id, a package or a reason)."""
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    out: dict[str, dict[str, str]] = {"python": {}, "npm": {}}
    problems = []
    for ecosystem in out:
        for n, entry in enumerate(data.get(ecosystem, []), start=1):
            missing = [k for k in ("id", "package", "reason") if not str(entry.get(k, "")).strip()]
            if missing:
                problems.append(
                    f"{path.name}: [[{ecosystem}]] entry {n} has no {', '.join(missing)}"
                )
                continue
            out[ecosystem][str(entry["id"]).strip()] = str(entry["package"]).strip()
    return out, problems


def judge_pip_audit(report: dict[str, Any], excepted: dict[str, str]) -> Outcome:
    """pip-audit's JSON report: a dependency it could not look up has a ``skip_reason``; when
    none could be looked up, the database was not reached (pip-audit still says "No known
    vulnerabilities found", so its exit status alone cannot be trusted)."""
    outcome = Outcome("Python packages (pip-audit)")
    deps = report.get("dependencies", [])
    looked_up = [d for d in deps if "skip_reason" not in d]
    outcome.audited = len(looked_up)
    if deps and not looked_up:
        outcome.unreachable = f"none of {len(deps)} packages could be looked up: " + str(
            deps[0]["skip_reason"]
        )
        return outcome
    for dep in looked_up:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            line = f"{dep['name']} {dep.get('version', '?')}: {' / '.join(ids)}"
            if vuln.get("fix_versions"):
                line += f" (fixed in {', '.join(vuln['fix_versions'])})"
            (outcome.excepted if any(i in excepted for i in ids) else outcome.found).append(line)
    return outcome


def judge_npm_audit(report: dict[str, Any], excepted: dict[str, str]) -> Outcome:
    """``npm audit --json``: advisories per package, or an error (the registry refused)."""
    outcome = Outcome("npm packages shipped (npm audit --omit=dev)")
    if "vulnerabilities" not in report:
        reason = report.get("message") or report.get("error", {}).get("summary") or "no report"
        outcome.unreachable = str(reason)
        return outcome
    outcome.audited = int(report.get("metadata", {}).get("dependencies", {}).get("prod", 0))
    for name, vuln in sorted(report["vulnerabilities"].items()):
        advisories = [v for v in vuln.get("via", []) if isinstance(v, dict)]
        if not advisories:
            continue  # vulnerable only through another package, reported under that one
        for adv in advisories:
            ids = [str(adv.get("url", "")).rsplit("/", 1)[-1], str(adv.get("source", ""))]
            line = f"{name} {adv.get('range', '')}: {ids[0]} {adv.get('title', '')}".strip()
            (outcome.excepted if any(i in excepted for i in ids) else outcome.found).append(line)
    return outcome


def run_pip_audit(excepted: dict[str, str]) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        run = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off",
             "--format", "json", "--output", str(out)],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if not out.exists() or not out.read_text().strip():
            outcome = Outcome("Python packages (pip-audit)")
            last = (run.stderr.strip().splitlines() or ["pip-audit gave no report"])[-1]
            outcome.unreachable = last[:300]
            return outcome
        return judge_pip_audit(json.loads(out.read_text()), excepted)


def run_npm_audit(excepted: dict[str, str]) -> Outcome:
    npm = shutil.which("npm")
    if npm is None:
        return Outcome("npm packages shipped", unreachable="npm is not installed")
    run = subprocess.run(
        [npm, "audit", "--omit=dev", "--json"], cwd=REPO, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout or "{}")
    except json.JSONDecodeError:
        report = {"message": (run.stderr.strip().splitlines() or ["no output"])[-1]}
    return judge_npm_audit(report, excepted)


def verdict(outcomes: list[Outcome], problems: list[str], *, require_database: bool) -> int:
    """Print what was found; the exit status ``make test`` uses."""
    failed = bool(problems)
    for problem in problems:
        print(f"audit: {problem}", file=sys.stderr)
    for o in outcomes:
        if o.unreachable:
            word = "FAILED" if require_database else "NOT AUDITED (warning)"
            print(f"audit: {o.name}: {word}: advisory database not reached: {o.unreachable}",
                  file=sys.stderr)  # fmt: skip
            failed = failed or require_database
            continue
        for line in o.excepted:
            print(f"audit: {o.name}: excepted (audit-exceptions.toml): {line}")
        for line in o.found:
            print(f"audit: {o.name}: KNOWN VULNERABILITY: {line}", file=sys.stderr)
        failed = failed or bool(o.found)
        if not o.found:
            print(f"audit: {o.name}: {o.audited} audited, no known vulnerability")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--require-database",
        action="store_true",
        default=os.environ.get("AUDIT_REQUIRE_DATABASE", "") not in ("", "0"),
        help="fail when an advisory database cannot be reached (default: warn)",
    )
    args = ap.parse_args(argv)
    excepted, problems = read_exceptions()
    outcomes = [run_pip_audit(excepted["python"]), run_npm_audit(excepted["npm"])]
    return verdict(outcomes, problems, require_database=args.require_database)


if __name__ == "__main__":
    sys.exit(main())
