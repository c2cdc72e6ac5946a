"""One theme of the Strategic Assessment: its trend, places, times, people, repeats and harm.

:func:`profile_theme` runs every engine on a theme's incidents (a filter from the themes file)
for the assessment's two periods. Places are named as people know them: the LSOA's name, the
ward it lies in when wards are loaded, and the police.uk street text of its busiest location.

police.uk moves every crime to the nearest of a fixed list of anonymous "snap points" (the
centre of a street, a station, "On or near Supermarket"), so the same point holds crimes from
many addresses: 90% of locations "repeating" is an artefact of the snap points, not repeat
victimisation. With police.uk data the repeat-location analysis is therefore reframed as the
**named places** with most incidents, for problem-solving at those places; repeat
victimisation is measured only with victim identifiers (a local extract).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from safercity.analytics import wording as w
from safercity.analytics.assessment.knox import KnoxResult, run_knox
from safercity.analytics.harm import HarmProfile
from safercity.analytics.people import NoPeopleDataError, PeopleProfile
from safercity.analytics.places import PlaceProfile
from safercity.analytics.repeats import RepeatVictimisation
from safercity.analytics.themes import Theme
from safercity.analytics.times import NoTimesError, TimeProfile
from safercity.analytics.trends import XmR

if TYPE_CHECKING:
    from safercity.analytics.assessment.core import Assessment, Change

#: rows of the named places table
TOP_NAMED_PLACES = 10


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
    named_places: pd.DataFrame
    knox: KnoxResult | None
    knox_reason: str
    harm: HarmProfile | None
    harm_this: float
    harm_last: float
    harm_pct: float | None
    proxy_for: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.change.this + self.change.last > 0


def condition_words(spec: Mapping[str, Any]) -> list[str]:
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
        alts = ["; ".join(condition_words(alt)) for alt in spec["any_of"]]
        lead = "and at least one of: " if parts else "at least one of: "
        parts.append(lead + " | ".join(alts))
    return parts


def definition(theme: Theme) -> str:
    """The theme's definition in words, from its YAML spec."""
    parts = condition_words(theme.spec)
    return "; ".join(parts) if parts else "all incidents"


def unmatched_areas(theme: Theme, frame: pd.DataFrame) -> list[str]:
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


def missing_fields(theme: Theme, frame: pd.DataFrame) -> list[str]:
    """Fields the theme's conditions read that hold no value at all in the data."""
    out = []
    for col in sorted(theme.condition.columns_needed()):
        if col in ("category", "month", "occurred_from", "occurred_to"):
            continue
        if col not in frame.columns or not frame[col].notna().any():
            out.append(col)
    return out


def places_of(
    a: Assessment, frame: pd.DataFrame
) -> tuple[PlaceProfile | None, pd.DataFrame, pd.DataFrame]:
    """LSOA profile of ``frame``: the profile, the ranked table (named places, rates per 1,000
    residents and, when loaded, per 1,000 workday population) and the counts for the map."""
    cols = [
        "rank",
        "lsoa_code",
        "lsoa_name",
        "ward_name",
        "busiest_location",
        "incidents",
        "residents",
        "rate_per_1000",
        "workday_population",
        "rate_per_1000_workday",
        "share_pct",
    ]
    in_area = frame[frame["lsoa_code"].astype("string").isin(a.lsoa_codes).fillna(False)]
    if frame.empty or not len(a.lsoa_codes):
        empty = pd.DataFrame(columns=cols)
        return None, empty, pd.DataFrame({"lsoa_code": a.lsoa_codes, "incidents": 0})
    prof = PlaceProfile(
        in_area,
        place="lsoa_code",
        population=a.lsoa_population,
        names=a.lsoa_names,
    )
    t = prof.table
    codes = [str(c) for c in t.index]
    busiest = _busiest_location(in_area)
    workday = a.workday_population
    table = pd.DataFrame(
        {
            "rank": t["rank_count"].to_numpy(),
            "lsoa_code": codes,
            "lsoa_name": t["name"].astype("string").to_numpy() if "name" in t.columns else "",
            "ward_name": [a.lsoa_wards.get(c, "") for c in codes],
            "busiest_location": [busiest.get(c, "") for c in codes],
            "incidents": t["count"].to_numpy(),
            "residents": t["population"].to_numpy(),
            "rate_per_1000": t["rate"].to_numpy(),
            "workday_population": [workday.get(c) for c in codes],
            "rate_per_1000_workday": [
                1000.0 * float(n) / float(workday[c]) if workday.get(c) else None
                for c, n in zip(codes, t["count"], strict=True)
            ],
            "share_pct": t["share"].to_numpy(),
        },
        columns=cols,
    )
    counts = t["count"].reindex(a.lsoa_codes, fill_value=0)
    map_values = pd.DataFrame({"lsoa_code": a.lsoa_codes, "incidents": counts.to_numpy()})
    return prof, table, map_values


def _busiest_location(frame: pd.DataFrame) -> dict[str, str]:
    """Each LSOA's most frequent police.uk location text (ties: alphabetical)."""
    sub = frame.dropna(subset=["location"])
    if sub.empty:
        return {}
    counts = sub.groupby(["lsoa_code", "location"]).size().reset_index(name="n")
    counts = counts.sort_values(["lsoa_code", "n", "location"], ascending=[True, False, True])
    first = counts.drop_duplicates("lsoa_code")
    return {str(r.lsoa_code): str(r.location) for r in first.itertuples()}


def named_places(a: Assessment, frame: pd.DataFrame) -> pd.DataFrame:
    """The police.uk locations with most incidents this period, named by street text, LSOA and
    ward (snap points: a place, not a victim)."""
    cols = ["location", "lsoa_name", "ward_name", "incidents", "share_pct", "top_category"]
    sub = frame.dropna(subset=["easting"])
    if sub.empty:
        return pd.DataFrame(columns=cols)
    key = (
        sub["location"].astype("string").fillna("(no street text)")
        + "|"
        + sub["easting"].round(0).astype("int64").astype(str)
        + ","
        + sub["northing"].round(0).astype("int64").astype(str)
    )
    counts = key.value_counts()
    order = sorted(counts.index, key=lambda k: (-int(counts[k]), str(k)))[:TOP_NAMED_PLACES]
    rows = []
    for k in order:
        at = sub[key == k]
        lsoa = str(at["lsoa_code"].dropna().iloc[0]) if at["lsoa_code"].notna().any() else ""
        cats = at["category"].value_counts()
        top_n = int(cats.max())
        rows.append(
            {
                "location": str(k).split("|", 1)[0],
                "lsoa_name": str(a.lsoa_names.get(lsoa, lsoa)),
                "ward_name": a.lsoa_wards.get(lsoa, ""),
                "incidents": int(counts[k]),
                "share_pct": 100.0 * int(counts[k]) / len(frame),
                "top_category": sorted(str(c) for c in cats.index[cats == top_n])[0],
            }
        )
    return pd.DataFrame(rows, columns=cols)


def profile_theme(a: Assessment, theme: Theme) -> ThemeResult:
    """Run every analysis on one theme (see the module docstring)."""
    all_sub = theme.filter(a.incidents_all)
    months = all_sub["month"]
    this = all_sub[months.isin(a.months).to_numpy()]
    last = all_sub[months.isin(a.prev_months).to_numpy()]
    missing = missing_fields(theme, a.incidents_all)
    change = a.compare_frames(theme.title, this, last)
    slug = theme.name
    tables: dict[str, pd.DataFrame] = {}

    def add(suffix: str, table: pd.DataFrame, caption: str) -> None:
        tables[suffix] = a.add_table(f"theme-{slug}-{suffix}", table, caption)

    add(
        "categories",
        a.category_changes(this, last),
        f"{theme.title}: incidents by category, this period against the comparison period",
    )
    # monthly trend over all months of data up to the period end
    counts = all_sub.groupby("month").size()
    have = set(a.months_with_data)
    span = [m for m in a.span_months if m in have] if a.snapshots else a.span_months
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
    if len(known) >= 12 and not a.snapshots and change.this + change.last > 0:
        spc = XmR(known["incidents"].to_numpy(dtype=float), list(known["month"]))
        flagged = spc.table[spc.table["special_cause"]]
        signals = int(sum(1 for k in flagged.index if str(k) >= f"{a.start:%Y-%m}"))
        monthly["mean"] = spc.mean
        monthly["lower_limit"] = max(spc.lower_limit, 0.0)
        monthly["upper_limit"] = spc.upper_limit
        sc = spc.table["special_cause"].reindex(monthly["month"]).astype("boolean")
        monthly["special_cause"] = sc.to_numpy()
    add("monthly", monthly, f"{theme.title}: incidents per month (missing months left blank)")
    places, places_table, map_values = places_of(a, this)
    add("places", places_table, f"{theme.title}: incidents by LSOA this period, ranked")
    # times
    times: TimeProfile | None = None
    times_reason = ""
    try:
        times = TimeProfile(this) if len(this) else None
        if times is None:
            times_reason = "No incidents in this theme this period."
    except NoTimesError:
        times_reason = "The data has no times of day (police.uk gives the month only)."
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
            "The data has no victim or suspect details (police.uk has none)."
            if len(this)
            else "No incidents in this theme this period."
        )
    for who, prof in (("victims", victims), ("suspects", suspects)):
        if prof is None:
            continue
        rows = [
            {"group": "sex: " + str(k), "count": int(r["count"]), "share_pct": float(r["share"])}
            for k, r in prof.sex.iterrows()
        ]
        rows += [
            {"group": "age: " + str(k), "count": int(r["count"]), "share_pct": float(r["share"])}
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
    # repeat victims (with victim ids) and named places (locations)
    repeats: RepeatVictimisation | None = None
    repeats_key = ""
    repeats_reason = ""
    if len(this) and this["victim_id"].notna().any():
        repeats_key = "victim"
        repeats = RepeatVictimisation(this, key="victim_id")
        add(
            "repeats",
            repeats.frequency.reset_index(),
            f"{theme.title}: victims by number of incidents this period",
        )
    elif len(this):
        repeats_reason = (
            "Repeat victimisation cannot be measured: the data has no victim identifiers. "
            "police.uk locations are shared snap points, so places are named below for "
            "problem-solving instead."
        )
    else:
        repeats_reason = "No incidents in this theme this period."
    places_named = named_places(a, this)
    add(
        "named-places",
        places_named,
        f"{theme.title}: the named places (police.uk locations) with most incidents this period",
    )
    knox, knox_reason = (None, "not tested, as the theme has no incidents this period.")
    if len(this):
        knox, knox_reason = run_knox(
            this,
            category=a.knox_category,
            permutations=a.permutations,
            seed=a.seed,
            cache=a.knox_cache,
        )
    if knox is not None:
        add(
            "near-repeats",
            knox.table(),
            f"{theme.title}: Knox test of {knox.category.lower()} near repeats this period",
        )
    # harm: crimes only (anti-social behaviour has no harm weight)
    per = a.harm_weights.weights

    def crimes_of(frame: pd.DataFrame) -> pd.DataFrame:
        weighted = frame["category"].map(lambda c: per.get(str(c)) is not None)
        return frame[weighted.to_numpy(dtype=bool)]

    this_crimes, last_crimes = crimes_of(this), crimes_of(last)
    harm = HarmProfile(this_crimes, weights=a.harm_weights) if len(this_crimes) else None

    def harm_of(frame: pd.DataFrame) -> float:
        vals = frame["category"].map(lambda c: per.get(str(c)))
        return float(pd.to_numeric(vals, errors="coerce").fillna(0.0).sum())

    h_this, h_last = harm_of(this_crimes), harm_of(last_crimes)
    h_pct: float | None = None
    if h_last > 0 and a.exposure_last:
        h_pct = 100.0 * ((h_this / a.exposure_this) / (h_last / a.exposure_last) - 1.0)
    if harm is not None:
        add(
            "harm",
            harm.table.reset_index()[
                ["category", "count", "weight", "harm", "share_of_count", "share_of_harm"]
            ],
            f"{theme.title}: crime harm (days of custody, CCHI) by category this period",
        )
    return ThemeResult(
        name=theme.name,
        title=theme.title,
        description=theme.description,
        definition=definition(theme),
        missing_fields=missing,
        unmatched_areas=unmatched_areas(theme, a.incidents_all),
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
        named_places=places_named,
        knox=knox,
        knox_reason=knox_reason,
        harm=harm,
        harm_this=h_this,
        harm_last=h_last,
        harm_pct=h_pct,
        proxy_for=theme.proxy_for,
        tables=tables,
    )


__all__ = [
    "ThemeResult",
    "condition_words",
    "definition",
    "missing_fields",
    "named_places",
    "places_of",
    "profile_theme",
    "unmatched_areas",
]
