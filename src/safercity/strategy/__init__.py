"""Partnership strategy files: model, validation, export and summary (no Django here).

>>> from safercity.strategy import load, summary
>>> summary(load("examples/westminster-2011-14.yaml"))["priorities"]
5
"""

from safercity.strategy.io import (
    Problem,
    StrategyFileError,
    dumps,
    export,
    load,
    parse,
    problems,
    schema_text,
    summary,
    write_schema,
)
from safercity.strategy.model import (
    Activity,
    Measure,
    Milestone,
    Objective,
    Priority,
    StrategyFile,
    json_schema,
    reference_problems,
)

__all__ = [
    "Activity",
    "Measure",
    "Milestone",
    "Objective",
    "Priority",
    "Problem",
    "StrategyFile",
    "StrategyFileError",
    "dumps",
    "export",
    "json_schema",
    "load",
    "parse",
    "problems",
    "reference_problems",
    "schema_text",
    "summary",
    "write_schema",
]
