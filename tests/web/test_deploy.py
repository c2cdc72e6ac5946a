"""``manage.py check --deploy`` is clean with production settings (from environment variables)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SAFERCITY_SECURE", "DATABASE_URL"}
    }
    environ.update(
        {
            "SAFERCITY_WORKSPACE": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "safercity.web.settings",
            **env,
        }
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "safercity.cli",
            "web",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_clean_with_production_settings(tmp_path: Path) -> None:
    result = _check(
        tmp_path,
        SECRET_KEY="x" * 20 + "production-secret-key-for-the-test-0123456789",
        SAFERCITY_SECURE="1",
        DEBUG="0",
        ALLOWED_HOSTS="safercity.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_an_insecure_set_up(tmp_path: Path) -> None:
    # The same check fails without HTTPS settings and with DEBUG on: the test can fail.
    result = _check(tmp_path, SECRET_KEY="short", DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on
