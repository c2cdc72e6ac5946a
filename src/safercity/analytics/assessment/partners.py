"""Partner data and the data gaps of the Strategic Assessment.

Partners' records (fire, ambulance, A&E under the Cardiff model, council ASB and noise,
probation, youth offending, drug treatment, MARAC) come in through the local extract importer
with the ready mappings in ``safercity/data/mappings/``; each mapping's ``name`` is a dataset
key of ``analytics/data/partner_datasets.yaml``, so the rows are known by their incident keys
(``local:<key>:<id>``). :func:`split_partner_rows` takes them out of the police counts, and
:func:`partner_table` reports each dataset, loaded or not. :func:`data_gaps` gathers in one table
every question this assessment cannot answer and the data that would answer it, instead of
"cannot answer" in every theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

if TYPE_CHECKING:
    from safercity.analytics.assessment.core import Assessment


@dataclass(frozen=True)
class PartnerDataset:
    """One partner dataset of the registry."""

    key: str
    title: str
    partner: str
    mapping: str
    measures: str
    answers: str
    fills: tuple[str, ...]

    @property
    def mapping_path(self) -> Path:
        """The ready mapping file shipped with SaferCity."""
        return Path(str(resources.files("safercity.data") / "mappings" / self.mapping))


def registry_path() -> Path:
    return Path(str(resources.files("safercity.analytics") / "data" / "partner_datasets.yaml"))


def load_registry(path: str | Path | None = None) -> dict[str, PartnerDataset]:
    """The partner datasets, by key (default: the shipped registry)."""
    p = Path(path) if path is not None else registry_path()
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), dict):
        raise ValueError(f"{p}: a partner registry needs a 'datasets:' mapping")
    out: dict[str, PartnerDataset] = {}
    for key, spec in data["datasets"].items():
        out[str(key)] = PartnerDataset(
            key=str(key),
            title=str(spec["title"]),
            partner=str(spec["partner"]),
            mapping=str(spec["mapping"]),
            measures=str(spec["measures"]),
            answers=str(spec["answers"]),
            fills=tuple(str(f) for f in spec.get("fills") or []),
        )
    return out


def split_partner_rows(
    frame: pd.DataFrame, registry: dict[str, PartnerDataset]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The police rows and each partner dataset's rows (by incident key prefix)."""
    keys = frame["incident_key"].astype("string")
    partner = pd.Series(False, index=frame.index)
    parts: dict[str, pd.DataFrame] = {}
    for key in registry:
        mask = keys.str.startswith(f"local:{key}:").fillna(False).to_numpy(dtype=bool)
        if mask.any():
            parts[key] = frame[mask]
            partner |= mask
    return frame[~partner.to_numpy()], parts


def partner_table(a: Assessment) -> pd.DataFrame:
    """One row per registry dataset: loaded or not, records this period and in the comparison
    period, the change (rate per month of data, the test as for crime)."""
    rows: list[dict[str, Any]] = []
    for key, ds in a.partner_registry.items():
        frame = a.partner_frames.get(key)
        row: dict[str, Any] = {
            "dataset": ds.title,
            "partner": ds.partner,
            "measures": ds.measures,
            "loaded": frame is not None,
            "this_period": None,
            "previous_period": None,
            "pct_change": None,
            "assessment": "not loaded",
            "mapping": ds.mapping,
        }
        if frame is not None:
            months = frame["month"]
            this = frame[months.isin(a.months).to_numpy()]
            last = frame[months.isin(a.prev_months).to_numpy()]
            ch = a.compare_frames(ds.title, this, last)
            row.update(
                {
                    "this_period": ch.this,
                    "previous_period": ch.last,
                    "pct_change": ch.pct,
                    "assessment": ch.assessment,
                }
            )
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "dataset",
            "partner",
            "measures",
            "loaded",
            "this_period",
            "previous_period",
            "pct_change",
            "assessment",
            "mapping",
        ],
    )


#: fields a theme may need -> the partner datasets (keys) that hold them
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "victim_age": ("ae-assaults", "ambulance-assaults", "marac"),
    "suspect_age": ("youth-offending", "probation-reoffending"),
    "victim_sex": ("marac", "ae-assaults", "ambulance-assaults"),
    "flag_domestic": ("marac",),
    "flag_alcohol": ("drug-treatment",),
    "ward_name": (),
    "ward_code": (),
}


def _datasets(a: Assessment, keys: tuple[str, ...]) -> str:
    names = [a.partner_registry[k].title for k in keys if k in a.partner_registry]
    return "; ".join(names)


def data_gaps(a: Assessment) -> pd.DataFrame:
    """Every question this assessment cannot answer from its data, why it matters and the data
    that would answer it (one table; the themes refer to it)."""
    rows: list[dict[str, str]] = []

    def gap(question: str, why: str, data: str, status: str = "not loaded") -> None:
        rows.append({"question": question, "why_it_matters": why, "data": data, "status": status})

    cov = a.coverage
    for r in a.priority_matrix.gaps.to_dict(orient="records"):
        keys: tuple[str, ...] = ()
        for field, sources_of in FIELD_SOURCES.items():
            if field in str(r["missing_fields"]):
                keys += sources_of
        sources = _datasets(a, tuple(dict.fromkeys(keys)))
        gap(
            f"{r['title']}: cannot be measured (no {r['missing']} in the data)",
            "a theme of the partnership's strategy that the priority assessment cannot score",
            "a police extract with these fields" + (f"; {sources}" if sources else ""),
            "intelligence gap",
        )
    if not cov["has_times"]:
        gap(
            "When crime happens (hour of day, day of week)",
            "night-time economy hours, patrol and licensing decisions",
            "a police extract with offence times; "
            + _datasets(a, ("ae-assaults", "ambulance-assaults", "council-noise")),
        )
    if not cov["has_people"]:
        gap(
            "Who the victims and suspects are (age, sex, residence)",
            "young people, violence against women and girls, hidden harms",
            "a police extract with victim and suspect details; "
            + _datasets(a, ("ae-assaults", "marac", "youth-offending")),
        )
    if not cov["has_victim_ids"]:
        gap(
            "Repeat victims",
            "repeat victimisation is the best predictor of victimisation; police.uk locations "
            "are shared snap points, not victims",
            "a police extract with victim references; " + _datasets(a, ("council-asb", "marac")),
        )
    for key, ds in a.partner_registry.items():
        if key not in a.partner_frames:
            gap(ds.answers[:1].upper() + ds.answers[1:], ds.measures, f"{ds.title} ({ds.partner})")
    if not a.workday_population:
        gap(
            "Rates where few people live but many work or visit",
            "rates per resident overstate risk in town centres (the busiest LSOA's rate)",
            "ONS workday population by LSOA (Census 2011 table WP101EW) given with "
            "--workday-population",
        )
    if a.consultation is None:
        gap(
            "What residents are most concerned about",
            "the public concern dimension of the priority assessment",
            "consultation results (a ranking file, or the consultation app)",
            "not given",
        )
    if a.review is None:
        gap(
            "Whether last year's priorities were delivered",
            "the organisational position dimension of the priority assessment",
            "the strategy's monitoring (safercity strategy export --from-db)",
            "not given",
        )
    if a.wards.empty:
        gap(
            "Crime by ward (the places councillors and residents name)",
            "ward profiles and ward-based themes such as the night-time economy",
            "ward boundaries (safercity geography load FILE --type ward)",
        )
    return pd.DataFrame(rows, columns=["question", "why_it_matters", "data", "status"])


__all__ = [
    "FIELD_SOURCES",
    "PartnerDataset",
    "data_gaps",
    "load_registry",
    "partner_table",
    "split_partner_rows",
]
