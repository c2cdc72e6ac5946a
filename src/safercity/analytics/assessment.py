"""The Strategic Assessment: every analysis for one area and period, held as tables.

:class:`Assessment` reads a workspace once and runs the engines of :mod:`safercity.analytics`
(trends, places, times, people, repeats, near repeats, harm, themes, priorities) for an area
(a local authority) and a period (e.g. ``2017-07:2018-06``), comparing it with the period of
the same length just before. It computes on creation; the results are

* ``tables`` - every table of the report as a DataFrame (written as CSV next to the report;
  all numbers in the report's text come from these);
* ``themes`` - one :class:`ThemeResult` per theme (night-time economy, youth, ...), with the
  anti-social behaviour theme held apart in ``asb``;
* ``findings`` - the summary's key findings, as sentences generated from the tables;
* ``coverage`` - months missing, rows without location, sources (for the caveats).

Conventions (where the issue leaves a choice, stated here and in the report's methods)
------------------------------------------------------------------------------------
* **Comparison.** This period against the same number of months just before. Months with no
  data at all (e.g. a month police.uk did not publish) are *missing*, not zero: each count is
  compared as a rate per month of data (exposure = months with data), with the E-test of
  Krishnamoorthy & Thomson (2004) at ``alpha``; the exact conditional test is also tabled.
* **Figure 1 (long-run trend)** uses the Met borough series (``recorded_crime``) when the
  workspace holds it for the area, else the incidents; years are the 12 months ending in the
  period's last month ("12 months to June"), as far back as complete years go, up to the period.
* **Crime** excludes anti-social behaviour (ASB is not a notifiable crime, and the Met series
  has none); ASB has its own section.
* **Places** are the area's LSOAs (2011, built-in geography) with 2011 Census residents, so
  places with no incidents count (zeros are known).
* **Repeats** are by ``victim_id`` when the data has victims; otherwise by location - the
  police.uk snap point (easting, northing), which is an anonymised *approximate* location.
* **Near repeats** are a Knox test on the theme's burglaries (``knox_category``); with
  month-only dates (police.uk) the time bands are calendar-month steps, with day dates the
  Near Repeat Calculator's 7-day bands.
* **Priorities** are :class:`~safercity.analytics.priorities.PriorityMatrix` over the two
  periods; the recommended priorities are its top ``recommend`` themes that have incidents.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
import yaml

from safercity import __version__
from safercity.analytics import geography
from safercity.analytics import wording as w
from safercity.analytics.areas import rows_without_local_authority
from safercity.analytics.frames import incidents_frame, parse_period
from safercity.analytics.harm import HarmProfile, HarmWeights, load_weights
from safercity.analytics.near_repeat import Knox
from safercity.analytics.people import NoPeopleDataError, PeopleProfile
from safercity.analytics.places import PlaceProfile
from safercity.analytics.priorities import PriorityMatrix
from safercity.analytics.repeats import RepeatVictimisation
from safercity.analytics.sections.hotspots import hotspots_section, near_repeat_sentence
from safercity.analytics.sections.stopsearch import stop_search_section
from safercity.analytics.store import Workspace
from safercity.analytics.themes import Theme, ThemeSet, load_themes
from safercity.analytics.times import NoTimesError, TimeProfile
from safercity.analytics.trends import PoissonComparison, XmR, recorded_crime_monthly

ASB = "Anti-social behaviour"
#: fewest events for a Knox test
MIN_KNOX_EVENTS = 20
#: Knox bands with day-precise dates (the Near Repeat Calculator's usual set-up)
KNOX_DAY_SPACE: tuple[float, ...] = (0.0, 1.0, 100.0, 200.0, 400.0, math.inf)
KNOX_DAY_SPACE_LABELS: tuple[str, ...] = (
    "same location",
    "1 to 100 m",
    "100 to 200 m",
    "200 to 400 m",
    "400 m +",
)
KNOX_DAY_TIME: tuple[float, ...] = (0.0, 7.0, 14.0, 28.0, math.inf)
KNOX_DAY_TIME_LABELS: tuple[str, ...] = (
    "0 to 6 days",
    "7 to 13 days",
    "14 to 27 days",
    "28 days +",
)
KNOX_DAY_TIME_PHRASES: tuple[str, ...] = (
    "within 6 days of each other",
    "7 to 13 days apart",
    "14 to 27 days apart",
)
#: Knox bands with month-only dates: differences are 0, ~30, ~61, ... days
KNOX_MONTH_SPACE: tuple[float, ...] = (0.0, 1.0, 200.0, 400.0, math.inf)
KNOX_MONTH_SPACE_LABELS: tuple[str, ...] = (
    "same location",
    "1 to 200 m",
    "200 to 400 m",
    "400 m +",
)
KNOX_MONTH_TIME: tuple[float, ...] = (0.0, 15.0, 46.0, 76.0, math.inf)
KNOX_MONTH_TIME_LABELS: tuple[str, ...] = (
    "same month",
    "next month",
    "two months later",
    "three months +",
)
KNOX_MONTH_TIME_PHRASES: tuple[str, ...] = (
    "in the same month",
    "a month apart",
    "two months apart",
)

Progress = Callable[[str], None]


# ---------------------------------------------------------------------------------------------
# consultation
# ---------------------------------------------------------------------------------------------


@dataclass
class Consultation:
    """A public consultation ranking (first = most concern) mapped onto the themes."""

    source: str
    ranking: list[str]
    themes: list[str | None]
    when: str = ""
    responses: str = ""
    sha256: str = ""
    labels: list[str] = field(default_factory=list)

    @property
    def wording(self) -> list[str]:
        """The entries as the public's wording (``ranking_as_written``) when given."""
        return self.labels if len(self.labels) == len(self.ranking) else self.ranking

    @property
    def theme_ranking(self) -> list[str]:
        """Theme names in ranked order (entries that match no theme left out)."""
        return [t for t in self.themes if t is not None]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "rank": list(range(1, len(self.ranking) + 1)),
                "as_given": self.wording,
                "entry": self.ranking,
                "theme": [t or "" for t in self.themes],
            }
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


#: words the public (and strategies) use for the shipped themes
THEME_ALIASES: dict[str, str] = {
    "drugs": "substance-misuse",
    "drug": "substance-misuse",
    "alcohol": "substance-misuse",
    "young-people": "youth",
    "youth-crime": "youth",
    "re-offending": "reoffending",
    "violence-against-women": "violence-against-women-and-girls",
    "vawg": "violence-against-women-and-girls",
    "asb": "anti-social-behaviour",
    "antisocial-behaviour": "anti-social-behaviour",
    "nte": "night-time-economy",
}


def match_theme(name: str, themes: ThemeSet) -> str | None:
    """The theme a consultation entry names: exact name, title, alias, or a name that starts
    with the other (``youth-crime`` -> ``youth``); None when nothing matches."""
    key = _slug(name)
    names = list(themes)
    if key in names:
        return key
    for n in names:
        if _slug(themes[n].title) == key:
            return n
    alias = THEME_ALIASES.get(key)
    if alias in names:
        return alias
    starts = [n for n in names if key.startswith(n + "-") or n.startswith(key + "-")]
    return starts[0] if len(starts) == 1 else None


def load_consultation(path: str | Path, themes: ThemeSet) -> Consultation:
    """Read a consultation ranking from a strategy YAML (``consultation: ranking: [...]``, as in
    ``examples/westminster-2011-14.yaml``), a YAML list, or a CSV (a ``theme`` column, sorted
    by a ``rank`` column when present; or one name per line, most concern first)."""
    p = Path(path)
    data = p.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8-sig")
    ranking: list[str]
    labels: list[str] = []
    when = responses = ""
    if p.suffix.lower() in (".yaml", ".yml"):
        doc = yaml.safe_load(text)
        if isinstance(doc, dict):
            cons = doc.get("consultation", doc)
            if not isinstance(cons, dict) or "ranking" not in cons:
                raise ValueError(f"{p}: no consultation ranking (consultation: ranking: [...])")
            ranking = [str(x) for x in cons["ranking"]]
            labels = [str(x) for x in cons.get("ranking_as_written") or []]
            when = str(cons.get("when", "") or "")
            responses = str(cons.get("responses", "") or "")
        elif isinstance(doc, list):
            ranking = [str(x) for x in doc]
        else:
            raise ValueError(f"{p}: a consultation YAML must be a mapping or a list")
    else:
        rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
        if not rows:
            raise ValueError(f"{p}: empty consultation file")
        header = [c.strip().lower() for c in rows[0]]
        if "theme" in header:
            ti = header.index("theme")
            body = rows[1:]
            if "rank" in header:
                ri = header.index("rank")
                body = sorted(body, key=lambda r: float(r[ri]))
            ranking = [r[ti].strip() for r in body]
        else:
            ranking = [r[0].strip() for r in rows]
    if not ranking:
        raise ValueError(f"{p}: the consultation ranking is empty")
    return Consultation(
        source=str(p),
        ranking=ranking,
        themes=[match_theme(r, themes) for r in ranking],
        when=when,
        responses=responses,
        sha256=digest,
        labels=labels,
    )


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One count this period against last, as rates per month of data."""

    label: str
    this: int
    last: int
    comparison: PoissonComparison | None
    previous_has_data: bool = True

    @property
    def pct(self) -> float | None:
        if self.comparison is None or math.isnan(self.comparison.pct_change):
            return None
        return float(self.comparison.pct_change)

    @property
    def significant(self) -> bool | None:
        return None if self.comparison is None else self.comparison.significant

    @property
    def p(self) -> float | None:
        return None if self.comparison is None else self.comparison.p_etest

    def phrase(self) -> str:
        if not self.previous_has_data:
            return "cannot be compared with the previous period, which has no data"
        return w.change_phrase(self.this, self.last, self.pct, self.significant)


@dataclass
class KnoxResult:
    """A Knox test and the labels it was run with."""

    knox: Knox
    n_events: int
    precision: str
    space_labels: tuple[str, ...]
    time_labels: tuple[str, ...]
    category: str

    def table(self) -> pd.DataFrame:
        rows = []
        for i, s in enumerate(self.space_labels):
            for j, t in enumerate(self.time_labels):
                rows.append(
                    {
                        "distance": s,
                        "time_apart": t,
                        "observed_pairs": int(self.knox.observed[i, j]),
                        "expected_pairs": float(self.knox.expected[i, j]),
                        "knox_ratio": float(self.knox.knox_ratio[i, j]),
                        "p_value": float(self.knox.p_values[i, j]),
                    }
                )
        return pd.DataFrame(rows)

    def sentences(self, alpha: float) -> list[str]:
        """Plain sentences for the significant close bands (not the open last bands)."""
        out = []
        k = self.knox
        what = self.category.lower()
        for i, s in enumerate(self.space_labels[:-1]):
            for j, t in enumerate(self.time_labels[:-1]):
                ratio = float(k.knox_ratio[i, j])
                p = float(k.p_values[i, j])
                if p <= alpha and ratio > 1:
                    where = "at the same location" if i == 0 else f"{s} apart"
                    when = (
                        (
                            KNOX_MONTH_TIME_PHRASES
                            if self.precision == "month"
                            else KNOX_DAY_TIME_PHRASES
                        )[j]
                        if j < 3
                        else t
                    )
                    out.append(
                        f"pairs of {what} incidents {where} and {when} were "
                        f"{w.fmt_pct(100 * (ratio - 1))} more common than if timing were "
                        f"random (Knox ratio {w.fmt_num(ratio, 2)}, {w.fmt_p(p)})"
                    )
        return out


@dataclass
class ThemeResult:
    """Everything the report says about one theme."""

    name: str
    title: str
    description: str
    definition: str
    missing_fields: list[str]
    unmatched_areas: list[str]
    change: Change
    categories: pd.DataFrame
    monthly: pd.DataFrame
    spc: XmR | None
    spc_signals_in_period: int
    places: PlaceProfile | None
    places_table: pd.DataFrame
    map_values: pd.DataFrame
    times: TimeProfile | None
    times_reason: str
    victims: PeopleProfile | None
    suspects: PeopleProfile | None
    people_reason: str
    repeats: RepeatVictimisation | None
    repeats_key: str
    repeats_reason: str
    knox: KnoxResult | None
    knox_reason: str
    harm: HarmProfile | None
    harm_this: float
    harm_last: float
    harm_pct: float | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.change.this + self.change.last > 0


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    return [ts.date() for ts in pd.date_range(start, end, freq="MS")]


def _add_months(d: dt.date, k: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + k
    return dt.date(m // 12, m % 12 + 1, 1)


def _months_of(frame: pd.DataFrame) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(frame["month"]), index=frame.index)
    return pd.Series(
        [dt.date(ts.year, ts.month, 1) for ts in stamps],
        index=frame.index,
        dtype="object",
    )


def _value(v: Any) -> float | None:
    """A key figure as a float (booleans as 1/0; missing as None) for a measure/value table."""
    if v is None:
        return None
    if isinstance(v, bool | np.bool_):
        return 1.0 if v else 0.0
    f = float(v)
    return None if math.isnan(f) else f


def _sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _condition_words(spec: Mapping[str, Any]) -> list[str]:
    """One theme condition (a YAML mapping) in words."""
    parts: list[str] = []
    if spec.get("categories"):
        parts.append("categories " + w.join_list([str(c) for c in spec["categories"]], "or"))
    if spec.get("areas"):
        for col, vals in spec["areas"].items():
            names = w.join_list([f"“{v}”" for v in vals], "or")
            parts.append(f"{str(col).replace('_', ' ')} {names}")
    if spec.get("hours"):
        untimed = spec.get("include_untimed", True)
        parts.append(
            f"between {str(spec['hours']).replace('-', ' and ')}"
            + (" (incidents with no time are kept)" if untimed else "")
        )
    if spec.get("days"):
        parts.append("on " + w.join_list([str(d) for d in spec["days"]], "or"))
    if spec.get("flags"):
        parts.append(
            w.join_list(
                [
                    f"{str(k).removeprefix('flag_')} flag {'set' if v else 'not set'}"
                    for k, v in spec["flags"].items()
                ],
                "and",
            )
        )
    if spec.get("victim_sex") is not None:
        parts.append("victim sex " + w.join_list([str(x) for x in spec["victim_sex"]], "or"))
    for key in ("victim_age", "suspect_age"):
        bounds = spec.get(key)
        if isinstance(bounds, Mapping):
            who = key.split("_")[0]
            lo, hi = bounds.get("min"), bounds.get("max")
            if lo is not None and hi is not None:
                parts.append(f"{who} aged {lo} to {hi}")
            elif hi is not None:
                parts.append(f"{who} aged {hi} or under")
            elif lo is not None:
                parts.append(f"{who} aged {lo} or over")
    if spec.get("any_of"):
        alts = ["; ".join(_condition_words(alt)) for alt in spec["any_of"]]
        lead = "and at least one of: " if parts else "at least one of: "
        parts.append(lead + " | ".join(alts))
    return parts


def _definition(theme: Theme) -> str:
    """The theme's definition in words, from its YAML spec."""
    parts = _condition_words(theme.spec)
    return "; ".join(parts) if parts else "all incidents"


def _unmatched_areas(theme: Theme, frame: pd.DataFrame) -> list[str]:
    """Area values named by the theme (top level) that match no incident in the data."""
    out = []
    areas = theme.spec.get("areas") or {}
    for col, vals in areas.items():
        if col not in frame.columns:
            continue
        present = set(frame[col].dropna().astype(str).str.lower().unique())
        for v in vals:
            if str(v).lower() not in present:
                out.append(f"{str(col).replace('_', ' ')} “{v}”")
    return out


def _missing_fields(theme: Theme, frame: pd.DataFrame) -> list[str]:
    """Fields the theme's conditions read that hold no value at all in the data."""
    out = []
    for col in sorted(theme.condition.columns_needed()):
        if col in ("category", "month", "occurred_from", "occurred_to"):
            continue
        if col not in frame.columns or not frame[col].notna().any():
            out.append(col)
    return out


# ---------------------------------------------------------------------------------------------
# the assessment
# ---------------------------------------------------------------------------------------------


class Assessment:
    """Run every Strategic Assessment analysis for an area and a period.

    Parameters
    ----------
    workspace : Workspace
        An open workspace (read-only is enough).
    area : str
        The partnership's local authority (``incidents.local_authority``), e.g. "Westminster".
    period : str
        ``"START:END"`` months, e.g. ``"2017-07:2018-06"`` (see
        :func:`~safercity.analytics.frames.parse_period`); both ends are needed.
    themes : ThemeSet or path, optional
        Default: the shipped ``analytics/data/themes.yaml``.
    harm_weights : HarmWeights or path, optional
        Default: the shipped CCHI table.
    consultation : Consultation, optional
        A public consultation ranking (:func:`load_consultation`). Default None.
    seed : int, default 20110401
        Seed of the Knox permutations (the report records it).
    permutations : int, default 999
        Knox Monte Carlo permutations.
    alpha : float, default 0.05
        Significance level for every test.
    top_places : int, default 10
        Rows of each ranked places table in the report (the CSV has every place).
    knox_category : str, default "Burglary"
        The category tested for near repeats within each theme.
    recommend : int, default 3
        How many top-ranked themes are recommended as priorities.
    generated_on : date, optional
        The date printed on the report. Default: the date of the latest import in the
        workspace (so re-running gives the same document).
    progress : callable, optional
        Called with the name of each step.
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        area: str,
        period: str,
        themes: ThemeSet | str | Path | None = None,
        harm_weights: HarmWeights | str | Path | None = None,
        consultation: Consultation | None = None,
        seed: int = 20110401,
        permutations: int = 999,
        alpha: float = 0.05,
        top_places: int = 10,
        knox_category: str = "Burglary",
        recommend: int = 3,
        generated_on: dt.date | None = None,
        progress: Progress | None = None,
    ) -> None:
        self._progress = progress or (lambda step: None)
        start, end = parse_period(period)
        if start is None or end is None:
            raise ValueError(
                f"the period needs a start and an end, e.g. 2017-07:2018-06, not {period!r}"
            )
        if end < start:
            raise ValueError(f"the period {period!r} ends before it starts")
        self.workspace = workspace
        # the built-in spelling of a local authority ("westminster" -> "Westminster")
        with contextlib.suppress(KeyError):
            area = geography.resolve_local_authority(area)
        self.area = area
        self.period_text = period
        self.start, self.end = start, end
        self.months = _month_range(start, end)
        self.n_months = len(self.months)
        self.prev_start = _add_months(start, -self.n_months)
        self.prev_end = _add_months(start, -1)
        self.prev_months = _month_range(self.prev_start, self.prev_end)
        self.alpha = alpha
        self.seed = seed
        self.permutations = permutations
        self.top_places = top_places
        self.knox_category = knox_category
        self.recommend = recommend
        self.themes_set = themes if isinstance(themes, ThemeSet) else load_themes(themes)
        self.harm_weights = (
            harm_weights if isinstance(harm_weights, HarmWeights) else load_weights(harm_weights)
        )
        self.consultation = consultation
        self.tables: dict[str, pd.DataFrame] = {}
        self.captions: dict[str, str] = {}
        self._knox_cache: dict[str, KnoxResult | None] = {}

        self._progress("reading incidents")
        all_frame = incidents_frame(workspace, area=area, period=f":{end:%Y-%m}")
        if all_frame.empty:
            raise ValueError(
                f"no incidents for area {area!r} up to {end:%Y-%m} in this workspace "
                "(the area is matched against incidents.local_authority)"
            )
        all_frame = all_frame.reset_index(drop=True)
        all_frame["month"] = _months_of(all_frame)
        self.incidents_all = all_frame
        months = all_frame["month"]
        self.first_month: dt.date = min(months)
        self.months_with_data: list[dt.date] = sorted(set(months))
        have = set(self.months_with_data)
        self.missing_months = [m for m in _month_range(self.first_month, end) if m not in have]
        self.exposure_this = sum(1 for m in self.months if m in have)
        self.exposure_last = sum(1 for m in self.prev_months if m in have)
        if self.exposure_this == 0:
            raise ValueError(f"no incidents for {area!r} in the period {period}")
        in_this = months.isin(self.months).to_numpy()
        in_last = months.isin(self.prev_months).to_numpy()
        self.this = all_frame[in_this]
        self.last = all_frame[in_last]
        self.window = all_frame[in_this | in_last]
        self.generated_on = generated_on or self._latest_import() or end

        self._progress("coverage")
        self._coverage()
        self._progress("long-run trend")
        self._long_run()
        self._progress("overview")
        self._overview()
        self._progress("places")
        self._lsoa_setup()
        self.themes: list[ThemeResult] = []
        self.asb: ThemeResult | None = None
        for name in self.themes_set:
            theme = self.themes_set[name]
            self._progress(f"theme: {theme.title}")
            result = self._theme(theme)
            if self._is_asb(theme):
                self.asb = result
            else:
                self.themes.append(result)
        if self.asb is None:
            asb_theme = Theme(
                name="anti-social-behaviour",
                title="Anti-social behaviour",
                description="ASB incidents reported to the police.",
                condition=load_themes().get("anti-social-behaviour").condition,
                spec={"categories": [ASB]},
            )
            self.asb = self._theme(asb_theme)
        self._progress("wards")
        self._wards()
        # --- issue 18: hot spots and stop and search sections (analytics/sections/) ---------
        self._progress("hot spots")
        self.hotspots = hotspots_section(
            workspace,
            area=area,
            period=f"{start:%Y-%m}:{end:%Y-%m}",
            themes=[self.themes_set[name] for name in self.themes_set],
            near_repeats={
                t.name: (
                    near_repeat_sentence(t.knox.knox, t.knox.category.lower(), alpha)
                    if t.knox.precision == "day"  # the calculator's sentence needs days
                    else "; ".join(t.knox.sentences(alpha)) or None
                )
                for t in [*self.themes, self.asb]
                if t is not None and t.knox is not None
            },
        )
        self.tables.update(self.hotspots.tables())
        self._progress("stop and search")
        self.stop_search = stop_search_section(
            workspace, area=area, period=f"{start:%Y-%m}:{end:%Y-%m}"
        )
        if self.stop_search is not None:
            self.tables.update(self.stop_search.tables())
        # --- end issue 18 ----------------------------------------------------------------
        self._progress("priorities")
        self._priorities()
        self._progress("findings")
        self.findings = self._findings()

    # -----------------------------------------------------------------------------------------
    def _add(self, name: str, table: pd.DataFrame, caption: str) -> pd.DataFrame:
        table = table.reset_index(drop=True)
        self.tables[name] = table
        self.captions[name] = caption
        return table

    def _latest_import(self) -> dt.date | None:
        row = self.workspace.con.execute("SELECT max(imported_at) FROM sources").fetchall()
        if row and row[0][0] is not None:
            value = row[0][0]
            return value.date() if isinstance(value, dt.datetime) else None
        return None

    def _compare(self, label: str, this: int, last: int) -> Change:
        comparison = None
        if self.exposure_last > 0 and self.exposure_this > 0:
            comparison = PoissonComparison(
                this,
                last,
                exposure_this=self.exposure_this,
                exposure_last=self.exposure_last,
                alpha=self.alpha,
            )
        return Change(
            label, int(this), int(last), comparison, previous_has_data=self.exposure_last > 0
        )

    def _change_row(self, ch: Change) -> dict[str, Any]:
        return {
            "this_period": ch.this,
            "previous_period": ch.last,
            "change": ch.this - ch.last,
            "pct_change": ch.pct,
            "p_etest": ch.p,
            "p_exact": None if ch.comparison is None else ch.comparison.p_exact,
            "significant": ch.significant,
            "assessment": w.direction_label(ch.pct, ch.significant),
        }

    def _category_changes(self, this: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
        a = this["category"].value_counts()
        b = last["category"].value_counts()
        cats = sorted(set(a.index) | set(b.index), key=lambda c: (-int(a.get(c, 0)), str(c)))
        rows = []
        for c in cats:
            ch = self._compare(str(c), int(a.get(c, 0)), int(b.get(c, 0)))
            rows.append({"category": str(c), **self._change_row(ch)})
        cols = [
            "category",
            "this_period",
            "previous_period",
            "change",
            "pct_change",
            "p_etest",
            "p_exact",
            "significant",
            "assessment",
        ]
        return pd.DataFrame(rows, columns=cols)

    # -----------------------------------------------------------------------------------------
    def _coverage(self) -> None:
        con = self.workspace.con
        area = self.area
        window = self.window
        n = len(window)
        no_loc = int(window["easting"].isna().sum())
        btp = int((window["location_type"].astype("string") == "BTP").sum())
        no_lsoa = int(window["lsoa_code"].isna().sum())
        other_rows = con.execute(
            "SELECT count(*) FILTER (WHERE local_authority IS NULL), "
            "count(*) FILTER (WHERE local_authority IS NOT NULL AND lower(local_authority) <> "
            "lower(?)) FROM incidents WHERE month BETWEEN ? AND ?",
            [area, self.prev_start, self.end],
        ).fetchall()[0]
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
        # issue 18: rows in no area's figures, by reason; rows in 2021 LSOAs the built-in 2011
        # LSOAs lack (in the area's totals, not in its LSOA tables and maps)
        _, no_la_by_reason = rows_without_local_authority(con, self.prev_start, self.end)
        lsoa_known = window["lsoa_code"].isin(geography.builtin_lsoas().lookup.index)
        lsoa_2021 = int((window["lsoa_code"].notna() & ~lsoa_known).sum())
        self.coverage: dict[str, Any] = {
            "first_month": self.first_month,
            "last_month": self.end,
            "months_with_data": len(self.months_with_data),
            "missing_months": self.missing_months,
            "missing_this": [m for m in self.missing_months if m in self.months],
            "missing_last": [m for m in self.prev_months if m not in set(self.months_with_data)],
            "exposure_this": self.exposure_this,
            "exposure_last": self.exposure_last,
            "rows_window": n,
            "rows_without_location": no_loc,
            "rows_without_lsoa": no_lsoa,
            "rows_btp": btp,
            "rows_no_local_authority": int(other_rows[0]),
            "rows_no_local_authority_by_reason": no_la_by_reason,
            "rows_lsoa_not_built_in": lsoa_2021,
            "rows_other_areas": int(other_rows[1]),
            "rows_quarantined": int(quarantined),
            "has_times": bool(window["occurred_from"].notna().any()),
            "has_people": bool(
                window[["victim_sex", "victim_age", "suspect_age"]].notna().any().any()
            ),
            "has_victim_ids": bool(window["victim_id"].notna().any()),
        }
        src = con.execute(
            "SELECT path, kind, source_id, rows_read, rows_stored, rows_quarantined, "
            "array_to_string(list_sort(coalesce(months, [])), ' ') AS months "
            "FROM sources ORDER BY path, source_id"
        ).df()
        self.sources = src
        groups: dict[str, dict[str, Any]] = {}
        for r in src.to_dict(orient="records"):
            container = str(r["path"]).split("!", 1)[0]
            g = groups.setdefault(
                container,
                {
                    "source": Path(container).name,
                    "kind": str(r["kind"]),
                    "files": 0,
                    "rows_read": 0,
                    "rows_stored": 0,
                    "rows_quarantined": 0,
                    "_ids": [],
                },
            )
            g["files"] += 1
            g["rows_read"] += int(r["rows_read"])
            g["rows_stored"] += int(r["rows_stored"])
            g["rows_quarantined"] += int(r["rows_quarantined"])
            g["_ids"].append(str(r["source_id"]))
        rows = []
        for container in sorted(groups):
            g = groups[container]
            ids = g.pop("_ids")
            g["sha256"] = (
                ids[0]
                if len(ids) == 1
                else hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
            )
            g["sha256_of"] = "file" if len(ids) == 1 else f"sorted sha256 of its {len(ids)} files"
            rows.append(g)
        self._add(
            "data-sources",
            pd.DataFrame(
                rows,
                columns=[
                    "source",
                    "kind",
                    "files",
                    "rows_read",
                    "rows_stored",
                    "rows_quarantined",
                    "sha256",
                    "sha256_of",
                ],
            ),
            "Data sources imported into the workspace",
        )
        cov_rows = [
            ("Months of data (area, up to the period end)", len(self.months_with_data)),
            ("Months missing in that span", len(self.missing_months)),
            ("Months with data in this period", self.exposure_this),
            ("Months with data in the previous period", self.exposure_last),
            ("Incidents in the two periods", n),
            ("  of which without a location", no_loc),
            ("  of which without an LSOA", no_lsoa),
            ("  of which recorded by British Transport Police", btp),
            ("Incidents in the same months outside the area (left out)", int(other_rows[1])),
            ("Incidents in the same months with no local authority (left out)", int(other_rows[0])),
            ("Rows set aside (quarantined) at import, all files", int(quarantined)),
        ]
        self._add(
            "coverage",
            pd.DataFrame(cov_rows, columns=["measure", "value"]),
            "Coverage of the data",
        )

    # -----------------------------------------------------------------------------------------
    def _long_run(self) -> None:
        end = self.end
        series = recorded_crime_monthly(self.workspace, self.area)
        series = series[series.index <= pd.Timestamp(end)]
        if len(series) >= 12:
            self.long_run_source = "Metropolitan Police recorded crime (borough series)"
            self.long_run_from_met = True
            covered = pd.Series(1, index=series.index)
        else:
            crimes = self.incidents_all[self.incidents_all["category"] != ASB]
            counts = crimes.groupby("month").size()
            idx = pd.DatetimeIndex([pd.Timestamp(m) for m in counts.index])
            series = pd.Series(counts.to_numpy(), index=idx).sort_index()
            covered = pd.Series(1, index=series.index)
            self.long_run_source = "recorded crime in the imported incidents (excluding ASB)"
            self.long_run_from_met = False
        rows = []
        k = 0
        while True:
            y_end = _add_months(end, -12 * k)
            y_start = _add_months(y_end, -11)
            if series.empty or pd.Timestamp(y_end) < series.index.min():
                break
            mask = (series.index >= pd.Timestamp(y_start)) & (series.index <= pd.Timestamp(y_end))
            months = int(covered[mask].sum())
            if months == 0:
                break
            rows.append(
                {
                    "year": f"{w.short_month(y_start)} – {w.short_month(y_end)}",
                    "year_end": f"{y_end:%Y-%m}",
                    "crimes": int(series[mask].sum()),
                    "months_of_data": months,
                }
            )
            k += 1
        rows.reverse()
        if self.long_run_from_met:  # the Met series is complete: keep whole years only
            rows = [r for r in rows if r["months_of_data"] == 12]
        table = pd.DataFrame(rows, columns=["year", "year_end", "crimes", "months_of_data"])
        pct: list[float | None] = [None]
        for i in range(1, len(table)):
            a, b = int(table["crimes"].iloc[i]), int(table["crimes"].iloc[i - 1])
            full = (
                int(table["months_of_data"].iloc[i]) == 12
                and int(table["months_of_data"].iloc[i - 1]) == 12
            )
            pct.append(100.0 * (float(a) / float(b) - 1.0) if full and b else None)
        table["pct_change_on_previous_year"] = pct
        self.long_run = self._add(
            "figure-1-long-run",
            table,
            f"Crime in {self.area}, 12 months to {w.MONTH_NAMES[end.month - 1]} each year "
            f"(source: {self.long_run_source})",
        )

    # -----------------------------------------------------------------------------------------
    def _overview(self) -> None:
        this, last = self.this, self.last
        crime_this = this[this["category"] != ASB]
        crime_last = last[last["category"] != ASB]
        self.crime_change = self._compare(
            "All crime (excluding ASB)", len(crime_this), len(crime_last)
        )
        self.asb_change = self._compare(
            ASB, int((this["category"] == ASB).sum()), int((last["category"] == ASB).sum())
        )
        self.all_change = self._compare("All incidents", len(this), len(last))
        headline = pd.DataFrame(
            [
                {"measure": ch.label, **self._change_row(ch)}
                for ch in (self.crime_change, self.asb_change, self.all_change)
            ]
        )
        self._add(
            "overview-headline",
            headline,
            f"Incidents in {self.area}, {w.period_label(self.start, self.end)} against "
            f"{w.period_label(self.prev_start, self.prev_end)}",
        )
        self.overview_categories = self._add(
            "overview-categories",
            self._category_changes(this, last),
            "Incidents by category, this period against the previous one",
        )
        counts = self.incidents_all.groupby("month").size()
        have = set(self.months_with_data)
        rows = []
        for i, m in enumerate(self.months):
            pm = self.prev_months[i]
            rows.append(
                {
                    "month_of_period": i + 1,
                    "month": f"{m:%Y-%m}",
                    "incidents": int(counts.get(m, 0)) if m in have else None,
                    "previous_month": f"{pm:%Y-%m}",
                    "previous_incidents": int(counts.get(pm, 0)) if pm in have else None,
                }
            )
        self.overview_monthly = self._add(
            "overview-monthly",
            pd.DataFrame(rows).astype({"incidents": "Int64", "previous_incidents": "Int64"}),
            "Incidents per month, this period and the previous one (missing months left blank)",
        )
        # harm overall
        self.harm_all = HarmProfile(this, weights=self.harm_weights)
        self._add(
            "overview-harm",
            self.harm_all.table.reset_index()[
                ["category", "count", "weight", "harm", "share_of_count", "share_of_harm"]
            ],
            f"Harm by category this period (weights: {self.harm_weights.version})",
        )

    # -----------------------------------------------------------------------------------------
    def _lsoa_setup(self) -> None:
        geo = geography.builtin_lsoas()
        try:
            lsoas = geography.lsoas_of_local_authority(self.area)
        except KeyError:
            codes = sorted(set(self.window["lsoa_code"].dropna().astype(str)))
            lsoas = geo.lookup.reindex(codes).reset_index()
        lsoas = lsoas.sort_values("lsoa_code").reset_index(drop=True)
        self.lsoa_codes = [str(c) for c in lsoas["lsoa_code"]]
        self.lsoa_names = pd.Series(
            lsoas["lsoa_name"].astype("string").to_numpy(), index=self.lsoa_codes
        )
        pop = pd.to_numeric(lsoas["population"], errors="coerce").astype(float)
        self.lsoa_population = pd.Series(pop.to_numpy(), index=self.lsoa_codes).dropna()
        index = {str(c): i for i, c in enumerate(geo.codes)}
        self.lsoa_geoms = [geo.polygons[index[c]] if c in index else None for c in self.lsoa_codes]

    def _places(
        self, frame: pd.DataFrame
    ) -> tuple[PlaceProfile | None, pd.DataFrame, pd.DataFrame]:
        cols = [
            "rank",
            "lsoa_code",
            "lsoa_name",
            "incidents",
            "residents",
            "rate_per_1000",
            "share_pct",
        ]
        in_area = frame[frame["lsoa_code"].astype("string").isin(self.lsoa_codes).fillna(False)]
        if frame.empty or not len(self.lsoa_codes):
            empty = pd.DataFrame(columns=cols)
            return None, empty, pd.DataFrame({"lsoa_code": self.lsoa_codes, "incidents": 0})
        prof = PlaceProfile(
            in_area,
            place="lsoa_code",
            population=self.lsoa_population,
            names=self.lsoa_names,
        )
        t = prof.table
        table = pd.DataFrame(
            {
                "rank": t["rank_count"].to_numpy(),
                "lsoa_code": t.index.astype(str),
                "lsoa_name": t["name"].astype("string").to_numpy() if "name" in t.columns else "",
                "incidents": t["count"].to_numpy(),
                "residents": t["population"].to_numpy(),
                "rate_per_1000": t["rate"].to_numpy(),
                "share_pct": t["share"].to_numpy(),
            }
        )
        counts = t["count"].reindex(self.lsoa_codes, fill_value=0)
        map_values = pd.DataFrame({"lsoa_code": self.lsoa_codes, "incidents": counts.to_numpy()})
        return prof, table, map_values

    # -----------------------------------------------------------------------------------------
    @staticmethod
    def _is_asb(theme: Theme) -> bool:
        cats = theme.spec.get("categories")
        return theme.name == "anti-social-behaviour" or (
            isinstance(cats, list) and [str(c) for c in cats] == [ASB]
        )

    def _knox(self, frame: pd.DataFrame) -> tuple[KnoxResult | None, str]:
        sub = frame[(frame["category"] == self.knox_category) & frame["easting"].notna()]
        if len(sub) < MIN_KNOX_EVENTS:
            return None, (
                f"not tested, as the theme has "
                f"{'no' if len(sub) == 0 else w.fmt_int(len(sub))} "
                f"{self.knox_category.lower()} incidents with a location this period (at least "
                f"{MIN_KNOX_EVENTS} are needed)."
            )
        sub = sub.sort_values("incident_key", kind="stable")
        key = hashlib.sha256("\n".join(sub["incident_key"].astype(str)).encode()).hexdigest()
        if key in self._knox_cache:
            cached = self._knox_cache[key]
            return cached, ""
        day = sub["occurred_from"].notna().all()
        if day:
            dates = pd.to_datetime(sub["occurred_from"])
            sb, sl, tb, tl = (
                KNOX_DAY_SPACE,
                KNOX_DAY_SPACE_LABELS,
                KNOX_DAY_TIME,
                KNOX_DAY_TIME_LABELS,
            )
        else:
            dates = pd.to_datetime(sub["month"])
            sb, sl = KNOX_MONTH_SPACE, KNOX_MONTH_SPACE_LABELS
            tb, tl = KNOX_MONTH_TIME, KNOX_MONTH_TIME_LABELS
        knox = Knox(
            sub["easting"].to_numpy(dtype=float),
            sub["northing"].to_numpy(dtype=float),
            dates.to_numpy(),
            list(sb),
            list(tb),
            permutations=self.permutations,
            seed=self.seed,
            space_labels=list(sl),
            time_labels=list(tl),
        )
        result = KnoxResult(knox, len(sub), "day" if day else "month", sl, tl, self.knox_category)
        self._knox_cache[key] = result
        return result, ""

    def _theme(self, theme: Theme) -> ThemeResult:
        all_sub = theme.filter(self.incidents_all)
        months = all_sub["month"]
        this = all_sub[months.isin(self.months).to_numpy()]
        last = all_sub[months.isin(self.prev_months).to_numpy()]
        missing = _missing_fields(theme, self.incidents_all)
        change = self._compare(theme.title, len(this), len(last))
        slug = theme.name
        tables: dict[str, pd.DataFrame] = {}

        def add(suffix: str, table: pd.DataFrame, caption: str) -> None:
            tables[suffix] = self._add(f"theme-{slug}-{suffix}", table, caption)

        add(
            "categories",
            self._category_changes(this, last),
            f"{theme.title}: incidents by category, this period against the previous one",
        )
        # monthly trend over all months of data up to the period end
        counts = all_sub.groupby("month").size()
        have = set(self.months_with_data)
        span = _month_range(self.first_month, self.end)
        monthly = pd.DataFrame(
            {
                "month": [f"{m:%Y-%m}" for m in span],
                "incidents": pd.array(
                    [int(counts.get(m, 0)) if m in have else None for m in span], dtype="Int64"
                ),
            }
        )
        spc: XmR | None = None
        signals = 0
        known = monthly.dropna()
        if len(known) >= 12 and change.this + change.last > 0:
            spc = XmR(known["incidents"].to_numpy(dtype=float), list(known["month"]))
            flagged = spc.table[spc.table["special_cause"]]
            signals = int(sum(1 for k in flagged.index if str(k) >= f"{self.start:%Y-%m}"))
            monthly["mean"] = spc.mean
            monthly["lower_limit"] = max(spc.lower_limit, 0.0)
            monthly["upper_limit"] = spc.upper_limit
            sc = spc.table["special_cause"].reindex(monthly["month"]).astype("boolean")
            monthly["special_cause"] = sc.to_numpy()
        add("monthly", monthly, f"{theme.title}: incidents per month (missing months left blank)")
        places, places_table, map_values = self._places(this)
        add("places", places_table, f"{theme.title}: incidents by LSOA this period, ranked")
        # times
        times: TimeProfile | None = None
        times_reason = ""
        try:
            times = TimeProfile(this) if len(this) else None
            if times is None:
                times_reason = "No incidents in this theme this period."
        except NoTimesError:
            times_reason = (
                "Cannot answer: the data has no times of day (police.uk gives the month only)."
            )
        if times is not None:
            ht = times.table.copy()
            ht.insert(0, "hour", [f"{h:02d}:00" for h in ht.index])
            add("time-of-day", ht, f"{theme.title}: incidents by hour and day (aoristic)")
        # people
        victims = suspects = None
        people_reason = ""
        if len(this):
            with contextlib.suppress(NoPeopleDataError):
                victims = PeopleProfile(this, who="victim")
            with contextlib.suppress(NoPeopleDataError):
                suspects = PeopleProfile(this, who="suspect")
        if victims is None and suspects is None:
            people_reason = (
                "Cannot answer: the data has no victim or suspect details (police.uk has none)."
                if len(this)
                else "No incidents in this theme this period."
            )
        for who, prof in (("victims", victims), ("suspects", suspects)):
            if prof is None:
                continue
            rows = [
                {
                    "group": "sex: " + str(k),
                    "count": int(r["count"]),
                    "share_pct": float(r["share"]),
                }
                for k, r in prof.sex.iterrows()
            ]
            rows += [
                {
                    "group": "age: " + str(k),
                    "count": int(r["count"]),
                    "share_pct": float(r["share"]),
                }
                for k, r in prof.age_bands.iterrows()
            ]
            if prof.resident_share is not None:
                rows.append(
                    {"group": "residents", "count": None, "share_pct": float(prof.resident_share)}
                )
            add(
                f"people-{who}",
                pd.DataFrame(rows, columns=["group", "count", "share_pct"]),
                f"{theme.title}: {who} this period",
            )
        # repeats
        repeats: RepeatVictimisation | None = None
        repeats_key = ""
        repeats_reason = ""
        if len(this):
            if this["victim_id"].notna().any():
                repeats_key = "victim"
                repeats = RepeatVictimisation(this, key="victim_id")
            elif this["easting"].notna().any():
                repeats_key = "location"
                keyed = this.assign(
                    snap_point=[
                        f"{float(e):.0f},{float(n):.0f}" if pd.notna(e) else ""
                        for e, n in zip(this["easting"], this["northing"], strict=True)
                    ]
                )
                repeats = RepeatVictimisation(keyed, key="snap_point")
            else:
                repeats_reason = "Cannot answer: no victim ids and no locations."
        else:
            repeats_reason = "No incidents in this theme this period."
        if repeats is not None:
            freq = repeats.frequency.reset_index()
            add(
                "repeats", freq, f"{theme.title}: {repeats_key}s by number of incidents this period"
            )
        knox, knox_reason = (None, "not tested, as the theme has no incidents this period.")
        if len(this):
            knox, knox_reason = self._knox(this)
        if knox is not None:
            add(
                "near-repeats",
                knox.table(),
                f"{theme.title}: Knox test of {knox.category.lower()} near repeats this period",
            )
        # harm
        harm = HarmProfile(this, weights=self.harm_weights) if len(this) else None
        per = self.harm_weights.weights

        def harm_of(frame: pd.DataFrame) -> float:
            vals = frame["category"].map(lambda c: per.get(str(c)))
            return float(pd.to_numeric(vals, errors="coerce").fillna(0.0).sum())

        h_this, h_last = harm_of(this), harm_of(last)
        h_pct: float | None = None
        if h_last > 0 and self.exposure_last:
            h_pct = 100.0 * ((h_this / self.exposure_this) / (h_last / self.exposure_last) - 1.0)
        if harm is not None:
            add(
                "harm",
                harm.table.reset_index()[
                    ["category", "count", "weight", "harm", "share_of_count", "share_of_harm"]
                ],
                f"{theme.title}: harm (CCHI days) by category this period",
            )
        key: list[tuple[str, Any]] = [
            ("incidents this period", change.this),
            ("incidents previous period", change.last),
            ("change per month of data (%)", change.pct),
            ("p (E-test)", change.p),
            ("significant", change.significant),
        ]
        if spc is not None:
            key += [
                ("control chart mean", spc.mean),
                ("control chart lower limit", max(spc.lower_limit, 0.0)),
                ("control chart upper limit", spc.upper_limit),
                ("months this period with special cause", signals),
            ]
        if places is not None and places.n_incidents:
            key += [
                ("incidents with an LSOA in the area", places.n_incidents),
                ("LSOAs", places.n_places),
                ("LSOAs in the top 10%", places.top10["places"]),
                ("share in the top 10% of LSOAs (%)", 100 * places.top10["share"]),
                ("LSOAs in the top 5%", places.top5["places"]),
                ("share in the top 5% of LSOAs (%)", 100 * places.top5["share"]),
                ("Gini coefficient", places.gini),
            ]
        if times is not None:
            key += [
                ("incidents with a time", times.n_timed),
                ("incidents without a time", times.n_untimed),
                (f"share between {times.window} (%)", 100 * times.window_share),
            ]
        if repeats is not None:
            key += [
                (f"{repeats_key}s", repeats.n_victims),
                (f"incidents per {repeats_key}", repeats.concentration),
                (f"{repeats_key}s with 2 or more (%)", repeats.share_victims_repeat),
                (
                    f"incidents at {repeats_key}s with 2 or more (%)",
                    repeats.share_incidents_by_repeat_victims,
                ),
                (
                    f"incidents within {repeats.window_days} days of another (%)",
                    repeats.share_incidents_repeat_window,
                ),
                (f"{repeats_key}s with {repeats.heavy} or more (%)", repeats.share_victims_heavy),
            ]
        key += [
            ("harm this period (CCHI days)", h_this),
            ("harm previous period (CCHI days)", h_last),
            ("harm change per month of data (%)", h_pct),
        ]
        add(
            "key-figures",
            pd.DataFrame({"measure": [k for k, _v in key], "value": [_value(v) for _k, v in key]}),
            f"{theme.title}: the figures quoted in the text",
        )
        return ThemeResult(
            name=theme.name,
            title=theme.title,
            description=theme.description,
            definition=_definition(theme),
            missing_fields=missing,
            unmatched_areas=_unmatched_areas(theme, self.incidents_all),
            change=change,
            categories=tables["categories"],
            monthly=tables["monthly"],
            spc=spc,
            spc_signals_in_period=signals,
            places=places,
            places_table=places_table,
            map_values=map_values,
            times=times,
            times_reason=times_reason,
            victims=victims,
            suspects=suspects,
            people_reason=people_reason,
            repeats=repeats,
            repeats_key=repeats_key,
            repeats_reason=repeats_reason,
            knox=knox,
            knox_reason=knox_reason,
            harm=harm,
            harm_this=h_this,
            harm_last=h_last,
            harm_pct=h_pct,
            tables=tables,
        )

    # -----------------------------------------------------------------------------------------
    def _wards(self) -> None:
        this, last = self.this, self.last
        self.ward_geoms: dict[str, Any] = {}
        cols = [
            "ward_code",
            "ward_name",
            "this_period",
            "previous_period",
            "change",
            "pct_change",
            "p_etest",
            "significant",
            "assessment",
            "share_of_area_pct",
            "residents",
            "rate_per_1000",
            "rate_vs_area",
            "top_category",
        ]
        placed = this["ward_code"].notna()
        self.wards_unplaced = int((~placed).sum())
        if not placed.any():
            self.wards = self._add(
                "wards", pd.DataFrame(columns=cols), "Ward profiles (no ward boundaries loaded)"
            )
            self.ward_mix = self._add("wards-category-mix", pd.DataFrame(), "Ward category mix")
            return
        areas = self.workspace.con.execute(
            "SELECT code, name, population, geometry_wkb FROM areas WHERE area_type = 'ward' "
            "ORDER BY code"
        ).fetchall()
        pop = {str(r[0]): (float(r[2]) if r[2] is not None else None) for r in areas}
        for r in areas:
            if r[3] is not None:
                self.ward_geoms[str(r[0])] = shapely.from_wkb(bytes(r[3]))
        self.ward_population_source = "the ward boundary file"
        if not any(pop.values()) and self.ward_geoms and len(self.lsoa_population):
            # no populations in the boundary file: sum the 2011 Census residents of the LSOAs
            # whose representative point lies in each ward (2011 LSOAs nest in 2002-22 wards)
            pop = {}
            geoms = [g for g in self.lsoa_geoms]
            for code, ward in self.ward_geoms.items():
                total = 0.0
                for lsoa, g in zip(self.lsoa_codes, geoms, strict=True):
                    if (
                        g is not None
                        and lsoa in self.lsoa_population.index
                        and ward.contains(shapely.point_on_surface(g))
                    ):
                        total += float(self.lsoa_population[lsoa])
                pop[code] = total or None
            self.ward_population_source = (
                "the 2011 Census residents of the LSOAs whose centre lies in the ward"
            )
        names = (
            pd.concat([this, last])[["ward_code", "ward_name"]]
            .dropna()
            .drop_duplicates("ward_code")
            .set_index("ward_code")["ward_name"]
        )
        a = this["ward_code"].value_counts()
        b = last["ward_code"].value_counts()
        total = int(placed.sum())
        area_pop = sum(v for k, v in pop.items() if v and k in names.index)
        area_rate = 1000.0 * total / area_pop if area_pop else None
        rows = []
        for code in sorted(names.index, key=lambda c: (-int(a.get(c, 0)), str(c))):
            ch = self._compare(str(names[code]), int(a.get(code, 0)), int(b.get(code, 0)))
            sub = this[this["ward_code"] == code]["category"].value_counts()
            top = ""
            if len(sub):
                top_n = int(sub.max())
                top = sorted(str(c) for c in sub.index[sub == top_n])[0]
            p = pop.get(str(code))
            rate = 1000.0 * ch.this / p if p else None
            rows.append(
                {
                    "ward_code": str(code),
                    "ward_name": str(names[code]),
                    "this_period": ch.this,
                    "previous_period": ch.last,
                    "change": ch.this - ch.last,
                    "pct_change": ch.pct,
                    "p_etest": ch.p,
                    "significant": ch.significant,
                    "assessment": w.direction_label(ch.pct, ch.significant),
                    "share_of_area_pct": 100.0 * ch.this / total if total else None,
                    "residents": p,
                    "rate_per_1000": rate,
                    "rate_vs_area": rate / area_rate if rate is not None and area_rate else None,
                    "top_category": top,
                }
            )
        self.wards = self._add(
            "wards",
            pd.DataFrame(rows, columns=cols),
            "Ward profiles this period against the previous one",
        )
        # category mix: location quotient of each ward against the area
        area_mix = this.loc[placed, "category"].value_counts()
        top_cats = sorted(area_mix.index, key=lambda c: (-int(area_mix[c]), str(c)))
        mix_rows = []
        for code in self.wards["ward_code"]:
            sub = this[this["ward_code"] == code]["category"].value_counts()
            n = int(sub.sum())
            row: dict[str, Any] = {"ward_name": str(names[code])}
            for c in top_cats:
                share_w = float(sub.get(c, 0)) / n if n else 0.0
                share_a = float(area_mix[c]) / total
                row[str(c)] = share_w / share_a if share_a else None
            mix_rows.append(row)
        self.ward_mix = self._add(
            "wards-category-mix",
            pd.DataFrame(mix_rows, columns=["ward_name", *[str(c) for c in top_cats]]),
            "Each ward's category mix against the area's (location quotient: 1 = the area's "
            "share; 2 = twice it)",
        )
        self.ward_categories = [str(c) for c in top_cats]

    # -----------------------------------------------------------------------------------------
    def _priorities(self) -> None:
        ranking = self.consultation.theme_ranking if self.consultation else None
        self.priority_matrix = PriorityMatrix(
            self.window,
            themes=self.themes_set,
            harm_weights=self.harm_weights,
            consultation=ranking,
            period_months=self.n_months,
            alpha=self.alpha,
        )
        t = self.priority_matrix.table.reset_index()
        cols = [
            "rank",
            "theme",
            "title",
            "n",
            "score",
            "harm_score",
            "volume_score",
            "trend_score",
            "vulnerability_score",
            "public_concern_score",
            "harm_value",
            "volume_value",
            "trend_value",
            "vulnerability_value",
            "public_concern_value",
            "reasons",
        ]
        self.priorities = self._add(
            "priorities", t[cols], "Priority matrix: each theme scored 1 (low) to 5 (high)"
        )
        with_data = self.priorities[(self.priorities["n"] > 0) & self.priorities["score"].notna()]
        self.recommended = with_data.head(self.recommend).reset_index(drop=True)
        if self.consultation is not None:
            self._add(
                "consultation",
                self.consultation.table(),
                "Public consultation ranking as given, and the theme each entry maps to",
            )

    # -----------------------------------------------------------------------------------------
    def _findings(self) -> list[str]:
        area = self.area
        out = []
        cc = self.crime_change
        ac = self.asb_change
        if not cc.previous_has_data:
            out.append(
                f"Recorded crime in {area} (excluding anti-social behaviour): "
                f"{w.fmt_int(cc.this)} crimes in {w.period_label(self.start, self.end)}; the "
                "previous period has no data, so no change can be measured."
            )
            if ac.this:
                out.append(f"Anti-social behaviour: {w.fmt_int(ac.this)} incidents.")
        else:
            out.append(
                f"Recorded crime in {area} (excluding anti-social behaviour) {cc.phrase()}: "
                f"{w.fmt_int(cc.this)} crimes in {w.period_label(self.start, self.end)} against "
                f"{w.fmt_int(cc.last)} in the previous {w.plural(self.n_months, 'month')}"
                + (
                    f" ({self.exposure_last} with data)"
                    if self.exposure_last < self.n_months
                    else ""
                )
                + (f" ({w.fmt_p(cc.p)})" if cc.p is not None else "")
                + "."
            )
            if ac.this + ac.last:
                out.append(
                    f"Anti-social behaviour {ac.phrase()}: {w.fmt_int(ac.this)} incidents "
                    f"against {w.fmt_int(ac.last)}."
                )
        cats = self.overview_categories
        sig = cats[cats["significant"].fillna(False).astype(bool) & (cats["category"] != ASB)]
        rises = sig[sig["pct_change"] > 0].sort_values(
            ["change", "category"], ascending=[False, True]
        )
        falls = sig[sig["pct_change"] < 0].sort_values(["change", "category"])
        if len(rises):
            r = rises.iloc[0]
            out.append(
                f"The largest significant rise was in {str(r['category']).lower()}: up "
                f"{w.fmt_pct(r['pct_change'])} to {w.fmt_int(r['this_period'])} "
                f"({w.fmt_p(r['p_etest'])})."
            )
        if len(falls):
            r = falls.iloc[0]
            out.append(
                f"The largest significant fall was in {str(r['category']).lower()}: down "
                f"{w.fmt_pct(abs(r['pct_change']))} to {w.fmt_int(r['this_period'])} "
                f"({w.fmt_p(r['p_etest'])})."
            )
        if len(self.long_run) >= 2:
            first, lastrow = self.long_run.iloc[0], self.long_run.iloc[-1]
            if (
                first["months_of_data"] == 12
                and lastrow["months_of_data"] == 12
                and first["crimes"]
            ):
                pct = 100.0 * (lastrow["crimes"] / first["crimes"] - 1.0)
                word = "higher" if pct > 0 else "lower"
                how = (
                    "about the same as"
                    if w.fmt_pct(abs(pct)) == "0%"
                    else f"{w.fmt_pct(abs(pct))} {word} than"
                )
                out.append(
                    f"Over the longer run, the {w.fmt_int(lastrow['crimes'])} crimes in the 12 months "
                    f"to {w.month_label(self.end)} were {how} the "
                    f"{w.fmt_int(first['crimes'])} in {first['year']}, according to "
                    f"{self.long_run_source}."
                )
        overall_places = [t for t in self.themes if t.places is not None]
        hp = self.harm_all
        out.append(
            f"Crime harm (Cambridge Crime Harm Index) this period totalled "
            f"{w.fmt_int(hp.total_harm)} days; {self._top_harm_sentence()}."
        )
        for t in self.themes:
            if not t.has_data:
                continue
            if t.change.significant:
                out.append(
                    f"{t.title}: incidents {t.change.phrase()}, to {w.fmt_int(t.change.this)}."
                )
        prof = (
            PlaceProfile(
                self.this[self.this["category"] != ASB],
                place="lsoa_code",
                population=self.lsoa_population,
            )
            if len(self.lsoa_codes)
            else None
        )
        if prof is not None and not math.isnan(prof.top10["share"]):
            out.append(
                f"Crime is concentrated: the top 10% of neighbourhoods (LSOAs; "
                f"{prof.top10['places']} of {prof.n_places}) had "
                f"{w.fmt_pct(100 * prof.top10['share'])} of crime this period."
            )
        key: list[tuple[str, Any]] = [
            ("crimes this period (excluding ASB)", cc.this),
            ("crimes previous period (excluding ASB)", cc.last),
            ("crime change per month of data (%)", cc.pct),
            ("crime p (E-test)", cc.p),
            ("ASB this period", ac.this),
            ("ASB previous period", ac.last),
            ("ASB change per month of data (%)", ac.pct),
            ("ASB p (E-test)", ac.p),
            ("harm this period (CCHI days)", hp.total_harm),
        ]
        if prof is not None:
            key += [
                ("LSOAs", prof.n_places),
                ("LSOAs in the top 10%", prof.top10["places"]),
                ("share of crime in the top 10% of LSOAs (%)", 100 * prof.top10["share"]),
            ]
        self._add(
            "key-figures",
            pd.DataFrame({"measure": [k for k, _v in key], "value": [_value(v) for _k, v in key]}),
            "The figures quoted in the summary and overview",
        )
        knox_lines: list[str] = []
        for t in self.themes:
            if t.knox is not None:
                knox_lines = t.knox.sentences(self.alpha)[:1]
                if knox_lines:
                    break
        out.extend(w.capitalise(s) + "." for s in knox_lines)
        if len(self.recommended):
            names = [str(x) for x in self.recommended["title"]]
            out.append(
                f"Recommended priorities (highest scores in the priority matrix): "
                f"{w.join_list(names)}."
            )
        del overall_places
        return out

    def _top_harm_sentence(self) -> str:
        t = self.harm_all.table.dropna(subset=["harm"])
        if t.empty:
            return "no category has a harm weight"
        top = t.index[0]
        r = t.iloc[0]
        return (
            f"{str(top).lower()} caused {w.fmt_pct(r['share_of_harm'])} of that harm from "
            f"{w.fmt_pct(r['share_of_count'])} of incidents"
        )

    # -----------------------------------------------------------------------------------------
    def parameters(self) -> dict[str, Any]:
        """The parameters of this assessment (recorded in the manifest and the report)."""
        return {
            "area": self.area,
            "period": f"{self.start:%Y-%m}:{self.end:%Y-%m}",
            "previous_period": f"{self.prev_start:%Y-%m}:{self.prev_end:%Y-%m}",
            "alpha": self.alpha,
            "seed": self.seed,
            "permutations": self.permutations,
            "knox_category": self.knox_category,
            "top_places": self.top_places,
            "recommend": self.recommend,
            "themes_file": self.themes_set.path,
            "themes_sha256": _sha256_file(self.themes_set.path),
            "harm_weights_file": self.harm_weights.path,
            "harm_weights_version": self.harm_weights.version,
            "harm_weights_sha256": _sha256_file(self.harm_weights.path),
            "consultation_file": self.consultation.source if self.consultation else None,
            "consultation_sha256": self.consultation.sha256 if self.consultation else None,
            "priority_weights": dict(self.priority_matrix.weights),
            "generated_on": self.generated_on.isoformat(),
            "software": f"safercity {__version__}",
        }

    def inputs(self) -> list[dict[str, Any]]:
        """Every imported file with its sha256 (from the ``sources`` table), sorted by path."""
        out = []
        for r in self.sources.to_dict(orient="records"):
            out.append(
                {
                    "path": str(r["path"]),
                    "kind": str(r["kind"]),
                    "sha256": str(r["source_id"]),
                    "rows_read": int(r["rows_read"]),
                    "rows_stored": int(r["rows_stored"]),
                    "rows_quarantined": int(r["rows_quarantined"]),
                    "months": str(r["months"]).split() if r["months"] else [],
                }
            )
        return out

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the ``--json`` output of ``safercity assess``)."""
        return {
            "parameters": self.parameters(),
            "findings": self.findings,
            "crime": self._change_row(self.crime_change),
            "anti_social_behaviour": self._change_row(self.asb_change),
            "recommended_priorities": [str(x) for x in self.recommended["theme"]],
            "missing_months": [f"{m:%Y-%m}" for m in self.missing_months],
            "tables": sorted(self.tables),
        }


def theme_by_name(themes: Sequence[ThemeResult], name: str) -> ThemeResult:
    for t in themes:
        if t.name == name:
            return t
    raise KeyError(name)


def frame_columns(mapping: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Column names of each table (for the manifest)."""
    return {k: [str(c) for c in v.columns] for k, v in mapping.items()}


__all__ = [
    "Assessment",
    "Change",
    "Consultation",
    "KnoxResult",
    "ThemeResult",
    "load_consultation",
    "match_theme",
]
