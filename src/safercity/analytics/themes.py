"""Cross-cutting themes (night-time economy, youth, VAWG, ...) as editable YAML filters.

A theme is a named filter over incidents: categories, areas, hours of the day, days of the week,
flags and people fields, with an optional ``any_of`` list of alternative conditions. The shipped
definitions (``analytics/data/themes.yaml``) follow the Safer Westminster Partnership Strategy
2011-14; the file's header documents the format. Each theme then gets its own trend, places,
times and harm by filtering the incidents first::

    theme = load_themes().get("night-time-economy")
    nte = theme.filter(incidents)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from safercity.analytics.categories import normalise_category

AREA_COLUMNS = ("ward_name", "ward_code", "lsoa_code", "lsoa_name", "local_authority")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KNOWN_KEYS = {
    "title",
    "description",
    "categories",
    "areas",
    "hours",
    "include_untimed",
    "days",
    "flags",
    "victim_sex",
    "victim_age",
    "suspect_age",
    "any_of",
    "applies_to",
    "proxy_for",
}
#: keys that describe a theme rather than filter incidents
_THEME_KEYS = {"title", "description", "applies_to", "proxy_for"}


class ThemeError(ValueError):
    """A themes file that does not follow the documented format."""


def parse_hours(text: str) -> tuple[float, float]:
    """``"20:00-04:00"`` -> (20.0, 4.0) in decimal hours; the window may wrap midnight."""
    try:
        start_text, end_text = text.split("-")
        h1, m1 = (int(x) for x in start_text.strip().split(":"))
        h2, m2 = (int(x) for x in end_text.strip().split(":"))
    except ValueError as exc:
        raise ThemeError(f"hours must look like '20:00-04:00', not {text!r}") from exc
    if not (0 <= h1 <= 24 and 0 <= h2 <= 24 and 0 <= m1 < 60 and 0 <= m2 < 60):
        raise ThemeError(f"hours out of range in {text!r}")
    return h1 + m1 / 60.0, h2 + m2 / 60.0


def in_window(hour: np.ndarray, start: float, end: float) -> np.ndarray:
    """True where decimal ``hour`` is in [start, end), wrapping midnight when end <= start."""
    if end > start:
        return np.asarray((hour >= start) & (hour < end))
    return np.asarray((hour >= start) | (hour < end))


def incident_time(frame: pd.DataFrame) -> pd.Series:
    """The time used for hour/day conditions: the middle of ``occurred_from``..``occurred_to``."""
    if "occurred_from" not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    start = pd.to_datetime(frame["occurred_from"])
    end = pd.to_datetime(frame["occurred_to"]) if "occurred_to" in frame.columns else start
    end = end.fillna(start)
    return start + (end - start) / 2


@dataclass
class Condition:
    """One level of a theme's conditions (every given field must hold)."""

    categories: list[str] | None = None
    areas: dict[str, list[str]] | None = None
    hours: tuple[float, float] | None = None
    hours_text: str | None = None
    include_untimed: bool = True
    days: list[int] | None = None
    flags: dict[str, bool] | None = None
    victim_sex: list[str] | None = None
    victim_age: tuple[float, float] | None = None
    suspect_age: tuple[float, float] | None = None
    any_of: list[Condition] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, spec: Mapping[str, Any], where: str) -> Condition:
        unknown = set(spec) - _KNOWN_KEYS
        if unknown:
            raise ThemeError(f"{where}: unknown keys {sorted(unknown)}")
        if ".any_of[" in where:  # an alternative holds conditions only
            nested = sorted(set(spec) & _THEME_KEYS)
            if nested:
                raise ThemeError(f"{where}: {nested} belong to the theme, not to a condition")
        cond = cls()
        if "categories" in spec:
            cats = []
            for name in spec["categories"]:
                canonical = normalise_category(str(name))
                if canonical is None:
                    raise ThemeError(f"{where}: {name!r} is not a police.uk category")
                cats.append(canonical)
            cond.categories = cats
        if "areas" in spec:
            areas = spec["areas"]
            if not isinstance(areas, Mapping):
                raise ThemeError(f"{where}: areas must map a column to a list of values")
            for col in areas:
                if col not in AREA_COLUMNS:
                    raise ThemeError(f"{where}: area column {col!r} not one of {AREA_COLUMNS}")
            cond.areas = {str(k): [str(v) for v in vals] for k, vals in areas.items()}
        if "hours" in spec:
            cond.hours_text = str(spec["hours"])
            cond.hours = parse_hours(cond.hours_text)
        cond.include_untimed = bool(spec.get("include_untimed", True))
        if "days" in spec:
            days = []
            for d in spec["days"]:
                key = str(d).strip().lower()[:3]
                if key not in DAY_NAMES:
                    raise ThemeError(f"{where}: {d!r} is not a day of the week")
                days.append(DAY_NAMES.index(key))
            cond.days = days
        if "flags" in spec:
            cond.flags = {str(k): bool(v) for k, v in spec["flags"].items()}
            for k in cond.flags:
                if not k.startswith("flag_"):
                    raise ThemeError(f"{where}: flag {k!r} must be a flag_ column")
        if "victim_sex" in spec:
            cond.victim_sex = [str(s).strip().lower() for s in spec["victim_sex"]]
        for key in ("victim_age", "suspect_age"):
            if key in spec:
                bounds = spec[key] or {}
                lo = float(bounds.get("min", -np.inf))
                hi = float(bounds.get("max", np.inf))
                setattr(cond, key, (lo, hi))
        for i, alt in enumerate(spec.get("any_of", []) or []):
            cond.any_of.append(cls.from_mapping(alt, f"{where}.any_of[{i}]"))
        return cond

    def columns_needed(self) -> set[str]:
        cols: set[str] = set()
        if self.categories is not None:
            cols.add("category")
        if self.areas:
            cols.update(self.areas)
        if self.hours is not None or self.days is not None:
            cols.update({"occurred_from", "occurred_to"})
        if self.flags:
            cols.update(self.flags)
        for key in ("victim_sex", "victim_age", "suspect_age"):
            if getattr(self, key) is not None:
                cols.add(key)
        for alt in self.any_of:
            cols |= alt.columns_needed()
        return cols

    def missing_data(self, frame: pd.DataFrame) -> list[str]:
        """Fields this condition needs that ``frame`` has no value for at all (empty = can be
        assessed). Hours/days are never missing (untimed rows follow ``include_untimed``); an
        ``any_of`` list is missing only if every alternative is."""

        def empty(col: str) -> bool:
            return col not in frame.columns or not frame[col].notna().any()

        missing: list[str] = []
        if self.areas and all(empty(c) for c in self.areas):
            missing.append(" or ".join(self.areas))
        for col in self.flags or {}:
            if empty(col):
                missing.append(col)
        for key in ("victim_sex", "victim_age", "suspect_age"):
            if getattr(self, key) is not None and empty(key):
                missing.append(key)
        if self.any_of:
            alts = [alt.missing_data(frame) for alt in self.any_of]
            if all(alts):
                missing.append(" or ".join(" and ".join(a) for a in alts))
        return missing

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        n = len(frame)
        ok = np.ones(n, dtype=bool)
        if self.categories is not None:
            ok &= frame["category"].isin(self.categories).to_numpy()
        if self.areas:
            any_area = np.zeros(n, dtype=bool)
            for col, values in self.areas.items():
                if col in frame.columns:
                    lowered = {v.lower() for v in values}
                    any_area |= (
                        frame[col]
                        .astype("string")
                        .str.lower()
                        .isin(lowered)
                        .to_numpy(dtype=bool, na_value=False)
                    )
            ok &= any_area
        if (self.hours is not None or self.days is not None) and (
            "occurred_from" not in frame.columns or frame["occurred_from"].isna().all()
        ):
            ok &= self.include_untimed
        elif self.hours is not None or self.days is not None:
            t = incident_time(frame)
            timed = t.notna().to_numpy()
            in_time = np.ones(n, dtype=bool)
            if self.hours is not None:
                hour = (t.dt.hour + t.dt.minute / 60.0).to_numpy(dtype=float, na_value=np.nan)
                in_time &= in_window(np.nan_to_num(hour, nan=-1.0), *self.hours)
            if self.days is not None:
                dow = t.dt.day_of_week.to_numpy(dtype=float, na_value=np.nan)
                in_time &= np.isin(dow, self.days)
            ok &= np.where(timed, in_time, self.include_untimed)
        if self.flags:
            for col, value in self.flags.items():
                if col not in frame.columns:
                    ok &= False
                    continue
                vals = frame[col].astype("boolean")
                ok &= (vals == value).to_numpy(dtype=bool, na_value=False)
        if self.victim_sex is not None:
            if "victim_sex" not in frame.columns or frame["victim_sex"].isna().all():
                ok &= False
            else:
                sex = frame["victim_sex"].astype("string").str.strip().str.lower()
                ok &= sex.isin(self.victim_sex).to_numpy(dtype=bool, na_value=False)
        for key in ("victim_age", "suspect_age"):
            bounds = getattr(self, key)
            if bounds is not None:
                if key not in frame.columns or frame[key].isna().all():
                    ok &= False
                    continue
                age = pd.to_numeric(frame[key], errors="coerce").to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    ok &= (age >= bounds[0]) & (age <= bounds[1])
        if self.any_of:
            alt_ok = np.zeros(n, dtype=bool)
            for alt in self.any_of:
                alt_ok |= alt.mask(frame)
            ok &= alt_ok
        return ok


@dataclass
class Theme:
    """A named cross-cutting theme. ``filter(frame)`` keeps the incidents in the theme."""

    name: str
    title: str
    description: str
    condition: Condition
    spec: dict[str, Any]

    def columns_needed(self) -> set[str]:
        """Incident columns the theme's conditions read (``month`` always included)."""
        return self.condition.columns_needed() | {"month"}

    def missing_data(self, incidents: pd.DataFrame) -> list[str]:
        """Fields the theme needs that the incidents do not have at all, e.g. ``["ward_name"]``
        for a night-time-economy theme on data with no wards. With any, the theme cannot be
        assessed on this data: its filter would return nothing for want of data, not of crime.
        """
        return self.condition.missing_data(incidents)

    def filter(self, incidents: pd.DataFrame) -> pd.DataFrame:
        """Return the incidents in the theme. Columns a condition needs but the frame lacks
        make that condition fail for every row (people fields), except hours/days, which treat
        a missing time as untimed (see ``include_untimed``)."""
        return incidents[self.condition.mask(incidents)]

    @property
    def hours(self) -> str | None:
        return self.condition.hours_text

    @property
    def applies_to(self) -> list[str]:
        """Local authorities the theme is defined for (``applies_to:``); empty = everywhere."""
        value = self.spec.get("applies_to") or []
        return [str(v) for v in ([value] if isinstance(value, str) else value)]

    def applies(self, area: str | None) -> bool:
        """True when the theme is defined for ``area`` (or for everywhere)."""
        if not self.applies_to or area is None:
            return True
        return area.strip().lower() in {a.strip().lower() for a in self.applies_to}

    @property
    def proxy_for(self) -> str | None:
        """What a proxy theme stands in for (``proxy_for:``), e.g. "re-offending"; None when
        the theme measures what it names."""
        value = self.spec.get("proxy_for")
        return str(value) if value else None


class ThemeSet(Mapping[str, Theme]):
    """The themes from one file, by name (a read-only mapping)."""

    def __init__(self, themes: dict[str, Theme], *, version: int, path: str) -> None:
        self._themes = themes
        self.version = version
        self.path = path

    def __getitem__(self, name: str) -> Theme:
        return self._themes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._themes)

    def __len__(self) -> int:
        return len(self._themes)

    def get(self, name: str, default: Any = None) -> Theme:
        """The theme called ``name``; a clear :class:`KeyError` listing the names otherwise."""
        key = name.strip().lower().replace(" ", "-").replace("_", "-")
        if key in self._themes:
            return self._themes[key]
        raise KeyError(f"no theme {name!r} in {self.path}; themes: {', '.join(self._themes)}")


def default_themes_path() -> Path:
    return Path(str(resources.files("safercity.analytics") / "data" / "themes.yaml"))


def load_themes(path: str | Path | None = None) -> ThemeSet:
    """Read a themes file (default: the shipped ``analytics/data/themes.yaml``).

    Raises :class:`ThemeError` with the theme's name for anything not in the documented format.
    """
    p = Path(path) if path is not None else default_themes_path()
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "themes" not in data:
        raise ThemeError(f"{p}: a themes file needs a 'themes:' mapping")
    version = int(data.get("version", 1))
    if version != 1:
        raise ThemeError(f"{p}: themes file version {version} is not supported (expected 1)")
    themes: dict[str, Theme] = {}
    for name, spec in (data["themes"] or {}).items():
        if not isinstance(spec, dict):
            raise ThemeError(f"{p}: theme {name!r} must be a mapping")
        key = str(name).strip().lower()
        cond = Condition.from_mapping(spec, f"{p}: theme {name!r}")
        applies = spec.get("applies_to")
        if applies is not None and not (
            isinstance(applies, str)
            or (isinstance(applies, list) and all(isinstance(a, str) for a in applies))
        ):
            raise ThemeError(f"{p}: theme {name!r}: applies_to must be a list of area names")
        themes[key] = Theme(
            name=key,
            title=str(spec.get("title", name)),
            description=" ".join(str(spec.get("description", "")).split()),
            condition=cond,
            spec=dict(spec),
        )
    return ThemeSet(themes, version=version, path=str(p))
