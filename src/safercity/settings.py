"""One registry of SaferCity's settings, each with its default and help text.

Every setting can be overridden by an environment variable ``SAFERCITY_<NAME>`` (upper case).
The CLI's ``safercity settings`` lists them; the docs table is checked against this registry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return "SAFERCITY_" + self.name.upper()

    def value(self) -> Any:
        raw = os.environ.get(self.env_var)
        if raw is None:
            return self.default
        if isinstance(self.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(self.default, int):
            return int(raw)
        if isinstance(self.default, float):
            return float(raw)
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("workspace", "safercity-data", "Folder holding the DuckDB workspace (store.duckdb)."),
    Setting("area", "", "Default local authority for analyses, e.g. 'Westminster'."),
    Setting("permutations", 999, "Default number of permutations for Monte Carlo inference."),
    Setting("seed", 20110401, "Default random seed, so that reruns give identical results."),
    Setting(
        "cell_size_m", 100, "Default hotspot grid cell size in metres (British National Grid)."
    ),
    Setting("port", 8000, "Port that `safercity serve` listens on."),
    Setting(
        "trusted_proxy",
        "",
        "Address of the TLS proxy in front of `safercity serve`, whose X-Forwarded-Proto and "
        "X-Forwarded-For are believed; empty believes none.",
    ),
    Setting("tile_url", "", "Map tile URL template for the web map; empty shows boundaries only."),
    Setting(
        "police_uk_api",
        "https://data.police.uk/api",
        "Base URL of the police.uk API used by `safercity fetch police-uk`.",
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
