"""Case-work pages. Each asks :mod:`.access` what the user may see (a record not seen is a 404),
logs what it shows (one audit row per person or case shown) and calls a service to change
anything. Person search is sent by POST: no name is ever in an address or a server log."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safercity.cases.config import PERSON_FIELDS
from safercity.web.accounts.permissions import CASE_WORKER
from safercity.web.audit import services as audit
from safercity.web.audit.models import AuditEvent

from . import access, casework, disclosure, meetings, people, reporting
from .forms import (
    ActionForm,
    AddressForm,
    AgencyForm,
    AnswersForm,
    AttendanceForm,
    DisclosureForm,
    EmergencyForm,
    HoldForm,
    LinkPersonForm,
    LinkPlaceForm,
    MinuteForm,
    NameForm,
    OwnerForm,
    PersonForm,
    PersonSearchForm,
    ReferralForm,
    StatusForm,
    SubjectAccessForm,
    TransferForm,
)
from .models import (
    Action,
    Case,
    Cohort,
    Meeting,
    Minute,
    Person,
    PersonMerge,
    PossibleDuplicate,
)
from .permissions import casework as casework_page

PAGE_SIZE = 25


def _crumbs(*more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Cases", reverse("cases:home")), *more]


def _need_any(request: HttpRequest) -> access.Access:
    acc = access.of(request)
    if not acc.any:
        raise PermissionDenied
    return acc


def _cohort_or_404(acc: access.Access, pk: UUID) -> Cohort:
    if not acc.sees_cohort(pk):
        raise Http404
    return Cohort.objects.get(pk=pk)


def _chair_or_404(acc: access.Access, cohort_id: Any) -> None:
    if not acc.chairs(cohort_id):
        raise Http404


def _person_form(
    request: HttpRequest,
    obj: Person,
    form: Any,
    title: str,
    button: str,
    crumb: str,
    lead: str = "",
) -> HttpResponse:
    """A form page about one person (their details, a name, an address, an export)."""
    back = reverse("cases:person", kwargs={"pk": obj.pk})
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": title,
            "caption": f"Person {obj.reference}",
            "lead": lead,
            "button": button,
            "back": back,
            "breadcrumbs": _crumbs((f"Person {obj.reference}", back), (crumb, None)),
        },
    )


def _case_form(
    request: HttpRequest, obj: Case, form: Any, title: str, button: str, crumb: str, lead: str = ""
) -> HttpResponse:
    """A form page about one case (status, answers, a link, an action, an export)."""
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": title,
            "caption": obj.reference,
            "lead": lead,
            "button": button,
            "back": reverse("cases:case", kwargs={"pk": obj.pk}),
            "breadcrumbs": _case_crumbs(obj, (crumb, None)),
        },
    )


def _listed(request: HttpRequest, records: list[Any], where: str) -> None:
    audit.record_many(request, "view", records, summary=f"shown in {where}")


# --------------------------------------------------------------------------- lists


@casework_page
def home(request: HttpRequest) -> HttpResponse:
    acc = _need_any(request)
    seen = access.cases(acc)
    today = timezone.localdate()
    mine = list(
        seen.filter(owner=request.user)
        .exclude(status__in=("closed", "declined"))
        .select_related("cohort", "person")
        .order_by("next_review_on")[:PAGE_SIZE]
    )
    cohorts = (
        Cohort.objects.filter(pk__in=acc.cohorts)
        .annotate(
            open_cases=Count("cases", filter=~Q(cases__status__in=("closed", "declined"))),
            new_referrals=Count("cases", filter=Q(cases__status="referred")),
            due=Count("cases", filter=Q(cases__next_review_on__lte=today)),
        )
        .order_by("short_name")
    )
    actions = list(
        meetings.overdue(
            Action.objects.filter(owner=request.user, case__in=seen), today
        ).select_related("case")[:PAGE_SIZE]
    )
    upcoming = list(
        Meeting.objects.filter(cohort_id__in=acc.cohorts, date__gte=today, status="scheduled")
        .select_related("cohort")
        .order_by("date")[:5]
    )
    _listed(request, mine, "my cases")
    emergency = list(seen.filter(pk__in=acc.emergency).select_related("cohort"))
    return render(
        request,
        "cases/home.html",
        {
            "mine": mine,
            "cohorts": cohorts,
            "actions": actions,
            "upcoming": upcoming,
            "emergency": emergency,
            "chairs": [pk for pk, role in acc.cohorts.items() if role == "chair"],
            "today": today,
            "breadcrumbs": [("Home", "/"), ("Cases", None)],
        },
    )


@casework_page
def cohort(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _cohort_or_404(acc, pk)
    spec = obj.spec
    qs = access.cases(acc).filter(cohort=obj).select_related("cohort", "person", "owner")
    status = request.GET.get("status", "")
    if status in spec.lifecycle.statuses:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.exclude(status__in=("closed", "declined"))
    if request.GET.get("due") == "1":
        qs = qs.filter(next_review_on__lte=timezone.localdate())
    if request.GET.get("mine") == "1":
        qs = qs.filter(owner=request.user)
    # reviews due first; the order an index (cohort, next review, reference) gives directly
    page = Paginator(qs.order_by("next_review_on", "reference"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _listed(request, list(page), f"the {obj.short_name} case list")
    counts = dict(
        access.cases(acc)
        .filter(cohort=obj)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/cohort.html",
        {
            "cohort": obj,
            "spec": spec,
            "page": page,
            "statuses": [
                (s, spec.lifecycle.label(s), counts.get(s, 0)) for s in spec.lifecycle.statuses
            ],
            "status": status,
            "caption": f"{page.paginator.count} case{'s' if page.paginator.count != 1 else ''}",
            "today": timezone.localdate(),
            "query": query.urlencode(),
            "meetings": obj.meetings.filter(
                date__gte=timezone.localdate() - dt.timedelta(days=90)
            ).order_by("date")[:8],
            "is_chair": acc.chairs(obj.pk),
            "duplicates": _open_duplicates(obj) if acc.chairs(obj.pk) else 0,
            "breadcrumbs": _crumbs((obj.short_name, None)),
        },
    )


def _open_duplicates(cohort: Cohort) -> int:
    """Possible duplicates to review among the cohort's people (few rows: two small queries,
    not a join through every case)."""
    people_ids = set(
        PossibleDuplicate.objects.filter(resolved=False).values_list("person_id", flat=True)
    )
    if not people_ids:
        return 0
    return (
        Case.objects.filter(person_id__in=people_ids, cohort=cohort)
        .values("person_id")
        .distinct()
        .count()
    )


@casework_page
def figures(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _cohort_or_404(acc, pk)
    result = reporting.figures(obj, access.cases(acc))
    return render(
        request,
        "cases/figures.html",
        {
            "cohort": obj,
            "f": result,
            "breadcrumbs": _crumbs(
                (obj.short_name, reverse("cases:cohort", kwargs={"pk": obj.pk})), ("Figures", None)
            ),
        },
    )


# --------------------------------------------------------------------------- people


def _search_query(form: PersonSearchForm) -> people.Query:
    d = form.cleaned_data
    return people.Query(
        d.get("given_name", ""),
        d.get("family_name", ""),
        d.get("date_of_birth"),
        d.get("postcode", ""),
    )


@casework_page
def find(request: HttpRequest) -> HttpResponse:
    acc = _need_any(request)
    form = PersonSearchForm(request.POST or None)
    results: list[people.Found] | None = None
    if request.method == "POST" and form.is_valid():
        results = people.search(_search_query(form), acc)
        _listed(request, [r.person for r in results], "person search results")
        audit.record(
            request,
            "view",
            model="cases.Person",
            summary=f"searched people: {len(results)} found (the search words are not kept)",
        )
    return render(
        request,
        "cases/find.html",
        {"form": form, "results": results, "breadcrumbs": _crumbs(("Find a person", None))},
    )


@casework_page
def refer(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A referral starts with the person: search (for duplicates) first, then create or use."""
    acc = access.of(request)
    obj = _cohort_or_404(acc, pk)
    collects = set(obj.spec.person_fields)
    form = PersonForm(request.POST or None, collects=collects)
    candidates: list[people.Found] = []
    if request.method == "POST" and form.is_valid():
        query = people.Query(
            form.cleaned_data["given_name"],
            form.cleaned_data["family_name"],
            form.cleaned_data.get("date_of_birth"),
            request.POST.get("postcode", ""),
        )
        candidates = people.likely_duplicates(query, acc)
        if candidates and request.POST.get("confirm") != "new":
            _listed(request, [c.person for c in candidates], "possible duplicates")
        else:
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            person = people.create(data)
            if request.POST.get("postcode") and "address" in collects:
                messages.info(request, "Add the person's address on their record.")
            messages.success(request, "Person record created. Now complete the referral.")
            return redirect("cases:referral", pk=obj.pk, person=person.pk)
    return render(
        request,
        "cases/refer.html",
        {
            "cohort": obj,
            "form": form,
            "candidates": candidates,
            "breadcrumbs": _crumbs(
                (obj.short_name, reverse("cases:cohort", kwargs={"pk": obj.pk})),
                ("New referral", None),
            ),
        },
    )


def _person_for_referral(acc: access.Access, pk: UUID) -> Person:
    """A person seen, or one with no case at all yet (just created by this referral)."""
    person = access.people(acc).filter(pk=pk).first()
    if person is None:
        person = (
            Person.objects.current().filter(pk=pk, cases__isnull=True, links__isnull=True).first()
        )
        if person is None:
            raise Http404
    return person


@casework_page
def referral(request: HttpRequest, pk: UUID, person: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _cohort_or_404(acc, pk)
    subject = _person_for_referral(acc, person)
    form = ReferralForm(
        request.POST or None, cohort=obj, initial={"referred_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = casework.refer(
                casework.Referral(
                    obj,
                    subject,
                    d["referred_on"],
                    d["referring_agency"],
                    d["referral_reason"],
                    d["consent"],
                    d.get("legal_basis", ""),
                    form.answers(),
                ),
                request.user,  # type: ignore[arg-type]
            )
        except casework.CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Referral {case.reference} recorded ({case.eligibility.lower()})."
            )
            return redirect("cases:case", pk=case.pk)
    audit.viewed(request, subject)
    return render(
        request,
        "cases/referral.html",
        {
            "cohort": obj,
            "person": subject,
            "form": form,
            "breadcrumbs": _crumbs(
                (obj.short_name, reverse("cases:cohort", kwargs={"pk": obj.pk})),
                ("New referral", None),
            ),
        },
    )


def _person_context(acc: access.Access, person: Person) -> dict[str, Any]:
    shown = access.person_fields(acc, person)
    seen = access.cases(acc)
    return {
        "person": person,
        "shown": shown,
        "details": [
            (PERSON_FIELDS[f], _display(person, f))
            for f in PERSON_FIELDS
            if f in shown and f not in {"aliases", "address"}
        ],
        "names": person.names.exclude(kind="primary") if "aliases" in shown else [],
        "addresses": person.addresses.all() if "address" in shown else [],
        "cases": seen.filter(person=person).select_related("cohort"),
        "links": person.links.filter(case__in=seen).select_related("case__cohort"),
        "chairs": any(
            acc.chairs(c)
            for c in seen.filter(Q(person=person) | Q(linked_people__person=person)).values_list(
                "cohort_id", flat=True
            )
        ),
        "works": bool(
            seen.filter(
                Q(person=person) | Q(linked_people__person=person), cohort_id__in=acc.cohorts
            ).exists()
        ),
    }


def _display(person: Person, name: str) -> str:
    value = getattr(person, name)
    if isinstance(value, dt.date):
        from safercity.web.core.templatetags.govuk import format_date

        return format_date(value)
    getter = getattr(person, f"get_{name}_display", None)
    return str(getter() if getter and value else value or "Not recorded")


@casework_page
def person(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = access.person_or_404(acc, pk)
    audit.viewed(request, obj)
    context = _person_context(acc, obj)
    if context["chairs"]:
        context["merges"] = PersonMerge.objects.filter(kept=obj, undone_at__isnull=True)
    return render(
        request,
        "cases/person.html",
        {**context, "breadcrumbs": _crumbs((f"Person {obj.reference}", None))},
    )


def _worked_person(acc: access.Access, pk: UUID) -> Person:
    obj = access.person_or_404(acc, pk)
    seen = access.cases(acc).filter(Q(person=obj) | Q(linked_people__person=obj))
    if not seen.filter(cohort_id__in=acc.cohorts).exists():  # emergency access reads only
        raise Http404
    return obj


@casework_page
def person_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_person(acc, pk)
    shown = access.person_fields(acc, obj)
    initial = {
        f: getattr(obj, f) for f in ("given_name", "family_name", *PERSON_FIELDS) if hasattr(obj, f)
    }
    form = PersonForm(request.POST or None, collects=shown, initial=initial)
    if request.method == "POST" and form.is_valid():
        people.update(obj, form.cleaned_data)
        messages.success(request, "Person record updated.")
        return redirect("cases:person", pk=obj.pk)
    audit.viewed(request, obj)
    return _person_form(request, obj, form, "Change the person's details", "Save", "Change")


@casework_page
def person_name(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_person(acc, pk)
    if "aliases" not in access.person_fields(acc, obj):
        raise Http404
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        people.add_name(obj, d["given_name"], d["family_name"], d["kind"])
        messages.success(request, "Name added.")
        return redirect("cases:person", pk=obj.pk)
    return _person_form(request, obj, form, "Add another name", "Add name", "Add a name")


@casework_page
def person_address(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_person(acc, pk)
    if "address" not in access.person_fields(acc, obj):
        raise Http404
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        people.add_address(obj, form.cleaned_data)
        messages.success(request, "Address added.")
        return redirect("cases:person", pk=obj.pk)
    return _person_form(request, obj, form, "Add an address", "Add address", "Add an address")


def _chaired_person(acc: access.Access, pk: UUID) -> tuple[Person, list[Cohort]]:
    obj = access.person_or_404(acc, pk)
    chaired = [
        c
        for c in Cohort.objects.filter(
            pk__in=access.cases(acc)
            .filter(Q(person=obj) | Q(linked_people__person=obj))
            .values("cohort_id")
        )
        if acc.chairs(c.pk)
    ]
    if not chaired:
        raise Http404
    return obj, chaired


@casework_page
def person_history(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj, _ = _chaired_person(acc, pk)
    audit.record(request, "view", obj, summary=f"viewed the access history of {obj}")
    events = AuditEvent.objects.filter(subject=str(obj.pk)).order_by("-created_at")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/history.html",
        {
            "person": obj,
            "page": page,
            "breadcrumbs": _crumbs(
                (f"Person {obj.reference}", reverse("cases:person", kwargs={"pk": obj.pk})),
                ("Access history", None),
            ),
        },
    )


@casework_page
def subject_access(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj, chaired = _chaired_person(acc, pk)
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        import json

        document = disclosure.subject_access(
            request, obj, cohorts=chaired, requested_by=form.cleaned_data["requested_by"]
        )
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{obj.reference}.json"'
        )
        return response
    return _person_form(
        request,
        obj,
        form,
        "Subject access export",
        "Download the export",
        "Subject access",
        lead="Everything held on this person in the cohorts you chair ("
        + ", ".join(c.short_name for c in chaired)
        + "), as JSON: their details, each case with its answers, minutes and actions, the people "
        "linked by relationship only, and who the record was disclosed to. The export is logged "
        "as a disclosure. For every cohort at once, the data protection officer runs "
        "'safercity cases subject-access'.",
    )


@casework_page
@require_POST
def merge(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    kept, _ = _chaired_person(acc, pk)
    try:
        other = access.person_or_404(acc, UUID(request.POST.get("other", "")))
    except ValueError:
        raise Http404 from None
    try:
        record = people.merge(kept, other, request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("cases:person", pk=kept.pk)
    PossibleDuplicate.objects.filter(
        Q(person=kept, other=other) | Q(person=other, other=kept)
    ).update(resolved=True)
    audit.record(request, "merge", kept, summary=f"merged {other} into {kept} (merge {record.pk})")
    messages.success(request, "Records merged. You can undo the merge from this page.")
    return redirect("cases:person", pk=kept.pk)


@casework_page
@require_POST
def unmerge(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    record = (
        PersonMerge.objects.filter(pk=pk, undone_at__isnull=True)
        .select_related("kept", "merged")
        .first()
    )
    if record is None:
        raise Http404
    _chaired_person(acc, record.kept_id)
    people.unmerge(record)
    audit.record(
        request,
        "merge",
        record.kept,
        summary=f"undid the merge of {record.merged} into {record.kept}",
    )
    messages.success(request, "Merge undone: the two records are separate again.")
    return redirect("cases:person", pk=record.kept_id)


@casework_page
def duplicates(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _cohort_or_404(acc, pk)
    _chair_or_404(acc, obj.pk)
    seen = access.people(acc)
    rows = [
        d
        for d in PossibleDuplicate.objects.filter(
            resolved=False, person__in=seen, other__in=seen
        ).select_related("person", "other")[:100]
    ]
    _listed(request, [d.person for d in rows] + [d.other for d in rows], "possible duplicates")
    return render(
        request,
        "cases/duplicates.html",
        {
            "cohort": obj,
            "rows": rows,
            "breadcrumbs": _crumbs(
                (obj.short_name, reverse("cases:cohort", kwargs={"pk": obj.pk})),
                ("Possible duplicates", None),
            ),
        },
    )


# --------------------------------------------------------------------------- cases


def _case_crumbs(case: Case, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return _crumbs(
        (case.cohort.short_name, reverse("cases:cohort", kwargs={"pk": case.cohort_id})),
        *((case.reference, reverse("cases:case", kwargs={"pk": case.pk})),)
        if more
        else ((case.reference, None),),
        *more,
    )


def _worked_case(acc: access.Access, pk: UUID) -> Case:
    case = access.case_or_404(acc, pk)
    if not access.works_on(acc, case):
        raise Http404
    return case


@casework_page
def case(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = access.case_or_404(acc, pk)
    spec = obj.cohort.spec
    restricted = acc.reads_restricted(obj.cohort_id)
    audit.viewed(request, obj)
    linked = list(obj.linked_people.select_related("person"))
    _listed(request, [link.person for link in linked], f"people linked to {obj}")
    labels = {f.key: f for f in spec.form}
    answers = [(labels[k].label, v, False) for k, v in obj.answers.items() if k in labels]
    if restricted:
        answers += [
            (labels[k].label, v, True) for k, v in obj.restricted_answers.items() if k in labels
        ]
    minutes = list(obj.minutes.select_related("meeting", "recorded_by"))
    return render(
        request,
        "cases/case.html",
        {
            "case": obj,
            "spec": spec,
            "person": obj.person,
            "born": obj.person.date_of_birth if "date_of_birth" in spec.person_fields else None,
            "answers": answers,
            "restricted": restricted,
            "restricted_hidden": bool(obj.restricted_answers) and not restricted,
            "history": obj.history.select_related("by"),
            "minutes": minutes,
            "actions": obj.actions.select_related("agency", "owner"),
            "linked": linked,
            "places": obj.linked_places.all(),
            "agencies": obj.agencies.all(),
            "works": access.works_on(acc, obj),
            "is_chair": acc.chairs(obj.cohort_id),
            "emergency": obj.pk in acc.emergency and not access.works_on(acc, obj),
            "next_statuses": spec.lifecycle.next_statuses(obj.status),
            "today": timezone.localdate(),
            "breadcrumbs": _case_crumbs(obj),
        },
    )


@casework_page
def case_status(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    form = StatusForm(request.POST or None, case=obj)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            casework.move(
                obj,
                d["status"],
                request.user,
                reason=d["reason"],
                exit_plan=d["exit_plan"],
                outcome=d["outcome"],
            )  # type: ignore[arg-type]
        except casework.CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The case is now {obj.status_label.lower()}.")
            return redirect("cases:case", pk=obj.pk)
    audit.viewed(request, obj)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": "Change the status",
            "caption": f"{obj.reference}: {obj.status_label}",
            "button": "Change status",
            "back": reverse("cases:case", kwargs={"pk": obj.pk}),
            "breadcrumbs": _case_crumbs(obj, ("Status", None)),
        },
    )


@casework_page
def case_answers(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    restricted = acc.reads_restricted(obj.cohort_id)
    form = AnswersForm(request.POST or None, case=obj, restricted=restricted)
    if request.method == "POST" and form.is_valid():
        casework.update_answers(obj, form.answers(), restricted_too=restricted)
        messages.success(request, "Answers saved.")
        return redirect("cases:case", pk=obj.pk)
    audit.viewed(request, obj)
    return _case_form(
        request, obj, form, f"{obj.cohort.short_name} questions", "Save answers", "Answers"
    )


@casework_page
def case_team(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    owner_form = OwnerForm(
        request.POST if request.POST.get("form") == "owner" else None,
        case=obj,
        initial={"owner": obj.owner},
    )
    agency_form = AgencyForm(
        request.POST if request.POST.get("form") == "agency" else None, case=obj
    )
    if request.method == "POST":
        if owner_form.is_bound and owner_form.is_valid():
            obj.owner = owner_form.cleaned_data["owner"]
            obj.save(update_fields=["owner", "updated_at"])
            messages.success(request, "Case owner changed.")
            return redirect("cases:case", pk=obj.pk)
        if agency_form.is_bound and agency_form.is_valid():
            try:
                casework.add_agency(obj, agency_form.cleaned_data["agency"])
            except casework.CaseRuleError as exc:
                agency_form.add_error("agency", str(exc))
            else:
                messages.success(request, "Agency involved.")
                return redirect("cases:case", pk=obj.pk)
    audit.viewed(request, obj)
    return render(
        request,
        "cases/team.html",
        {
            "case": obj,
            "owner_form": owner_form,
            "agency_form": agency_form,
            "breadcrumbs": _case_crumbs(obj, ("Owner and agencies", None)),
        },
    )


@casework_page
def link_person(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    form = LinkPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        linked = people.create(
            {
                "given_name": d["given_name"],
                "family_name": d["family_name"],
                "date_of_birth": d.get("date_of_birth"),
            },
            synthetic=obj.synthetic,
        )
        casework.link_person(obj, linked, d["relationship"])
        messages.success(request, "Person linked to the case.")
        return redirect("cases:case", pk=obj.pk)
    return _case_form(
        request,
        obj,
        form,
        "Link a person to the case",
        "Link person",
        "Link a person",
        lead="A child in the household, the alleged perpetrator, an associate: they are seen "
        "through this case only.",
    )


@casework_page
def link_place(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    form = LinkPlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        casework.link_place(obj, d["kind"], d["description"], d.get("postcode", ""))
        messages.success(request, "Place linked to the case.")
        return redirect("cases:case", pk=obj.pk)
    return _case_form(request, obj, form, "Link a place to the case", "Link place", "Link a place")


@casework_page
def action_new(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    form = ActionForm(request.POST or None, case=obj)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meetings.add_action(
                obj,
                agency=d["agency"],
                description=d["description"],
                due_on=d["due_on"],
                owner=d.get("owner"),
            )
        except casework.CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action added.")
            return redirect("cases:case", pk=obj.pk)
    return _case_form(request, obj, form, "Add an action", "Add action", "Add an action")


@casework_page
def case_export(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data, content_type, name = disclosure.export_case(
            request,
            obj,
            purpose=d["purpose"],
            recipient=d["recipient"],
            restricted=acc.reads_restricted(obj.cohort_id),
            fmt=d["format"],
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return _case_form(
        request,
        obj,
        form,
        "Print or export the case",
        "Export",
        "Print or export",
        lead="Printing or exporting a case discloses it: say why and to whom. Both are kept "
        "in the audit log with your name.",
    )


@casework_page
def case_transfer(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    _chair_or_404(acc, obj.cohort_id)
    form = TransferForm(request.POST or None, recipients=disclosure.transfer_recipients(obj.cohort))
    if request.method == "POST" and form.is_valid():
        try:
            data, name = disclosure.transfer_packet(
                request,
                obj,
                form.cleaned_data["recipient"],
                form.cleaned_data["purpose"],
                request.user,  # type: ignore[arg-type]
            )
        except casework.CaseRuleError as exc:
            form.add_error("recipient", str(exc))
        else:
            response = HttpResponse(data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return _case_form(
        request,
        obj,
        form,
        "Transfer the case to another partnership",
        "Make the transfer packet",
        "Transfer",
        lead="The packet (JSON and PDF of the case, its minutes and open actions) can go only "
        "to a partnership an information-sharing agreement in force allows. The transfer is "
        "logged as a disclosure.",
    )


@casework_page
def case_hold(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _worked_case(acc, pk)
    _chair_or_404(acc, obj.cohort_id)
    form = HoldForm(
        request.POST or None, initial={"hold": obj.legal_hold, "reason": obj.legal_hold_reason}
    )
    if request.method == "POST" and form.is_valid():
        try:
            casework.set_legal_hold(obj, form.cleaned_data["hold"], form.cleaned_data["reason"])
        except casework.CaseRuleError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, "Legal hold saved.")
            return redirect("cases:case", pk=obj.pk)
    return _case_form(
        request,
        obj,
        form,
        "Legal hold",
        "Save",
        "Legal hold",
        lead="A case under legal hold is kept past its retention period until the hold is lifted.",
    )


@casework_page
def action(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = (
        Action.objects.filter(pk=pk, case__in=access.cases(acc))
        .select_related("case__cohort", "case__person", "agency", "owner")
        .first()
    )
    if obj is None:
        raise Http404
    works = access.works_on(acc, obj.case)
    if request.method == "POST":
        if not works:
            raise Http404
        if request.POST.get("done") == "1" and obj.status == Action.Status.OPEN:
            meetings.complete_action(obj)
            messages.success(request, "Action marked done.")
        return redirect("cases:action", pk=obj.pk)
    audit.viewed(request, obj)
    return render(
        request,
        "cases/action.html",
        {
            "action": obj,
            "works": works,
            "today": timezone.localdate(),
            "breadcrumbs": _case_crumbs(obj.case, ("Action", None)),
        },
    )


# --------------------------------------------------------------------------- meetings


def _meeting_or_404(acc: access.Access, pk: UUID) -> Meeting:
    obj = Meeting.objects.filter(pk=pk, cohort_id__in=acc.cohorts).select_related("cohort").first()
    if obj is None:
        raise Http404
    return obj


@casework_page
def meeting(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _meeting_or_404(acc, pk)
    items = list(obj.items.select_related("case__person", "case__owner"))
    _listed(request, [i.case for i in items], f"the agenda of {obj}")
    proposed = meetings.proposed_agenda(obj) if obj.status == Meeting.Status.SCHEDULED else None
    minuted = set(obj.minutes.values_list("case_id", flat=True))
    return render(
        request,
        "cases/meeting.html",
        {
            "meeting": obj,
            "items": items,
            "minuted": minuted,
            "proposed": proposed,
            "attendance": obj.attendance.select_related("agency"),
            "actions": obj.actions.select_related("case", "agency"),
            "breadcrumbs": _crumbs(
                (obj.cohort.short_name, reverse("cases:cohort", kwargs={"pk": obj.cohort_id})),
                (f"Meeting on {obj.date:%d %B %Y}".replace(" 0", " "), None),
            ),
        },
    )


@casework_page
@require_POST
def meeting_agenda(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _meeting_or_404(acc, pk)
    try:
        agenda = meetings.build_agenda(obj)
    except casework.CaseRuleError as exc:
        messages.error(request, str(exc))
    else:
        carried = (
            f"; {len(agenda.carried_forward)} carried forward to the next meeting"
            if agenda.carried_forward
            else ""
        )
        messages.success(request, f"Agenda built: {len(agenda.items)} cases{carried}.")
    return redirect("cases:meeting", pk=obj.pk)


@casework_page
def meeting_attendance(request: HttpRequest, pk: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _meeting_or_404(acc, pk)
    present = {a.agency_id: (a.attendee, a.present) for a in obj.attendance.all()}
    form = AttendanceForm(
        request.POST or None, agencies=list(obj.cohort.agencies.order_by("name")), present=present
    )
    if request.method == "POST" and form.is_valid():
        meetings.record_attendance(obj, form.rows())
        if obj.status == Meeting.Status.SCHEDULED and obj.date <= timezone.localdate():
            obj.status = Meeting.Status.HELD
            obj.save(update_fields=["status", "updated_at"])
        messages.success(request, "Attendance saved.")
        return redirect("cases:meeting", pk=obj.pk)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": "Attendance by agency",
            "caption": str(obj),
            "button": "Save attendance",
            "back": reverse("cases:meeting", kwargs={"pk": obj.pk}),
            "breadcrumbs": _crumbs(
                (obj.cohort.short_name, reverse("cases:cohort", kwargs={"pk": obj.cohort_id})),
                ("Attendance", None),
            ),
        },
    )


@casework_page
def minute(request: HttpRequest, pk: UUID, case: UUID) -> HttpResponse:
    acc = access.of(request)
    obj = _meeting_or_404(acc, pk)
    subject = access.case_or_404(acc, case)
    if subject.cohort_id != obj.cohort_id:
        raise Http404
    restricted = acc.reads_restricted(obj.cohort_id)
    form = MinuteForm(request.POST or None, restricted=restricted)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        meetings.record_minute(
            obj,
            subject,
            request.user,
            discussion=d["discussion"],  # type: ignore[arg-type]
            decisions=d.get("decisions", ""),
            health_notes=d.get("health_notes", ""),
        )
        messages.success(request, f"Minute for {subject.reference} saved.")
        return redirect("cases:meeting", pk=obj.pk)
    audit.viewed(request, subject)
    earlier = Minute.objects.filter(case=subject).select_related("meeting")
    return render(
        request,
        "cases/minute.html",
        {
            "meeting": obj,
            "case": subject,
            "form": form,
            "earlier": earlier,
            "restricted": restricted,
            "breadcrumbs": _crumbs(
                (obj.cohort.short_name, reverse("cases:cohort", kwargs={"pk": obj.cohort_id})),
                (
                    f"Meeting on {obj.date:%d %B %Y}".replace(" 0", " "),
                    reverse("cases:meeting", kwargs={"pk": obj.pk}),
                ),
                (subject.reference, None),
            ),
        },
    )


# --------------------------------------------------------------------------- emergency access


@casework_page
def emergency(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) != CASE_WORKER:
        raise PermissionDenied
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = casework.open_emergency(
                request.user,
                form.cleaned_data["reference"],
                form.cleaned_data["reason"],
                request,  # type: ignore[arg-type]
            )
        except casework.CaseRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Emergency access given until {timezone.localtime(grant.expires_at):%H:%M}. The chair has been told.",
            )
            return redirect("cases:case", pk=grant.case_id)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": "Emergency access to a case",
            "lead": "Use this only when someone is at risk and you cannot reach a member of the "
            "cohort. You will be able to read the case for a few hours. Your reason is sent to the "
            "cohort's chair and kept in the audit log.",
            "button": "Open the case",
            "back": reverse("core:home"),
            "breadcrumbs": [("Home", "/"), ("Emergency access", None)],
        },
    )
