"""Loading (errors with YAML path and line), lossless export and the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from safercity.strategy import StrategyFileError, dumps, json_schema, load, parse, schema_text
from safercity.strategy.io import line_index

REPO = Path(__file__).resolve().parents[2]
WESTMINSTER = REPO / "examples" / "westminster-2011-14.yaml"
SCHEMA = REPO / "docs" / "strategy-schema.json"

SMALL = """\
format: 1
partnership:
  name: Test Partnership
  area: Testshire
  agencies:
    - id: police
      name: Police
      member: true
  governance_bodies:
    - id: nte-group
      name: Night Time Economy Group
      kind: thematic_subgroup
strategy:
  title: Test strategy
  period_start: 2024
  period_end: 2027
  refreshed_annually: true
priorities:
  - id: nte
    title: Night time economy
    outcomes:
      - id: nte-outcome-1
        text: Reduce violence
    action_plan:
      objectives:
        - id: o1
          title: Manage premises
          activities:
            - id: a1
              text: "Visit premises:\\n- first the worst\\n- then the rest"
              lead: [nte-group]
              milestones:
                - id: a1-m1
                  text: June 2025 first visits
                  due: 2025-06-30
                  due_as_written: June 2025
                  updates:
                    - date: 2025-05-01
                      author: NTE Group
                      status: on_track
                      narrative: Ten visits done
              measures:
                - id: a1-k1
                  description: Violence in the NTE area
                  as_written: Violence in the NTE area
                  unit: offences
                  direction: reduce
                  baseline: {value: 120.0, period: 2023-24, source: police.uk}
                  target: 100
                  data_source:
                    kind: analytics
                    category: [violent-crime]
                    area: NTE
                - id: a1-k2
                  description: Premises visited
                  as_written: Premises visited
                  unit: premises
                  data_source:
                    kind: owner_entered
                    owner: police
                    evidence: visit log
                    values:
                      - {date: 2025-04-30, value: 10, entered_by: PC Smith}
"""


def _line_of(text: str, fragment: str) -> int:
    """1-based line of the only line containing ``fragment``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def _problems(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(StrategyFileError) as info:
        parse(text, source="test.yaml")
    return [(p.path, p.line, p.message) for p in info.value.problems]


# --------------------------------------------------------------------------- round trip


def test_westminster_round_trip_is_lossless() -> None:
    first = load(WESTMINSTER)
    exported = dumps(first)
    second = parse(exported)
    assert second == first
    assert dumps(second) == exported  # stable: exporting again changes nothing


def test_round_trip_keeps_updates_values_and_multiline_text() -> None:
    model = parse(SMALL)
    again = parse(dumps(model))
    assert again == model
    activity = again.priorities[0].action_plan.objectives[0].activities[0]  # type: ignore[union-attr]
    assert activity.text == "Visit premises:\n- first the worst\n- then the rest"
    assert activity.milestones[0].updates[0].status == "on_track"
    assert activity.measures[1].data_source.values[0].value == 10  # type: ignore[union-attr]
    assert "text: |-" in dumps(model)  # multi-line text is written as a literal block


CASES_MEASURE = """\
                - id: a1-k9
                  description: Young people reviewed by the gangs panel
                  as_written: Young people reviewed by the gangs panel
                  unit: young people
                  data_source:
                    kind: cases
                    cohort: gangs-panel
                    statistic: reviewed
                    period: month
"""


def test_a_cases_measure_round_trips_and_satisfies_the_json_schema() -> None:
    import jsonschema

    text = SMALL.replace("              measures:\n", "              measures:\n" + CASES_MEASURE)
    model = parse(text)
    activity = model.priorities[0].action_plan.objectives[0].activities[0]  # type: ignore[union-attr]
    source = activity.measures[0].data_source
    assert (source.kind, source.cohort, source.statistic, source.period) == (  # type: ignore[union-attr]
        "cases",
        "gangs-panel",
        "reviewed",
        "month",
    )
    exported = dumps(model)
    assert parse(exported) == model and "kind: cases" in exported
    jsonschema.validate(yaml.safe_load(exported), json_schema())
    bad = yaml.safe_load(exported)
    bad["priorities"][0]["action_plan"]["objectives"][0]["activities"][0]["measures"][0][
        "data_source"
    ]["statistic"] = "people"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())


def test_export_order_follows_the_model() -> None:
    exported = dumps(load(WESTMINSTER))
    keys = [line.split(":")[0] for line in exported.splitlines() if not line.startswith(" ")]
    assert keys == ["format", "partnership", "strategy", "consultation", "priorities", "budget"]


# --------------------------------------------------------------------------- errors


def test_line_index_maps_paths_to_lines() -> None:
    index = line_index(SMALL)
    assert index[("priorities", 0, "action_plan", "objectives", 0, "activities", 0, "lead")] == (
        _line_of(SMALL, "lead: [nte-group]")
    )
    assert index[("partnership", "agencies", 0)] == _line_of(SMALL, "- id: police")


def test_bad_reference_names_path_and_line() -> None:
    text = SMALL.replace("lead: [nte-group]", "lead: [night-group]")
    ((path, line, message),) = _problems(text)
    assert path == "priorities[0].action_plan.objectives[0].activities[0].lead[0]"
    assert line == _line_of(text, "lead: [night-group]")
    assert "'night-group' is not the id" in message


def test_missing_field_names_the_field_and_its_parents_line() -> None:
    text = SMALL.replace("                  unit: premises\n", "")
    ((path, line, message),) = _problems(text)
    assert path == "priorities[0].action_plan.objectives[0].activities[0].measures[1].unit"
    assert line == _line_of(text, "- id: a1-k2")
    assert message == "Field required"


def test_union_member_error_skips_the_tag() -> None:
    text = SMALL.replace(
        "evidence: visit log", "evidence: visit log\n                    colour: red"
    )
    ((path, line, message),) = _problems(text)
    assert path.endswith("measures[1].data_source.colour")
    assert line == _line_of(text, "colour: red")
    assert "Extra inputs" in message


def test_several_problems_are_all_reported() -> None:
    text = SMALL.replace("status: on_track", "status: fine").replace(
        "due: 2025-06-30", "due: someday"
    )
    problems = {path: line for path, line, _ in _problems(text)}
    base = "priorities[0].action_plan.objectives[0].activities[0].milestones[0]"
    assert problems == {
        f"{base}.due": _line_of(text, "due: someday"),
        f"{base}.updates[0].status": _line_of(text, "status: fine"),
    }


def test_date_words_rule_points_at_the_milestone() -> None:
    text = SMALL.replace("due_as_written: June 2025", "due_as_written: July 2025")
    ((path, line, message),) = _problems(text)
    assert path == "priorities[0].action_plan.objectives[0].activities[0].milestones[0]"
    assert line == _line_of(text, "- id: a1-m1")
    assert "'July 2025' does not occur in the text" in message


def test_westminster_error_deep_in_the_file(tmp_path: Path) -> None:
    text = WESTMINSTER.read_text(encoding="utf-8").replace(
        "lead: [fear-and-fashion]", "lead: [fear-and-fashon]"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(StrategyFileError) as info:
        load(bad)
    ((problem,),) = [info.value.problems]
    # Youth is the second priority; the Fear + Fashion row is the 5th activity of objective 1.
    assert problem.path == "priorities[1].action_plan.objectives[0].activities[4].lead[0]"
    assert problem.line == _line_of(text, "lead: [fear-and-fashon]")
    assert f"{bad}:{problem.line}: {problem.path}: " in str(info.value)


def test_analytics_measure_needs_police_uk_categories() -> None:
    text = SMALL.replace("category: [violent-crime]", "category: [violent-crime, fraud]")
    ((path, line, message),) = _problems(text)
    assert path.endswith("measures[0].data_source.category")
    assert line == _line_of(text, "category: [violent-crime, fraud]")
    assert "not police.uk crime categories: ['fraud']" in message
    # names, slugs and the usual aliases are all accepted
    ok = SMALL.replace("[violent-crime]", "[Violence and sexual offences, asb, burglary]")
    assert parse(ok).priorities[0].title == "Night time economy"


def test_yaml_syntax_error_has_a_line() -> None:
    text = SMALL.replace("lead: [nte-group]", "lead: [nte-group")
    ((path, line, message),) = _problems(text)
    assert path == ""
    assert line is not None and line >= _line_of(text, "lead: [nte-group")
    assert message.startswith("not valid YAML")


def test_not_a_mapping() -> None:
    assert _problems("- just\n- a list\n") == [("", 1, "the file must be a YAML mapping")]


# --------------------------------------------------------------------------- schema


def test_committed_schema_is_the_generated_one() -> None:
    assert SMALL  # keep fixtures together
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "docs/strategy-schema.json is stale: run "
        "`safercity strategy schema --out docs/strategy-schema.json`"
    )


def test_westminster_file_satisfies_the_json_schema() -> None:
    import jsonschema  # a dev dependency: a missing one fails

    data = json.loads(json.dumps(yaml.safe_load(WESTMINSTER.read_text()), default=str))
    jsonschema.validate(data, json_schema())
    data["priorities"][0]["action_plan"]["objectives"][0]["activities"][0]["lead"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


# --------------------------------------------------------------------------- hostile files


def _laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs": each level an anchored list of ``width`` aliases of the one before
    (9 wide and 9 deep is 9**9 = 387 million values from a few hundred bytes)."""
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels + 1):
        refs = ",".join(f"*a{n - 1}" for _ in range(width))
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly_naming_the_file(tmp_path: Path) -> None:
    import time

    text = _laughs(9)
    assert len(text.encode()) < 500
    bad = tmp_path / "laughs.yaml"
    bad.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(StrategyFileError) as info:
        load(bad)
    assert time.perf_counter() - started < 5  # was 16 s and 2.2 GB for 367 bytes
    ((problem,),) = [info.value.problems]
    assert "expands to more than 200,000 values" in problem.message
    assert problem.line is not None
    assert str(info.value).startswith(f"{bad}: 1 problem(s)")


def test_aliases_within_the_limit_still_load() -> None:
    # a reused lead list is a fair use of an alias
    text = SMALL.replace("lead: [nte-group]", "lead: &nte [nte-group]")
    model = parse(text)
    assert model.priorities[0].action_plan.objectives[0].activities[0].lead == ["nte-group"]  # type: ignore[union-attr]
    # the limit is on the expansion, not on aliases: 5 levels of 9 is 66,430 values, allowed
    assert yaml.safe_load(_laughs(5)) is not None
    with pytest.raises(StrategyFileError) as info:
        parse(_laughs(5), source="x.yaml")
    assert "must be a YAML mapping" not in str(info.value)  # a mapping, refused by the model


def test_the_westminster_file_is_far_inside_the_limits() -> None:
    from safercity.strategy import io

    text = WESTMINSTER.read_text(encoding="utf-8")
    assert len(text.encode()) < io.MAX_FILE_BYTES / 20
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    count = 0
    todo = [root]
    while todo:
        node = todo.pop()
        count += 1
        todo.extend(io._children(node))
    assert count < io.MAX_VALUES / 10


def test_self_referring_alias_is_refused() -> None:
    with pytest.raises(StrategyFileError) as info:
        parse("a: &a [*a]\n", source="loop.yaml")
    assert "refers to itself" in str(info.value)


def test_deep_nesting_and_oversized_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StrategyFileError) as info:
        parse("a: " + "[" * 20000 + "]" * 20000 + "\n", source="deep.yaml")
    assert "nested too deeply" in str(info.value)
    from safercity.strategy import io

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (io.MAX_FILE_BYTES + 1))
    with pytest.raises(StrategyFileError) as info:
        load(big)
    assert f"{big}: 1 problem(s)" in str(info.value)
    assert "more than 5,000,000" in str(info.value)
