"""The Strategic Assessment: every analysis for one area and period, held as tables.

:class:`Assessment` reads a workspace once and runs the engines of :mod:`safercity.analytics`
(trends, places, times, people, repeats, near repeats, harm, themes, priorities) for an area
(a local authority) and a period (e.g. ``2017-07:2018-06``). It computes on creation; the
results are

* ``tables`` - every table of the report as a DataFrame (written as CSV next to the report;
  all numbers in the report's text come from these);
* ``themes`` - one :class:`ThemeResult` per theme that applies to the area, with the
  anti-social behaviour theme held apart in ``asb``;
* ``priority_matrix`` - every crime category, ASB and theme scored on the MoRiLE dimensions
  (:mod:`safercity.analytics.priorities`), ``recommended`` its top candidates and
  ``gaps`` what the data cannot measure;
* ``findings`` and ``executive`` - the summary's sentences, generated from the tables
  (:mod:`~safercity.analytics.assessment.findings`);
* ``coverage`` - months missing, rows without location, sources (for the caveats).

Conventions (where the issue leaves a choice, stated here and in the report's methods)
------------------------------------------------------------------------------------
* **Comparison.** Like with like: the period against the same months a year earlier
  (:mod:`~safercity.analytics.assessment.periods`); months with no data are missing, not zero,
  and counts are compared as rates per month of data. A change is significant when the test
  that allows for overdispersion says so (the E-test when the dispersion cannot be estimated).
* **Largest** rise or fall means the largest change in the number of crimes among the
  significant changes.
* **Crime** excludes anti-social behaviour (ASB is not a notifiable crime, and the Met series
  has none); ASB has its own section. Harm shares are of crime only.
* **Partner data** (rows imported with the ready partner mappings) is reported by dataset and
  kept out of the police counts.
* **Places** are the area's LSOAs (2011, built-in geography) with 2011 Census residents, so
  places with no incidents count; rates per 1,000 workday population are added when an ONS
  workday population table is given.
* **Sections** from other modules (stop and search, hot spots) plug in through
  :attr:`Assessment.extra_sections`, a list the report builder renders in order.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from safercity import __version__
from safercity.analytics import geography
from safercity.analytics import wording as w
from safercity.analytics.areas import rows_without_local_authority
from safercity.analytics.assessment import periods as pr
from safercity.analytics.assessment.consultation import Consultation
from safercity.analytics.assessment.context import Context, load_context
from safercity.analytics.assessment.knox import KnoxResult
from safercity.analytics.assessment.partners import (
    data_gaps,
    load_registry,
    partner_table,
    split_partner_rows,
)
from safercity.analytics.assessment.review import StrategyReview, review_strategy
from safercity.analytics.assessment.theme_profile import (
    ThemeResult,
    named_places,
    profile_theme,
)
from safercity.analytics.assessment.wards import ward_profiles
from safercity.analytics.frames import incidents_frame, parse_period
from safercity.analytics.harm import (
    HarmProfile,
    HarmWeights,
    cost_lens,
    load_weights,
    weight_sensitivity,
)
from safercity.analytics.priorities import DEFAULT_WEIGHTS, PriorityMatrix
from safercity.analytics.sections.hotspots import hotspots_section, near_repeat_sentence
from safercity.analytics.sections.hotspots import report_section as hotspots_report_section
from safercity.analytics.sections.stopsearch import (
    report_section as stop_search_report_section,
)
from safercity.analytics.sections.stopsearch import stop_search_section
from safercity.analytics.store import Workspace
from safercity.analytics.themes import Theme, ThemeSet, load_themes
from safercity.analytics.trends import PoissonComparison, recorded_crime_monthly

ASB = "Anti-social behaviour"

Progress = Callable[[str], None]
#: a section builder from another module: called with the assessment, returns report blocks
SectionBuilder = Callable[[Any], Any]


# ---------------------------------------------------------------------------------------------
# a change
# ---------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One count this period against the comparison period, as rates per month of data.

    ``significant`` is decided by the test that allows for overdispersion
    (``p_adjusted``, quasi-Poisson) when the dispersion could be estimated, else by the E-test
    (``p_etest``); ``p`` is the deciding p-value and ``test`` names the test.
    """

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
    def p_etest(self) -> float | None:
        return None if self.comparison is None else self.comparison.p_etest

    @property
    def p_adjusted(self) -> float | None:
        return None if self.comparison is None else self.comparison.p_quasi_poisson

    @property
    def dispersion(self) -> float | None:
        return None if self.comparison is None else self.comparison.dispersion

    @property
    def adjusted(self) -> bool:
        return self.p_adjusted is not None

    @property
    def p(self) -> float | None:
        """The deciding p-value."""
        return self.p_adjusted if self.adjusted else self.p_etest

    @property
    def significant(self) -> bool | None:
        if self.comparison is None or self.p is None:
            return None
        return bool(self.p < self.comparison.alpha)

    @property
    def test(self) -> str:
        if self.comparison is None:
            return "not tested"
        if self.adjusted and self.dispersion is not None:
            return f"allowing for overdispersion ({w.fmt_num(self.dispersion, 1)})"
        return "E-test (overdispersion not estimable)"

    @property
    def assessment(self) -> str:
        if not self.previous_has_data:
            return "no comparison data"
        return w.direction_label(self.pct, self.significant)

    def phrase(self) -> str:
        if not self.previous_has_data:
            return "cannot be compared with the comparison period, which has no data"
        return w.change_phrase(self.this, self.last, self.pct, self.significant)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _months_of(frame: pd.DataFrame) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(frame["month"]), index=frame.index)
    return pd.Series(
        [dt.date(ts.year, ts.month, 1) for ts in stamps],
        index=frame.index,
        dtype="object",
    )


def _sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")


def load_workday_population(path: str | Path) -> dict[str, float]:
    """Workday population by LSOA from an ONS table (e.g. Census 2011 WP101EW, as downloaded:
    a column of LSOA codes and the population in the first numeric column after it).
    Thousands separators are allowed; rows without an LSOA code (headers, notes) are skipped."""
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig", errors="replace")
    out: dict[str, float] = {}
    for row in csv.reader(io.StringIO(text)):
        cells = [c.strip() for c in row]
        code_at = next((i for i, c in enumerate(cells) if _LSOA_CODE.match(c)), None)
        if code_at is None:
            continue
        for c in cells[code_at + 1 :]:
            with contextlib.suppress(ValueError):
                out[cells[code_at]] = float(c.replace(",", ""))
                break
    if not out:
        raise ValueError(f"{p}: no LSOA codes (E01..., W01...) with a population were found")
    return out


# ---------------------------------------------------------------------------------------------
# the assessment
# ---------------------------------------------------------------------------------------------


def themes_without_times(themes: ThemeSet) -> ThemeSet:
    """The themes as this data can measure them when no incident has a time: a theme limited to
    some hours that keeps untimed incidents counts its place at every hour, so it is named for
    what it measures ("Night-time economy area (all hours)") and says so in its description.
    Themes that drop untimed incidents are left as they are (they find nothing, and say so)."""
    out: dict[str, Theme] = {}
    for name in themes:
        t = themes[name]
        if t.hours and t.condition.include_untimed:
            t = dataclasses.replace(
                t,
                title=f"{t.title} area (all hours)",
                description=f"{t.description} This data has no times, so the theme counts its "
                f"incidents at every hour, not only {t.hours.replace('-', ' to ')}: a proxy "
                f"for {t.title[:1].lower()}{t.title[1:]}.",
            )
        out[name] = t
    return ThemeSet(out, version=themes.version, path=themes.path)


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
    previous_strategy : path, optional
        Last year's strategy file with its monitoring (``safercity strategy export --from-db``
        or the worked example): its priorities are reviewed and score the organisational
        position. Default None.
    context : path, optional
        The analyst's narrative file (PESTELO, emerging threats, hidden harms;
        :mod:`~safercity.analytics.assessment.context`). Default None: not written.
    workday_population : path or mapping, optional
        ONS workday population by LSOA (:func:`load_workday_population`). Default None.
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
        How many top-ranked candidates are recommended as priorities.
    generated_on : date, optional
        The date printed on the report. Default: the date of the latest import in the
        workspace (so re-running gives the same document).
    progress : callable, optional
        Called with the name of each step.
    """

    # set by :func:`~safercity.analytics.assessment.wards.ward_profiles`
    wards: pd.DataFrame
    ward_mix: pd.DataFrame
    ward_geoms: dict[str, Any]
    ward_categories: list[str]
    ward_population_source: str
    wards_unplaced: int

    def __init__(
        self,
        workspace: Workspace,
        *,
        area: str,
        period: str,
        themes: ThemeSet | str | Path | None = None,
        harm_weights: HarmWeights | str | Path | None = None,
        consultation: Consultation | None = None,
        previous_strategy: str | Path | None = None,
        context: str | Path | None = None,
        workday_population: str | Path | Mapping[str, float] | None = None,
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
        with contextlib.suppress(KeyError):
            area = geography.resolve_local_authority(area)
        self.area = area
        self.period_text = period
        self.basis = pr.Basis.like_with_like(start, end)
        self.start, self.end = start, end
        self.months = list(self.basis.months)
        self.n_months = self.basis.n_months
        self.prev_months = list(self.basis.prev_months)
        self.prev_start, self.prev_end = self.basis.prev_start, self.basis.prev_end
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
        self.workday_population: dict[str, float] = (
            dict(workday_population)
            if isinstance(workday_population, Mapping)
            else load_workday_population(workday_population)
            if workday_population is not None
            else {}
        )
        self.workday_source = (
            ""
            if workday_population is None or isinstance(workday_population, Mapping)
            else Path(workday_population).name
        )
        self.tables: dict[str, pd.DataFrame] = {}
        self.captions: dict[str, str] = {}
        self.knox_cache: dict[str, KnoxResult | None] = {}
        #: section builders from other modules, rendered in order after the places section
        self.extra_sections: list[SectionBuilder] = []

        self._progress("reading incidents")
        frame = incidents_frame(workspace, area=area, period=f":{end:%Y-%m}")
        if frame.empty:
            raise ValueError(
                f"no incidents for area {area!r} up to {end:%Y-%m} in this workspace "
                "(the area is matched against incidents.local_authority)"
            )
        frame = frame.reset_index(drop=True)
        frame["month"] = _months_of(frame)
        self.partner_registry = load_registry()
        police, self.partner_frames = split_partner_rows(frame, self.partner_registry)
        if police.empty:
            raise ValueError(f"no police-recorded incidents for {area!r} up to {end:%Y-%m}")
        self.incidents_all = police.reset_index(drop=True)
        months = self.incidents_all["month"]
        self.first_month: dt.date = min(months)
        self.months_with_data: list[dt.date] = sorted(set(months))
        have = set(self.months_with_data)
        self.span_months = pr.month_range(self.first_month, end)
        # police.uk snapshots: only the period's calendar months in each year (the demo data)
        period_moy = {m.month for m in self.months}
        self.snapshots = self.n_months < 12 and all(m.month in period_moy for m in have)
        self.missing_months = [m for m in self.span_months if m not in have]
        self.exposure_this = sum(1 for m in self.months if m in have)
        self.exposure_last = sum(1 for m in self.prev_months if m in have)
        if self.exposure_this == 0:
            raise ValueError(f"no incidents for {area!r} in the period {period}")
        in_this = months.isin(self.months).to_numpy()
        in_last = months.isin(self.prev_months).to_numpy()
        self.this = self.incidents_all[in_this]
        self.last = self.incidents_all[in_last]
        self.window = self.incidents_all[in_this | in_last]
        self.generated_on = generated_on or self._latest_import() or end

        self._progress("coverage")
        self._coverage()
        if not self.coverage["has_times"]:
            self.themes_set = themes_without_times(self.themes_set)
        self._progress("long-run trend")
        self._long_run()
        self._progress("overview")
        self._overview()
        self._progress("places")
        self._lsoa_setup()
        self.themes: list[ThemeResult] = []
        self.themes_elsewhere: list[Theme] = []
        self.asb: ThemeResult | None = None
        for name in self.themes_set:
            theme = self.themes_set[name]
            if not theme.applies(area):
                self.themes_elsewhere.append(theme)
                continue
            self._progress(f"theme: {theme.title}")
            result = profile_theme(self, theme)
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
            self.asb = profile_theme(self, asb_theme)
        self.named_places = self.add_table(
            "named-places",
            named_places(self, self.this[self.this["category"] != ASB]),
            "The named places (police.uk locations) with most crime this period, excluding ASB",
        )
        self._progress("wards")
        ward_profiles(self)
        self._progress("hot spots")
        self._hotspots_and_stop_search()
        self._progress("partner data")
        self.partners = self.add_table(
            "partner-data",
            partner_table(self),
            "Partner data: records this period and in the comparison period, by dataset",
        )
        self._progress("last year's priorities")
        self.review: StrategyReview | None = None
        if previous_strategy is not None:
            self.review = review_strategy(
                previous_strategy,
                pr.add_months(end, 1) - dt.timedelta(days=1),
                self.themes_set,
                workspace=workspace,
            )
            self.add_table(
                "previous-priorities",
                self.review.table(),
                f"Last year's priorities ({self.review.title}), monitored as at "
                f"{self.review.as_at:%d %B %Y}",
            )
        self._progress("priorities")
        self._priorities()
        self.gaps = self.add_table(
            "data-gaps",
            data_gaps(self),
            "Data gaps: what this assessment cannot answer, and the data that would",
        )
        self.context: Context = load_context(context) if context else Context("")
        self.context_path = str(context) if context else ""
        self._progress("findings")
        from safercity.analytics.assessment import findings

        self.findings = findings.findings(self)
        self.executive = findings.executive_summary(self)
        from safercity.analytics.assessment import comparators

        self.comparison = comparators.compare_areas(self)

    # -----------------------------------------------------------------------------------------
    def add_table(self, name: str, table: pd.DataFrame, caption: str) -> pd.DataFrame:
        """Register a table of the report (written as ``<name>.csv``)."""
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

    @property
    def have(self) -> set[dt.date]:
        return set(self.months_with_data)

    def compare_frames(self, label: str, this: pd.DataFrame, last: pd.DataFrame) -> Change:
        """``this`` against ``last`` (frames of incidents of the two periods), with the
        dispersion estimated from their monthly counts."""
        have = self.have
        s_this = pr.monthly_series(this.groupby("month").size(), self.months, have)
        s_last = pr.monthly_series(last.groupby("month").size(), self.prev_months, have)
        return self._compare(label, len(this), len(last), pr.dispersion_of(s_last, s_this))

    def _compare(self, label: str, this: int, last: int, dispersion: float | None = None) -> Change:
        comparison = None
        if self.exposure_last > 0 and self.exposure_this > 0:
            comparison = PoissonComparison(
                this,
                last,
                exposure_this=self.exposure_this,
                exposure_last=self.exposure_last,
                alpha=self.alpha,
                dispersion=dispersion,
            )
        return Change(
            label, int(this), int(last), comparison, previous_has_data=self.exposure_last > 0
        )

    @staticmethod
    def change_row(ch: Change) -> dict[str, Any]:
        return {
            "this_period": ch.this,
            "previous_period": ch.last,
            "change": ch.this - ch.last,
            "pct_change": ch.pct,
            "p_etest": ch.p_etest,
            "p_exact": None if ch.comparison is None else ch.comparison.p_exact,
            "dispersion": ch.dispersion,
            "p_adjusted": ch.p_adjusted,
            "p": ch.p,
            "test": ch.test,
            "significant": ch.significant,
            "assessment": ch.assessment,
        }

    CHANGE_COLUMNS = (
        "this_period",
        "previous_period",
        "change",
        "pct_change",
        "p_etest",
        "p_exact",
        "dispersion",
        "p_adjusted",
        "p",
        "test",
        "significant",
        "assessment",
    )

    def category_changes(self, this: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
        """One row per category: this period against the comparison period."""
        a = this["category"].value_counts()
        b = last["category"].value_counts()
        cats = sorted(set(a.index) | set(b.index), key=lambda c: (-int(a.get(c, 0)), str(c)))
        rows = []
        for c in cats:
            ch = self.compare_frames(
                str(c), this[this["category"] == c], last[last["category"] == c]
            )
            rows.append({"category": str(c), **self.change_row(ch)})
        return pd.DataFrame(rows, columns=["category", *self.CHANGE_COLUMNS])

    # -----------------------------------------------------------------------------------------
    def _hotspots_and_stop_search(self) -> None:
        """The hot spots and stop and search sections (:mod:`safercity.analytics.sections`),
        handed to the report as extra sections."""
        period = f"{self.start:%Y-%m}:{self.end:%Y-%m}"
        self.hotspots = hotspots_section(
            self.workspace,
            area=self.area,
            period=period,
            themes=[self.themes_set[t.name] for t in self.themes if t.name in self.themes_set],
            near_repeats={
                t.name: (
                    near_repeat_sentence(t.knox.knox, t.knox.category.lower(), self.alpha)
                    if t.knox.precision == "day"  # the calculator's sentence needs days
                    else "; ".join(t.knox.sentences(self.alpha)) or None
                )
                for t in [*self.themes, self.asb]
                if t is not None and t.knox is not None
            },
        )
        self.tables.update(self.hotspots.tables())
        self.extra_sections.append(hotspots_report_section)
        self._progress("stop and search")
        self.stop_search = stop_search_section(self.workspace, area=self.area, period=period)
        if self.stop_search is not None:
            self.tables.update(self.stop_search.tables())
            self.extra_sections.append(stop_search_report_section)

    def _coverage(self) -> None:
        con = self.workspace.con
        window = self.window
        n = len(window)
        no_loc = int(window["easting"].isna().sum())
        btp = int((window["location_type"].astype("string") == "BTP").sum())
        no_lsoa = int(window["lsoa_code"].isna().sum())
        other_rows = con.execute(
            "SELECT count(*) FILTER (WHERE local_authority IS NULL), "
            "count(*) FILTER (WHERE local_authority IS NOT NULL AND lower(local_authority) <> "
            "lower(?)) FROM incidents WHERE month IN (SELECT unnest(?))",
            [self.area, [*self.prev_months, *self.months]],
        ).fetchall()[0]
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
        # rows in no area's figures, by reason; rows in 2021 LSOAs the built-in 2011 LSOAs lack
        # (in the area's totals, not in its LSOA tables and maps)
        _, no_la_by_reason = rows_without_local_authority(
            con, min(self.prev_start, self.start), self.end
        )
        lsoa_known = window["lsoa_code"].isin(geography.builtin_lsoas().lookup.index)
        lsoa_2021 = int((window["lsoa_code"].notna() & ~lsoa_known).sum())
        have = self.have
        self.coverage: dict[str, Any] = {
            "first_month": self.first_month,
            "last_month": self.end,
            "months_with_data": len(self.months_with_data),
            "missing_months": self.missing_months,
            "missing_this": [m for m in self.months if m not in have],
            "missing_last": [m for m in self.prev_months if m not in have],
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
            "snapshots": self.snapshots,
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
        self.add_table(
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
            ("Months with data in this period", self.exposure_this),
            ("Months with data in the comparison period", self.exposure_last),
            ("Incidents in the two periods", n),
            ("Of which without a location", no_loc),
            ("Of which without an LSOA", no_lsoa),
            ("Of which recorded by British Transport Police", btp),
            ("Incidents in the same months outside the area (left out)", int(other_rows[1])),
            ("Incidents in the same months with no local authority (left out)", int(other_rows[0])),
            ("Rows set aside (quarantined) at import, all files", int(quarantined)),
        ]
        if not self.snapshots:
            cov_rows.insert(1, ("Months missing in that span", len(self.missing_months)))
        self.add_table(
            "coverage",
            pd.DataFrame(cov_rows, columns=["measure", "value"]),
            "Coverage of the data",
        )

    # -----------------------------------------------------------------------------------------
    def _long_run(self) -> None:
        end = self.end
        met = recorded_crime_monthly(self.workspace, self.area)
        met = met[met.index <= pd.Timestamp(end)]
        if len(met) >= 12:
            self.long_run_source = "Metropolitan Police recorded crime (borough series)"
            self.long_run_from_met = True
            counts = pd.Series(met.to_numpy(), index=[ts.date() for ts in met.index])
            have = set(counts.index)
            table = pr.long_run_table(counts, have, self.basis, complete_only=True)
        else:
            crimes = self.incidents_all[self.incidents_all["category"] != ASB]
            counts = crimes.groupby("month").size()
            self.long_run_source = "police-recorded crime in the imported data (excluding ASB)"
            self.long_run_from_met = False
            table = pr.long_run_table(counts, self.have, self.basis)
        if self.n_months >= 12:
            self.long_run_window = "the 12 months to " + w.MONTH_NAMES[end.month - 1]
        elif self.n_months == 1:
            self.long_run_window = w.MONTH_NAMES[end.month - 1] + " of each year"
        else:
            self.long_run_window = (
                f"{w.MONTH_NAMES[self.start.month - 1]} to {w.MONTH_NAMES[end.month - 1]} "
                "of each year"
            )
        self.long_run = self.add_table(
            "figure-1-long-run",
            table,
            f"Crime in {self.area}, {self.long_run_window} (source: {self.long_run_source})",
        )
        # seasonality of the crime series (incidents)
        crimes = self.incidents_all[self.incidents_all["category"] != ASB]
        self.seasonality = pr.seasonality(crimes.groupby("month").size(), self.months_with_data)

    # -----------------------------------------------------------------------------------------
    def _overview(self) -> None:
        this, last = self.this, self.last
        crime_this = this[this["category"] != ASB]
        crime_last = last[last["category"] != ASB]
        self.crime_change = self.compare_frames("All crime (excluding ASB)", crime_this, crime_last)
        self.asb_change = self.compare_frames(
            ASB, this[this["category"] == ASB], last[last["category"] == ASB]
        )
        self.all_change = self.compare_frames("All incidents", this, last)
        headline = pd.DataFrame(
            [
                {"measure": ch.label, **self.change_row(ch)}
                for ch in (self.crime_change, self.asb_change, self.all_change)
            ]
        )
        self.add_table(
            "overview-headline",
            headline,
            f"Incidents in {self.area}, {w.period_label(self.start, self.end)} against "
            f"{w.period_label(self.prev_start, self.prev_end)}",
        )
        self.overview_categories = self.add_table(
            "overview-categories",
            self.category_changes(this, last),
            "Incidents by category, this period against the comparison period",
        )
        counts = self.incidents_all.groupby("month").size()
        have = self.have
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
        self.overview_monthly = self.add_table(
            "overview-monthly",
            pd.DataFrame(rows).astype({"incidents": "Int64", "previous_incidents": "Int64"}),
            "Incidents per month, this period and the comparison period (missing months "
            "left blank)",
        )
        self._same_months_each_year()
        # harm: crimes only (ASB has no weight)
        self.harm_all = HarmProfile(crime_this, weights=self.harm_weights)
        self.add_table(
            "overview-harm",
            self.harm_all.table.reset_index()[
                ["category", "count", "weight", "harm", "share_of_count", "share_of_harm"]
            ],
            f"Crime harm by category this period (days of custody; weights: "
            f"{self.harm_weights.version}; shares are of crime, excluding ASB)",
        )
        self.harm_sensitivity = weight_sensitivity(self.harm_all.table)
        self.costs = self.add_table(
            "overview-costs",
            cost_lens(crime_this["category"].value_counts()),
            "Crime this period priced at the Home Office unit costs of crime (2018, 2015/16 "
            "prices): a range where a category spans several offence types",
        )

    def _same_months_each_year(self) -> None:
        """For a period under a year: crime, ASB and each category in the period's months of
        every year with all of them (police.uk snapshots: like with like)."""
        self.same_months = pd.DataFrame()
        if self.n_months >= 12:
            return
        have = self.have
        years = []
        k = 0
        while True:
            window = [pr.add_months(m, -12 * k) for m in self.months]
            if window[-1] < self.first_month:
                break
            if all(m in have for m in window):
                years.append((pr.window_label(window), window))
            k += 1
        years.reverse()
        if len(years) < 2:
            return
        frame = self.incidents_all
        cats = self.overview_categories["category"].tolist()
        rows = []
        for label, cond in [
            ("All crime (excluding ASB)", frame["category"] != ASB),
            *[(c, frame["category"] == c) for c in cats],
        ]:
            sub = frame[cond.to_numpy()]
            counts = sub.groupby("month").size()
            row: dict[str, Any] = {"measure": label}
            for ylabel, window in years:
                row[ylabel] = int(sum(int(counts.get(m, 0)) for m in window))
            rows.append(row)
        self.same_months = self.add_table(
            "same-months-each-year",
            pd.DataFrame(rows, columns=["measure", *[y for y, _w in years]]),
            f"Crime and ASB in {self.long_run_window} (every year the data holds)",
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
        # each LSOA's ward (the ward most of its incidents were placed in), when wards are loaded
        placed = self.incidents_all.dropna(subset=["lsoa_code", "ward_name"])
        self.lsoa_wards: dict[str, str] = {}
        if len(placed):
            pairs = placed.groupby(["lsoa_code", "ward_name"]).size().reset_index(name="n")
            pairs = pairs.sort_values(
                ["lsoa_code", "n", "ward_name"], ascending=[True, False, True]
            )
            self.lsoa_wards = {
                str(r.lsoa_code): str(r.ward_name)
                for r in pairs.drop_duplicates("lsoa_code").itertuples()
            }

    @staticmethod
    def _is_asb(theme: Theme) -> bool:
        cats = theme.spec.get("categories")
        return theme.name == "anti-social-behaviour" or (
            isinstance(cats, list) and [str(c) for c in cats] == [ASB]
        )

    # -----------------------------------------------------------------------------------------
    def _priorities(self) -> None:
        ranks = self.consultation.candidate_ranks if self.consultation else None
        self.priority_matrix = PriorityMatrix(
            self.window,
            themes=self.themes_set,
            harm_weights=self.harm_weights,
            consultation=ranks,
            previous=self.review.rag_by_candidate if self.review is not None else None,
            this_months=self.months,
            last_months=self.prev_months,
            alpha=self.alpha,
            area=self.area,
        )
        t = self.priority_matrix.table
        self.priorities = self.add_table(
            "priorities",
            t,
            "Priority assessment: every crime category, anti-social behaviour and theme scored "
            "1 (low) to 5 (high) on each dimension",
        )
        self.add_table(
            "intelligence-gaps",
            self.priority_matrix.gaps,
            "Intelligence gaps: themes the data cannot measure",
        )
        with_data = self.priorities[
            (self.priorities["n"].fillna(0) > 0) & self.priorities["score"].notna()
        ]
        self.recommended = with_data.head(self.recommend).reset_index(drop=True)
        # sensitivity: equal weights, and each weight halved
        base = self.priority_matrix.weights
        top = list(self.recommended["candidate"])
        rows = []
        variants: list[tuple[str, dict[str, float]]] = [("equal weights", dict.fromkeys(base, 1.0))]
        for d in base:
            variants.append(
                (
                    f"{d.replace('_', ' ')} weight halved",
                    {k: (v / 2 if k == d else v) for k, v in base.items()},
                )
            )
            variants.append(
                (
                    f"{d.replace('_', ' ')} weight doubled",
                    {k: (v * 2 if k == d else v) for k, v in base.items()},
                )
            )
        for label, wts in variants:
            rr = self.priority_matrix.reranked(wts)
            new_top = list(rr["candidate"].head(self.recommend))
            rows.append(
                {
                    "weights": label,
                    "top": "; ".join(str(x) for x in rr["title"].head(self.recommend)),
                    "same_top": set(new_top) == set(top),
                    "same_order": new_top == top,
                }
            )
        self.weight_sensitivity = self.add_table(
            "priorities-sensitivity",
            pd.DataFrame(rows, columns=["weights", "top", "same_top", "same_order"]),
            "Sensitivity of the recommended priorities to the dimension weights",
        )
        if self.consultation is not None:
            self.add_table(
                "consultation",
                self.consultation.table(),
                "Public consultation ranking as given, and the theme each entry maps to",
            )

    # -----------------------------------------------------------------------------------------
    def parameters(self) -> dict[str, Any]:
        """The parameters of this assessment (recorded in the manifest and the report)."""
        return {
            "area": self.area,
            "period": f"{self.start:%Y-%m}:{self.end:%Y-%m}",
            "previous_period": f"{self.prev_start:%Y-%m}:{self.prev_end:%Y-%m}",
            "comparison": self.basis.describe(),
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
            "previous_strategy_file": self.review.source if self.review else None,
            "previous_strategy_sha256": _sha256_file(self.review.source) if self.review else None,
            "context_file": self.context_path or None,
            "workday_population_file": self.workday_source or None,
            "priority_weights": dict(self.priority_matrix.weights),
            "default_priority_weights": dict(DEFAULT_WEIGHTS),
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
            "crime": self.change_row(self.crime_change),
            "anti_social_behaviour": self.change_row(self.asb_change),
            "recommended_priorities": [str(x) for x in self.recommended["candidate"]],
            "intelligence_gaps": [str(x) for x in self.priority_matrix.gaps["candidate"]],
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
    "ThemeResult",
    "frame_columns",
    "load_workday_population",
    "theme_by_name",
]
