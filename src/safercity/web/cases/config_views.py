"""Configuration pages for administrators: cohorts (their YAML), memberships and the
information-sharing register. Administrators see no case content here."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safercity.cases import config as definitions
from safercity.cases.sharing import CATEGORIES

from . import cohorts
from .forms import AgreementForm, DefinitionForm, MembershipForm
from .models import Cohort, CohortMembership, SharingAgreement
from .permissions import configure


def _crumbs(*more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Case work configuration", reverse("cases:config")), *more]


@configure
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    agreements = SharingAgreement.objects.prefetch_related("parties", "cohorts")
    return render(
        request,
        "cases/config.html",
        {
            "cohorts": Cohort.objects.prefetch_related("memberships").order_by("short_name"),
            "agreements": agreements,
            "today": today,
            "breadcrumbs": [("Home", "/"), ("Case work configuration", None)],
        },
    )


def _save(request: HttpRequest, form: DefinitionForm, expect_key: str | None) -> Cohort | None:
    try:
        loaded = cohorts.save_definition(
            form.cleaned_data["definition"], "the definition", expect_key=expect_key
        )
    except definitions.CohortFileError as exc:
        for problem in exc.problems:
            form.add_error("definition", str(problem))
        return None
    messages.success(request, f"{loaded.cohort.short_name} saved.")
    return loaded.cohort


@configure
def cohort_new(request: HttpRequest) -> HttpResponse:
    template = dict(definitions.bundled())["marac.yaml"]
    form = DefinitionForm(request.POST or None, initial={"definition": template})
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            return redirect("cases:cohort_config", pk=saved.pk)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": "New cohort",
            "lead": "Start from the MARAC definition below: change its key, names and rules.",
            "button": "Save cohort",
            "back": reverse("cases:config"),
            "breadcrumbs": _crumbs(("New cohort", None)),
        },
    )


@configure
def cohort_config(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(Cohort, pk=pk)
    form = DefinitionForm(request.POST or None, initial={"definition": obj.definition_yaml})
    if request.method == "POST" and form.is_valid() and _save(request, form, obj.key):
        return redirect("cases:cohort_config", pk=obj.pk)
    return render(
        request,
        "cases/cohort_config.html",
        {
            "cohort": obj,
            "form": form,
            "members": obj.memberships.select_related("user__agency"),
            "member_form": MembershipForm(cohort=obj),
            "breadcrumbs": _crumbs((obj.short_name, None)),
        },
    )


@configure
@require_POST
def member_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(Cohort, pk=pk)
    form = MembershipForm(request.POST, cohort=obj)
    if form.is_valid():
        cohorts.add_member(obj, form.cleaned_data["user"], form.cleaned_data["role"])
        messages.success(
            request,
            f"{form.cleaned_data['user']} is now a {form.cleaned_data['role']} of the {obj.short_name}.",
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("cases:cohort_config", pk=obj.pk)


@configure
@require_POST
def member_remove(request: HttpRequest, pk: UUID) -> HttpResponse:
    membership = CohortMembership.objects.filter(pk=pk).select_related("cohort").first()
    if membership is None:
        raise Http404
    membership.delete()
    messages.success(request, "Membership removed.")
    return redirect("cases:cohort_config", pk=membership.cohort_id)


def _agreement_page(request: HttpRequest, obj: SharingAgreement | None) -> HttpResponse:
    initial = {}
    if obj is not None:
        initial = {
            "title": obj.title,
            "purpose": obj.purpose,
            "legal_basis": obj.legal_basis,
            "categories": obj.categories,
            "parties": obj.parties.all(),
            "cohorts": obj.cohorts.all(),
            "starts": obj.starts,
            "review": obj.review,
            "ends": obj.ends,
            "withdrawn": obj.withdrawn,
        }
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d.get("ends") and d["ends"] < d["starts"]:
            form.add_error("ends", "The end must be on or after the start")
        else:
            agreement = obj or SharingAgreement()
            for name in (
                "title",
                "purpose",
                "legal_basis",
                "categories",
                "starts",
                "review",
                "ends",
                "withdrawn",
            ):
                setattr(agreement, name, d.get(name))
            agreement.save()
            agreement.parties.set(d["parties"])
            agreement.cohorts.set(d["cohorts"])
            messages.success(request, "Agreement saved.")
            return redirect("cases:config")
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": obj.title if obj else "New information-sharing agreement",
            "lead": "A cohort shares a case with an agency only under an agreement in force that "
            "covers the cohort and the agency (data categories: "
            + ", ".join(CATEGORIES.values())
            + ").",
            "button": "Save agreement",
            "back": reverse("cases:config"),
            "breadcrumbs": _crumbs((obj.title if obj else "New agreement", None)),
        },
    )


@configure
def agreement_new(request: HttpRequest) -> HttpResponse:
    return _agreement_page(request, None)


@configure
def agreement(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _agreement_page(request, get_object_or_404(SharingAgreement, pk=pk))
