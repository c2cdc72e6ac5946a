"""Duplicate scoring by hand: nicknames, transliteration, sounds, dates, postcodes."""

from __future__ import annotations

import datetime as dt

import pytest

from safercity.cases import duplicates as dup
from safercity.cases import names

D = dt.date
P = dup.PersonForMatching
N = dup.Name


def test_fold_transliterates_and_drops_marks() -> None:
    assert names.fold("Zoë O'Brien-Smith") == "zoe obrien smith"
    assert names.fold("Алексáндр") == "aleksandr"
    assert names.fold("  ŁUKASZ ") == "lukasz"
    assert names.fold("") == ""


def test_given_forms_know_nicknames_and_transliterations() -> None:
    assert "william" in names.given_forms("Bill")
    assert names.given_forms("Mohamed") & names.given_forms("Muhammad")
    assert names.given_forms("Oleksandr") & names.given_forms("Aleksandr")
    assert not names.given_forms("Mohamed") & names.given_forms("Ahmed")
    assert names.canonical_given("Muhammad") == names.canonical_given("mohammed") == "mohammed"
    assert names.canonical_given("") == ""


def test_postcodes() -> None:
    pc = names.postcode("sw1e6qp")
    assert pc is not None and (pc.text, pc.outward, pc.sector) == ("SW1E 6QP", "SW1E", "SW1E 6")
    assert names.postcode("W2 1AA") is not None
    assert names.postcode("not a postcode") is None
    assert dup.postcode_similarity("SW1E 6QP", "sw1e 6qp") == 1.0
    assert dup.postcode_similarity("SW1E 6QP", "SW1E 6XX") == 0.6
    assert dup.postcode_similarity("SW1E 6QP", "SW1E 5JL") == 0.3
    assert dup.postcode_similarity("SW1E 6QP", "W2 1AA") == 0.0
    assert dup.postcode_similarity("SW1E 6QP", "") is None


def test_dates_of_birth() -> None:
    assert dup.date_similarity(D(1990, 3, 4), D(1990, 3, 4)) == 1.0
    assert dup.date_similarity(D(1990, 3, 4), D(1990, 4, 3)) == 0.8
    assert dup.date_similarity(D(1990, 3, 4), D(1991, 3, 4)) == 0.6
    assert dup.date_similarity(D(1990, 3, 4), D(1985, 7, 9)) == 0.0


def test_the_same_person_written_by_two_agencies_is_likely() -> None:
    police = P("p", [N("Mohammed", "Ali")], D(1999, 5, 1), "W2 1AA")
    health = P("h", [N("Muhammad", "Aly")], D(1999, 5, 1), "W2 1AA")
    m = dup.score(police, health)
    # name: family 'ali'/'aly' ratio 66.7 raised to 0.9 (same sound), given 1.0 (one name):
    # 0.55 * 0.9 + 0.45 * 1.0 = 0.945; total 0.6 * 0.945 + 0.25 + 0.15 = 0.967
    assert m.parts == {"name": pytest.approx(0.945), "date_of_birth": 1.0, "postcode": 1.0}
    assert m.score == pytest.approx(0.967)
    assert m.strength == "likely"
    assert m.reasons == ["similar name", "same date of birth", "same postcode"]


def test_a_nickname_and_an_alias_count() -> None:
    a = P("a", [N("Bill", "Turner")], D(2001, 2, 3))
    b = P("b", [N("Chris", "Jones"), N("William", "Turner")], D(2001, 3, 2))
    m = dup.score(a, b)
    # best name pair is the alias: 1.0; dates swapped 0.8: (0.6 + 0.25 * 0.8) / 0.85
    assert m.parts["name"] == 1.0
    assert m.score == pytest.approx((0.6 + 0.2) / 0.85, abs=1e-4)


def test_names_alone_are_at_most_possible_and_a_different_birthday_counts_against() -> None:
    a = P("a", [N("Jane", "Smith")])
    b = P("b", [N("Jane", "Smyth")])
    assert dup.score(a, b).score == dup.NAME_ONLY_CAP
    a2 = P("a", [N("Jane", "Smith")], D(1980, 1, 1))
    b2 = P("b", [N("Jane", "Smith")], D(1995, 7, 9))
    assert dup.score(a2, b2).score == pytest.approx(0.6 / 0.85, abs=1e-4)
    assert dup.score(a2, b2).strength == "possible"


def test_swapped_names_and_initials() -> None:
    a = P("a", [N("Ali", "Hassan")], D(1990, 1, 1))
    b = P("b", [N("Hassan", "Ali")], D(1990, 1, 1))
    assert dup.score(a, b).parts["name"] == pytest.approx(0.9)
    assert dup.given_similarity("J", "John") == 0.7
    assert dup.given_similarity("K", "John") == 0.0


def test_rank_orders_and_filters() -> None:
    q = P("q", [N("Sarah", "Jones")], D(1985, 1, 1), "SW1E 6QP")
    people = [
        P("x", [N("Sara", "Jones")], D(1985, 1, 1), "SW1E 6XX"),  # same sector
        P("y", [N("Peter", "Brown")], D(1970, 5, 5), "N1 1AA"),
        P("z", [N("Sarah", "Jones")], D(1985, 1, 1), "SW1E 6QP"),
        P("q", [N("Sarah", "Jones")], D(1985, 1, 1), "SW1E 6QP"),  # itself: never offered
    ]
    assert [m.id for m in dup.rank(q, people)] == ["z", "x"]


def test_blocking_keys() -> None:
    keys = dup.blocking_keys("Bill James", "Mac Donald")
    # "bill" is a nickname of robert and of william: the alphabetically first is the key
    assert keys == {
        "family_fold": "macdonald",
        "family_sound": "MKTNLT",
        "given_canonical": "robert",
    }
    assert dup.blocking_keys("", "")["given_canonical"] == ""
