"""A small hand-made workspace for the Strategic Assessment command tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from safercity.analytics.store import Workspace


def insert_incidents(ws: Workspace, rows: list[dict[str, object]]) -> None:
    cols = [r[0] for r in ws.con.execute("DESCRIBE incidents").fetchall()]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    ws.con.register("new_rows", frame)
    ws.con.execute("INSERT INTO incidents SELECT * FROM new_rows")
    ws.con.unregister("new_rows")


def build(path: Path) -> Path:
    """Westminster-like extract, 2019-2020: 24 months.

    Each month: 2 robberies in West End ward (E05000649, LSOA W1) at 22:00 against victims
    v0/v1 (male, 20 and 30, non-residents); 1 burglary in Abbey Road (E05000630, LSOA A1) at
    10:00 (female victim aged 50, resident, suspect aged 16); 1 ASB in Abbey Road with no time.
    The areas table has both wards (population 10,000 and 30,000) and both LSOAs (1,500, 1,000).
    """
    rows: list[dict[str, object]] = []
    i = 0
    for month in pd.date_range("2019-01-01", periods=24, freq="MS"):
        for j in range(2):
            t = month + pd.Timedelta(days=j, hours=22)
            rows.append(
                {
                    "incident_key": f"crime:{i}",
                    "source_id": "t",
                    "source_kind": "extract",
                    "month": month.date(),
                    "occurred_from": t,
                    "occurred_to": t,
                    "category": "Robbery",
                    "local_authority": "Westminster",
                    "ward_code": "E05000649",
                    "ward_name": "West End",
                    "lsoa_code": "W1",
                    "lsoa_name": "Westminster W1",
                    "victim_id": f"v{j}",
                    "victim_sex": "M",
                    "victim_age": 20 + 10 * j,
                    "victim_resident": False,
                    "suspect_age": 25,
                }
            )
            i += 1
        rows.append(
            {
                "incident_key": f"crime:{i}",
                "source_id": "t",
                "source_kind": "extract",
                "month": month.date(),
                "occurred_from": month + pd.Timedelta(hours=8),
                "occurred_to": month + pd.Timedelta(hours=12),  # aoristic window 08:00-12:00
                "category": "Burglary",
                "local_authority": "Westminster",
                "ward_code": "E05000630",
                "ward_name": "Abbey Road",
                "lsoa_code": "A1",
                "lsoa_name": "Westminster A1",
                "victim_id": f"b{i}",
                "victim_sex": "F",
                "victim_age": 50,
                "victim_resident": True,
                "suspect_age": 16,
            }
        )
        i += 1
        rows.append(
            {
                "incident_key": f"asb:{i}",
                "source_id": "t",
                "source_kind": "police.uk",
                "month": month.date(),
                "category": "Anti-social behaviour",
                "local_authority": "Westminster",
                "ward_code": "E05000630",
                "ward_name": "Abbey Road",
                "lsoa_code": "A1",
                "lsoa_name": "Westminster A1",
            }
        )
        i += 1
    with Workspace(path) as ws:
        insert_incidents(ws, rows)
        ws.con.execute(
            "INSERT INTO areas VALUES "
            "('ward:E05000649', 'ward', 'E05000649', 'West End', 10000, NULL, 'test'), "
            "('ward:E05000630', 'ward', 'E05000630', 'Abbey Road', 30000, NULL, 'test'), "
            "('lsoa:W1', 'lsoa', 'W1', 'Westminster W1', 1500, NULL, 'test'), "
            "('lsoa:A1', 'lsoa', 'A1', 'Westminster A1', 1000, NULL, 'test')"
        )
    return path
