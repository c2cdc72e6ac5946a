"""The shared page components: dates in one GOV.UK style, the GOV.UK date input and the
sub-navigation that marks the current page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from safercity.web.core.forms import GovukDateField, GovukForm
from safercity.web.core.templatetags.govuk import (
    format_time,
    govuk_date,
    govuk_datetime,
    govuk_month,
)

LONDON = dt.timezone(dt.timedelta(hours=0))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(2026, 12, 3), "3 December 2026"),
        (dt.date(2011, 4, 30), "30 April 2011"),
        (None, ""),
    ],
)
def test_dates_read_as_govuk_writes_them(value: dt.date | None, text: str) -> None:
    assert govuk_date(value) == text


@pytest.mark.parametrize(
    ("time", "text"),
    [
        (dt.time(0, 0), "midnight"),
        (dt.time(12, 0), "midday"),
        (dt.time(9, 0), "9am"),
        (dt.time(14, 30), "2:30pm"),
        (dt.time(0, 5), "12:05am"),
        (dt.time(12, 1), "12:01pm"),
        (dt.time(23, 59), "11:59pm"),
    ],
)
def test_times_read_as_govuk_writes_them(time: dt.time, text: str) -> None:
    assert format_time(time) == text


def test_an_aware_time_is_shown_in_london_time() -> None:
    summer = dt.datetime(2026, 7, 1, 13, 30, tzinfo=dt.UTC)  # 2:30pm BST
    assert govuk_datetime(summer) == "1 July 2026 at 2:30pm"
    assert govuk_month(dt.date(2018, 7, 1)) == "July 2018"


class _DateForm(GovukForm):
    starts = GovukDateField(label="Start date")
    ends = GovukDateField(label="End date", required=False)


@pytest.mark.parametrize(
    ("day", "month", "year", "error"),
    [
        ("3", "12", "2026", None),
        ("", "", "", "Enter start date"),
        ("3", "", "2026", "Start date must include a month"),
        ("", "", "2026", "Start date must include a day and a month"),
        ("31", "2", "2026", "Start date must be a real date"),
        ("3", "12", "26", "Start date must be a real date"),
        ("x", "12", "2026", "Start date must be a real date"),
    ],
)
def test_the_date_input_names_what_is_wrong(
    day: str, month: str, year: str, error: str | None
) -> None:
    form = _DateForm({"starts_day": day, "starts_month": month, "starts_year": year})
    assert form.is_valid() is (error is None)
    if error is None:
        assert form.cleaned_data["starts"] == dt.date(2026, 12, 3)
        assert form.cleaned_data["ends"] is None
    else:
        assert form.errors["starts"] == [error]


def test_the_date_input_takes_one_iso_value_from_a_link() -> None:
    form = _DateForm({"starts": "2011-06-30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts"] == dt.date(2011, 6, 30)


def test_the_date_input_renders_as_a_govuk_fieldset_with_its_error() -> None:
    form = _DateForm({"starts_day": "3", "starts_month": "", "starts_year": "2026"})
    form.is_valid()
    html = Template("{% load govuk %}{% govuk_field form.starts %}").render(Context({"form": form}))
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert "<legend" in html and "Start date" in html
    assert 'name="starts_day"' in html and 'value="3"' in html
    assert 'id="id_starts_month"' in html
    assert "govuk-input--error" in html
    assert "Start date must include a month" in html
    assert form["starts"].id_for_label == "id_starts_day"  # the error summary links to a box


def test_sub_navigation_marks_only_the_current_page() -> None:
    request = RequestFactory().get("/accounts/account/")
    html = Template(
        '{% load govuk %}{% sub_navigation "Pages" "Home|core:home" "Security|accounts:security" %}'
    ).render(Context({"request": request}))
    assert html.count('aria-current="page"') == 1
    assert 'href="/accounts/account/" aria-current="page"' in html
    assert 'href="/">' in html
