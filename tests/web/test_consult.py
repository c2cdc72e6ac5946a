"""Consultations: the public form end to end, duplicate and rate-limit rules, the honeypot,
e-mail verification, masks, approve-then-publish, Welsh, small-area suppression, paper imports
and the officers' pages (with the audit of every view of a response). Respondents are
SYNTHETIC."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from safercity.web.audit.models import AuditEvent
from safercity.web.consult import models, services
from safercity.web.consult.models import FreeTextAnswer, Response

pytestmark = pytest.mark.django_db

KEYS = ["night-time-economy", "reoffending", "youth"]


def make(verify_email: bool = False, mode: str = "all", **extra: Any) -> models.Consultation:
    today = timezone.localdate()
    c = services.save_consultation(
        {
            "title": "Priorities 2026",
            "title_cy": "Blaenoriaethau 2026",
            "slug": "priorities-2026",
            "introduction": "Tell us what matters.",
            "privacy_notice": "Kept for three years.",
            "mode": mode,
            "top_k": 2,
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=30),
            "about_you": ["ward", "age_band"],
            "wards": ["West End", "St James's"],
            "verify_email": verify_email,
            "priorities": [
                {"key": "night-time-economy", "title": "Night time economy"},
                {"key": "reoffending", "title": "Re-offending"},
                {"key": "youth", "title": "Young people", "title_cy": "Pobl ifanc"},
            ],
            "questions": [("What else should we know?", "Beth arall?")],
            **extra,
        }
    )
    c.published_at = timezone.now()
    c.save()
    return c


def answer_form(client: Any, c: models.Consultation, order: list[str], text: str = "") -> Any:
    """Drive the public form as a person would; returns the final response."""
    base = f"/consult/{c.slug}"
    assert client.get(f"{base}/").status_code == 200
    numbers = {k: str(order.index(k) + 1) if k in order else "" for k in KEYS}
    r = client.post(f"{base}/ranking/", numbers)
    assert r.status_code == 302 and r["Location"] == f"{base}/about-you/ward/"
    r = client.post(r["Location"], {"answer": "West End"})
    assert r["Location"] == f"{base}/about-you/age_band/"
    r = client.post(r["Location"], {"answer": "30-44"})
    assert r["Location"] == f"{base}/your-views/1/"
    r = client.post(r["Location"], {"answer": text})
    if c.verify_email:
        assert r["Location"] == f"{base}/email/"
        r = client.post(r["Location"], {"email": "synthetic.person@example.org"})
    assert r["Location"] == f"{base}/check-your-answers/"
    page = client.get(r["Location"])
    assert page.status_code == 200
    return client.post(f"{base}/check-your-answers/", {"website": ""})


def test_the_whole_form_stores_one_masked_response(client: Any) -> None:
    c = make()
    text = "Call me on 07700 900123 about the dealing near SW1E 6QP, Mr Smith knows"
    r = answer_form(client, c, ["youth", "night-time-economy", "reoffending"], text)
    assert r.status_code == 302 and r["Location"] == f"/consult/{c.slug}/confirmation/"
    done = client.get(r["Location"])
    saved = Response.objects.get()
    assert saved.reference in done.content.decode()
    assert saved.ranking == ["youth", "night-time-economy", "reoffending"]
    assert (saved.ward, saved.age_band, saved.status) == ("West End", "30-44", "accepted")
    answer = FreeTextAnswer.objects.get()
    assert answer.text == text  # kept for the officer, never published
    assert answer.masked == (
        "Call me on [phone number] about the dealing near [postcode], [name] knows"
    )
    assert answer.moderation == "pending"
    # the network is kept only as a keyed hash, never the address
    assert saved.network and "127.0.0" not in saved.network
    # the session no longer holds the answers: the check page starts again
    assert client.get(f"/consult/{c.slug}/check-your-answers/").status_code == 302


def test_ranking_rules_for_rank_all_and_top_k(client: Any) -> None:
    c = make()
    url = f"/consult/{c.slug}/ranking/"
    r = client.post(url, {"night-time-economy": "1", "reoffending": "1", "youth": "2"})
    assert r.status_code == 200 and "Use each number only once" in r.content.decode()
    r = client.post(url, {"night-time-economy": "1", "reoffending": "2", "youth": ""})
    assert "Give every priority a number from 1 to 3" in r.content.decode()
    r = client.post(url, {"night-time-economy": "9", "reoffending": "2", "youth": "1"})
    assert "Enter a number from 1 to 3 for Night time economy" in r.content.decode()
    top = make(mode="top", slug="top-two")
    url = f"/consult/{top.slug}/ranking/"
    r = client.post(url, {"night-time-economy": "1", "reoffending": "", "youth": ""})
    assert "Choose 2 priorities and number them 1 to 2" in r.content.decode()
    r = client.post(url, {"night-time-economy": "2", "reoffending": "", "youth": "1"})
    assert r.status_code == 302
    assert client.session[services.SESSION_PREFIX + top.slug]["ranking"] == [
        "youth",
        "night-time-economy",
    ]


def test_same_answers_from_the_same_network_are_flagged_not_dropped(client: Any) -> None:
    c = make()
    order = ["youth", "reoffending", "night-time-economy"]
    answer_form(client, c, order)
    answer_form(client, c, order)
    answer_form(client, c, ["reoffending", "youth", "night-time-economy"])
    statuses = list(Response.objects.order_by("submitted_at").values_list("status", "flags"))
    assert statuses == [("accepted", []), ("flagged", ["duplicate"]), ("accepted", [])]
    # a flagged response is not counted until an officer accepts it
    assert len(services.responses_frame(c)) == 2


def test_rate_limit_refuses_and_stores_nothing(client: Any, settings: Any) -> None:
    settings.CONSULT_RATE_LIMIT = 2
    c = make()
    answer_form(client, c, ["youth", "reoffending", "night-time-economy"])
    answer_form(client, c, ["reoffending", "youth", "night-time-economy"])
    r = answer_form(client, c, ["night-time-economy", "youth", "reoffending"])
    assert r.status_code == 429 and "Try again in an hour" in r.content.decode()
    assert Response.objects.count() == 2


def test_duplicate_and_rate_limit_rules_at_their_edges(settings: Any) -> None:
    """The rules as the service applies them: the same answers count as a duplicate within the
    window on either side and not beyond it, only from the same network; the rate limit
    counts the last hour only, from that network only."""
    settings.CONSULT_RATE_LIMIT = 3
    settings.CONSULT_DUPLICATE_MINUTES = 10
    c = make()
    now = timezone.now()
    same = services.Answers(ranking=["youth", "reoffending", "night-time-economy"])

    def send(at: dt.datetime, address: str = "192.0.2.1", answers: Any = same) -> Response:
        return services.submit(c, answers, address=address, now=at)

    assert send(now - dt.timedelta(minutes=11)).flags == []  # outside the window: not flagged
    assert send(now - dt.timedelta(minutes=61)).flags == []  # long ago (and outside the hour)
    assert send(now, address="198.51.100.7").flags == []  # another network
    assert send(now).flags == []  # 11 minutes after the first: beyond the window
    assert send(now + dt.timedelta(minutes=9)).flags == ["duplicate"]  # within it
    other = services.Answers(ranking=["reoffending", "youth", "night-time-economy"])
    with pytest.raises(services.RateLimited):  # 3 in the last hour from this network
        send(now + dt.timedelta(minutes=10), answers=other)
    # the oldest of the three leaves the hour: room again (the other network never counted)
    assert send(now + dt.timedelta(minutes=51), answers=other).flags == []
    assert Response.objects.filter(consultation=c).count() == 6


def test_honeypot_is_flagged(client: Any) -> None:
    c = make()
    answer_form(client, c, ["youth", "reoffending", "night-time-economy"])
    Response.objects.all().delete()
    base = f"/consult/{c.slug}"
    client.post(f"{base}/ranking/", {"night-time-economy": "1", "reoffending": "2", "youth": "3"})
    client.post(f"{base}/check-your-answers/", {"website": "http://spam.example"})
    assert list(Response.objects.values_list("status", "flags")) == [("flagged", ["honeypot"])]


def test_email_verification_counts_the_response_and_erases_the_address(client: Any) -> None:
    c = make(verify_email=True)
    answer_form(client, c, ["youth", "reoffending", "night-time-economy"])
    r = Response.objects.get()
    assert (r.status, r.flags, r.email) == (
        "flagged",
        ["unverified"],
        "synthetic.person@example.org",
    )
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/consult/verify/" in w)
    page = client.get(link.replace("http://testserver", ""))
    assert "Response confirmed" in page.content.decode()
    r.refresh_from_db()
    assert (r.status, r.flags, r.email, r.verified) == ("accepted", [], "", True)
    assert "not valid" in client.get("/consult/verify/forged/").content.decode()


def test_public_pages_show_only_approved_items(client: Any, make_user: Any) -> None:
    c = make()
    for order in (KEYS, KEYS[::-1], ["youth", *KEYS[:2]], KEYS, ["reoffending", "youth", KEYS[0]]):
        services.submit(c, services.Answers(list(order)))
    answer = FreeTextAnswer.objects.create(
        response=Response.objects.first(),
        question=c.questions.get(),
        text="Mr Smith sells drugs",
        masked="[name] sells drugs",
    )
    meeting = models.PublicMeeting.objects.create(
        title="Annual meeting", date=timezone.localdate(), place="Town Hall"
    )
    change = models.YouSaidWeDid.objects.create(
        consultation=c, you_said="More patrols please", we_did="Two more patrols a week"
    )
    # nothing approved: results 404, meeting and change absent
    assert client.get(f"/consult/{c.slug}/results/").status_code == 404
    assert "Annual meeting" not in client.get("/consult/public-meetings/").content.decode()
    assert "More patrols please" not in client.get("/consult/you-said-we-did/").content.decode()
    # officers approve (through their pages, audited)
    officer = make_user("analyst")
    client.force_login(officer)
    for kind, pk in (("meeting", meeting.pk), ("change", change.pk)):
        r = client.post(reverse("consult:manage_approve", kwargs={"kind": kind, "pk": pk}))
        assert r.status_code == 302
    r = client.post(
        reverse("consult:manage_publish_results", kwargs={"pk": c.pk}),
        {"summary": "Night time economy came first."},
    )
    assert r.status_code == 302
    client.logout()
    page = client.get(f"/consult/{c.slug}/results/").content.decode()
    assert "Night time economy came first." in page and "More patrols please" in page
    assert "sells drugs" not in page  # not yet an approved, chosen quote
    answer.moderation, answer.quote = "approved", "chosen"
    answer.save()
    page = client.get(f"/consult/{c.slug}/results/").content.decode()
    assert "[name] sells drugs" in page and "Mr Smith" not in page
    assert "Annual meeting" in client.get("/consult/public-meetings/").content.decode()
    assert "Two more patrols a week" in client.get("/consult/you-said-we-did/").content.decode()
    # withdrawn: gone again
    client.force_login(officer)
    client.post(
        reverse("consult:manage_approve", kwargs={"kind": "meeting", "pk": meeting.pk}),
        {"withdraw": "1"},
    )
    client.logout()
    assert "Annual meeting" not in client.get("/consult/public-meetings/").content.decode()
    assert AuditEvent.objects.filter(summary__startswith="approved").count() == 2


def test_draft_consultation_is_not_public(client: Any) -> None:
    c = make()
    c.published_at = None
    c.save()
    assert client.get(f"/consult/{c.slug}/").status_code == 404
    assert "Priorities 2026" not in client.get("/consult/").content.decode()


def test_welsh_public_pages_and_english_staff_pages(client: Any, make_user: Any) -> None:
    c = make()
    r = client.get(f"/consult/language/cy/?next=/consult/{c.slug}/")
    assert r.status_code == 302 and r["Location"] == f"/consult/{c.slug}/"
    page = client.get(f"/consult/{c.slug}/").content.decode()
    assert '<html lang="cy"' in page
    assert "Dechrau nawr" in page and "Blaenoriaethau 2026" in page
    assert "Start now" not in page
    ranking = client.get(f"/consult/{c.slug}/ranking/").content.decode()
    assert "Pobl ifanc" in ranking and "Rhowch y blaenoriaethau mewn trefn" in ranking
    # a Welsh-speaking officer's staff pages stay English
    client.force_login(make_user("analyst"))
    staff = client.get(reverse("consult:manage")).content.decode()
    assert '<html lang="en-GB"' in staff and "New consultation" in staff
    # Django's own messages too (it ships Welsh ones): English on staff pages
    errors = client.post(reverse("consult:manage_new"), {}).content.decode()
    assert "This field is required." in errors
    # an outside address is never a redirect target
    r = client.get("/consult/language/en-gb/?next=https://evil.example/")
    assert r["Location"] == "/consult/"


def test_dashboard_crime_excludes_asb(client: Any, make_user: Any) -> None:
    """The dashboard's crime column is crime only: with ASB beside it, each ward's two add up
    to every incident, once (an empty category in the analysis means crime and ASB)."""
    from safercity.web.analysis import places
    from safercity.web.analysis import services as analysis

    client.force_login(make_user("administrator"))
    client.post(reverse("consult:manage_dashboard"), {"area": "Westminster", "threshold": "1"})
    client.logout()
    data = client.get("/consult/dashboard/").context["data"]
    start = data["period_from"]
    every = places.rankings(analysis.Filters(month_from=start), by="ward", limit=500)
    total = {r["name"]: r["incidents"] for r in every["areas"]}
    assert data["wards"]
    for w in data["wards"]:
        assert w["crime_count"] + w["asb_count"] == total[w["name"]], w["name"]
        assert w["asb_count"] > 0


def test_dashboard_suppresses_small_wards_and_needs_approval(client: Any, make_user: Any) -> None:
    assert "not published its dashboard" in client.get("/consult/dashboard/").content.decode()
    client.force_login(make_user("administrator"))
    r = client.post(
        reverse("consult:manage_dashboard"), {"area": "Westminster", "threshold": "100"}
    )
    assert r.status_code == 302
    client.logout()
    page = client.get("/consult/dashboard/")
    data = page.context["data"]
    assert data["available"]
    names = {w["name"] for w in data["wards"]}
    assert names == {"St James's", "West End", "Marylebone High Street"}  # not Camden's
    for w in data["wards"]:
        # about 300 incidents a ward, about 60 of them anti-social behaviour (synthetic)
        assert not w["crime_suppressed"] and w["crime_count"] >= 100
        assert w["asb_suppressed"] and w["asb_count"] is None and w["asb_rate"] is None
        # 24 months of data: the latest 12 against the 12 before, never for a small ward
        assert w["crime_change"] is not None and w["asb_change"] is None
    assert data["period_from"] is not None
    assert "fewer than 100" in page.content.decode()


def test_officer_sees_a_response_and_the_view_is_audited(client: Any, make_user: Any) -> None:
    c = make()
    r = services.submit(c, services.Answers(KEYS, {"ward": "West End"}), honeypot="x")
    officer = make_user("analyst")
    client.force_login(officer)
    listing = client.get(reverse("consult:manage_responses", kwargs={"pk": c.pk}))
    assert r.reference in listing.content.decode()
    before = AuditEvent.objects.filter(action="view").count()
    page = client.get(reverse("consult:manage_response", kwargs={"pk": r.pk}))
    assert "West End" in page.content.decode()
    views = AuditEvent.objects.filter(action="view", object_id=str(r.pk))
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    assert views.get().actor == officer
    client.post(reverse("consult:manage_response", kwargs={"pk": r.pk}), {"decision": "accepted"})
    r.refresh_from_db()
    assert r.status == "accepted" and r.reviewed_by == officer
    # board members read results but never a response
    client.force_login(make_user("board_member"))
    assert client.get(reverse("consult:manage_response", kwargs={"pk": r.pk})).status_code == 403


def test_results_page_and_export_for_the_assessment(client: Any, make_user: Any) -> None:
    c = make(population={"age_band": {"16-29": 100, "30-44": 100}})
    orders = [KEYS, KEYS, ["youth", "night-time-economy", "reoffending"], KEYS[::-1]] * 10
    for k, order in enumerate(orders):
        services.submit(c, services.Answers(list(order), {"age_band": ["16-29", "30-44"][k % 2]}))
    client.force_login(make_user("board_member"))
    page = client.get(reverse("consult:manage_results", kwargs={"pk": c.pk}))
    body = page.content.decode()
    assert "Weighted P(first)" in body and "design effect" in body
    # P(top k) with its bootstrap interval, unweighted and weighted, for every priority
    import re

    assert len(re.findall(r"\d\.\d{3} \(\d\.\d{3} to \d\.\d{3}\)", body)) == 2 * len(KEYS)
    yml = client.get(reverse("consult:manage_export", kwargs={"pk": c.pk, "fmt": "yaml"}))
    doc = yaml.safe_load(yml.content)
    assert doc["consultation"]["ranking"][0] == "night-time-economy"
    assert doc["consultation"]["responses"] == "40"
    # the same, straight from the database, for the assessment to take without a file
    assert services.for_assessment(c.slug) == doc["consultation"]
    assert services.for_assessment("no-such") is None


def test_paper_import_keeps_good_rows_and_reports_bad_ones(tmp_path: Path) -> None:
    c = make()
    path = tmp_path / "paper.csv"
    path.write_text(
        "ranking,ward,age_band,channel\n"
        "Night time economy > Young people > Re-offending,West End,30-44,paper\n"
        "youth;reoffending,St James's,16-29,event\n"
        "Night time economy > Burglary,West End,30-44,paper\n"
        "youth > youth,West End,30-44,paper\n"
        "reoffending > youth > night-time-economy,Nowhere,30-44,paper\n"
        "reoffending,West End,30-44,fax\n"
    )
    result = services.import_responses(c, path)
    assert (result.read, result.stored) == (6, 2)
    got = [(p.line, p.field, p.reason) for p in result.problems]
    assert got == [
        (4, "ranking", "unknown priority 'Burglary'"),
        (5, "ranking", "'youth' ranked twice"),
        (6, "ward", "'Nowhere' is not one of the options"),
        (7, "channel", "'fax': use paper or event"),
    ]
    stored = list(Response.objects.order_by("source").values_list("ranking", "channel", "flags"))
    assert stored == [
        (["night-time-economy", "youth", "reoffending"], "paper", []),
        (["youth", "reoffending"], "event", ["partial"]),
    ]
    frame = services.responses_frame(c)
    assert sorted(frame["top_k"]) == [False, True]  # the partial paper ranking
    with pytest.raises(ValueError, match="no column 'rank'"):
        services.import_responses(c, path, {"ranking": "rank"})


def test_officers_preview_a_draft_and_nothing_is_stored(client: Any, make_user: Any) -> None:
    c = make()
    c.published_at = None
    c.save()
    assert client.get(f"/consult/{c.slug}/").status_code == 404
    client.force_login(make_user("analyst"))
    page = client.get(f"/consult/{c.slug}/").content.decode()
    assert "Preview: the public cannot see this yet" in page
    r = answer_form(client, c, ["youth", "reoffending", "night-time-economy"])
    assert r.status_code == 302
    assert "PREVIEW" in client.get(r["Location"]).content.decode()
    assert Response.objects.count() == 0
    # a published consultation that is open is not a preview: answers are stored
    c.published_at = timezone.now()
    c.save()
    answer_form(client, c, ["youth", "reoffending", "night-time-economy"])
    assert Response.objects.count() == 1


def test_optional_questions_can_be_skipped_and_postcode_districts_are_checked(
    client: Any,
) -> None:
    c = make(about_you=["postcode_district", "sex"], slug="districts")
    base = f"/consult/{c.slug}"
    client.post(f"{base}/ranking/", {"night-time-economy": "1", "reoffending": "2", "youth": "3"})
    url = f"{base}/about-you/postcode_district/"
    r = client.post(url, {"answer": "SW1E 6QP"})  # a full postcode: refused, not stored
    assert r.status_code == 200
    assert "Enter only the first part of a postcode" in r.content.decode()
    r = client.post(url, {"answer": " sw1e "})
    assert r["Location"] == f"{base}/about-you/sex/"
    r = client.post(r["Location"], {})  # skipped
    assert r["Location"] == f"{base}/your-views/1/"
    client.post(r["Location"], {"answer": ""})
    check = client.get(f"{base}/check-your-answers/").content.decode()
    assert "Not answered" in check and "SW1E" in check
    client.post(f"{base}/check-your-answers/", {"website": ""})
    saved = Response.objects.get()
    assert (saved.postcode_district, saved.sex) == ("SW1E", "")
    assert not FreeTextAnswer.objects.exists()


def test_home_panel_for_officers_and_the_board(make_user: Any) -> None:
    # core/home.py (on main) asks each app for its panels; on a branch without it, skipped
    pytest.importorskip("safercity.web.core.home")
    from safercity.web.consult.home import panels

    c = make()
    services.submit(c, services.Answers(KEYS), honeypot="x")
    services.submit(c, services.Answers(KEYS[::-1]))
    officer = panels(make_user("analyst"))[0]
    assert officer.items[0].detail == "1 counted; 1 flagged"
    assert officer.link_url == reverse("consult:manage")
    board = panels(make_user("board_member"))[0]
    assert board.items[0].url == reverse("consult:manage_results", kwargs={"pk": c.pk})
    assert panels(make_user("case_worker")) == []
