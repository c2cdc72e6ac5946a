"""The home page answers each person's first question, from panels the apps contribute.

Each installed app may have ``home.py`` with ``panels(user) -> list[Panel]``: the board sees what
is off track and what changed, an analyst the latest data and reports, an action owner what is
due from them, a case worker their cases due for review. A panel only ever holds what its user
may see (the app's own access rules apply).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

log = logging.getLogger("safercity.home")

#: the apps asked for panels, in the order their panels appear
PANEL_APPS = ("strategy", "cases", "reports", "analysis", "imports", "consult", "accounts")


@dataclass
class Item:
    text: str
    url: str = ""
    detail: str = ""
    tag: str = ""
    tag_colour: str = ""


@dataclass
class Panel:
    title: str
    summary: str = ""
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    link_text: str = ""
    link_url: str = ""
    #: lower comes first
    order: int = 50


def panels_for(user: Any) -> list[Panel]:
    """Every installed app's panels for this user, in order; an app that fails to answer is
    left out (and logged) rather than breaking the home page."""
    out: list[Panel] = []
    if user is None or not user.is_authenticated:
        return out
    for name in PANEL_APPS:
        if not apps.is_installed(f"safercity.web.{name}"):
            continue
        try:
            module = importlib.import_module(f"safercity.web.{name}.home")
        except ModuleNotFoundError:
            continue
        try:
            out.extend(module.panels(user))
        except Exception:  # a panel is a convenience; the page must still open
            log.exception("the %s app's home panels failed", name)
    return sorted(out, key=lambda p: p.order)
