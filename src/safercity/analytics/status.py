"""What a workspace holds: sources, months, rows per category, rows without location, rows
without a local authority (by reason: such rows are in no ``--area`` analysis), quarantined rows,
recorded-crime series and loaded areas."""

from __future__ import annotations

from typing import Any

from safercity.analytics.areas import rows_without_local_authority
from safercity.analytics.store import Workspace, first_row


def workspace_status(ws: Workspace) -> dict[str, Any]:
    """A JSON-ready description of the workspace (the ``safercity status --json`` object)."""
    con = ws.con

    def one(sql: str) -> Any:
        row = first_row(con, sql)
        return row[0] if row else None

    by_category = dict(
        con.execute(
            "SELECT category, count(*) FROM incidents GROUP BY category ORDER BY count(*) DESC, category"
        ).fetchall()
    )
    months = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT strftime(month, '%Y-%m') AS m FROM incidents ORDER BY m"
        ).fetchall()
    ]
    sources = [
        {
            "path": r[0],
            "kind": r[1],
            "force": r[2],
            "months": list(r[3] or []),
            "rows_read": r[4],
            "rows_stored": r[5],
            "rows_quarantined": r[6],
            "imported_at": r[7].isoformat(timespec="seconds"),
            "note": r[8],
        }
        for r in con.execute(
            "SELECT path, kind, force, months, rows_read, rows_stored, rows_quarantined, "
            "imported_at, note FROM sources ORDER BY imported_at, path"
        ).fetchall()
    ]
    by_source_kind = dict(
        con.execute("SELECT source_kind, count(*) FROM incidents GROUP BY 1 ORDER BY 1").fetchall()
    )
    local_authorities = dict(
        con.execute(
            "SELECT coalesce(local_authority, '(unknown)'), count(*) FROM incidents "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 20"
        ).fetchall()
    )
    recorded = con.execute(
        "SELECT area_type, count(DISTINCT area_name), min(month), max(month), sum(count) "
        "FROM recorded_crime GROUP BY area_type ORDER BY area_type"
    ).fetchall()
    areas = dict(
        con.execute("SELECT area_type, count(*) FROM areas GROUP BY 1 ORDER BY 1").fetchall()
    )
    quarantine_reasons = dict(
        con.execute(
            "SELECT regexp_replace(reason, '[\"(].*$', ''), count(*) FROM quarantine "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
        ).fetchall()
    )
    without_la, without_la_by_reason = rows_without_local_authority(con)
    return {
        "workspace": str(ws.path),
        "incidents": one("SELECT count(*) FROM incidents"),
        "quarantined": one("SELECT count(*) FROM quarantine"),
        "without_location": one("SELECT count(*) FROM incidents WHERE easting IS NULL"),
        "rows_without_local_authority": without_la,
        "rows_without_local_authority_by_reason": without_la_by_reason,
        "months": months,
        "by_category": by_category,
        "by_source_kind": by_source_kind,
        "local_authorities": local_authorities,
        "quarantine_reasons": quarantine_reasons,
        "recorded_crime": [
            {
                "area_type": r[0],
                "areas": r[1],
                "from": r[2].strftime("%Y-%m"),
                "to": r[3].strftime("%Y-%m"),
                "total": int(r[4]),
            }
            for r in recorded
        ],
        "areas": areas,
        "outcomes": one("SELECT count(*) FROM outcomes"),
        "stop_search": one("SELECT count(*) FROM stop_search"),
        "sources": sources,
    }
