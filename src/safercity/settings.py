"""One registry of SaferCity's settings, each with its type, default and help text.

Every setting is read from one environment variable: ``SAFERCITY_<NAME>`` (upper case) unless
the setting names another (the conventional ``DATABASE_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DEBUG``). A few settings also accept the older name they had before this
registry (``aliases``), so existing deployments keep working. The CLI's ``safercity settings``
lists them; ``docs/settings.md`` is checked against this registry by ``tests/test_docs.py``; the
web server's Django settings (:mod:`safercity.web.settings`) read theirs from here.

A value that cannot be read as its type raises :class:`SettingError`, one readable message
naming the variable (the CLI prints it, never a traceback). A secret's value is never echoed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class SettingError(ValueError):
    """A setting's environment variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, help, type and limits, and where it is read from.

    ``type`` is one of ``str``, ``int``, ``float``, ``bool``, ``list`` (comma-separated) and
    ``choice`` (one of ``choices``). ``minimum`` bounds a number from below. A ``secret`` is
    shown as ``(set)``/``(not set)`` by ``safercity settings`` and never echoed in an error."""

    name: str
    default: Any
    help: str
    type: str = "str"
    env: str | None = None
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    secret: bool = False

    @property
    def env_var(self) -> str:
        return self.env or "SAFERCITY_" + self.name.upper()

    def raw(self) -> tuple[str, str] | None:
        """The variable that is set (the main one first, then the older names) and its text."""
        for var in (self.env_var, *self.aliases):
            text = os.environ.get(var)
            if text is not None:
                return var, text
        return None

    def value(self) -> Any:
        """The value from the environment, or the default; :class:`SettingError` if unusable."""
        found = self.raw()
        if found is None:
            return self.default
        var, text = found
        try:
            return _PARSERS[self.type](self, text)
        except ValueError as exc:
            shown = "" if self.secret else f"={text!r}"
            raise SettingError(
                f"{var}{shown}: {exc}; correct or unset it (setting '{self.name}', "
                "see docs/settings.md)"
            ) from None

    @property
    def kind(self) -> str:
        """What a value must be, in words (for the docs)."""
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        words = {
            "str": "text",
            "int": "whole number",
            "float": "number",
            "bool": "on/off",
            "list": "comma-separated list",
        }[self.type]
        return words if self.minimum is None else f"{words}, at least {self.minimum:g}"

    def text(self, value: Any) -> str:
        """A value as the docs and ``safercity settings`` write it (a secret: set or not)."""
        if self.secret:
            return "(set)" if value else "(not set)"
        if self.type == "list":
            return ",".join(value)
        if self.type == "bool":
            return "on" if value else "off"
        return str(value)


def _parse_bool(s: Setting, text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("not on or off (use 1/0, true/false, yes/no or on/off)")


def _parse_int(s: Setting, text: str) -> int:
    try:
        number = int(text.strip())
    except ValueError:
        raise ValueError("not a whole number") from None
    _check_minimum(s, number)
    return number


def _parse_float(s: Setting, text: str) -> float:
    try:
        number = float(text.strip())
    except ValueError:
        raise ValueError("not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    _check_minimum(s, number)
    return number


def _check_minimum(s: Setting, number: float) -> None:
    if s.minimum is not None and number < s.minimum:
        raise ValueError(f"must be at least {s.minimum:g}")


def _parse_list(s: Setting, text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_choice(s: Setting, text: str) -> str:
    word = text.strip().upper()
    if word not in s.choices:
        raise ValueError(f"not one of {', '.join(s.choices)}")
    return word


_PARSERS: dict[str, Callable[[Setting, str], Any]] = {
    "str": lambda s, text: text,
    "int": _parse_int,
    "float": _parse_float,
    "bool": _parse_bool,
    "list": _parse_list,
    "choice": _parse_choice,
}

SETTINGS: tuple[Setting, ...] = (
    # --- analysis -------------------------------------------------------------------------
    Setting("workspace", "safercity-data", "Folder holding the DuckDB workspace (store.duckdb)."),
    Setting("area", "", "Default local authority for analyses, e.g. 'Westminster'."),
    Setting(
        "permutations",
        999,
        "Default number of permutations for Monte Carlo inference.",
        type="int",
        minimum=1,
    ),
    Setting(
        "seed",
        20110401,
        "Default random seed, so that reruns give identical results.",
        type="int",
        minimum=0,
    ),
    Setting(
        "cell_size_m",
        100,
        "Default hotspot grid cell size in metres (British National Grid).",
        type="int",
        minimum=1,
    ),
    # --- imports --------------------------------------------------------------------------
    Setting(
        "archive_max_mb",
        4096,
        "Largest total uncompressed size (MB) of the data files in one zip or tar archive; a "
        "larger archive is refused before anything is extracted.",
        type="int",
        minimum=1,
    ),
    Setting(
        "archive_max_members",
        10000,
        "Most files one zip or tar archive may hold; an archive with more is refused before "
        "anything is extracted.",
        type="int",
        minimum=1,
    ),
    Setting(
        "archive_max_ratio",
        100,
        "Most times larger than the archive itself its files may unpack to, once they add up "
        "to over 64 MB (police.uk CSVs compress about 5 times; a zip bomb 1,000): a larger "
        "ratio is refused before anything is extracted.",
        type="int",
        minimum=1,
    ),
    Setting(
        "police_uk_api",
        "https://data.police.uk/api",
        "Base URL of the police.uk API used by `safercity fetch police-uk`.",
    ),
    Setting(
        "fetch_retries",
        6,
        "How many times `safercity fetch` retries a request the API refused for a while (429, "
        "502-504) or a connection that failed, with exponential back-off and jitter.",
        type="int",
        minimum=0,
    ),
    Setting(
        "fetch_max_wait_s",
        120,
        "Longest wait (seconds) of `safercity fetch` before trying a request again: a longer "
        "Retry-After from the API is cut to this.",
        type="int",
        minimum=0,
    ),
    # --- web server -----------------------------------------------------------------------
    Setting("port", 8000, "Port that `safercity serve` listens on.", type="int", minimum=1),
    Setting(
        "job_timeout_minutes",
        120,
        "A background job (an import, a Strategic Assessment) running longer than this is "
        "stopped and marked failed; 0 never stops one.",
        type="int",
        minimum=0,
    ),
    Setting(
        "result_cache_mb",
        64,
        "Memory each web server process may keep of computed analysis results (maps, tables), "
        "in megabytes; least recently used results are dropped first.",
        type="int",
        minimum=1,
    ),
    Setting(
        "trusted_proxy",
        "",
        "Address of the TLS proxy in front of `safercity serve`, whose X-Forwarded-Proto and "
        "X-Forwarded-For are believed; empty believes none.",
    ),
    Setting(
        "secure",
        False,
        "On when served over HTTPS: secure cookies, HSTS, redirect to HTTPS.",
        type="bool",
    ),
    Setting(
        "debug",
        False,
        "Django's debug mode, for development only (never in production).",
        type="bool",
        env="DEBUG",
    ),
    Setting(
        "secret_key",
        "",
        "Django's secret key; empty: `safercity serve` keeps a random one in the workspace.",
        env="SECRET_KEY",
        secret=True,
    ),
    Setting(
        "email_host",
        "",
        "SMTP server for case-work reminders and emergency-access alerts; empty prints the "
        "messages on the console (development, the demo).",
        env="EMAIL_HOST",
    ),
    Setting("email_port", 587, "SMTP port (TLS).", type="int", minimum=1, env="EMAIL_PORT"),
    Setting("email_host_user", "", "SMTP user name.", env="EMAIL_HOST_USER"),
    Setting("email_host_password", "", "SMTP password.", env="EMAIL_HOST_PASSWORD", secret=True),
    Setting(
        "default_from_email",
        "SaferCity <safercity@localhost>",
        "The sender of SaferCity's e-mail.",
        env="DEFAULT_FROM_EMAIL",
    ),
    Setting(
        "allowed_hosts",
        ["localhost", "127.0.0.1", "[::1]", "testserver"],
        "Host names the web server answers for, comma-separated.",
        type="list",
        env="ALLOWED_HOSTS",
    ),
    Setting(
        "database_url",
        "",
        "The web app's database as a URL, e.g. postgres:///safercity; empty: SQLite at "
        "<workspace>/web.sqlite3.",
        env="DATABASE_URL",
        secret=True,
    ),
    Setting(
        "conn_max_age",
        60,
        "Seconds a web worker keeps its database connection open (0 closes it after each request).",
        type="int",
        minimum=0,
        aliases=("CONN_MAX_AGE",),
    ),
    Setting(
        "session_age_minutes",
        30,
        "Minutes of inactivity after which a sign-in session ends.",
        type="int",
        minimum=1,
        aliases=("SESSION_AGE_MINUTES",),
    ),
    Setting(
        "lockout_threshold",
        5,
        "Wrong passwords in a row that lock an account.",
        type="int",
        minimum=1,
        aliases=("LOCKOUT_THRESHOLD",),
    ),
    Setting(
        "lockout_minutes",
        15,
        "Minutes an account stays locked after too many wrong passwords.",
        type="int",
        minimum=1,
        aliases=("LOCKOUT_MINUTES",),
    ),
    Setting(
        "upload_max_mb",
        200,
        "Largest file (MB) an analyst may upload to import.",
        type="int",
        minimum=1,
        aliases=("UPLOAD_MAX_MB",),
    ),
    Setting(
        "static_root",
        "",
        "Folder `collectstatic` copies the static files to; empty: served from the package.",
        aliases=("STATIC_ROOT",),
    ),
    Setting(
        "log_level",
        "WARNING",
        "Lowest level of message the web server logs.",
        type="choice",
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        aliases=("LOG_LEVEL",),
    ),
    Setting("tile_url", "", "Map tile URL template for the web map; empty shows boundaries only."),
    Setting(
        "map_tiles_attribution",
        "",
        "Attribution shown under the web map for the tiles of tile_url (their licence asks it).",
    ),
    Setting(
        "consult_rate_limit",
        20,
        "Consultation responses one network may send to one consultation per hour; 0 for no limit.",
    ),
    Setting(
        "consult_duplicate_minutes",
        60,
        "The same answers from the same network within this many minutes are flagged as a "
        "possible duplicate.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """Return the current value of setting ``name`` (environment first, then default)."""
    return _BY_NAME[name].value()


def docs_rows() -> list[str]:
    """The rows of the table in ``docs/settings.md``, one per setting, in registry order
    (``python -m safercity.settings`` prints them)."""
    rows = []
    for s in SETTINGS:
        env = f"`{s.env_var}`" + "".join(f" (or `{a}`)" for a in s.aliases)
        rows.append(f"| `{s.name}` | {env} | {s.kind} | `{s.text(s.default)}` | {s.help} |")
    return rows


def check_all() -> list[str]:
    """Every unusable setting's message (empty when all can be read)."""
    problems = []
    for s in SETTINGS:
        try:
            s.value()
        except SettingError as exc:
            problems.append(str(exc))
    return problems


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(docs_rows()))
