"""Stop and search page: use, outcomes and fairness for a local authority and months.

The figures are :class:`safercity.analytics.stopsearch.StopSearchProfile`'s, the same as
``safercity stopsearch`` prints (issue 18).
"""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from safercity.analytics.stopsearch import lsoa_map_svg, stop_search_profile
from safercity.web.core.forms import GovukForm

from . import services
from .forms import parse_month
from .permissions import view_analysis


class StopSearchForm(GovukForm):
    area = forms.ChoiceField(label="Local authority", required=False)
    month_from = forms.CharField(
        label="From month", required=False, max_length=7, help_text="YYYY-MM"
    )
    month_to = forms.CharField(label="To month", required=False, max_length=7, help_text="YYYY-MM")

    def __init__(self, data: Any, boroughs: list[str], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["area"].choices = [("", "Every area"), *[(b, b) for b in boroughs]]

    def clean_month_from(self) -> dt.date | None:
        return parse_month(self.cleaned_data.get("month_from", ""))

    def clean_month_to(self) -> dt.date | None:
        return parse_month(self.cleaned_data.get("month_to", ""))


def _pct(v: Any) -> str:
    return "" if v is None or not math.isfinite(float(v)) else f"{float(v):.1f}"


def _results(area: str, period: str) -> dict[str, Any]:
    with services.store() as con:
        profile, left_out = stop_search_profile(
            SimpleNamespace(con=con),  # type: ignore[arg-type]
            area=area or None,
            period=period or None,
        )
    groups = []
    for key, label in (
        ("by_object_of_search", "Object of search"),
        ("by_legislation", "Legislation"),
        ("by_outcome", "Outcome"),
        ("by_age", "Age"),
        ("by_gender", "Gender"),
        ("by_officer_defined_ethnicity", "Officer-defined ethnicity"),
        ("by_self_defined_ethnicity", "Self-defined ethnicity"),
    ):
        rows = [
            {
                "group": r["group"],
                "searches": f"{int(r['searches']):,}",
                "share": _pct(r["share"]),
                "action": _pct(r["action_rate"]),
                "interval": f"{_pct(r['action_low'])} to {_pct(r['action_high'])}"
                if math.isfinite(float(r["action_rate"]))
                else "",
            }
            for r in profile.breakdowns[key].to_dict("records")
        ]
        groups.append({"key": key, "label": label, "rows": rows})
    rates = None
    if profile.rates is not None:
        rates = [
            {
                "group": r["group"],
                "searches": f"{int(r['searches']):,}",
                "residents": f"{r['residents']:,.0f}",
                "per_1000": f"{r['per_1000']:,.1f}",
                "ratio": f"{r['ratio']:.2f}",
                "interval": ""
                if r["group"] == "White" or not math.isfinite(r["ratio_low"])
                else f"{r['ratio_low']:.2f} to {r['ratio_high']:.2f}",
            }
            for r in profile.rates.to_dict("records")
        ]
    a = profile.action
    return {
        "area": area,
        "searches": profile.searches,
        "per_month": profile.per_month.to_dict("records"),
        "action": {k: _pct(v) if k in ("rate", "low", "high") else v for k, v in a.items()},
        "groups": groups,
        "rates": rates,
        "basis": profile.ethnicity_basis,
        "statement": profile.population_statement,
        "unlocated": profile.unlocated,
        "left_out": left_out,
        "map_svg": mark_safe(lsoa_map_svg(profile, area)) if area and profile.searches else "",
    }


@view_analysis
def stop_search(request: HttpRequest) -> HttpResponse:
    crumbs = [
        ("Home", "/"),
        ("Crime analysis", reverse("analysis:overview")),
        ("Stop and search", None),
    ]
    try:
        form = StopSearchForm(request.GET or None, services.choices().get("borough", []))
        area, period = "", ""
        if form.is_bound and form.is_valid():
            area = form.cleaned_data.get("area") or ""
            start, end = form.cleaned_data.get("month_from"), form.cleaned_data.get("month_to")
            period = f"{start:%Y-%m}:" if start else ":"
            period += f"{end:%Y-%m}" if end else ""
            period = "" if period == ":" else period
        html = services.cached(
            "html:stop-search",
            lambda: render_to_string("analysis/_stop_search_results.html", _results(area, period)),
            area,
            period,
        )
    except services.WorkspaceUnavailable as exc:
        return render(
            request,
            "core/message.html",
            {"title": "Stop and search", "paragraphs": [str(exc)]},
            status=503,
        )
    return render(
        request,
        "analysis/stop_search.html",
        {"form": form, "results_html": html, "breadcrumbs": crumbs},
    )
