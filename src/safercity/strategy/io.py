"""Read, check, write and summarise strategy files.

Errors name the YAML path *and* the file line: the YAML is composed into a node tree first
(``yaml.compose``), every mapping key and sequence item is indexed by its path with the line
of its node mark, and each pydantic error location or cross-reference problem is resolved
against that index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from safercity.strategy.model import (
    Loc,
    Milestone,
    StrategyFile,
    format_loc,
    json_schema,
    reference_problems,
)

SCHEMA_PATH = Path("docs") / "strategy-schema.json"

#: a strategy file larger than this is refused before it is read (the Westminster example, the
#: whole of a three-year strategy with its history, is about 70 KB)
MAX_FILE_BYTES = 5_000_000
#: the most values (mappings, lists and scalars) a file may hold once its YAML aliases are
#: expanded: a few hundred bytes of nested aliases ("billion laughs") otherwise expand to
#: billions of values (the Westminster example holds about 6,000)
MAX_VALUES = 200_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a strategy file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.path or '(file)'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


class StrategyFileError(ValueError):
    """The file is not a valid strategy file; ``problems`` lists why."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(
            f"  {source}:{p.line or '?'}: {p.path or '(file)'}: {p.message}" for p in problems
        )
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


# --------------------------------------------------------------------------- line index


def _index_nodes(node: yaml.Node, loc: Loc, index: dict[Loc, int]) -> None:
    index[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            child = (*loc, key)
            _index_nodes(value_node, child, index)
            # a key's line is where the key is written, which is what an editor wants
            index[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_nodes(item, (*loc, i), index)


def line_index(text: str) -> dict[Loc, int]:
    """Map each YAML path (a tuple of keys and indices) to its 1-based line number."""
    return _index(_compose(text))


def _index(root: yaml.Node | None) -> dict[Loc, int]:
    index: dict[Loc, int] = {}
    if root is not None:
        _index_nodes(root, (), index)
    return index


class _TooLarge(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of ``text``, refused when its aliases expand to more than
    :data:`MAX_VALUES` values or refer to themselves (checked before anything is built)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise _TooLarge(
            f"the file is larger than {MAX_FILE_BYTES:,} bytes: a strategy file is far smaller",
            None,
        )
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise _TooLarge("the YAML is nested too deeply", None) from None
    if root is not None:
        _check_expansion(root)
    return root


def _check_expansion(root: yaml.Node) -> None:
    """Count the values of the tree as if every alias were written out, without expanding it:
    an aliased node is counted once and its count reused (the tree is a graph with shared
    nodes), so the check takes time in proportion to the file, not to the expansion."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk (deep nesting must not exhaust Python's stack)
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > MAX_VALUES:
                raise _TooLarge(
                    f"the YAML expands to more than {MAX_VALUES:,} values (its aliases, *name, "
                    "repeat the values anchored with &name): write the values out or use "
                    "fewer nested aliases",
                    node.start_mark.line + 1,
                )
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _TooLarge(
                "the YAML refers to itself (an alias inside its own anchor)",
                node.start_mark.line + 1,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _resolve(loc: Loc, index: dict[Loc, int]) -> tuple[str, int | None]:
    """Turn a pydantic location into (YAML path, line).

    Parts that are in the file are followed; a part that is not (the tag of a tagged union, or
    the name of a missing field) is skipped, except at the end, where it names the missing
    field and the line is its parent's.
    """
    found: Loc = ()
    for i, part in enumerate(loc):
        candidate = (*found, part)
        if candidate in index:
            found = candidate
        elif i == len(loc) - 1:
            return format_loc(candidate), index.get(found)
    return format_loc(found), index.get(found)


# --------------------------------------------------------------------------- load


def parse(text: str, source: str = "<string>") -> StrategyFile:
    """Validate YAML text as a strategy file; raise :class:`StrategyFileError`."""
    try:
        root = _compose(text)
        data = _construct(root)
        index = _index(root)
    except _TooLarge as exc:
        raise StrategyFileError(source, [Problem("", exc.line, str(exc))]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise StrategyFileError(source, [Problem("", line, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise StrategyFileError(source, [Problem("", 1, "the file must be a YAML mapping")])
    try:
        model = StrategyFile.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path, line = _resolve(tuple(err["loc"]), index)
            problems.append(Problem(path, line, err["msg"]))
        raise StrategyFileError(source, problems) from None
    broken = reference_problems(model)
    if broken:
        problems = []
        for loc, message in broken:
            path, line = _resolve(loc, index)
            problems.append(Problem(path, line, message))
        raise StrategyFileError(source, problems)
    return model


def _construct(root: yaml.Node | None) -> Any:
    """Python values of a composed (and checked) YAML tree, as ``yaml.safe_load`` builds them."""
    if root is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    finally:
        loader.dispose()


def load(path: str | Path) -> StrategyFile:
    """Read and validate a strategy YAML file (refused unread when over MAX_FILE_BYTES)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise StrategyFileError(
            str(path),
            [Problem("", None, f"the file is {size:,} bytes, more than {MAX_FILE_BYTES:,}")],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StrategyFileError(
            str(path), [Problem("", None, f"not UTF-8 text (byte {exc.start})")]
        ) from None
    return parse(text, source=str(path))


def problems(path: str | Path) -> list[Problem]:
    """Everything wrong with the file (empty when it is valid)."""
    try:
        load(path)
    except StrategyFileError as exc:
        return exc.problems
    return []


# --------------------------------------------------------------------------- export


def _prune(obj: Any) -> Any:
    """Drop None and empty lists: both mean 'not given' and load back as the default."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            value = _prune(value)
            if value is None or value == []:
                continue
            out[key] = value
        return out
    if isinstance(obj, list):
        return [_prune(v) for v in obj]
    return obj


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # indent list items under their key, as people write YAML by hand
        super().increase_indent(flow, False)


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dumps(model: StrategyFile) -> str:
    """The strategy as YAML: fields in the model's order, so the output is stable."""
    data = _prune(model.model_dump(mode="json"))
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def export(model: StrategyFile, out: str | Path) -> None:
    Path(out).write_text(dumps(model), encoding="utf-8")


# --------------------------------------------------------------------------- summary


#: funding-source kinds by whose money it is: the partnership's own, partners' core
#: resources, or money from outside (grants and other external funding)
MONEY_KINDS = {
    "partnership": "partnership",
    "core": "core",
    "grant": "external",
    "external": "external",
}


def summary(model: StrategyFile) -> dict[str, Any]:
    """Counts of the strategy's parts and its budget totals.

    The partnership's own money and money from outside are kept apart (a grant named
    alongside a plan is not the partnership's commitment): ``budget_partnership_gbp`` sums the
    commitments from funding sources of kind ``partnership``, ``budget_external_gbp`` those of
    kind ``grant`` or ``external``, ``budget_core_gbp`` those of kind ``core``; each is also
    broken down by priority, and ``budget_by_funding_source_gbp`` by source. ``spend_gbp`` is
    the spend recorded in the file (adjustments included).
    """
    activities = [a for _, a in model.activities()]
    milestones: list[Milestone] = [m for _, m in model.milestones()]
    kinds = {s.id: MONEY_KINDS[s.kind] for s in model.budget.funding_sources}
    by_source: dict[str, int] = {s.id: 0 for s in model.budget.funding_sources}
    totals = {"partnership": 0, "external": 0, "core": 0}
    by_priority: dict[str, dict[str, int]] = {
        kind: {p.id: 0 for p in model.priorities} for kind in totals
    }
    for c in model.budget.commitments:
        kind = kinds.get(c.funding_source, "external")
        by_source[c.funding_source] = by_source.get(c.funding_source, 0) + c.amount_gbp
        totals[kind] += c.amount_gbp
        if c.priority is not None:
            by_priority[kind][c.priority] = by_priority[kind].get(c.priority, 0) + c.amount_gbp
    return {
        "partnership": model.partnership.name,
        "strategy": model.strategy.title,
        "priorities": len(model.priorities),
        "outcomes": sum(len(p.outcomes) for p in model.priorities),
        "objectives": sum(len(p.action_plan.objectives) for p in model.priorities if p.action_plan),
        "activities": len(activities),
        "milestones": len(milestones),
        "milestones_dated": sum(1 for m in milestones if m.kind == "deliverable"),
        "milestones_recurring": sum(1 for m in milestones if m.kind == "recurring"),
        "milestones_start_dates": sum(1 for m in milestones if m.kind == "start"),
        "milestones_ongoing": sum(1 for m in milestones if m.kind == "ongoing"),
        "measures": sum(1 for _ in model.measures()),
        "outcome_measures": sum(len(o.measures) for p in model.priorities for o in p.outcomes),
        "measures_from_data": sum(
            1 for _, m in model.measures() if m.data_source.kind == "analytics"
        ),
        "governance_bodies": len(model.partnership.governance_bodies),
        "agencies": len(model.partnership.agencies),
        "member_agencies": sum(1 for a in model.partnership.agencies if a.member),
        "budget_partnership_gbp": totals["partnership"],
        "budget_external_gbp": totals["external"],
        "budget_core_gbp": totals["core"],
        "budget_by_funding_source_gbp": by_source,
        "budget_partnership_by_priority_gbp": by_priority["partnership"],
        "budget_external_by_priority_gbp": by_priority["external"],
        "spend_gbp": sum(s.amount_gbp for s in model.budget.spend),
    }


# --------------------------------------------------------------------------- schema


def schema_text() -> str:
    """The JSON Schema as the text committed in ``docs/strategy-schema.json``."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: str | Path = SCHEMA_PATH) -> Path:
    """Write the JSON Schema generated from the model (default ``docs/strategy-schema.json``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path
