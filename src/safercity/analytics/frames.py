"""Pull a filtered frame of incidents from a workspace, for the Strategic Assessment analyses.

Every analysis in :mod:`safercity.analytics` takes a plain :class:`pandas.DataFrame` of incidents
with the columns of the ``incidents`` table (see :mod:`safercity.analytics.store`), so it runs
without a store. :func:`incidents_frame` is the one place that reads the store: it filters in
DuckDB (area = local authority, category, period) and then, if a theme is given, applies the
theme's definition (:mod:`safercity.analytics.themes`) in pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from safercity.analytics.categories import normalise_category

if TYPE_CHECKING:
    from safercity.analytics.store import Workspace
    from safercity.analytics.themes import Theme

#: the columns of the ``incidents`` table, in the store's order
INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_key",
    "crime_id",
    "source_id",
    "source_kind",
    "force",
    "month",
    "occurred_from",
    "occurred_to",
    "category",
    "offence",
    "longitude",
    "latitude",
    "easting",
    "northing",
    "location",
    "location_type",
    "lsoa_code",
    "lsoa_name",
    "local_authority",
    "ward_code",
    "ward_name",
    "outcome",
    "context",
    "victim_id",
    "victim_age",
    "victim_sex",
    "victim_home_area",
    "victim_resident",
    "suspect_age",
    "flag_domestic",
    "flag_alcohol",
    "flag_hate",
)


def _as_date(value: str | dt.date | None) -> dt.date | None:
    """'2011', '2011-04' or '2011-04-01' (or a date) -> the first day of that period."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    parts = text.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 1
    day = int(parts[2]) if len(parts) > 2 else 1
    return dt.date(year, month, day)


def parse_period(period: str | None) -> tuple[dt.date | None, dt.date | None]:
    """Parse ``"START:END"`` (either side may be empty; ``YYYY``, ``YYYY-MM`` or a date).

    The end is inclusive of its whole period: ``"2011:2013"`` is January 2011 to December 2013,
    ``"2016-01:2016-06"`` is January to June 2016. Returns ``(first_month, last_month)``.

    >>> parse_period("2011:2013")
    (datetime.date(2011, 1, 1), datetime.date(2013, 12, 1))
    >>> parse_period("2016-04:")
    (datetime.date(2016, 4, 1), None)
    """
    if not period:
        return None, None
    start_text, sep, end_text = period.partition(":")
    start = _as_date(start_text) if start_text.strip() else None
    end: dt.date | None = None
    if end_text.strip():
        parts = end_text.strip().split("-")
        if len(parts) == 1:
            end = dt.date(int(parts[0]), 12, 1)
        else:
            end = dt.date(int(parts[0]), int(parts[1]), 1)
    elif not sep and start_text.strip():
        # a single period such as "2011" or "2011-04"
        parts = start_text.strip().split("-")
        end = dt.date(int(parts[0]), 12, 1) if len(parts) == 1 else start
    return start, end


def incidents_frame(
    workspace: Workspace,
    *,
    area: str | None = None,
    category: str | Sequence[str] | None = None,
    theme: str | Theme | None = None,
    period: str | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the workspace's incidents, filtered, as a DataFrame with the store's columns.

    Parameters
    ----------
    workspace : Workspace
        An open workspace (read-only is enough).
    area : str, optional
        Local authority name (``incidents.local_authority``), compared case-insensitively.
        Default None: every area.
    category : str or list of str, optional
        police.uk category names, slugs or aliases (:func:`normalise_category`); a name that is
        not a police.uk category is matched literally. Default None: every category.
    theme : str or Theme, optional
        A theme name from the themes file (:func:`safercity.analytics.themes.load_themes`) or a
        :class:`Theme`; applied after the SQL filter. Default None.
    period : str, optional
        ``"START:END"`` on the ``month`` column, see :func:`parse_period`. Default None: all.
    columns : list of str, optional
        Columns to return (default: all columns of the ``incidents`` table). Columns a theme
        needs are added automatically.
    """
    where: list[str] = []
    params: list[Any] = []
    if area:
        where.append("lower(local_authority) = lower(?)")
        params.append(area)
    if category is not None:
        names = [category] if isinstance(category, str) else list(category)
        canonical = [normalise_category(n) or n for n in names]
        where.append("category IN (" + ", ".join("?" for _ in canonical) + ")")
        params.extend(canonical)
    start, end = parse_period(period)
    if start is not None:
        where.append("month >= ?")
        params.append(start)
    if end is not None:
        where.append("month <= ?")
        params.append(end)
    wanted = list(columns) if columns is not None else list(INCIDENT_COLUMNS)
    theme_obj: Theme | None = None
    if theme is not None:
        from safercity.analytics.themes import Theme as _Theme
        from safercity.analytics.themes import load_themes

        theme_obj = theme if isinstance(theme, _Theme) else load_themes().get(theme)
        for col in theme_obj.columns_needed():
            if col not in wanted:
                wanted.append(col)
    unknown = [c for c in wanted if c not in INCIDENT_COLUMNS]
    if unknown:
        raise ValueError(f"not columns of the incidents table: {unknown}")
    sql = f"SELECT {', '.join(wanted)} FROM incidents"
    if where:
        sql += " WHERE " + " AND ".join(where)
    frame = workspace.con.execute(sql, params).df()
    if theme_obj is not None:
        frame = theme_obj.filter(frame)
    return frame


def empty_incidents(columns: Sequence[str] | None = None) -> pd.DataFrame:
    """An empty frame with the incidents columns (for tests and for 'no data' answers)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in (columns or INCIDENT_COLUMNS)})
