"""Plackett-Luce: hand-computed small cases, and choix (a well-kept implementation) on larger
ones."""

from __future__ import annotations

import math

import choix
import numpy as np
import pytest

from safercity.consult import NotEstimable, PlackettLuce, Ranking
from safercity.consult.plackett_luce import p_top

TOL = 1e-7  # worths are fitted to a change below 1e-10 per step


def test_pairs_consistent_with_a_chain_give_the_closed_form() -> None:
    # Bradley-Terry (rankings of two items): A beat B 2:1, B beat C 2:1, A beat C 4:1. The worths
    # (4, 2, 1)/7 solve the score equations: A wins 6 = 3*4/6 + 5*4/5; B 3 = 3*2/6 + 3*2/3;
    # C 2 = 5*1/5 + 3*1/3.
    pairs = [("A", "B")] * 2 + [("B", "A")] + [("B", "C")] * 2 + [("C", "B")]
    pairs += [("A", "C")] * 4 + [("C", "A")]
    pl = PlackettLuce([Ranking(p, top_k=False) for p in pairs], "ABC", bootstrap=0)
    assert pl.worth.to_dict() == pytest.approx({"A": 4 / 7, "B": 2 / 7, "C": 1 / 7}, abs=TOL)
    assert pl.order == ["A", "B", "C"]


def test_first_choices_only_give_the_shares_ranked_first() -> None:
    # top-1 rankings from three items: the likelihood is multinomial, so worth = share first
    rankings = [["A"]] * 5 + [["B"]] * 3 + [["C"]] * 2
    pl = PlackettLuce(rankings, "ABC", bootstrap=0)
    assert pl.p_first.to_dict() == pytest.approx({"A": 0.5, "B": 0.3, "C": 0.2}, abs=TOL)
    # P(C in the first two) = P(C first) + P(A then C) + P(B then C)
    #                       = 0.2 + 0.5 * 0.2 / 0.5 + 0.3 * 0.2 / 0.7
    by_hand = 0.2 + 0.5 * 0.2 / 0.5 + 0.3 * 0.2 / 0.7
    assert p_top(np.array([0.5, 0.3, 0.2]), 2)[2] == pytest.approx(by_hand, abs=1e-12)
    # the top 3 of three items is certain
    assert pl.p_top.to_numpy() == pytest.approx([1.0, 1.0, 1.0])


def test_p_top_by_hand_for_four_items() -> None:
    w = np.array([0.4, 0.3, 0.2, 0.1])
    # P(item 3 is not in the first three) = P(it is last) = sum over orders of the others
    last = 0.0
    for a, b, c in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        last += w[a] * w[b] / (1 - w[a]) * w[c] / (1 - w[a] - w[b])
    assert p_top(w, 3)[3] == pytest.approx(1 - last, abs=1e-12)
    assert p_top(w, 1) == pytest.approx(w)
    assert p_top(w, 3).sum() == pytest.approx(3.0)


def _draw(rng: np.random.Generator, worth: np.ndarray, k: int) -> list[int]:
    left = list(range(len(worth)))
    out = []
    for _ in range(k):
        p = worth[left] / worth[left].sum()
        out.append(left.pop(int(rng.choice(len(left), p=p))))
    return out


@pytest.mark.parametrize("k", [3, 5, 8])
def test_top_k_rankings_match_choix(k: int) -> None:
    rng = np.random.default_rng(7)
    worth = np.array([8, 6, 5, 4, 3, 2, 1.5, 1.0])
    drawn = [_draw(rng, worth, k) for _ in range(400)]
    items = [f"p{i}" for i in range(8)]
    pl = PlackettLuce([[items[i] for i in r] for r in drawn], items, bootstrap=0)
    data = []
    for r in drawn:
        left = set(range(8))
        for i in r:
            left.discard(i)
            if left:
                data.append((i, tuple(sorted(left))))
    ref = np.exp(choix.mm_top1(8, data, tol=1e-12))
    assert pl.worth.to_numpy() == pytest.approx(ref / ref.sum(), abs=1e-7)


def test_partial_rankings_match_choix_rankings() -> None:
    rng = np.random.default_rng(3)
    worth = np.array([5, 4, 3, 2, 1.0])
    drawn = []
    for _ in range(300):
        subset = rng.choice(5, size=int(rng.integers(2, 6)), replace=False)
        order = _draw(rng, worth[subset], len(subset))
        drawn.append([int(subset[i]) for i in order])
    items = list("ABCDE")
    pl = PlackettLuce(
        [Ranking(tuple(items[i] for i in r), top_k=False) for r in drawn], items, bootstrap=0
    )
    ref = np.exp(choix.mm_rankings(5, drawn, tol=1e-12))
    assert pl.worth.to_numpy() == pytest.approx(ref / ref.sum(), abs=1e-7)


def test_integer_weights_equal_repeated_rankings() -> None:
    rankings = [["A", "B", "C"], ["B", "A", "C"], ["C", "B", "A"], ["A", "C", "B"]]
    weights = [3, 1, 2, 1]
    repeated = [r for r, w in zip(rankings, weights, strict=True) for _ in range(w)]
    a = PlackettLuce(rankings, "ABC", weights=weights, bootstrap=0)
    b = PlackettLuce(repeated, "ABC", bootstrap=0)
    assert a.worth.to_numpy() == pytest.approx(b.worth.to_numpy(), abs=TOL)
    assert a.log_likelihood == pytest.approx(b.log_likelihood)


def test_an_item_never_beaten_cannot_be_estimated() -> None:
    with pytest.raises(NotEstimable, match="finite worth"):
        PlackettLuce([["A", "B", "C"], ["A", "C", "B"]], "ABC", bootstrap=0)


def test_an_item_never_chosen_has_worth_zero() -> None:
    pl = PlackettLuce([["A"], ["B"], ["A"], ["B"], ["A"]], "ABC", bootstrap=0)
    assert pl.never_chosen == ["C"]
    assert pl.worth["C"] == 0
    assert pl.worth["A"] == pytest.approx(0.6, abs=TOL)


def test_bootstrap_is_reproducible_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(11)
    worth = np.array([4, 3, 2, 1.0])
    items = list("ABCD")
    rankings = [[items[i] for i in _draw(rng, worth, 4)] for _ in range(200)]
    a = PlackettLuce(rankings, items, bootstrap=200, seed=5)
    b = PlackettLuce(rankings, items, bootstrap=200, seed=5)
    c = PlackettLuce(rankings, items, bootstrap=200, seed=6)
    assert a.table.equals(b.table)
    assert not a.table["worth_low"].equals(c.table["worth_low"])
    t = a.table
    assert (t["worth_low"] <= t["worth"]).all() and (t["worth"] <= t["worth_high"]).all()
    assert (t["p_top_low"] <= t["p_top"]).all() and (t["p_top"] <= t["p_top_high"]).all()
    # 200 rankings of 4: the interval of the worth is a few points wide, not 0 and not 1
    width = t["worth_high"] - t["worth_low"]
    assert (width > 0.01).all() and (width < 0.2).all()


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown priority 'Z'"):
        PlackettLuce([["A", "Z"]], "AB", bootstrap=0)
    with pytest.raises(ValueError, match="ranked twice"):
        PlackettLuce([["A", "A"]], "AB", bootstrap=0)
    with pytest.raises(ValueError, match="one value per ranking"):
        PlackettLuce([["A", "B"]], "AB", weights=[1, 2], bootstrap=0)
    assert math.isclose(PlackettLuce([["A", "B"], ["B", "A"]], "AB", bootstrap=0).worth["A"], 0.5)
