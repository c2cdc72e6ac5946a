"""Docs checked by tests: the settings table matches the registry; every command is in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

from safercity import cli, settings

REPO = Path(__file__).resolve().parents[1]


def test_settings_doc_lists_every_setting_and_no_other() -> None:
    """Each setting's row (variable, older names, value, default, help) is the registry's, and
    the table has no row for a setting the registry does not have."""
    doc = (REPO / "docs/settings.md").read_text()
    for s in settings.SETTINGS:
        env = f"`{s.env_var}`" + "".join(f" (or `{a}`)" for a in s.aliases)
        row = f"| `{s.name}` | {env} | {s.kind} | `{s.text(s.default)}` | {s.help} |"
        assert row in doc, f"docs/settings.md: no row, or another, for {s.name}"
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    assert len(rows) == len(settings.SETTINGS)


def test_readme_starts_with_the_two_commands() -> None:
    text = (REPO / "README.md").read_text().splitlines()
    block = text[text.index("```sh") + 1 : text.index("```", text.index("```sh") + 1)]
    assert [line.split("#")[0].strip() for line in block] == ["make demo", "make test"]
    assert text.index("```sh") <= 2


def test_readme_lists_every_command() -> None:
    readme = (REPO / "README.md").read_text()
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [name for name in sub.choices if f"`safercity {name}" not in readme]
    assert not missing, f"README does not list: {missing}"
