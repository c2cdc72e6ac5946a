"""Cohort files: the shipped ones load; mistakes are named with their path and line."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from safercity.cases import config

SHIPPED = dict(config.bundled())


def test_every_seeded_cohort_ships_and_loads() -> None:
    assert set(SHIPPED) == {
        "abc.yaml",
        "dip.yaml",
        "gangs-panel.yaml",
        "iom.yaml",
        "marac.yaml",
        "rapid-returners.yaml",
        "triage.yaml",
    }
    defs = {name: config.parse(text, name) for name, text in SHIPPED.items()}
    gangs = defs["gangs-panel.yaml"]
    assert gangs.meetings is not None and gangs.meetings.capacity == 12
    assert gangs.review_cadence.after(dt.date(2026, 1, 7)) == dt.date(2026, 2, 18)
    iom = defs["iom.yaml"]
    pathways = [f.key for f in iom.form if f.label.startswith("Pathway")]
    assert len(pathways) == 7  # the seed's seven offending pathways
    assert iom.restricted_keys() == {"health", "drugs_alcohol", "mental_health"}
    assert defs["rapid-returners.yaml"].share_with  # shared with neighbouring boroughs
    assert defs["triage.yaml"].meetings is None  # decided by the triage worker
    assert "on_contract" in defs["abc.yaml"].lifecycle.statuses
    # every file round-trips through dumps
    for d in defs.values():
        assert config.parse(config.dumps(d)) == d


def _with(change: dict[str, object]) -> str:
    data = yaml.safe_load(SHIPPED["marac.yaml"])
    data.update(change)
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"lead_agency": "Nobody"}, "", "lead agency 'Nobody' is not a member agency"),
        ({"person_fields": ["shoe_size"]}, "person_fields", "unknown person field"),
        ({"review": {"every": "sometimes"}}, "review.every", "not a cadence"),
        (
            {"retention": {"years": 0, "basis": "x"}},
            "retention.years",
            "greater than or equal to 1",
        ),
        ({"meetings": {"name": "M", "every": "6 weeks"}}, "meetings", "needs the date of a first"),
        ({"eligibility": {"all": [{"field": "shoe", "op": "=", "value": 1}]}}, "", "reads shoe"),
        (
            {"statuses": {"labels": {"referred": "R"}, "transitions": {}}},
            "statuses",
            "'declined' is required",
        ),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_mistakes_are_named(change: dict[str, object], path: str, message: str) -> None:
    with pytest.raises(config.CohortFileError) as err:
        config.parse(_with(change), "marac.yaml")
    problems = err.value.problems
    assert any(p.path == path and message in p.message for p in problems), problems
    assert str(err.value).startswith("marac.yaml: ")


def test_the_line_of_a_mistake_is_given() -> None:
    text = SHIPPED["marac.yaml"].replace("  every: 1 month", "  every: now and then")
    with pytest.raises(config.CohortFileError) as err:
        config.parse(text, "marac.yaml")
    (problem,) = err.value.problems
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "now and then" in t)
    assert problem.line == line


def test_aliases_anchors_and_huge_files_are_refused() -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    with pytest.raises(config.CohortFileError, match="not allowed"):
        config.parse(bomb)
    with pytest.raises(config.CohortFileError, match="larger than"):
        config.parse("x: " + "y" * (config.MAX_FILE_BYTES + 1))
    with pytest.raises(config.CohortFileError, match="mapping"):
        config.parse("- a list")
    with pytest.raises(config.CohortFileError, match="not valid YAML"):
        config.parse("key: [unclosed")


def test_choices_written_as_labels_get_values() -> None:
    field = config.FormField.model_validate(
        {"key": "x", "label": "X", "type": "choice", "choices": ["No need", "Need met"]}
    )
    assert [(c.value, c.label) for c in field.choices] == [
        ("no_need", "No need"),
        ("need_met", "Need met"),
    ]


def test_the_json_schema_is_generated() -> None:
    assert (
        '"CohortDefinition"' in config.json_schema()
        or '"title": "CohortDefinition"' in config.json_schema()
    )
