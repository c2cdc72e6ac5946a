"""Shared options of the Strategic Assessment commands (trends, places, times, ...).

Not a command itself (the leading underscore keeps it out of command discovery).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import pandas as pd

from safercity.analytics.frames import INCIDENT_COLUMNS, incidents_frame
from safercity.analytics.store import Workspace
from safercity.analytics.themes import ThemeError, load_themes
from safercity.cli import UserError, add_workspace_argument


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """--workspace, --area, --theme, --themes, --category, --period."""
    add_workspace_argument(parser)
    parser.add_argument("--area", help="local authority (e.g. Westminster); default: all")
    parser.add_argument("--theme", help="a theme name from the themes file, e.g. youth")
    parser.add_argument(
        "--themes", help="themes YAML file (default: the shipped analytics/data/themes.yaml)"
    )
    parser.add_argument("--category", help="a police.uk category, e.g. Burglary")
    parser.add_argument(
        "--period", help="START:END months, e.g. 2016-01:2018-06 or 2017:2017 (default: all)"
    )


def load_filtered(
    ws: Workspace, args: argparse.Namespace, columns: list[str] | None = None
) -> pd.DataFrame:
    """The incidents selected by the common options (only ``columns`` if given; a theme's
    columns are added automatically)."""
    theme = None
    if args.theme:
        try:
            theme = load_themes(args.themes).get(args.theme)
        except (KeyError, ThemeError, OSError) as exc:
            raise UserError(str(exc).strip("'\"")) from exc
    if theme is not None:
        # a theme that needs fields the data does not have at all (wards, ages) cannot be
        # answered: say so, rather than report zero incidents
        cols = sorted(c for c in theme.columns_needed() if c in INCIDENT_COLUMNS)
        sql = "SELECT " + ", ".join(f"count({c})" for c in cols) + " FROM incidents"
        params: list[str] = []
        if args.area:
            sql += " WHERE lower(local_authority) = lower(?)"
            params.append(args.area)
        row = ws.con.execute(sql, params).fetchone() or ()
        probe = pd.DataFrame({c: [1 if n else None] for c, n in zip(cols, row, strict=True)})
        missing = theme.missing_data(probe)
        if missing:
            raise UserError(
                f"cannot answer for theme {theme.name!r}: the data has no {', '.join(missing)}"
            )
    try:
        return incidents_frame(
            ws,
            area=args.area,
            category=args.category,
            theme=theme,
            period=args.period,
            columns=columns,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def months_with_data(ws: Workspace, area: str | None) -> list[Any]:
    """The months with any incident in ``area`` (all areas if None): a month with none of any
    kind there is missing data, not zero."""
    sql = "SELECT DISTINCT month FROM incidents"
    params: list[str] = []
    if area:
        sql += " WHERE lower(local_authority) = lower(?)"
        params.append(area)
    return [r[0] for r in ws.con.execute(sql, params).fetchall()]


def jsonable(obj: Any) -> Any:
    """Make DataFrames, numpy scalars and NaN JSON-safe (NaN -> None)."""
    if isinstance(obj, pd.DataFrame):
        return [jsonable(r) for r in obj.reset_index().to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str | bytes):
        try:
            obj = obj.item()
        except (ValueError, AttributeError):
            return str(obj)
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj
