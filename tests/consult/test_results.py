"""Results: weighted and unweighted side by side, groups suppressed below the threshold, and the
ranking file that the Strategic Assessment reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.assessment import load_consultation
from safercity.analytics.themes import load_themes
from safercity.consult.results import ConsultationResults
from safercity.consult.text_themes import SuggestThemes

ITEMS = [
    "night-time-economy",
    "reoffending",
    "youth",
    "substance-misuse",
    "violence-against-women-and-girls",
]


def _responses(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    worth = np.array([5, 4, 3, 2, 1.5])
    rows = []
    for _ in range(n):
        left = list(range(5))
        order = []
        for _ in range(3):
            p = worth[left] / worth[left].sum()
            order.append(ITEMS[left.pop(int(rng.choice(len(left), p=p)))])
        rows.append(order)
    return pd.DataFrame(
        {
            "ranking": rows,
            "ward": rng.choice(["Abbey Road", "West End", "Tiny Ward"], n, p=[0.5, 0.47, 0.03]),
            "age_band": rng.choice(["16-29", "30-44", "45-64", "65+"], n),
        }
    )


def test_results_weighted_and_unweighted_and_groups(tmp_path: Path) -> None:
    frame = _responses(300, 1)
    targets = {
        "age_band": {"16-29": 40, "30-44": 30, "45-64": 20, "65+": 10},
        "ward": {"Abbey Road": 11500, "West End": 11250, "Tiny Ward": 9000},
    }
    r = ConsultationResults(frame, ITEMS, targets=targets, bootstrap=100, seed=1, min_group=20)
    assert r.n == 300 and r.basis == "weighted"
    assert r.model.order[0] == "night-time-economy"
    assert r.weighted_model is not None and r.raking is not None
    assert r.raking.design_effect > 1
    assert any("Tiny Ward" in w and "too thin" in w for w in r.warnings)
    wards = {g["group"]: g for g in r.groups["ward"]}
    assert wards["Tiny Ward"]["suppressed"] and wards["Tiny Ward"]["n"] is None
    assert "worth" not in wards["Tiny Ward"]
    assert not wards["West End"]["suppressed"] and wards["West End"]["n"] > 100
    d = r.to_dict()
    assert d["weighted"]["effective_sample_size"] < 300
    assert d["unweighted"]["plackett_luce"][0]["worth_low"] is not None

    # the assessment reads the exported ranking as it reads a strategy's consultation
    themes = load_themes()
    for fmt in ("yaml", "csv"):
        path = tmp_path / f"ranking.{fmt}"
        path.write_text(r.ranking_file(name="Example", when="October 2010", fmt=fmt))
        cons = load_consultation(path, themes)
        assert cons.theme_ranking == r.order
    assert load_consultation(tmp_path / "ranking.yaml", themes).responses == "300"


def test_no_rankings_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no rankings"):
        ConsultationResults(pd.DataFrame({"ranking": [[], None]}), ITEMS)


def test_suggested_themes_group_answers_by_their_words() -> None:
    texts = [
        "more police patrols at night in Soho",
        "police patrols at night please",
        "drug dealing in the park",
        "drug dealing near the school",
        "night patrols by police",
        "dealing drugs in the park every day",
    ]
    s = SuggestThemes(texts, n_themes=2)
    assert len(s.themes) == 2
    groups = sorted(sorted(t.answers) for t in s.themes)
    assert groups == [[0, 1, 4], [2, 3, 5]]
    labels = " ".join(t.label for t in s.themes)
    assert "police" in labels and ("drug" in labels or "dealing" in labels)
    assert SuggestThemes(["only one"]).themes == []
