"""Mean rank and Borda count by hand."""

from __future__ import annotations

import pytest

from safercity.consult import Ranking, RankSummary
from safercity.consult.rankings import mapping_order


def test_full_rankings_by_hand() -> None:
    # A>B>C, A>C>B, B>A>C: mean ranks A (1+1+2)/3, B (2+3+1)/3, C (3+2+3)/3
    # Borda (n - position): A 2+2+1 = 5, B 1+0+2 = 3, C 0+1+0 = 1 (of 9)
    s = RankSummary([["A", "B", "C"], ["A", "C", "B"], ["B", "A", "C"]], "ABC")
    t = s.table
    assert t["mean_rank"].to_dict() == pytest.approx({"A": 4 / 3, "B": 2, "C": 8 / 3})
    assert t["borda"].to_dict() == {"A": 5, "B": 3, "C": 1}
    assert t["borda_share"]["A"] == pytest.approx(5 / 9)
    assert t["first"].to_dict() == pytest.approx({"A": 2 / 3, "B": 1 / 3, "C": 0})
    assert list(t.index) == ["A", "B", "C"]


def test_top_k_unranked_items_share_the_places_left() -> None:
    # top-2 of 4 items: the two unranked share places 3 and 4 (3.5 each)
    s = RankSummary([["A", "B"], ["B", "C"]], "ABCD")
    t = s.table
    assert t["mean_rank"].to_dict() == pytest.approx({"A": 2.25, "B": 1.5, "C": 2.75, "D": 3.5})
    assert t["borda"].to_dict() == {"A": 3, "B": 5, "C": 2, "D": 0}


def test_partial_rankings_count_only_what_they_name_and_weights_apply() -> None:
    s = RankSummary(
        [Ranking(("A", "B"), top_k=False), Ranking(("B", "C", "A"), top_k=False)],
        "ABC",
        weights=[3, 1],
    )
    t = s.table
    # A: positions 1 (weight 3) and 3 (weight 1) -> 6/4; B: 2 (3) and 1 (1) -> 7/4; C: 2
    assert t["mean_rank"].to_dict() == pytest.approx({"A": 1.5, "B": 1.75, "C": 2.0})
    assert t["ranked"].to_dict() == {"A": 4, "B": 4, "C": 1}


def test_number_entry_to_order() -> None:
    assert mapping_order({"youth": 2, "drugs": 1, "asb": None}) == ("drugs", "youth")
    for bad in ({"a": 1, "b": 1}, {"a": 1, "b": 3}, {"a": 2}):
        with pytest.raises(ValueError, match="each number once"):
            mapping_order(bad)
