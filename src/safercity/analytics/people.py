"""People: victim and suspect profiles (sex, age bands, residents) as computed statements.

The Strategy 2011-14 says: "The majority of 'violence against the person' victims within
Westminster are males (62%)", "75% of victims within the night time economy area are aged
between 18 and 35", "Only a quarter of all victims in the central night time economy area are
Westminster residents", "12% of all suspects in Westminster are youths". :class:`PeopleProfile`
computes each of these from an extract with people fields (``victim_sex``, ``victim_age``,
``victim_resident``, ``suspect_age``; police.uk data has none and the profile says so).

Conventions: shares are of the records where the field is known (unknowns are reported as
``n_known``/``n_unknown``, never counted as "not male"); the unit is the incident (one victim
record per incident, as police extracts list them) unless ``unit="person"``, which keeps the
first record of each ``victim_id``. Age bands are inclusive whole years.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

#: default age bands (inclusive): the Strategy's under 18 and 18-24, then ten-year bands
DEFAULT_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 18", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 200),
)
#: overlapping groups reported alongside the bands (the Strategy's "aged between 18 and 35")
DEFAULT_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("under 18", 0, 17),
    ("18-24", 18, 24),
    ("18-35", 18, 35),
    ("under 25", 0, 24),
)

_SEX = {
    "m": "male",
    "male": "male",
    "man": "male",
    "boy": "male",
    "f": "female",
    "female": "female",
    "woman": "female",
    "girl": "female",
}


def normalise_sex(values: pd.Series) -> pd.Series:
    """Map M/F/male/female/... to 'male'/'female'; anything else (incl. blank) is NA."""
    key = values.astype("string").str.strip().str.lower()
    return key.map(_SEX).astype("string")


class NoPeopleDataError(ValueError):
    """The incidents have no people fields (e.g. police.uk data): cannot answer."""


class PeopleProfile:
    """Profile of victims or suspects: sex, age bands, age groups and residence.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with people fields.
    who : {"victim", "suspect"}, default "victim"
        Victims use ``victim_sex``, ``victim_age``, ``victim_resident``; suspects use
        ``suspect_age`` (the store has no suspect sex or residence).
    unit : {"incident", "person"}, default "incident"
        Count records (one per incident) or distinct people (``victim_id``; victims only).
    bands : sequence of (label, min, max), default :data:`DEFAULT_BANDS`
        Non-overlapping age bands, inclusive.
    groups : sequence of (label, min, max), default :data:`DEFAULT_GROUPS`
        Overlapping age groups to report as shares (e.g. 18-35).

    Attributes
    ----------
    n : int
        Records profiled.
    sex : DataFrame
        count and share (%) by sex, of records with a known sex; ``n_sex_known``.
    age_bands : DataFrame
        count and share (%) by band, of records with a known age; ``n_age_known``.
    age_groups : dict
        label -> share (%) of records with a known age.
    resident_share : float or None
        % of records with known residence that are residents; ``n_resident_known``. From
        ``victim_resident``; where that is empty, a victim whose ``victim_home_area`` equals the
        incident's ``local_authority`` is a resident (``resident_source`` says which).
    statements : list of str
        Sentences such as "62% of victims male (of 1,204 with sex recorded)".

    Raises
    ------
    NoPeopleDataError
        If none of the fields has a single value.
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        who: Literal["victim", "suspect"] = "victim",
        unit: Literal["incident", "person"] = "incident",
        bands: tuple[tuple[str, int, int], ...] = DEFAULT_BANDS,
        groups: tuple[tuple[str, int, int], ...] = DEFAULT_GROUPS,
    ) -> None:
        self.who = who
        frame = incidents
        if unit == "person":
            if who != "victim" or "victim_id" not in frame.columns:
                raise ValueError("unit='person' needs victims with a victim_id")
            frame = frame[frame["victim_id"].notna()].drop_duplicates("victim_id")
        self.n = len(frame)
        sex_col = "victim_sex" if who == "victim" else None
        age_col = f"{who}_age"
        res_col = "victim_resident" if who == "victim" else None

        def col(name: str | None) -> pd.Series:
            if name is None or name not in frame.columns:
                return pd.Series(pd.NA, index=frame.index, dtype="object")
            return frame[name]

        sex = normalise_sex(col(sex_col))
        age = pd.to_numeric(col(age_col), errors="coerce")
        resident = col(res_col).astype("boolean")
        self.resident_source = "victim_resident"
        if (
            who == "victim"
            and resident.notna().sum() == 0
            and {"victim_home_area", "local_authority"} <= set(frame.columns)
        ):
            # no resident flag: a victim is a resident when their home area is the incident's
            # local authority (both known)
            home = frame["victim_home_area"].astype("string").str.strip().str.lower()
            la = frame["local_authority"].astype("string").str.strip().str.lower()
            resident = (home == la).astype("boolean").mask(home.isna() | la.isna())
            self.resident_source = "victim_home_area = local_authority"
        if sex.notna().sum() == 0 and age.notna().sum() == 0 and resident.notna().sum() == 0:
            raise NoPeopleDataError(
                f"cannot answer: no {who} details in these incidents (police.uk data has none; "
                "load a local extract with victim/suspect fields)"
            )
        self.n_sex_known = int(sex.notna().sum())
        sc = sex.value_counts()
        self.sex = pd.DataFrame(
            {
                "count": sc.astype("int64"),
                "share": 100.0 * sc / self.n_sex_known if self.n_sex_known else np.nan,
            }
        )
        self.n_age_known = int(age.notna().sum())
        band_counts = []
        for _label, lo, hi in bands:
            band_counts.append(int(((age >= lo) & (age <= hi)).sum()))
        self.age_bands = pd.DataFrame(
            {
                "count": band_counts,
                "share": [
                    100.0 * c / self.n_age_known if self.n_age_known else np.nan
                    for c in band_counts
                ],
            },
            index=pd.Index([b[0] for b in bands], name="age_band"),
        )
        self.age_groups: dict[str, float | None] = {}
        for label, lo, hi in groups:
            c = int(((age >= lo) & (age <= hi)).sum())
            self.age_groups[label] = 100.0 * c / self.n_age_known if self.n_age_known else None
        self.n_resident_known = int(resident.notna().sum())
        self.resident_share: float | None = None
        if self.n_resident_known:
            self.resident_share = 100.0 * float(resident.sum()) / self.n_resident_known
        self.statements = self._statements()

    def _statements(self) -> list[str]:
        who = "victims" if self.who == "victim" else "suspects"
        out = []
        if self.n_sex_known:
            for s, r in self.sex.iterrows():
                out.append(
                    f"{r['share']:.0f}% of {who} {s} (of {self.n_sex_known:,} with sex recorded)"
                )
        if self.n_age_known:
            for label, share in self.age_groups.items():
                if share is not None:
                    out.append(
                        f"{share:.0f}% of {who} aged {label} "
                        f"(of {self.n_age_known:,} with age recorded)"
                    )
        if self.resident_share is not None:
            out.append(
                f"{self.resident_share:.0f}% of {who} residents "
                f"(of {self.n_resident_known:,} with residence recorded)"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "who": self.who,
            "n": self.n,
            "n_sex_known": self.n_sex_known,
            "sex": {str(k): float(v) for k, v in self.sex["share"].items()},
            "n_age_known": self.n_age_known,
            "age_bands": {str(k): float(v) for k, v in self.age_bands["share"].items()},
            "age_groups": self.age_groups,
            "n_resident_known": self.n_resident_known,
            "resident_share": self.resident_share,
            "statements": self.statements,
        }
