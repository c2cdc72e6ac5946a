"""Every command has --help with an example, and every result command takes --json."""

from __future__ import annotations

import argparse
import json

import pytest

from safercity import cli, settings


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_with_an_example(name: str) -> None:
    help_text = _commands()[name].format_help()
    assert "example:" in help_text
    assert f"safercity {name}" in help_text.split("example:", 1)[1]


def test_settings_json_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["settings", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in out["settings"]] == [s.name for s in settings.SETTINGS]


def test_setting_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_PERMUTATIONS", "99")
    assert settings.get("permutations") == 99


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in _commands())


def test_help_shows_percent_signs_once(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse %-formats sub-command help: a percent sign must read as one everywhere."""
    for name, parser in _commands().items():
        assert "%%" not in parser.format_help(), name
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "%%" not in capsys.readouterr().out
