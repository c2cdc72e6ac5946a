"""The one settings registry: types, readable errors naming the variable, older names, and no
environment variable read anywhere else."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from safercity import cli, settings

SRC = Path(__file__).resolve().parents[1] / "src" / "safercity"


def test_values_are_read_as_their_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_PERMUTATIONS", " 99 ")
    monkeypatch.setenv("DEBUG", "Yes")
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,,")
    monkeypatch.setenv("SAFERCITY_FETCH_MAX_WAIT_S", "30")
    monkeypatch.setenv("SAFERCITY_LOG_LEVEL", "info")
    assert settings.get("permutations") == 99
    assert settings.get("debug") is True
    assert settings.get("allowed_hosts") == ["a.example", "b.example"]
    assert settings.get("fetch_max_wait_s") == 30
    monkeypatch.setenv("SAFERCITY_RATE", "2.5")
    assert settings.Setting("rate", 1.0, "A number.", type="float").value() == 2.5
    assert settings.get("log_level") == "INFO"
    monkeypatch.setenv("DEBUG", "off")
    assert settings.get("debug") is False


@pytest.mark.parametrize(
    ("var", "text", "message"),
    [
        ("SAFERCITY_PERMUTATIONS", "lots", "SAFERCITY_PERMUTATIONS='lots': not a whole number"),
        ("SAFERCITY_PORT", "0", "SAFERCITY_PORT='0': must be at least 1"),
        ("DEBUG", "maybe", "DEBUG='maybe': not on or off"),
        ("SAFERCITY_FETCH_MAX_WAIT_S", "2.5", "SAFERCITY_FETCH_MAX_WAIT_S='2.5': not a whole"),
        ("SAFERCITY_LOG_LEVEL", "LOUD", "SAFERCITY_LOG_LEVEL='LOUD': not one of DEBUG, INFO"),
        ("LOCKOUT_THRESHOLD", "five", "LOCKOUT_THRESHOLD='five': not a whole number"),
    ],
)
def test_a_bad_value_is_one_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], var: str, text: str,
    message: str,
) -> None:  # fmt: skip
    monkeypatch.setenv(var, text)
    assert cli.main(["settings"]) == 2
    err = capsys.readouterr().err
    assert re.match(r"safercity( settings)?: error: " + re.escape(message), err), err
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_number_must_be_finite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_RATE", "nan")
    with pytest.raises(settings.SettingError, match="SAFERCITY_RATE='nan': not a finite number"):
        settings.Setting("rate", 1.0, "A number.", type="float").value()


def test_a_bad_value_read_while_building_the_commands_is_an_error_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAFERCITY_SEED", "tomorrow")
    assert cli.main(["knox", "--help"]) == 2
    assert "SAFERCITY_SEED='tomorrow': not a whole number" in capsys.readouterr().err


def test_the_real_command_gives_no_traceback() -> None:
    env = {**os.environ, "SAFERCITY_PERMUTATIONS": "lots"}
    out = subprocess.run(
        [sys.executable, "-m", "safercity", "settings"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "SAFERCITY_PERMUTATIONS='lots'" in out.stderr


@pytest.mark.parametrize(
    ("var", "text"), [("DEBUG", "maybe"), ("SAFERCITY_LOCKOUT_THRESHOLD", "0"),
                      ("SAFERCITY_LOG_LEVEL", "LOUD")]
)  # fmt: skip
def test_the_web_server_reads_its_settings_from_the_registry(
    tmp_path: Path, var: str, text: str
) -> None:
    """A bad value of a setting only the web server reads stops `safercity serve` at once
    with the registry's message, not a traceback from Django's settings."""
    env = {**os.environ, var: text}
    out = subprocess.run(
        [sys.executable, "-m", "safercity", "serve", "--workspace", str(tmp_path / "ws"),
         "--port", "1"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith(f"safercity serve: error: {var}={text!r}: ")


def test_a_secret_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECRET_KEY", "not-for-your-eyes")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:hunter2@db/safercity")
    assert cli.main(["settings", "--json"]) == 0
    out = capsys.readouterr().out
    assert "not-for-your-eyes" not in out and "hunter2" not in out
    rows = {r["name"]: r for r in json.loads(out)["settings"]}
    assert rows["secret_key"]["value"] == "(set)" and rows["database_url"]["value"] == "(set)"


def test_older_names_still_work_and_the_new_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLOAD_MAX_MB", "50")
    assert settings.get("upload_max_mb") == 50
    monkeypatch.setenv("SAFERCITY_UPLOAD_MAX_MB", "70")
    assert settings.get("upload_max_mb") == 70


#: environment variables read outside the registry, each with the reason it may be
ALLOWED_READS = {
    # numba's own variable, read and set to configure the third-party library before it starts
    # its threads (analytics/__init__.py): not a SaferCity setting
    ("analytics/__init__.py", "NUMBA_THREADING_LAYER"),
}


def _environment_reads(path: Path) -> list[str]:
    """Names read from the environment in one module (os.environ.get/[]/getenv)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if (owner, node.func.attr) in {("os.environ", "get"), ("os", "getenv")}:
                target = node.args[0] if node.args else None
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.ctx, ast.Load)
        ):
            target = node.slice
        if target is not None:
            found.append(ast.unparse(target).strip("'\""))
    return found


def test_no_setting_is_read_from_the_environment_outside_the_registry() -> None:
    reads = {
        (str(p.relative_to(SRC)), name)
        for p in SRC.rglob("*.py")
        if p != SRC / "settings.py"
        for name in _environment_reads(p)
    }
    assert reads <= ALLOWED_READS, sorted(reads - ALLOWED_READS)
    # and the registry itself is what web/settings.py reads
    assert not _environment_reads(SRC / "web" / "settings.py")
