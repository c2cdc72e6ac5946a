"""Real police.uk rows as a 2022-on file would carry them: the Westminster records of the
police.uk API (../shared, 2016-2018) written as a police.uk street-level CSV whose LSOA columns
are the **2021 LSOA** each point lies in, from ONS's 2021 LSOA boundaries for Westminster
(../shared/data/boundaries/lsoa-2021-shapefiles). police.uk has published such files since 2022;
the shared data holds none, so the tests rebuild their LSOA columns from the two real sources."""

from __future__ import annotations

import csv
import json
import tarfile
from pathlib import Path

import numpy as np

from safercity.analytics import geography
from safercity.analytics.categories import CATEGORIES

API_TAR = "police-uk-api/westminster-wards-2016-2018/crime-street-json.tar.gz"
LSOA_2021 = "boundaries/lsoa-2021-shapefiles/Westminster.shp"
HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip


def westminster_records(shared_data: Path, month: str) -> list[dict[str, object]]:
    """The month's API records (each id once) with a location."""
    seen: dict[object, dict[str, object]] = {}
    tag = f"crime_month_{month.replace('-', '_')}_"
    with tarfile.open(shared_data / API_TAR) as tf:
        for member in tf.getmembers():
            if member.isfile() and tag in member.name:
                fh = tf.extractfile(member)
                assert fh is not None
                for rec in json.load(fh):
                    if rec.get("location") and rec.get("location_type") == "Force":
                        seen.setdefault(rec["id"], rec)
    return list(seen.values())


def write_street_csv_with_2021_lsoas(shared_data: Path, month: str, out_dir: Path) -> Path:
    """The month's Westminster records as ``<month>-metropolitan-street.csv`` with the 2021
    LSOA of each point (records outside Westminster's 2021 LSOAs left out)."""
    records = westminster_records(shared_data, month)
    lon = np.array([float(r["location"]["longitude"]) for r in records])  # type: ignore[index]
    lat = np.array([float(r["location"]["latitude"]) for r in records])  # type: ignore[index]
    e, n = geography.to_bng(lon, lat)
    lsoas = geography.read_boundaries(shared_data / LSOA_2021)
    pt, poly = geography.assign_areas(e, n, lsoas.polygons)
    first = np.unique(pt, return_index=True)[1]
    path = out_dir / f"{month}-metropolitan-street.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, p in zip(pt[first], poly[first], strict=True):
            r = records[i]
            loc = r["location"]
            w.writerow(
                [
                    r["persistent_id"] or "",
                    month,
                    "Metropolitan Police Service",
                    "Metropolitan Police Service",
                    loc["longitude"],  # type: ignore[index]
                    loc["latitude"],  # type: ignore[index]
                    loc["street"]["name"],  # type: ignore[index]
                    lsoas.codes[p],
                    lsoas.names[p],
                    CATEGORIES[str(r["category"])],
                    (r.get("outcome_status") or {}).get("category", ""),  # type: ignore[union-attr]
                    "",
                ]
            )
    return path
