"""Consultation pages: the public form (one question a page, GOV.UK question pages), the public
face (results, "You said, we did", public meetings, dashboard) and the officers' pages."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from safercity.consult.plackett_luce import NotEstimable
from safercity.web.accounts.permissions import allowed, public

from . import forms, models, services
from .models import Consultation, FreeTextAnswer, Response
from .permissions import MANAGE_ROLES, can_manage, can_read_results

# --------------------------------------------------------------------------- public helpers


def _published(slug: str, request: HttpRequest | None = None) -> Consultation:
    """A published consultation; an officer (with ``request``) also previews a draft."""
    c = Consultation.objects.filter(slug=slug).first()
    if c is None or (c.published_at is None and not _officer(request)):
        raise Http404("No such consultation")
    return c


def _officer(request: HttpRequest | None) -> bool:
    return request is not None and allowed(request.user, MANAGE_ROLES)


def _preview(request: HttpRequest, c: Consultation) -> bool:
    """An officer walking the form of a draft, or of one not open today: nothing is sent."""
    return _officer(request) and not c.is_open()


def _usable(request: HttpRequest, c: Consultation) -> bool:
    return c.is_open() or _preview(request, c)


def _key(c: Consultation) -> str:
    return services.SESSION_PREFIX + c.slug


def _state(request: HttpRequest, c: Consultation) -> dict[str, Any] | None:
    state = request.session.get(_key(c))
    return state if isinstance(state, dict) else None


def _save_state(request: HttpRequest, c: Consultation, state: dict[str, Any]) -> None:
    request.session[_key(c)] = state
    request.session.modified = True


def _steps(c: Consultation) -> list[str]:
    """The form's pages in order, as URLs."""
    steps = [reverse("consult:ranking", kwargs={"slug": c.slug})]
    for q in models.ABOUT_YOU:
        if q in c.about_you:
            steps.append(reverse("consult:about", kwargs={"slug": c.slug, "question": q}))
    for n in range(1, c.questions.count() + 1):
        steps.append(reverse("consult:question", kwargs={"slug": c.slug, "number": n}))
    if c.verify_email:
        steps.append(reverse("consult:email", kwargs={"slug": c.slug}))
    steps.append(reverse("consult:check", kwargs={"slug": c.slug}))
    return steps


def _next(request: HttpRequest, c: Consultation) -> HttpResponse:
    if request.GET.get("change"):
        return redirect("consult:check", slug=c.slug)
    steps = _steps(c)
    here = request.path
    i = steps.index(here) if here in steps else 0
    return HttpResponseRedirect(steps[min(i + 1, len(steps) - 1)])


def _back(request: HttpRequest, c: Consultation) -> str:
    if request.GET.get("change"):
        return reverse("consult:check", kwargs={"slug": c.slug})
    steps = _steps(c)
    i = steps.index(request.path) if request.path in steps else 0
    return steps[i - 1] if i > 0 else reverse("consult:start", kwargs={"slug": c.slug})


def _closed(request: HttpRequest, c: Consultation) -> HttpResponse:
    return render(request, "consult/public/closed.html", {"c": c}, status=200)


def _public_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    c = context.get("c")
    if isinstance(c, Consultation) and _preview(request, c):
        context = {**context, "preview": True}
    response = render(request, template, context)
    if not request.user.is_authenticated:
        response.setdefault("Cache-Control", "no-store" if "form" in context else "max-age=60")
    return response


# --------------------------------------------------------------------------- public pages


@public
def index(request: HttpRequest) -> HttpResponse:
    lists = services.public_consultations()
    return _public_page(
        request,
        "consult/public/index.html",
        {
            "open": lists["open"],
            "closed": lists["closed"],
            "dashboard": services.dashboard_publication() is not None,
        },
    )


@public
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Choose English or Welsh for the public pages (a cookie), then go back."""
    codes = {c for c, _name in settings.LANGUAGES}
    target = request.GET.get("next") or reverse("consult:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("consult:index")
    response = HttpResponseRedirect(target)
    if code in codes:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400, samesite="Lax"
        )
    return response


@public
def start(request: HttpRequest, slug: str) -> HttpResponse:
    c = _published(slug, request)
    if not _usable(request, c):
        return _closed(request, c)
    return _public_page(
        request,
        "consult/public/start.html",
        {"c": c, "questions": c.questions.count(), "priorities": c.priorities.all()},
    )


@public
@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    c = _published(slug, request)
    if not _usable(request, c):
        return _closed(request, c)
    state = _state(request, c) or {"ranking": [], "about": {}, "text": {}, "email": ""}
    priorities = list(c.priorities.all())
    top = None if c.ranks_all else c.top_k
    if request.method == "POST":
        form = forms.RankingForm(request.POST, priorities=priorities, top=top)
        if form.is_valid():
            state["ranking"] = form.cleaned_data["order"]
            _save_state(request, c, state)
            return _next(request, c)
    else:
        initial = {k: str(i) for i, k in enumerate(state["ranking"], start=1)}
        form = forms.RankingForm(initial=initial, priorities=priorities, top=top)
    return _public_page(
        request,
        "consult/public/ranking.html",
        {"c": c, "form": form, "top": top, "n": len(priorities), "back": _back(request, c)},
    )


def _started(request: HttpRequest, c: Consultation) -> dict[str, Any] | None:
    state = _state(request, c)
    return state if state and state.get("ranking") else None


@public
@require_http_methods(["GET", "POST"])
def about(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    c = _published(slug, request)
    state = _started(request, c)
    if state is None or not _usable(request, c):
        return redirect("consult:start", slug=c.slug)
    if question not in c.about_you:
        raise Http404("No such question")
    if request.method == "POST":
        form = forms.AboutYouForm(request.POST, question=question, wards=c.wards)
        if form.is_valid():
            state["about"][question] = form.cleaned_data["answer"]
            _save_state(request, c, state)
            return _next(request, c)
    else:
        form = forms.AboutYouForm(
            initial={"answer": state["about"].get(question)}, question=question, wards=c.wards
        )
    return _public_page(
        request,
        "consult/public/about.html",
        {"c": c, "form": form, "question": question, "back": _back(request, c)},
    )


@public
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    c = _published(slug, request)
    state = _started(request, c)
    if state is None or not _usable(request, c):
        return redirect("consult:start", slug=c.slug)
    questions = list(c.questions.all())
    if not 1 <= number <= len(questions):
        raise Http404("No such question")
    q = questions[number - 1]
    if request.method == "POST":
        form = forms.FreeTextForm(request.POST, label=q.public_text)
        if form.is_valid():
            state["text"][str(q.pk)] = form.cleaned_data["answer"]
            _save_state(request, c, state)
            return _next(request, c)
    else:
        form = forms.FreeTextForm(
            initial={"answer": state["text"].get(str(q.pk), "")}, label=q.public_text
        )
    return _public_page(
        request,
        "consult/public/question.html",
        {"c": c, "form": form, "back": _back(request, c)},
    )


@public
@require_http_methods(["GET", "POST"])
def email(request: HttpRequest, slug: str) -> HttpResponse:
    c = _published(slug, request)
    state = _started(request, c)
    if state is None or not _usable(request, c):
        return redirect("consult:start", slug=c.slug)
    if not c.verify_email:
        raise Http404("This consultation does not ask for an e-mail address")
    if request.method == "POST":
        form = forms.EmailForm(request.POST)
        if form.is_valid():
            state["email"] = form.cleaned_data["email"]
            _save_state(request, c, state)
            return _next(request, c)
    else:
        form = forms.EmailForm(initial={"email": state.get("email", "")})
    return _public_page(
        request, "consult/public/email.html", {"c": c, "form": form, "back": _back(request, c)}
    )


def _summary(c: Consultation, state: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the check-your-answers list."""
    titles = {p.key: p.public_title for p in c.priorities.all()}
    rows = [
        {
            "key": _("Your priorities"),
            "values": [titles.get(k, k) for k in state["ranking"]],
            "ordered": True,
            "url": reverse("consult:ranking", kwargs={"slug": c.slug}),
        }
    ]
    for q in models.ABOUT_YOU:
        if q in c.about_you:
            value = state["about"].get(q)
            rows.append(
                {
                    "key": forms.QUESTION_TITLES[q],
                    "values": [forms.answer_label(q, value) if value else _("Not answered")],
                    "url": reverse("consult:about", kwargs={"slug": c.slug, "question": q}),
                }
            )
    for n, q in enumerate(c.questions.all(), start=1):
        text = state["text"].get(str(q.pk), "")
        rows.append(
            {
                "key": q.public_text,
                "values": [text or _("Not answered")],
                "url": reverse("consult:question", kwargs={"slug": c.slug, "number": n}),
            }
        )
    if c.verify_email:
        rows.append(
            {
                "key": _("Your e-mail address"),
                "values": [state.get("email", "")],
                "url": reverse("consult:email", kwargs={"slug": c.slug}),
            }
        )
    return rows


@public
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str) -> HttpResponse:
    c = _published(slug, request)
    state = _started(request, c)
    if state is None or not _usable(request, c):
        return redirect("consult:start", slug=c.slug)
    if c.verify_email and not state.get("email"):
        return redirect("consult:email", slug=c.slug)
    form = forms.SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _preview(request, c):
        request.session.pop(_key(c), None)  # a preview sends nothing
        request.session[_key(c) + ":done"] = {"reference": "PREVIEW", "verify": False}
        return redirect("consult:done", slug=c.slug)
    if request.method == "POST" and form.is_valid():
        answers = services.Answers(
            ranking=list(state["ranking"]),
            about=dict(state["about"]),
            text=dict(state["text"]),
            email=state.get("email", ""),
        )
        try:
            response = services.submit(
                c,
                answers,
                address=services.client_address(request),
                honeypot=form.cleaned_data.get("website", ""),
            )
        except services.RateLimited:
            return render(request, "consult/public/rate_limited.html", {"c": c}, status=429)
        if response.email:
            services.send_verification(request, response)
        request.session.pop(_key(c), None)
        request.session[_key(c) + ":done"] = {
            "reference": response.reference,
            "verify": bool(response.email),
        }
        return redirect("consult:done", slug=c.slug)
    return _public_page(
        request,
        "consult/public/check.html",
        {
            "c": c,
            "form": form,
            "rows": _summary(c, state),
            "back": _back(request, c),
        },
    )


@public
def done(request: HttpRequest, slug: str) -> HttpResponse:
    c = _published(slug, request)
    info = request.session.get(_key(c) + ":done")
    if not info:
        return redirect("consult:start", slug=c.slug)
    return _public_page(request, "consult/public/done.html", {"c": c, "info": info})


@public
def verify(request: HttpRequest, token: str) -> HttpResponse:
    response = services.verify(token)
    return _public_page(request, "consult/public/verified.html", {"ok": response is not None})


def _results_context(c: Consultation) -> dict[str, Any]:
    try:
        r = services.results(c)
    except NotEstimable:
        r = None
    return {"results": r.to_dict() if r is not None else None}


@public
@cache_control(max_age=60)
def results(request: HttpRequest, slug: str) -> HttpResponse:
    c = _published(slug)
    if c.results_published_at is None:
        raise Http404("The results are not published yet")
    context = {
        "c": c,
        **_results_context(c),
        "quotes": services.quotes(c),
        "changes": c.changes.filter(approved_at__isnull=False),
    }
    titles = {p.key: p.public_title for p in c.priorities.all()}
    context["titles"] = titles
    return render(request, "consult/public/results.html", context)


@public
@cache_control(max_age=60)
def you_said(request: HttpRequest) -> HttpResponse:
    items = models.YouSaidWeDid.objects.filter(approved_at__isnull=False).select_related(
        "consultation"
    )
    return render(request, "consult/public/you_said.html", {"items": items})


@public
@cache_control(max_age=60)
def meetings(request: HttpRequest) -> HttpResponse:
    items = models.PublicMeeting.objects.filter(approved_at__isnull=False)
    return render(request, "consult/public/meetings.html", {"items": items})


@public
@cache_control(max_age=300)
def dashboard(request: HttpRequest) -> HttpResponse:
    pub = services.dashboard_publication()
    if pub is None:
        return render(request, "consult/public/dashboard.html", {"data": None})
    return render(
        request, "consult/public/dashboard.html", {"data": services.dashboard(pub), "pub": pub}
    )


# --------------------------------------------------------------------------- officers


def _crumbs(*more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Consultations", reverse("consult:manage")), *more]


@can_manage
def manage(request: HttpRequest) -> HttpResponse:
    consultations = list(Consultation.objects.all())
    rows = [(c, services.counts(c)) for c in consultations]
    return render(
        request,
        "consult/manage/list.html",
        {"rows": rows, "breadcrumbs": [("Home", "/"), ("Consultations", None)]},
    )


RESERVED = {"manage", "language", "you-said-we-did", "public-meetings", "dashboard", "verify"}


def _consultation_form(request: HttpRequest, c: Consultation | None) -> HttpResponse:
    if request.method == "POST":
        form = forms.ConsultationForm(request.POST)
        if form.is_valid():
            slug = form.cleaned_data["slug"]
            clash = Consultation.objects.filter(slug=slug).exclude(pk=c.pk if c else None)
            if slug in RESERVED or clash.exists():
                form.add_error("slug", "Choose another short name: this one is taken")
            else:
                c = services.save_consultation(form.cleaned_data, c)
                messages.success(request, "Consultation saved")
                return redirect("consult:manage_detail", pk=c.pk)
    elif c is not None:
        form = forms.ConsultationForm(initial=services.form_initial(c))
    else:
        source = request.GET.get("from", "themes")
        items = (
            services.strategy_priorities() if source == "strategy" else services.assessment_themes()
        )
        today = timezone.localdate()
        form = forms.ConsultationForm(
            initial={
                "priorities": services.priorities_text(items),
                "mode": "all",
                "top_k": 3,
                "opens_on": today,
                "closes_on": today + timezone.timedelta(days=42),
                "about_you": ["ward", "age_band", "sex"],
                "privacy_notice": "The partnership uses your answers to set its priorities "
                "(Crime and Disorder Regulations 2007, regulation 12). Answers are kept for "
                "three years, then deleted. Do not give names or addresses.",
            }
        )
    title = "New consultation" if c is None else f"Edit {c.title}"
    return render(
        request,
        "consult/manage/edit.html",
        {
            "form": form,
            "c": c,
            "title": title,
            "has_strategy": bool(services.strategy_priorities()) if c is None else False,
            "breadcrumbs": _crumbs((title, None)),
        },
    )


@can_manage
@require_http_methods(["GET", "POST"])
def manage_new(request: HttpRequest) -> HttpResponse:
    return _consultation_form(request, None)


@can_manage
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _consultation_form(request, get_object_or_404(Consultation, pk=pk))


@can_manage
def manage_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    return render(
        request,
        "consult/manage/detail.html",
        {
            "c": c,
            "counts": services.counts(c),
            "steps": _steps(c),
            "breadcrumbs": _crumbs((c.title, None)),
        },
    )


@can_manage
@require_POST
def manage_publish(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    services.publish(request, c)
    messages.success(request, "Published: the form opens to the public on its opening date")
    return redirect("consult:manage_detail", pk=c.pk)


def _audit_views(request: HttpRequest, responses: list[Response], why: str) -> None:
    from safercity.web.audit import services as audit

    for r in responses:
        audit.record(request, "view", r, summary=f"{why} {r.reference}")


@can_manage
def manage_responses(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    status = request.GET.get("status", "flagged")
    if status not in Response.Status.values:
        status = "flagged"
    rows = Response.objects.filter(consultation=c, status=status).only(
        "pk", "reference", "submitted_at", "flags", "channel", "status"
    )[:200]
    return render(
        request,
        "consult/manage/responses.html",
        {
            "c": c,
            "rows": rows,
            "status": status,
            "statuses": Response.Status.choices,
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk})),
                ("Responses", None),
            ),
        },
    )


@can_manage
@require_http_methods(["GET", "POST"])
def manage_response(request: HttpRequest, pk: UUID) -> HttpResponse:
    r = get_object_or_404(Response.objects.select_related("consultation"), pk=pk)
    c = r.consultation
    if request.method == "POST":
        form = forms.ReviewForm(request.POST)
        if form.is_valid():
            services.review(request, r, form.cleaned_data["decision"])
            messages.success(request, f"Response {r.reference}: {r.get_status_display()}")
            return redirect(reverse("consult:manage_responses", kwargs={"pk": c.pk}))
    else:
        form = forms.ReviewForm(initial={"decision": r.status if r.status != "flagged" else None})
    _audit_views(request, [r], "viewed response")
    titles = {p.key: p.title for p in c.priorities.all()}
    return render(
        request,
        "consult/manage/response.html",
        {
            "r": r,
            "c": c,
            "form": form,
            "ranking": [titles.get(k, k) for k in r.ranking],
            "answers": r.answers.select_related("question"),
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk})),
                ("Responses", reverse("consult:manage_responses", kwargs={"pk": c.pk})),
                (f"Response {r.reference}", None),
            ),
        },
    )


@can_manage
def manage_moderate(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    state = request.GET.get("state", "pending")
    if state not in FreeTextAnswer.Moderation.values:
        state = "pending"
    answers = list(
        FreeTextAnswer.objects.filter(response__consultation=c, moderation=state)
        .select_related("question", "response")
        .prefetch_related("themes")[:50]
    )
    _audit_views(request, list({a.response for a in answers}), "moderation list showed")
    return render(
        request,
        "consult/manage/moderate.html",
        {
            "c": c,
            "answers": answers,
            "state": state,
            "states": FreeTextAnswer.Moderation.choices,
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk})),
                ("Moderate free text", None),
            ),
        },
    )


@can_manage
@require_http_methods(["GET", "POST"])
def manage_answer(request: HttpRequest, pk: UUID) -> HttpResponse:
    a = get_object_or_404(
        FreeTextAnswer.objects.select_related("question", "response__consultation"), pk=pk
    )
    c = a.response.consultation
    if request.method == "POST":
        form = forms.ModerateForm(request.POST)
        if form.is_valid():
            services.moderate(request, a, form.cleaned_data)
            messages.success(request, "Answer moderated")
            return redirect(reverse("consult:manage_moderate", kwargs={"pk": c.pk}))
    else:
        form = forms.ModerateForm(
            initial={
                "moderation": a.moderation if a.moderation != "pending" else "approved",
                "masked": a.masked,
                "quote": a.quote,
                "themes": ", ".join(t.name for t in a.themes.all()),
            }
        )
    _audit_views(request, [a.response], "moderated an answer of response")
    return render(
        request,
        "consult/manage/answer.html",
        {
            "a": a,
            "c": c,
            "form": form,
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk})),
                ("Moderate free text", reverse("consult:manage_moderate", kwargs={"pk": c.pk})),
                ("Answer", None),
            ),
        },
    )


@can_manage
def manage_themes(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    return render(
        request,
        "consult/manage/themes.html",
        {
            "c": c,
            "suggested": services.suggest_themes(c),
            "counts": services.theme_counts(c),
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk})),
                ("Themes", None),
            ),
        },
    )


@can_read_results
def manage_results(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    context = _results_context(c)
    return render(
        request,
        "consult/manage/results.html",
        {
            "c": c,
            **context,
            "can_manage": allowed(request.user, MANAGE_ROLES),
            "counts": services.counts(c),
            "titles": {p.key: p.title for p in c.priorities.all()},
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk}))
                if allowed(request.user, MANAGE_ROLES)
                else (c.title, None),
                ("Results", None),
            ),
        },
    )


@can_manage
@require_http_methods(["GET", "POST"])
def manage_publish_results(request: HttpRequest, pk: UUID) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    if request.method == "POST":
        form = forms.PublishResultsForm(request.POST)
        if form.is_valid():
            services.publish_results(
                request, c, form.cleaned_data["summary"], form.cleaned_data["summary_cy"]
            )
            messages.success(request, "The results are published")
            return redirect("consult:manage_results", pk=c.pk)
    else:
        form = forms.PublishResultsForm(
            initial={"summary": c.results_summary, "summary_cy": c.results_summary_cy}
        )
    return render(
        request,
        "consult/manage/publish_results.html",
        {
            "c": c,
            "form": form,
            "breadcrumbs": _crumbs(
                (c.title, reverse("consult:manage_detail", kwargs={"pk": c.pk})),
                ("Publish the results", None),
            ),
        },
    )


@can_read_results
def manage_export(request: HttpRequest, pk: UUID, fmt: str) -> HttpResponse:
    """The ranking for ``safercity assess --consultation`` (YAML or CSV), or everything (JSON)."""
    c = get_object_or_404(Consultation, pk=pk)
    if fmt not in {"yaml", "csv", "json"}:
        raise Http404("Use .yaml, .csv or .json")
    try:
        r = services.results(c)
    except NotEstimable:
        r = None
    if r is None:
        raise Http404("There are no results yet")
    if fmt == "json":
        body = json.dumps(r.to_dict(), indent=2, ensure_ascii=False)
        content_type = "application/json"
    else:
        body = r.ranking_file(name=c.title, when=f"{c.opens_on:%B %Y}", fmt=fmt)
        content_type = "text/csv" if fmt == "csv" else "application/yaml"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{c.slug}-ranking.{fmt}"'
    return response


@can_manage
def manage_meetings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consult/manage/meetings.html",
        {
            "items": models.PublicMeeting.objects.all(),
            "breadcrumbs": _crumbs(("Public meetings", None)),
        },
    )


def _meeting_form(request: HttpRequest, m: models.PublicMeeting | None) -> HttpResponse:
    if request.method == "POST":
        form = forms.MeetingForm(request.POST)
        if form.is_valid():
            m = m or models.PublicMeeting()
            for k, v in form.cleaned_data.items():
                setattr(m, k, v)
            m.approved_at = None  # a change needs approving again
            m.approved_by = None
            m.save()
            messages.success(request, "Meeting saved: approve it to publish it")
            return redirect("consult:manage_meetings")
    elif m is not None:
        form = forms.MeetingForm(
            initial={
                "title": m.title,
                "date": m.date,
                "place": m.place,
                "attendees": m.attendees,
                "attendance": "\n".join(
                    f"{a['authority']} | {'yes' if a['attended'] else 'no'}" for a in m.attendance
                ),
                "questions": "\n".join(f"{q['question']} | {q['answer']}" for q in m.questions),
            }
        )
    else:
        form = forms.MeetingForm(
            initial={
                "attendance": "\n".join(
                    f"{name} | yes"
                    for name in (
                        "Council",
                        "Police",
                        "Fire and rescue",
                        "Probation",
                        "Health (integrated care board)",
                    )
                )
            }
        )
    return render(
        request,
        "consult/manage/meeting.html",
        {
            "form": form,
            "m": m,
            "breadcrumbs": _crumbs(
                ("Public meetings", reverse("consult:manage_meetings")),
                (m.title if m else "New meeting", None),
            ),
        },
    )


@can_manage
@require_http_methods(["GET", "POST"])
def manage_meeting_new(request: HttpRequest) -> HttpResponse:
    return _meeting_form(request, None)


@can_manage
@require_http_methods(["GET", "POST"])
def manage_meeting(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _meeting_form(request, get_object_or_404(models.PublicMeeting, pk=pk))


@can_manage
def manage_changes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consult/manage/changes.html",
        {
            "items": models.YouSaidWeDid.objects.select_related("consultation"),
            "breadcrumbs": _crumbs(("You said, we did", None)),
        },
    )


def _change_form(request: HttpRequest, item: models.YouSaidWeDid | None) -> HttpResponse:
    consultations = Consultation.objects.all()
    if request.method == "POST":
        form = forms.YouSaidWeDidForm(request.POST)
        if form.is_valid():
            item = item or models.YouSaidWeDid()
            for k, v in form.cleaned_data.items():
                setattr(item, k, v)
            chosen = request.POST.get("consultation") or ""
            item.consultation = consultations.filter(pk=chosen).first() if chosen else None
            item.approved_at = None
            item.approved_by = None
            item.save()
            messages.success(request, "Saved: approve it to publish it")
            return redirect("consult:manage_changes")
    else:
        form = forms.YouSaidWeDidForm(
            initial={
                k: getattr(item, k)
                for k in ("you_said", "you_said_cy", "we_did", "we_did_cy", "priority")
            }
            if item
            else None
        )
    return render(
        request,
        "consult/manage/change.html",
        {
            "form": form,
            "item": item,
            "consultations": consultations,
            "breadcrumbs": _crumbs(
                ("You said, we did", reverse("consult:manage_changes")),
                ("Entry" if item else "New entry", None),
            ),
        },
    )


@can_manage
@require_http_methods(["GET", "POST"])
def manage_change_new(request: HttpRequest) -> HttpResponse:
    return _change_form(request, None)


@can_manage
@require_http_methods(["GET", "POST"])
def manage_change(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _change_form(request, get_object_or_404(models.YouSaidWeDid, pk=pk))


APPROVABLE = {
    "meeting": (models.PublicMeeting, "consult:manage_meetings"),
    "change": (models.YouSaidWeDid, "consult:manage_changes"),
    "dashboard": (models.DashboardPublication, "consult:manage_dashboard"),
}


@can_manage
@require_POST
def manage_approve(request: HttpRequest, kind: str, pk: UUID) -> HttpResponse:
    """Approve an item for the public (``withdraw=1``: take it down)."""
    if kind not in APPROVABLE:
        raise Http404("Nothing of that kind to approve")
    model, back = APPROVABLE[kind]
    item = get_object_or_404(model, pk=pk)
    on = not request.POST.get("withdraw")
    services.approve(request, item, on=on)
    messages.success(request, "Approved and published" if on else "Withdrawn from the public")
    return redirect(back)


@can_manage
@require_http_methods(["GET", "POST"])
def manage_dashboard(request: HttpRequest) -> HttpResponse:
    current = models.DashboardPublication.objects.first()
    if request.method == "POST":
        form = forms.DashboardForm(request.POST)
        if form.is_valid():
            pub = models.DashboardPublication.objects.create(**form.cleaned_data)
            services.approve(request, pub)
            models.DashboardPublication.objects.exclude(pk=pub.pk).update(approved_at=None)
            messages.success(request, "The public dashboard is published")
            return redirect("consult:manage_dashboard")
    else:
        form = forms.DashboardForm(
            initial={
                "area": current.area if current else "",
                "threshold": current.threshold if current else 10,
                "show_strategy": current.show_strategy if current else True,
            }
        )
    return render(
        request,
        "consult/manage/dashboard.html",
        {
            "form": form,
            "current": current if current and current.approved else None,
            "breadcrumbs": _crumbs(("Public dashboard", None)),
        },
    )
