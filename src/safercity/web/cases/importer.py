"""Bringing cases in from a spreadsheet or another case system (CSV or XLSX) with a mapping.

The mapping (YAML) names the column of each field, how dates are written, and how the source's
words map to the cohort's::

    columns:
      given_name: First name
      family_name: Surname
      date_of_birth: {column: DOB, format: "%d/%m/%Y"}
      postcode: Postcode
      referred_on: {column: Date referred, format: "%d/%m/%Y"}
      referring_agency: Referrer
      referral_reason: Reason
      status: Status
      answers.dash_score: DASH
    values:
      status: {Open: active, Closed: closed, New: referred}
      referring_agency: {MPS: Metropolitan Police Service}
    defaults:
      consent: not_sought

Every row is checked first; a bad row is reported with its line, field and reason and set
aside, the good rows are imported together in one transaction (a failure part way stores
nothing). A row whose person is likely already held (by the duplicate rule) still makes a new
record, and the pair is offered to the cohort's chair to merge.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from safercity.cases import names
from safercity.cases.config import PERSON_FIELDS
from safercity.web.accounts.models import Agency

from . import casework
from . import people as people_services
from .models import Case, Cohort, PossibleDuplicate

PERSON_COLUMNS = {"given_name", "family_name", *PERSON_FIELDS} - {"aliases", "address"}
CASE_COLUMNS = {
    "referred_on",
    "referring_agency",
    "referral_reason",
    "status",
    "consent",
    "legal_basis",
    "ended_on",
    "end_reason",
    "exit_plan",
    "outcome",
    "postcode",
    "address",
}
DATE_FIELDS = {"date_of_birth", "referred_on", "ended_on"}
REQUIRED = ("given_name", "family_name", "referred_on", "referring_agency", "referral_reason")
MAX_ROWS = 100_000


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the key."""


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class Result:
    file: str
    rows: int = 0
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "set_aside": len({p.line for p in self.problems}),
            "problems": [p.as_dict() for p in self.problems],
            "possible_duplicates": self.duplicates,
        }


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, tuple[str, str | None]]
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]


def read_mapping(path: Path, cohort: Cohort) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise MappingError(f"{path}: a mapping needs 'columns:', a field for each column")
    questions = {q.key for q in cohort.spec.form}
    columns: dict[str, tuple[str, str | None]] = {}
    for key, spec in data["columns"].items():
        key = str(key)
        if key.startswith("answers."):
            if key.removeprefix("answers.") not in questions:
                raise MappingError(
                    f"{path}: columns.{key}: the {cohort.short_name} has no question "
                    f"'{key.removeprefix('answers.')}'"
                )
        elif key not in PERSON_COLUMNS | CASE_COLUMNS:
            raise MappingError(f"{path}: columns.{key}: not a field a case can be imported into")
        if isinstance(spec, dict):
            columns[key] = (str(spec.get("column", "")), spec.get("format"))
        else:
            columns[key] = (str(spec), None)
    values = {
        str(k): {str(a): str(b) for a, b in (v or {}).items()}
        for k, v in (data.get("values") or {}).items()
    }
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    missing = [f for f in REQUIRED if f not in columns and f not in defaults]
    if missing:
        raise MappingError(f"{path}: no column or default for {', '.join(missing)}")
    return Mapping(columns, values, defaults)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """``(line, {header: text})`` for each row (the header is line 1)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        out = []
        for i, row in enumerate(rows, start=2):
            if row is None or all(v in (None, "") for v in row):
                continue
            out.append((i, {h: _text(v) for h, v in zip(header, row, strict=False) if h}))
            if len(out) > MAX_ROWS:
                raise MappingError(f"{path}: more than {MAX_ROWS:,} rows")
        book.close()
        return out
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        out.append(
            (
                reader.line_num,
                {
                    k.strip(): (v or "").strip()
                    for k, v in row.items()
                    if isinstance(k, str) and isinstance(v, str)
                },
            )
        )
        if len(out) > MAX_ROWS:
            raise MappingError(f"{path}: more than {MAX_ROWS:,} rows")
    return out


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _date(text: str, fmt: str | None) -> dt.date:
    if fmt:
        return dt.datetime.strptime(text, fmt).date()
    return dt.date.fromisoformat(text)


@dataclass
class _Row:
    line: int
    person: dict[str, Any]
    case: dict[str, Any]
    answers: dict[str, Any]
    postcode: str = ""
    address: str = ""


def _check(
    line: int, raw: dict[str, str], mapping: Mapping, cohort: Cohort, agencies: dict[str, Agency]
) -> tuple[_Row | None, list[Problem]]:
    problems: list[Problem] = []
    got: dict[str, str] = dict(mapping.defaults)
    for key, (column, _) in mapping.columns.items():
        if column not in raw:
            problems.append(Problem(line, key, f"the file has no column '{column}'"))
            continue
        if raw[column] != "":
            got[key] = mapping.values.get(key, {}).get(raw[column], raw[column])
    for key in REQUIRED:
        if not got.get(key):
            problems.append(Problem(line, key, "empty"))
    row = _Row(line, {}, {}, {})
    questions = {q.key: q for q in cohort.spec.form}
    spec = cohort.spec
    for key, value in got.items():
        try:
            if key in DATE_FIELDS:
                fmt = mapping.columns.get(key, ("", None))[1]
                parsed = _date(value, fmt)
                if parsed > dt.date.today() or parsed.year < 1900:
                    raise ValueError("outside 1900 to today")
                (row.person if key == "date_of_birth" else row.case)[key] = parsed
            elif key == "referring_agency":
                agency = agencies.get(value.lower())
                if agency is None:
                    raise ValueError(f"'{value}' is not a member agency of the {cohort.short_name}")
                row.case[key] = agency
            elif key == "status":
                if value not in spec.lifecycle.statuses:
                    raise ValueError(f"'{value}' is not a status of the {cohort.short_name}")
                row.case[key] = value
            elif key == "consent":
                if value not in Case.Consent.values:
                    raise ValueError(f"'{value}' is not one of {', '.join(Case.Consent.values)}")
                row.case[key] = value
            elif key == "postcode":
                code = names.postcode(value)
                if code is None:
                    raise ValueError(f"'{value}' is not a UK postcode")
                row.postcode = code.text
            elif key == "address":
                row.address = value
            elif key.startswith("answers."):
                q = questions[key.removeprefix("answers.")]
                if q.type == "integer":
                    number = int(value)
                    if (q.min is not None and number < q.min) or (
                        q.max is not None and number > q.max
                    ):
                        raise ValueError(
                            f"{number} is outside {q.min:g} to {q.max:g}"
                            if q.min is not None and q.max is not None
                            else f"{number} is out of range"
                        )
                    row.answers[q.key] = number
                elif q.type == "number":
                    row.answers[q.key] = float(value)
                elif q.type == "yes_no":
                    if value.lower() not in {"yes", "no", "y", "n", "true", "false"}:
                        raise ValueError(f"'{value}' is not yes or no")
                    row.answers[q.key] = value.lower() in {"yes", "y", "true"}
                elif q.type == "choice":
                    values = {c.value for c in q.choices} | {c.label for c in q.choices}
                    if value not in values:
                        raise ValueError(f"'{value}' is not one of the question's choices")
                    row.answers[q.key] = next(
                        c.value for c in q.choices if value in {c.value, c.label}
                    )
                elif q.type == "date":
                    row.answers[q.key] = _date(value, mapping.columns[key][1]).isoformat()
                else:
                    row.answers[q.key] = value
            elif key in PERSON_COLUMNS:
                if key != "given_name" and key != "family_name" and not spec.collects(key):
                    raise ValueError(
                        f"the {cohort.short_name} does not collect {key} (data minimisation)"
                    )
                row.person[key] = value[:100]
            else:
                row.case[key] = value
        except (ValueError, TypeError) as exc:
            problems.append(Problem(line, key, str(exc)))
    if row.case.get("status") in {"closed", "declined"} and not row.case.get("ended_on"):
        problems.append(
            Problem(line, "ended_on", "a closed or declined case needs the date it ended")
        )
    if (
        "ended_on" in row.case
        and "referred_on" in row.case
        and row.case["ended_on"] < row.case["referred_on"]
    ):
        problems.append(Problem(line, "ended_on", "before the referral"))
    return (None if problems else row), problems


def run(path: Path, cohort: Cohort, mapping_path: Path, *, dry_run: bool = False) -> Result:
    mapping = read_mapping(mapping_path, cohort)
    result = Result(path.name)
    rows = read_rows(path)
    result.rows = len(rows)
    agencies = {a.name.lower(): a for a in cohort.agencies.all()}
    good: list[_Row] = []
    for line, raw in rows:
        row, problems = _check(line, raw, mapping, cohort, agencies)
        result.problems += problems
        if row is not None:
            good.append(row)
    if dry_run:
        result.imported = 0
        return result
    with transaction.atomic():
        for row in good:
            _import(row, cohort, result)
    result.imported = len(good)
    return result


def _import(row: _Row, cohort: Cohort, result: Result) -> None:
    query = people_services.Query(
        row.person.get("given_name", ""),
        row.person["family_name"],
        row.person.get("date_of_birth"),
        row.postcode,
    )
    found = people_services.likely_duplicates(query, None)
    person = people_services.create(row.person)
    if row.postcode or row.address:
        people_services.add_address(
            person, {"line1": row.address or "Not recorded", "postcode": row.postcode}
        )
    for f in found:
        PossibleDuplicate.objects.create(
            person=person, other=f.person, score=f.match.score, reasons=", ".join(f.match.reasons)
        )
        result.duplicates.append(
            {
                "line": row.line,
                "person": str(person.pk),
                "other": str(f.person.pk),
                "score": f.match.score,
                "why": f.match.reasons,
            }
        )
    c = row.case
    consent = c.get("consent", Case.Consent.NOT_SOUGHT)
    basis = (
        c.get("legal_basis")
        or (cohort.spec.consent.without_consent or [cohort.spec.legal_basis.lawful_basis])[0]
    )
    if cohort.spec.consent.approach == "required":
        consent = Case.Consent.GIVEN
    case = casework.refer(
        casework.Referral(
            cohort,
            person,
            c["referred_on"],
            c["referring_agency"],
            c["referral_reason"],
            consent,
            basis,
            row.answers,
        ),
        by=None,
    )
    status = c.get("status", "referred")
    if status != "referred":
        # an imported case keeps the status it had; its history says it came in so
        case.status = status
        if status not in {"closed", "declined"}:
            case.accepted_on = c["referred_on"]
            case.next_review_on = cohort.spec.review_cadence.after(dt.date.today())
        else:
            case.accepted_on = c["referred_on"] if status == "closed" else None
            case.ended_on = c["ended_on"]
            case.end_reason = c.get("end_reason", "") or "Imported as " + status
            case.exit_plan = c.get("exit_plan", "")
            case.outcome = c.get("outcome", "")
        case.save()
        case.history.create(
            from_status="referred",
            to_status=status,
            on=dt.date.today(),
            reason="imported with this status",
        )
