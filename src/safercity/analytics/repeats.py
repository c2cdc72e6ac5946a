"""Repeat victimisation: prevalence, incidence, concentration, repeats within a year.

"Repeat victimisation is a common feature of domestic violence - 89% of female victims at any
time have suffered four or more incidents" (Westminster Strategic Assessment 2010-11, quoted in
the Strategy 2011-14), and the Strategy commits to "reduce the rate of repeat victimisation".
:class:`RepeatVictimisation` computes the standard measures (Farrell & Pease 1993; Tseloni &
Pease 2003) for victims (``victim_id``) or for places (an address or location key):

* **prevalence** - victims (targets) with at least one incident (per 1,000 of a population of
  targets when one is given);
* **incidence** - incidents (per 1,000 targets when given);
* **concentration** - incidents per victim (incidence / prevalence);
* the share of incidents that are **repeats within** ``window_days`` (a previous incident against
  the same victim in the preceding ``window_days``), the share of victims with ``heavy`` (4) or
  more incidents and the share of incidents they suffer;
* the **days to the next incident** against the same victim.

Dates: ``occurred_from`` where the source has times, otherwise the month (police.uk gives only
the month; gaps are then in whole months, ``date_precision`` says "month").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: bins for the days-to-next table (upper bounds inclusive)
DAY_BINS: tuple[tuple[str, int, int], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("over 365", 366, 10**9),
)


class RepeatVictimisation:
    """Repeat victimisation by victim or by location.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with the ``key`` column and a date (``occurred_from`` or ``month``).
    key : str, default "victim_id"
        Who or what is victimised: ``"victim_id"``, ``"location"`` (police.uk snap point names:
        approximate), an address column, or any column. Rows with no key are left out
        (``n_without_key``).
    window_days : int, default 365
        A repeat is an incident with a previous one against the same key within this many days.
    heavy : int, default 4
        "Heavily victimised": this many incidents or more (the Strategy's "four or more").
    population : float, optional
        Number of potential targets (residents, households, addresses) for prevalence and
        incidence rates. Default None: no rates.
    per : float, default 1000

    Attributes
    ----------
    n_incidents, n_victims, n_repeat_victims, n_without_key : int
    prevalence, incidence : int
    prevalence_rate, incidence_rate : float or None
        Per ``per`` targets.
    concentration : float
        Incidents per victim.
    share_victims_repeat : float
        % of victims with 2 or more incidents.
    share_incidents_repeat_window : float
        % of incidents that are repeats within ``window_days``.
    share_victims_heavy, share_incidents_heavy : float
        % of victims with ``heavy``+ incidents, and % of incidents against them.
    frequency : DataFrame
        Victims and incidents by number of incidents per victim (1, 2, 3, 4, 5+).
    days_to_next : DataFrame
        Gaps between consecutive incidents against the same victim, binned (:data:`DAY_BINS`).
    median_days_to_next : float or None
    date_precision : {"day", "month"}
    statements : list of str

    References
    ----------
    Farrell, G. & Pease, K. (1993). Once Bitten, Twice Bitten: Repeat Victimisation and its
    Implications for Crime Prevention. Home Office Police Research Group, Paper 46.
    Tseloni, A. & Pease, K. (2003). Repeat personal victimization. British Journal of
    Criminology 43(1), 196-212.
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        key: str = "victim_id",
        window_days: int = 365,
        heavy: int = 4,
        population: float | None = None,
        per: float = 1000.0,
    ) -> None:
        self.key = key
        self.window_days = window_days
        self.heavy = heavy
        if key not in incidents.columns:
            raise ValueError(f"cannot answer: the incidents have no {key!r} column")
        keys = incidents[key].astype("string")
        has_key = keys.notna() & (keys.str.strip().str.len() > 0)
        self.n_without_key = int((~has_key).sum())
        if "occurred_from" in incidents.columns and incidents["occurred_from"].notna().any():
            dates = pd.to_datetime(incidents["occurred_from"])
            if "month" in incidents.columns:
                dates = dates.fillna(pd.to_datetime(incidents["month"]))
            self.date_precision = "day"
        elif "month" in incidents.columns:
            dates = pd.to_datetime(incidents["month"])
            self.date_precision = "month"
        else:
            raise ValueError("cannot answer: the incidents have no occurred_from or month")
        codes, _uniques = pd.factorize(keys[has_key])  # integer victim codes: cheap to sort
        t_all = pd.to_datetime(dates[has_key]).to_numpy(dtype="datetime64[s]")
        keep = ~np.isnat(t_all)
        codes, t = codes[keep], t_all[keep]
        if len(codes) == 0:
            raise ValueError(f"cannot answer: no incident has a {key!r}")
        order = np.lexsort((t, codes))
        k, t = codes[order], t[order]
        same_as_prev = np.concatenate([[False], k[1:] == k[:-1]])
        gap_days = np.full(len(k), np.nan)
        diffs = (t[1:] - t[:-1]).astype("timedelta64[s]").astype(float) / 86400.0
        gap_days[1:] = np.where(same_as_prev[1:], diffs, np.nan)
        counts = np.bincount(k)
        per_victim = pd.Series(counts[counts > 0])
        self.n_incidents = len(k)
        self.n_victims = len(per_victim)
        self.prevalence = self.n_victims
        self.incidence = self.n_incidents
        self.population = population
        self.prevalence_rate = per * self.prevalence / population if population else None
        self.incidence_rate = per * self.incidence / population if population else None
        self.concentration = self.incidence / self.prevalence
        repeat_victims = per_victim >= 2
        self.n_repeat_victims = int(repeat_victims.sum())
        self.share_victims_repeat = 100.0 * self.n_repeat_victims / self.n_victims
        self.share_incidents_by_repeat_victims = (
            100.0 * float(per_victim[repeat_victims].sum()) / self.n_incidents
        )
        within = ~np.isnan(gap_days) & (gap_days <= window_days)
        self.n_repeats_window = int(within.sum())
        self.share_incidents_repeat_window = 100.0 * self.n_repeats_window / self.n_incidents
        heavy_mask = per_victim >= heavy
        self.share_victims_heavy = 100.0 * float(heavy_mask.sum()) / self.n_victims
        self.share_incidents_heavy = 100.0 * float(per_victim[heavy_mask].sum()) / self.n_incidents
        n_per = per_victim.clip(upper=5)
        freq = pd.DataFrame(
            {
                "victims": n_per.value_counts().reindex(range(1, 6), fill_value=0),
                "incidents": per_victim.groupby(n_per).sum().reindex(range(1, 6), fill_value=0),
            }
        )
        freq.index = pd.Index(["1", "2", "3", "4", "5+"], name="incidents_per_victim")
        self.frequency = freq.astype("int64")
        gaps = gap_days[~np.isnan(gap_days)]
        self.median_days_to_next = float(np.median(gaps)) if len(gaps) else None
        rows = []
        whole_days = np.floor(gaps)
        for label, lo, hi in DAY_BINS:
            n = int(((whole_days >= lo) & (whole_days <= hi)).sum())
            rows.append(
                {"days": label, "count": n, "share": 100.0 * n / len(gaps) if len(gaps) else None}
            )
        self.days_to_next = pd.DataFrame(rows).set_index("days")
        self.statements = self._statements()

    def _statements(self) -> list[str]:
        unit = "victims" if self.key == "victim_id" else "places"
        return [
            f"{self.n_victims:,} {unit} suffered {self.n_incidents:,} incidents "
            f"({self.concentration:.2f} each)",
            f"{self.share_victims_repeat:.0f}% of {unit} were repeat {unit} and suffered "
            f"{self.share_incidents_by_repeat_victims:.0f}% of incidents",
            f"{self.share_incidents_repeat_window:.0f}% of incidents were repeats within "
            f"{self.window_days} days",
            f"{self.share_victims_heavy:.0f}% of {unit} had {self.heavy} or more incidents "
            f"({self.share_incidents_heavy:.0f}% of incidents)",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "window_days": self.window_days,
            "date_precision": self.date_precision,
            "n_incidents": self.n_incidents,
            "n_without_key": self.n_without_key,
            "prevalence": self.prevalence,
            "incidence": self.incidence,
            "prevalence_rate": self.prevalence_rate,
            "incidence_rate": self.incidence_rate,
            "concentration": self.concentration,
            "n_repeat_victims": self.n_repeat_victims,
            "share_victims_repeat": self.share_victims_repeat,
            "share_incidents_by_repeat_victims": self.share_incidents_by_repeat_victims,
            "share_incidents_repeat_window": self.share_incidents_repeat_window,
            f"share_victims_{self.heavy}_plus": self.share_victims_heavy,
            f"share_incidents_{self.heavy}_plus": self.share_incidents_heavy,
            "frequency": {
                str(i): {"victims": int(r["victims"]), "incidents": int(r["incidents"])}
                for i, r in self.frequency.iterrows()
            },
            "median_days_to_next": self.median_days_to_next,
            "days_to_next": {
                str(i): {"count": int(r["count"]), "share": r["share"]}
                for i, r in self.days_to_next.iterrows()
            },
            "statements": self.statements,
        }
