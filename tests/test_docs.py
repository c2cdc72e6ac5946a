"""Docs checked by tests: the settings table matches the registry; every command is in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

from safercity import cli, settings

REPO = Path(__file__).resolve().parents[1]


def test_settings_doc_lists_every_setting_and_no_other() -> None:
    """The table in docs/settings.md is the registry's, row for row (variable, older names,
    value, default, help): `python -m safercity.settings` prints it."""
    doc = (REPO / "docs/settings.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    assert rows == settings.docs_rows()


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
