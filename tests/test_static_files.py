"""The static files the product serves carry no test tool: axe-core (the accessibility checker
of the browser tests) is an npm devDependency read from node_modules, never shipped."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "src" / "safercity" / "web" / "static" / "vendor"


def test_axe_core_is_a_development_dependency_only() -> None:
    package = json.loads((REPO / "package.json").read_text())
    assert "axe-core" not in package["dependencies"]
    assert "axe-core" in package["devDependencies"]
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"].get("dev") is True


def test_the_static_build_ships_no_axe_core() -> None:
    script = (REPO / "scripts" / "build-static.sh").read_text().splitlines()
    assert not [line for line in script if "axe" in line and not line.startswith("#")]
    assert VENDOR.is_dir(), "run make setup (scripts/build-static.sh) first"
    shipped = [p for p in VENDOR.rglob("*") if "axe" in p.name.lower()]
    assert shipped == []
    assert (VENDOR / "govuk" / "safercity.css").is_file()  # the build itself ran


def test_the_browser_tests_read_axe_core_from_node_modules() -> None:
    for test in ("tests/web/test_browser.py", "tests/analytics/test_report.py"):
        text = (REPO / test).read_text()
        assert '"node_modules" / "axe-core" / "axe.min.js"' in text, test
        assert "vendor/axe" not in text, test
