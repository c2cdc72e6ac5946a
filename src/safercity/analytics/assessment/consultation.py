"""Public consultation results for the Strategic Assessment: a ranking of concerns.

A consultation ranking (first = most concern) comes from a strategy YAML (``consultation:
ranking: [...]``, as in ``examples/westminster-2011-14.yaml``), a YAML list, or a CSV (a
``theme`` column, sorted by a ``rank`` column when present; or one name per line). Each entry
is matched to a theme (:func:`match_theme`) and, failing that, to a police.uk category, so that
the public concern dimension of the priority assessment can score crime categories too. The
consultation app feeds the same file format.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from safercity.analytics.categories import normalise_category
from safercity.analytics.themes import ThemeSet


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

    @property
    def candidate_ranks(self) -> dict[str, int]:
        """Rank of each theme name and police.uk category the entries name (first wins)."""
        out: dict[str, int] = {}
        for i, (entry, theme) in enumerate(zip(self.ranking, self.themes, strict=True), 1):
            for key in (theme, normalise_category(entry)):
                if key is not None and key not in out:
                    out[key] = i
        return out

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


__all__ = ["THEME_ALIASES", "Consultation", "load_consultation", "match_theme"]
