"""Consultation services: building and publishing, taking responses (duplicates, rate limit,
honeypot, verification, masking), paper imports, results, and the public dashboard.

Views call these; the statistics are :mod:`safercity.consult` (no Django there).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from safercity.consult import duplicates
from safercity.consult.moderation import mask
from safercity.consult.results import ConsultationResults

from . import models
from .models import Consultation, FreeTextAnswer, Response

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SESSION_PREFIX = "consult:"


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def rate_limit() -> int:
    """Responses one network may send to one consultation per hour (0: no limit): the
    ``consult_rate_limit`` setting (a Django setting of the same name overrides it)."""
    from safercity import settings as registry

    return int(setting("CONSULT_RATE_LIMIT", registry.get("consult_rate_limit")))


def duplicate_window() -> dt.timedelta:
    from safercity import settings as registry

    minutes = setting("CONSULT_DUPLICATE_MINUTES", registry.get("consult_duplicate_minutes"))
    return dt.timedelta(minutes=int(minutes))


class RateLimited(Exception):
    """Too many responses from this network: the person is asked to try later."""


# --------------------------------------------------------------------------- building


def strategy_priorities() -> list[dict[str, str]]:
    """The current strategy's priorities (key, title), when the strategy app has one."""
    from django.apps import apps

    if not apps.is_installed("safercity.web.strategy"):
        return []
    from safercity.web.strategy.services import current_strategy

    strategy = current_strategy()
    if strategy is None:
        return []
    return [{"key": p.key, "title": p.title} for p in strategy.priorities.all()]


def assessment_themes() -> list[dict[str, str]]:
    """The Strategic Assessment's themes (the shipped themes file)."""
    from safercity.analytics.themes import load_themes

    themes = load_themes()
    return [{"key": name, "title": themes[name].title} for name in themes]


def priorities_text(items: Iterable[dict[str, str]]) -> str:
    return "\n".join(f"{i['key']} | {i['title']}" for i in items)


def ward_population(wards: list[str]) -> dict[str, float]:
    """Ward populations from the workspace's loaded ward boundaries (built-in census where the
    boundaries carry it); wards not found are left out."""
    from safercity.web.analysis.services import WorkspaceUnavailable, store

    if not wards:
        return {}
    try:
        with store() as con:
            rows = con.execute(
                "SELECT name, population FROM areas WHERE area_type = 'ward' "
                "AND population IS NOT NULL"
            ).fetchall()
    except (WorkspaceUnavailable, Exception):  # no store, or no areas loaded
        return {}
    by_name = {str(n).lower(): float(p) for n, p in rows}
    return {w: by_name[w.lower()] for w in wards if w.lower() in by_name}


#: the consultation's fields the officers' form sets as they are
FORM_FIELDS = (
    "title",
    "title_cy",
    "slug",
    "area",
    "introduction",
    "introduction_cy",
    "privacy_notice",
    "privacy_notice_cy",
    "mode",
    "top_k",
    "opens_on",
    "closes_on",
    "verify_email",
    "about_you",
    "population_source",
)


@transaction.atomic
def save_consultation(
    data: dict[str, Any], consultation: Consultation | None = None
) -> Consultation:
    """Create or update a consultation (and its priorities and questions) from the form."""
    c = consultation or Consultation()
    for name in (*FORM_FIELDS, "wards", "population"):
        if name in data:
            setattr(c, name, data[name])
    if c.wards and "ward" not in (c.population or {}):
        found = ward_population(list(c.wards))
        if found and len(found) == len(c.wards):
            c.population = {**(c.population or {}), "ward": found}
            c.population_source = (
                c.population_source + "; " if c.population_source else ""
            ) + "ward populations from the workspace's ward boundaries"
    c.save()
    keep = []
    for pos, p in enumerate(data.get("priorities", [])):
        obj, _ = models.ConsultationPriority.objects.update_or_create(
            consultation=c,
            key=p["key"],
            defaults={
                "title": p["title"],
                "title_cy": p.get("title_cy", ""),
                "description": p.get("description", ""),
                "position": pos,
            },
        )
        keep.append(obj.pk)
    if "priorities" in data:
        c.priorities.exclude(pk__in=keep).delete()
    if "questions" in data:
        existing = list(c.questions.all())
        for pos, (text, welsh) in enumerate(data["questions"]):
            if pos < len(existing):
                q = existing[pos]
                q.text, q.text_cy, q.position = text, welsh, pos
                q.save()
            else:
                models.FreeTextQuestion.objects.create(
                    consultation=c, text=text, text_cy=welsh, position=pos
                )
        for q in existing[len(data["questions"]) :]:
            q.delete()
    return c


def form_initial(c: Consultation) -> dict[str, Any]:
    def row(p: models.ConsultationPriority) -> str:
        parts = [p.key, p.title, p.title_cy, p.description]
        while parts and not parts[-1]:
            parts.pop()
        return " | ".join(parts)

    return {
        **{k: getattr(c, k) for k in FORM_FIELDS},
        "priorities": "\n".join(row(p) for p in c.priorities.all()),
        "wards": "\n".join(c.wards),
        "questions": "\n".join(
            f"{q.text} | {q.text_cy}" if q.text_cy else q.text for q in c.questions.all()
        ),
        "population": "\n".join(
            f"{dim},{cat},{value:g}"
            for dim, cats in (c.population or {}).items()
            for cat, value in cats.items()
        ),
    }


def _audit(request: Any, action: str, obj: Any, summary: str) -> None:
    from safercity.web.audit import services as audit

    audit.record(request, action, obj, summary=summary)


def publish(request: Any, c: Consultation) -> None:
    """Approve the consultation's form for the public (it opens on its opening date)."""
    c.published_at = timezone.now()
    c.published_by = request.user
    c.save(update_fields=["published_at", "published_by", "updated_at"])
    _audit(request, "update", c, f"published consultation {c.slug}")


def publish_results(request: Any, c: Consultation, summary: str, summary_cy: str = "") -> None:
    c.results_published_at = timezone.now()
    c.results_published_by = request.user
    c.results_summary = summary
    c.results_summary_cy = summary_cy
    c.save()
    _audit(request, "update", c, f"published the results of {c.slug}")


def approve(request: Any, item: Any, *, on: bool = True) -> None:
    """Approve an item for the public (or withdraw it)."""
    item.approved_at = timezone.now() if on else None
    item.approved_by = request.user if on else None
    item.save()
    _audit(request, "update", item, ("approved " if on else "withdrew ") + str(item))


# --------------------------------------------------------------------------- responses


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _secret() -> str:
    return hashlib.sha256(("consult-network:" + settings.SECRET_KEY).encode()).hexdigest()


def client_address(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


@dataclass
class Answers:
    """What a respondent gave (from the session, or a paper form's row)."""

    ranking: list[str]
    about: dict[str, Any] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)  # question id -> answer
    email: str = ""

    def fingerprint(self) -> str:
        return duplicates.answers_fingerprint(
            {"ranking": self.ranking, "about": self.about, "text": self.text}
        )


def _about(answers: Answers) -> dict[str, Any]:
    a = answers.about
    return {
        "ward": a.get("ward") or "",
        "postcode_district": a.get("postcode_district") or "",
        "age_band": a.get("age_band") or "",
        "sex": a.get("sex") or "",
        "ethnicity": a.get("ethnicity") or "",
        "connection": list(a.get("connection") or []),
        "disability": a.get("disability") or "",
    }


@transaction.atomic
def submit(
    c: Consultation,
    answers: Answers,
    *,
    address: str = "",
    honeypot: str = "",
    channel: str = Response.Channel.ONLINE,
    source: str = "",
    synthetic: bool = False,
    now: dt.datetime | None = None,
) -> Response:
    """Store one response. Duplicates (same answers, same network, within the window), a filled
    honeypot and an unverified e-mail are stored and *flagged* for an officer, never dropped;
    only the rate limit refuses (:class:`RateLimited`)."""
    now = now or timezone.now()
    network = duplicates.network_key(address, _secret()) if address else ""
    fingerprint = answers.fingerprint()
    flags: list[str] = []
    if network:
        # Only the rows each rule needs, whatever the network has sent before (an event's
        # shared Wi-Fi with no rate limit can send thousands): the latest ``limit`` of the
        # last hour, and earlier responses with the same answers within the window. This runs
        # inside the write transaction, so it must stay short.
        window = duplicate_window()
        limit = rate_limit()
        hour = dt.timedelta(hours=1)
        mine = Response.objects.filter(consultation=c, network=network)
        latest = (
            mine.filter(submitted_at__gt=now - hour, submitted_at__lte=now)
            .order_by("-submitted_at")
            .values_list("submitted_at", flat=True)[:limit]
            if limit > 0
            else []
        )
        if duplicates.over_rate_limit(
            now,
            network,
            [duplicates.Seen(at, network, "") for at in latest],
            limit=limit,
            window=hour,
        ):
            raise RateLimited
        same = mine.filter(
            fingerprint=fingerprint,
            submitted_at__gte=now - window,
            submitted_at__lte=now + window,
        ).values_list("submitted_at", flat=True)[:1]
        if duplicates.is_duplicate(
            now,
            network,
            fingerprint,
            [duplicates.Seen(at, network, fingerprint) for at in same],
            window=window,
        ):
            flags.append("duplicate")
    if honeypot.strip():
        flags.append("honeypot")
    if c.verify_email and channel == Response.Channel.ONLINE:
        flags.append("unverified")
    response = Response(
        consultation=c,
        reference=new_reference(),
        submitted_at=now,
        channel=channel,
        ranking=list(answers.ranking),
        email=answers.email if c.verify_email else "",
        network=network,
        fingerprint=fingerprint,
        status=Response.Status.FLAGGED if flags else Response.Status.ACCEPTED,
        flags=flags,
        source=source,
        synthetic=synthetic,
        **_about(answers),
    )
    for _ in range(5):  # a reference already used: try another
        if not Response.objects.filter(reference=response.reference).exists():
            break
        response.reference = new_reference()
    response.save()
    questions = {str(q.pk): q for q in c.questions.all()}
    rows = []
    for qid, text in answers.text.items():
        if text and text.strip() and qid in questions:
            rows.append(
                FreeTextAnswer(
                    response=response,
                    question=questions[qid],
                    text=text.strip(),
                    masked=mask(text.strip()).text,
                )
            )
    FreeTextAnswer.objects.bulk_create(rows)
    return response


def verification_token(response: Response) -> str:
    return signing.dumps({"r": str(response.pk)}, salt="consult-verify", compress=True)


def send_verification(request: Any, response: Response) -> None:
    """E-mail the respondent a link that confirms their response (the address is erased when
    the link is used)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    link = request.build_absolute_uri(
        reverse("consult:verify", kwargs={"token": verification_token(response)})
    )
    send_mail(
        _("Confirm your response"),
        _("Use this link to confirm your response to %(title)s: %(link)s")
        % {"title": response.consultation.public_title, "link": link},
        None,
        [response.email],
        fail_silently=True,
    )


def verify(token: str, max_age_days: int = 14) -> Response | None:
    """Mark the response verified (and erase its e-mail address); None for a bad link."""
    try:
        data = signing.loads(token, salt="consult-verify", max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None
    response = Response.objects.filter(pk=data.get("r")).first()
    if response is None:
        return None
    response.verified = True
    response.email = ""
    if response.flags == ["unverified"]:
        response.status = Response.Status.ACCEPTED
    response.flags = [f for f in response.flags if f != "unverified"]
    response.save()
    return response


def review(request: Any, response: Response, decision: str) -> None:
    response.status = decision
    response.reviewed_at = timezone.now()
    response.reviewed_by = request.user
    response.save()


def counts(c: Consultation) -> dict[str, int]:
    rows = dict(
        Response.objects.filter(consultation=c).values_list("status").annotate(n=Count("pk"))
    )
    pending = FreeTextAnswer.objects.filter(
        response__consultation=c, moderation=FreeTextAnswer.Moderation.PENDING
    ).count()
    return {
        "accepted": rows.get("accepted", 0),
        "flagged": rows.get("flagged", 0),
        "rejected": rows.get("rejected", 0),
        "pending_text": pending,
    }


# --------------------------------------------------------------------------- paper imports


@dataclass
class ImportProblem:
    line: int
    field: str
    reason: str


@dataclass
class ImportResult:
    path: str
    read: int = 0
    stored: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


DEFAULT_MAPPING = {
    "ranking": "ranking",
    "ward": "ward",
    "age_band": "age_band",
    "sex": "sex",
    "channel": "channel",
}


def import_responses(
    c: Consultation, path: str | Path, mapping: dict[str, Any] | None = None
) -> ImportResult:
    """Paper and event responses from a CSV: bad rows are reported (line, field, reason) and
    set aside, good rows stored in one transaction (a failure stores none).

    ``mapping`` names the CSV column of each answer: ``ranking`` (priority keys or titles
    separated by ``>`` or ``;``, most important first) or ``rank_columns`` (``{priority key:
    column}`` holding each priority's number), and ``ward``, ``age_band``, ``sex``,
    ``postcode_district``, ``channel`` (paper or event; default paper), ``text`` (``{question
    position (1, 2 ...): column}``).
    """
    m = {**DEFAULT_MAPPING, **(mapping or {})}
    p = Path(path)
    result = ImportResult(str(p))
    priorities = list(c.priorities.all())
    by_name: dict[str, str] = {}
    for pr in priorities:
        for name in (pr.key, pr.title, pr.title_cy):
            if name:
                by_name[name.strip().lower()] = pr.key
    questions = list(c.questions.all())
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p}: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    needed = list(m.get("rank_columns", {}).values()) if m.get("rank_columns") else [m["ranking"]]
    missing = [col for col in needed if col not in header]
    if missing:
        raise ValueError(f"{p}: no column {missing[0]!r} (the mapping names it)")
    good: list[tuple[int, Answers, str]] = []
    valid = {
        "age_band": set(models.AGE_BANDS),
        "sex": set(models.SEXES),
        "ward": set(c.wards) if c.wards else None,
    }
    for row in reader:
        line = reader.line_num
        result.read += 1
        problems: list[ImportProblem] = []
        order: list[str] = []
        if m.get("rank_columns"):
            numbers = {}
            for key, col in m["rank_columns"].items():
                raw = (row.get(col) or "").strip()
                if raw:
                    if not raw.isdigit():
                        problems.append(ImportProblem(line, col, f"{raw!r} is not a number"))
                        continue
                    numbers[key] = int(raw)
            if sorted(numbers.values()) != list(range(1, len(numbers) + 1)):
                problems.append(
                    ImportProblem(line, "ranking", "numbers must be 1, 2, ... each used once")
                )
            order = sorted(numbers, key=lambda k: numbers[k])
        else:
            raw = (row.get(m["ranking"]) or "").strip()
            parts = [x.strip() for x in raw.replace(";", ">").split(">") if x.strip()]
            for part in parts:
                key = by_name.get(part.lower())
                if key is None:
                    problems.append(ImportProblem(line, m["ranking"], f"unknown priority {part!r}"))
                elif key in order:
                    problems.append(ImportProblem(line, m["ranking"], f"{part!r} ranked twice"))
                else:
                    order.append(key)
        if not order and not problems:
            problems.append(ImportProblem(line, m.get("ranking", "ranking"), "no ranking"))
        if c.mode == Consultation.Mode.RANK_ALL and order and len(order) != len(priorities):
            # a paper form that ranked some only: kept as a partial ranking
            pass
        about: dict[str, Any] = {}
        for name in ("ward", "age_band", "sex", "postcode_district"):
            col = m.get(name)
            if not col or col not in row:
                continue
            value = (row.get(col) or "").strip()
            if not value:
                continue
            allowed = valid.get(name)
            if allowed is not None and value not in allowed:
                problems.append(ImportProblem(line, col, f"{value!r} is not one of the options"))
                continue
            about[name] = value
        texts: dict[str, str] = {}
        for pos, col in (m.get("text") or {}).items():
            k = int(pos) - 1
            if 0 <= k < len(questions) and (row.get(col) or "").strip():
                texts[str(questions[k].pk)] = row[col].strip()
        channel = (row.get(m.get("channel", "")) or "paper").strip().lower() or "paper"
        if channel not in {"paper", "event"}:
            problems.append(ImportProblem(line, m["channel"], f"{channel!r}: use paper or event"))
        if problems:
            result.problems += problems
            continue
        good.append((line, Answers(order, about, texts), channel))
    with transaction.atomic():
        for line, answers, channel in good:
            r = submit(c, answers, channel=channel, source=f"{p.name}:{line}")
            if c.mode == Consultation.Mode.RANK_ALL and len(answers.ranking) < len(priorities):
                r.flags = [*r.flags, "partial"]
                r.save(update_fields=["flags"])
    result.stored = len(good)
    return result


# --------------------------------------------------------------------------- results


def responses_frame(c: Consultation) -> pd.DataFrame:
    rows = Response.objects.filter(consultation=c, status=Response.Status.ACCEPTED).values_list(
        "ranking", "ward", "age_band", "sex", "connection", "disability", "channel"
    )
    frame = pd.DataFrame(
        list(rows),
        columns=["ranking", "ward", "age_band", "sex", "connection", "disability", "channel"],
    )
    keys = {p.key for p in c.priorities.all()}
    if len(frame):
        frame["ranking"] = frame["ranking"].map(lambda r: [k for k in r if k in keys])
        # a paper ranking of some of the priorities only is a partial ranking
        n = len(keys)
        frame["top_k"] = frame["ranking"].map(
            lambda r: not (c.mode == Consultation.Mode.RANK_ALL and 1 < len(r) < n)
        )
        for col in ("ward", "age_band", "sex", "disability"):
            frame[col] = frame[col].replace("", None)
    return frame


def results(
    c: Consultation, *, bootstrap: int | None = None, seed: int | None = None
) -> ConsultationResults | None:
    """The consultation's results (cached until a response changes); None with no ranking."""
    from safercity import settings as sc_settings

    bootstrap = int(setting("CONSULT_BOOTSTRAP", 1000)) if bootstrap is None else bootstrap
    seed = int(sc_settings.get("seed")) if seed is None else seed
    latest = Response.objects.filter(consultation=c).aggregate(n=Count("pk"), t=Max("updated_at"))
    key = f"consult-results:{c.pk}:{latest['n']}:{latest['t']}:{c.updated_at}:{bootstrap}:{seed}"
    key = hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found if found != "none" else None
    frame = responses_frame(c)
    items = [p.key for p in c.priorities.all()]
    titles = {p.key: p.title for p in c.priorities.all()}
    if not len(frame) or not frame["ranking"].map(len).any():
        cache.set(key, "none", 600)
        return None
    targets = {
        dim: cats for dim, cats in (c.population or {}).items() if dim in frame.columns and cats
    }
    out = ConsultationResults(
        frame,
        items,
        titles=titles,
        targets=targets or None,
        bootstrap=bootstrap,
        seed=seed,
        group_by=("ward", "age_band", "sex", "connection", "channel"),
    )
    cache.set(key, out, 3600)
    return out


def for_assessment(slug: str) -> dict[str, Any] | None:
    """The consultation's ranking as the Strategic Assessment reads it: the ``consultation:``
    mapping of :meth:`ConsultationResults.ranking_file` (``ranking``, ``ranking_as_written``,
    ``when``, ``responses``), straight from the database, for ``assess`` to take without a
    file. None when there is no such consultation or no counted ranking."""
    import yaml

    c = Consultation.objects.filter(slug=slug).first()
    r = results(c) if c is not None else None
    if c is None or r is None:
        return None
    doc = yaml.safe_load(r.ranking_file(name=c.title, when=f"{c.opens_on:%B %Y}"))
    return doc["consultation"]  # type: ignore[no-any-return]


def theme_counts(c: Consultation) -> list[dict[str, Any]]:
    return [
        {"theme": t.name, "answers": t.n}
        for t in models.Theme.objects.filter(consultation=c)
        .annotate(n=Count("answers"))
        .order_by("-n", "name")
    ]


def quotes(c: Consultation) -> list[FreeTextAnswer]:
    """Quotes approved for the public: moderated, chosen, masked text only."""
    return list(
        FreeTextAnswer.objects.filter(
            response__consultation=c,
            response__status=Response.Status.ACCEPTED,
            moderation=FreeTextAnswer.Moderation.APPROVED,
            quote=FreeTextAnswer.Quote.CHOSEN,
        ).select_related("question")
    )


def suggest_themes(c: Consultation, n_themes: int = 5) -> list[dict[str, Any]]:
    from safercity.consult.text_themes import SuggestThemes

    answers = list(
        FreeTextAnswer.objects.filter(response__consultation=c).exclude(
            moderation=FreeTextAnswer.Moderation.REJECTED
        )
    )
    s = SuggestThemes([a.masked for a in answers], n_themes=n_themes)
    return [{"label": t.label, "words": t.words, "answers": len(t.answers)} for t in s.themes]


def moderate(request: Any, answer: FreeTextAnswer, data: dict[str, Any]) -> None:
    answer.moderation = data["moderation"]
    answer.masked = data["masked"]
    answer.quote = data["quote"] if data["moderation"] == "approved" else "no"
    answer.moderated_at = timezone.now()
    answer.moderated_by = request.user
    answer.save()
    names = [n.strip() for n in (data.get("themes") or "").split(",") if n.strip()]
    themes = []
    for name in names:
        theme, _ = models.Theme.objects.get_or_create(
            consultation=answer.response.consultation, name=name[:100]
        )
        themes.append(theme)
    answer.themes.set(themes)


# --------------------------------------------------------------------------- public face


def public_consultations() -> dict[str, list[Consultation]]:
    today = timezone.localdate()
    published = Consultation.objects.filter(published_at__isnull=False)
    return {
        "open": [c for c in published if c.is_open(today)],
        "closed": [c for c in published if c.is_closed(today)],
    }


def dashboard_publication() -> models.DashboardPublication | None:
    return models.DashboardPublication.objects.filter(approved_at__isnull=False).first()


def dashboard(pub: models.DashboardPublication) -> dict[str, Any]:
    """Crime and ASB by ward (counts and rates per 1,000 residents, suppressed below the
    threshold) and the monthly trend, read through the analysis services' cache; strategy
    progress from the strategy app's monitoring."""
    from safercity.web.analysis import services as analysis

    out: dict[str, Any] = {"available": True, "threshold": pub.threshold, "area": pub.area}
    try:
        out.update(
            analysis.cached(  # once per version of the store, shared by every request
                "consult-dashboard",
                lambda: _crime_by_ward(pub.area, pub.threshold),
                pub.area,
                pub.threshold,
            )
        )
    except analysis.WorkspaceUnavailable:
        out["available"] = False
    out["strategy"] = strategy_progress() if pub.show_strategy else None
    return out


def _crime_by_ward(area: str, threshold: int) -> dict[str, Any]:
    """Per ward: incidents and rates in the latest 12 months of data, and the change on the 12
    months before (crime and ASB); the area's monthly trend."""
    from safercity.web.analysis import places
    from safercity.web.analysis import services as analysis
    from safercity.web.analysis.trend import trend as monthly_trend

    area_filter = analysis.Filters(area_type="borough" if area else "all", area=area)
    trend = monthly_trend(area_filter)
    months = [dt.date.fromisoformat(m["month"] + "-01") for m in trend.get("months", [])]
    this_from = before_from = before_to = None
    if months:
        last = months[-1]
        this_from = _months_back(last, 11)
        before_from, before_to = _months_back(last, 23), _months_back(last, 12)
    in_area = _wards_in(area) if area else None
    # "crime" is every incident less ASB (an empty category means crime *and* ASB)
    columns: dict[str, dict[str, dict[str, Any]]] = {}
    for prefix, category in (("crime", ""), ("asb", "Anti-social behaviour")):
        now = places.rankings(
            analysis.Filters(category=category, month_from=this_from), by="ward", limit=500
        )
        columns[prefix] = {r["area"]: r for r in now["areas"]}
        if before_from is not None:
            then = places.rankings(
                analysis.Filters(category=category, month_from=before_from, month_to=before_to),
                by="ward",
                limit=500,
            )
            columns[prefix + "_before"] = {r["area"]: r for r in then["areas"]}
    for suffix in ("", "_before"):
        if "crime" + suffix in columns:
            columns["crime" + suffix] = _less_asb(
                columns["crime" + suffix], columns.get("asb" + suffix, {})
            )
    wards = []
    for code, r in columns["crime"].items():
        if in_area is not None and code not in in_area:
            continue
        row: dict[str, Any] = {"name": r["name"]}
        for prefix in ("crime", "asb"):
            got = columns[prefix].get(code, {"incidents": 0, "rate_per_1000": None})
            before = columns.get(prefix + "_before", {}).get(code)
            row.update(
                _suppress(
                    prefix,
                    got["incidents"],
                    got["rate_per_1000"],
                    threshold,
                    before["incidents"] if before else None,
                )
            )
        wards.append(row)
    return {
        "trend": trend,
        "period_from": this_from,
        "wards": sorted(wards, key=lambda w: w["name"]),
    }


def _less_asb(
    everything: dict[str, dict[str, Any]], asb: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Each ward's incidents and rate with its ASB taken away (crime only)."""
    out = {}
    for code, r in everything.items():
        total = int(r["incidents"])
        crime = total - int(asb.get(code, {}).get("incidents", 0))
        rate = r.get("rate_per_1000")
        out[code] = {
            **r,
            "incidents": crime,
            "rate_per_1000": None if rate is None or not total else rate * crime / total,
        }
    return out


def _months_back(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 - n, 12)
    return dt.date(y, m + 1, 1)


def _suppress(
    prefix: str, count: int, rate: float | None, threshold: int, before: int | None = None
) -> dict[str, Any]:
    """Counts, rates and the change on the year before, none of them shown for a ward with
    fewer than ``threshold`` incidents in either year (small-area suppression)."""
    small = count < threshold or (before is not None and before < threshold)
    change = None
    if before and not small:
        change = round(100.0 * (count - before) / before)
    return {
        f"{prefix}_count": None if count < threshold else count,
        f"{prefix}_rate": None if count < threshold else rate,
        f"{prefix}_change": change,
        f"{prefix}_suppressed": count < threshold,
    }


def _wards_in(area: str) -> set[str]:
    from safercity.web.analysis.services import store

    with store() as con:
        rows = con.execute(
            "SELECT DISTINCT ward_code FROM incidents WHERE lower(local_authority) = lower(?) "
            "AND ward_code IS NOT NULL",
            [area],
        ).fetchall()
    return {str(r[0]) for r in rows}


def strategy_progress() -> list[dict[str, Any]] | None:
    """Per priority of the current strategy: its RAG rating and activities by status (the
    strategy app's monitoring, as it is), cached for ten minutes."""
    from django.apps import apps

    if not apps.is_installed("safercity.web.strategy"):
        return None
    from safercity.web.strategy import services as strategy

    current = strategy.current_strategy()
    if current is None:
        return None
    key = f"consult-strategy-progress:{current.pk}:{timezone.localdate()}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    rows = [
        {
            "title": v.priority.title,
            "rag": v.rag,
            "counts": v.counts,
            "activities": len(v.activities),
        }
        for v in strategy.monitor(current)
    ]
    cache.set(key, rows, 600)
    return rows
