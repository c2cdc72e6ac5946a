"""Duplicate and rate-limit rules."""

from __future__ import annotations

import datetime as dt

from safercity.consult.duplicates import (
    Seen,
    answers_fingerprint,
    is_duplicate,
    network_key,
    over_rate_limit,
)

T0 = dt.datetime(2010, 10, 4, 12, 0, tzinfo=dt.UTC)
SECRET = "test-secret"


def test_network_key_groups_a_network_and_hides_the_address() -> None:
    a = network_key("192.0.2.10", SECRET)
    assert a == network_key("192.0.2.200", SECRET)  # same /24
    assert a != network_key("192.0.3.10", SECRET)
    assert a != network_key("192.0.2.10", "another-secret")
    assert "192" not in a and len(a) == 32
    assert network_key("2001:db8:1:2::1", SECRET) == network_key("2001:db8:1:ffff::9", SECRET)
    assert network_key("::ffff:192.0.2.7", SECRET) == a
    assert network_key("", SECRET) == "" and network_key("not an address", SECRET) == ""


def test_fingerprint_ignores_case_spacing_and_order() -> None:
    a = answers_fingerprint({"ranking": ["youth", "drugs"], "text": "More  Police"})
    b = answers_fingerprint({"text": "more police", "ranking": ["youth", "drugs"]})
    c = answers_fingerprint({"ranking": ["drugs", "youth"], "text": "more police"})
    assert a == b != c


def test_same_answers_same_network_within_the_window_is_a_duplicate() -> None:
    earlier = [Seen(T0, "net1", "ans1")]
    hour = dt.timedelta(hours=1)
    assert is_duplicate(T0 + dt.timedelta(minutes=59), "net1", "ans1", earlier, window=hour)
    assert not is_duplicate(T0 + dt.timedelta(minutes=61), "net1", "ans1", earlier, window=hour)
    assert not is_duplicate(T0, "net2", "ans1", earlier, window=hour)
    assert not is_duplicate(T0, "net1", "ans2", earlier, window=hour)
    assert not is_duplicate(T0, "", "ans1", [Seen(T0, "", "ans1")])


def test_rate_limit_counts_recent_responses_from_the_network() -> None:
    hour = dt.timedelta(hours=1)
    earlier = [Seen(T0 - dt.timedelta(minutes=m), "net1", f"a{m}") for m in (5, 10, 70)]
    assert over_rate_limit(T0, "net1", earlier, limit=2, window=hour)
    assert not over_rate_limit(T0, "net1", earlier, limit=3, window=hour)  # 70 min ago is out
    assert not over_rate_limit(T0, "net2", earlier, limit=1, window=hour)
    assert not over_rate_limit(T0, "net1", earlier, limit=0, window=hour)  # 0: no limit
