"""Moderation masks: e-mail addresses, phone numbers, postcodes and names (SYNTHETIC text)."""

from __future__ import annotations

import pytest

from safercity.consult.moderation import mask


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("write to jo.bloggs@example.co.uk today", "write to [email address] today", "email"),
        ("jo at example dot com", "[email address]", "email"),
        ("call 07700 900123 please", "call [phone number] please", "phone"),
        ("ring +44 7700 900 123", "ring [phone number]", "phone"),
        ("020 7641 6000 is the council", "[phone number] is the council", "phone"),
        ("(01632) 960001 at night", "[phone number] at night", "phone"),
        ("I live at SW1E 6QP", "I live at [postcode]", "postcode"),
        ("postcode sw1e6qp", "postcode [postcode]", "postcode"),
        ("Mr Smith next door", "[name] next door", "name"),
        ("Cllr J. Jones does nothing", "[name] does nothing", "name"),
        ("PC Patel was great", "[name] was great", "name"),
        ("a lad called Gary Lineker shouts", "a lad called [name] shouts", "name"),
    ],
)
def test_masks(text: str, expected: str, kind: str) -> None:
    m = mask(text)
    assert m.text == expected
    assert m.counts == {kind: 1}
    assert m.changed


@pytest.mark.parametrize(
    "text",
    [
        "Drugs in W1 and SW1 are a problem",  # districts are areas, not addresses
        "There were 1,200 crimes in 2016 and 2017-2018",
        "The Night Time Economy in Soho needs more police",
        "Violence against women and girls",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    m = mask(text)
    assert m.text == text and not m.changed


def test_listed_names_are_masked_in_any_case() -> None:
    m = mask("fred from the chip shop and FRED again, not Frederick", names=["Fred"])
    assert m.text == "[name] from the chip shop and [name] again, not Frederick"
    assert m.counts == {"name": 2}
