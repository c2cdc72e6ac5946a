"""Geography: British National Grid projection, the built-in England and Wales LSOAs, and
loaded boundaries (wards, LSOAs, custom areas such as a night-time-economy zone).

The built-in LSOAs (2011, super generalised, rounded to 1 m) let any point get its LSOA, local
authority and police force with no download. Super-generalised polygons can leave a point a few
metres outside every polygon; such a point takes the nearest LSOA within
:data:`NEAREST_LSOA_MAX_M` metres, and none beyond it.

Local authority of a row (:func:`place_local_authorities`)
-----------------------------------------------------------
police.uk files from 2022 on carry the **2021 LSOAs**. Most 2021 LSOAs kept their 2011 code; the
ones ONS split, merged or redrew have new codes (``E01035716``, "Westminster 013G") that the
built-in 2011 lookup lacks. Every row still gets its local authority:

1. an LSOA code the built-in lookup has: that LSOA's local authority;
2. otherwise the authority the LSOA **name** carries ("Westminster 013G" -> Westminster) and the
   authority of the **point** (its built-in LSOA); where they disagree the point decides, unless
   it lies within :data:`GENERALISATION_M` metres of the named authority, closer than the
   super-generalised boundaries can tell (measured on Westminster's 2021 LSOAs: a point placed
   by the built-in polygons is in the wrong borough for about 1 in 80 points, all within 110 m
   of the border; the boundaries differ by up to 177 m). A name naming no authority the
   built-in geography knows leaves the point to decide, and a row with neither stays without
   an authority (``safercity status`` counts them by reason).
"""

from __future__ import annotations

import gzip
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

FloatArray = npt.NDArray[np.float64]

#: a point outside every (generalised) LSOA polygon takes the nearest one within this distance
NEAREST_LSOA_MAX_M = 250.0
#: how far the built-in super-generalised boundaries can be from the true ones (metres): a point
#: this close to the authority its LSOA name names is not taken to contradict the name
GENERALISATION_M = 200.0

#: a generous British National Grid box around Great Britain and its islands (metres)
UK_BNG_BOUNDS = (-100_000.0, -20_000.0, 700_000.0, 1_250_000.0)
#: the same in longitude/latitude, for the "outside the UK" check on input rows
UK_LONLAT_BOUNDS = (-9.0, 49.0, 2.5, 61.5)


@lru_cache(maxsize=8)
def _transformer(src: str, dst: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def to_bng(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Project WGS84 longitude/latitude to British National Grid easting/northing (metres)."""
    e, n = _transformer("EPSG:4326", "EPSG:27700").transform(lon, lat)
    return np.asarray(e, dtype=np.float64), np.asarray(n, dtype=np.float64)


def from_bng(e: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    """British National Grid easting/northing to WGS84 longitude/latitude."""
    lon, lat = _transformer("EPSG:27700", "EPSG:4326").transform(e, n)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def project(
    x: FloatArray, y: FloatArray, crs: str, to: str = "EPSG:27700"
) -> tuple[FloatArray, FloatArray]:
    """Project coordinates from any CRS pyproj knows (e.g. ``EPSG:26971``) to ``to``."""
    a, b = _transformer(crs, to).transform(x, y)
    return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)


def in_uk(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    """True where a longitude/latitude lies in the box around the UK."""
    x0, y0, x1, y1 = UK_LONLAT_BOUNDS
    with np.errstate(invalid="ignore"):
        return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def _data_file(name: str) -> Any:
    return resources.files("safercity.data").joinpath("geography").joinpath(name)


@dataclass(frozen=True)
class LsoaGeography:
    """The built-in LSOA polygons (BNG) and their lookup (name, local authority, force, population)."""

    codes: npt.NDArray[np.str_]
    polygons: npt.NDArray[np.object_]
    lookup: pd.DataFrame
    tree: shapely.STRtree

    def locate(self, easting: FloatArray, northing: FloatArray) -> npt.NDArray[np.object_]:
        """LSOA code for each point (None where no LSOA is within reach or the point is NaN)."""
        out = np.full(len(easting), None, dtype=object)
        ok = np.isfinite(easting) & np.isfinite(northing)
        if not ok.any():
            return out
        idx = np.flatnonzero(ok)
        points = shapely.points(easting[idx], northing[idx])
        pt_i, poly_i = self.tree.query(points, predicate="intersects")
        # A point on a shared edge matches two polygons: keep the first (lowest code).
        first = np.unique(pt_i, return_index=True)[1]
        out[idx[pt_i[first]]] = self.codes[poly_i[first]]
        missing = idx[out[idx] == None]  # noqa: E711 (element-wise comparison on an object array)
        if len(missing):
            mpoints = shapely.points(easting[missing], northing[missing])
            m_i, p_i = self.tree.query_nearest(
                mpoints, max_distance=NEAREST_LSOA_MAX_M, all_matches=False
            )
            out[missing[m_i]] = self.codes[p_i]
        return out


@lru_cache(maxsize=1)
def builtin_lsoas() -> LsoaGeography:
    """Load the built-in England and Wales LSOAs (about 0.5 s, cached)."""
    with _data_file("lsoa-2011-bng.npz").open("rb") as fh:
        z = np.load(io.BytesIO(fh.read()))
        ring_off = z["ring_offsets"]
        coords = z["delta"].astype(np.float64)
        # undo the per-ring delta encoding: cumulative sums restarted at each ring's first point
        starts = ring_off[:-1]
        csum = np.cumsum(coords, axis=0)
        base = np.zeros_like(coords)
        before = np.zeros((len(starts), 2))
        before[1:] = csum[starts[1:] - 1]
        lengths = np.diff(ring_off)
        base -= np.repeat(before, lengths, axis=0)
        coords = csum + base
        polygons = shapely.from_ragged_array(
            shapely.GeometryType.MULTIPOLYGON,
            coords,
            (ring_off, z["part_offsets"], z["geom_offsets"]),
        )
        codes = z["codes"]
    with _data_file("lsoa-2011-lookup.csv.gz").open("rb") as fh:
        lookup = pd.read_csv(io.BytesIO(gzip.decompress(fh.read())), dtype={"population": "Int64"})
    lookup = lookup.set_index("lsoa_code")
    return LsoaGeography(
        codes=codes, polygons=polygons, lookup=lookup, tree=shapely.STRtree(polygons)
    )


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def local_authorities() -> list[str]:
    """Every local authority name in the built-in lookup, sorted."""
    return sorted(builtin_lsoas().lookup["local_authority"].dropna().unique().tolist())


def resolve_local_authority(name: str) -> str:
    """The built-in local authority matching ``name`` (case and punctuation ignored).

    Raises
    ------
    KeyError
        With the closest names, when nothing matches.
    """
    names = local_authorities()
    key = _name_key(name)
    for candidate in names:
        if _name_key(candidate) == key:
            return candidate
    # "Bristol" for "Bristol, City of", "Kingston upon Hull" for "Kingston upon Hull, City of"
    starts = [c for c in names if _name_key(c).startswith(key + " ")]
    if len(starts) == 1:
        return starts[0]
    close = [c for c in names if key and key in _name_key(c)][:5]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"no local authority called {name!r} in England and Wales{hint}")


def lsoas_of_local_authority(name: str) -> pd.DataFrame:
    """The LSOAs (code, name, population) of a local authority, by name."""
    la = resolve_local_authority(name)
    lookup = builtin_lsoas().lookup
    return lookup[lookup["local_authority"] == la].reset_index()


def local_authority_polygon(name: str) -> shapely.Geometry:
    """The union of a local authority's built-in LSOA polygons (BNG)."""
    geo = builtin_lsoas()
    codes = set(lsoas_of_local_authority(name)["lsoa_code"])
    mask = np.array([c in codes for c in geo.codes])
    return shapely.union_all(geo.polygons[mask])


@lru_cache(maxsize=1)
def _name_prefixes() -> dict[str, str]:
    """LSOA name prefix (key form) -> built-in local authority ("bristol" -> "Bristol, City of")."""
    lookup = builtin_lsoas().lookup
    prefix = lookup["lsoa_name"].astype(str).str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    out = {_name_key(p): la for p, la in zip(prefix, lookup["local_authority"], strict=True)}
    for la in local_authorities():
        out.setdefault(_name_key(la), la)
    return out


def local_authority_of_lsoa_name(name: str | None) -> str | None:
    """The built-in local authority an LSOA name carries ("Westminster 013G" -> "Westminster").

    ONS names an LSOA after its local authority, a three-digit MSOA number and a letter, in the
    2011 and the 2021 LSOAs alike. None when the name is empty or names no authority the
    built-in (2011) geography knows (for example an authority created since, such as "North
    Northamptonshire").
    """
    if not name or not isinstance(name, str):
        return None
    m = re.match(r"^(.*\S)\s+\d{3}[A-Za-z]$", name.strip())
    if not m:
        return None
    return _name_prefixes().get(_name_key(m.group(1)))


@lru_cache(maxsize=64)
def _authority_polygon(name: str) -> shapely.Geometry:
    return local_authority_polygon(name)


def place_local_authorities(
    lsoa_codes: Any, lsoa_names: Any, easting: Any, northing: Any
) -> npt.NDArray[np.object_]:
    """The local authority of each row, by its LSOA code, LSOA name and point.

    The rule is the module's (see "Local authority of a row"): the built-in lookup for a code it
    has; otherwise the name's authority and the point's, the point deciding where they disagree
    by more than :data:`GENERALISATION_M` metres. None where neither tells.

    Parameters
    ----------
    lsoa_codes, lsoa_names : sequence of str or None
        The row's LSOA code and name as its file gives them.
    easting, northing : array of float
        British National Grid metres (NaN without a location).
    """
    codes = pd.Series(np.asarray(lsoa_codes, dtype=object))
    names = np.asarray(lsoa_names, dtype=object)
    e = np.asarray(easting, dtype=np.float64)
    n = np.asarray(northing, dtype=np.float64)
    geo = builtin_lsoas()
    la_of = geo.lookup["local_authority"]
    out = codes.map(la_of).to_numpy(dtype=object)
    out[pd.isna(out)] = None
    todo = np.flatnonzero(out == None)  # noqa: E711 (element-wise on an object array)
    if not len(todo):
        return out
    point_lsoa = geo.locate(e[todo], n[todo])
    point_la = pd.Series(point_lsoa).map(la_of).to_numpy(dtype=object)
    name_la = np.array([local_authority_of_lsoa_name(x) for x in names[todo]], dtype=object)
    for i, row in enumerate(todo):
        by_point = point_la[i] if isinstance(point_la[i], str) else None
        by_name = name_la[i]
        if by_point is None or by_name is None or by_point == by_name:
            out[row] = by_point or by_name
            continue
        far = shapely.distance(_authority_polygon(by_name), shapely.Point(e[row], n[row]))
        out[row] = by_point if far > GENERALISATION_M else by_name
    return out


# ---------------------------------------------------------------------------------------------
# Loaded boundaries


@dataclass
class Boundaries:
    """Polygons read from a boundary file, in British National Grid."""

    codes: list[str]
    names: list[str]
    populations: list[float | None]
    polygons: npt.NDArray[np.object_]


def _guess_field(props: dict[str, Any], wanted: str) -> str | None:
    patterns = {
        "code": r"(^|_)(code|cd)$|^(lsoa|ward|gss|msoa)\d*cd$|^gss_code$|code$",
        "name": r"(^|_)(name|nm)$|^(lsoa|ward|msoa)\d*nm$|name$",
        "population": r"^(usualres|population|pop|usual_res|persons|pop\d+)$",
    }[wanted]
    for key in props:
        if re.search(patterns, key.lower()):
            return key
    return None


def read_boundaries(
    path: str | Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    crs: str | None = None,
) -> Boundaries:
    """Read a GeoJSON or shapefile of polygons and project it to British National Grid.

    The code, name and population fields are guessed from common ONS/GLA names
    (``LSOA11CD``, ``GSS_CODE``, ``NAME``, ``USUALRES`` ...) unless given. The CRS is read from
    the file (GeoJSON ``crs`` member, shapefile ``.prj``); GeoJSON without one is WGS84.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".geojson", ".json"}:
        data = json.loads(path.read_text(encoding="utf-8"))
        feats = data.get("features")
        if not isinstance(feats, list) or not feats:
            raise ValueError(f"{path}: no features in this GeoJSON file")
        props_list = [f.get("properties") or {} for f in feats]
        geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in feats])
        if crs is None:
            named = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
            m = re.search(r"EPSG::?(\d+)", named)
            crs = f"EPSG:{m.group(1)}" if m else "EPSG:4326"
    elif suffix == ".shp":
        props_list, geoms, file_crs = _read_shapefile(path)
        crs = crs or file_crs
    else:
        raise ValueError(f"{path}: unsupported boundary file type {suffix!r} (GeoJSON or .shp)")
    props0 = props_list[0]
    code_field = code_field or _guess_field(props0, "code")
    name_field = name_field or _guess_field(props0, "name") or code_field
    population_field = population_field or _guess_field(props0, "population")
    if code_field is None or code_field not in props0:
        raise ValueError(f"{path}: cannot tell which field is the area code; pass --code-field")
    if crs != "EPSG:27700":
        geoms = shapely.transform(
            geoms,
            lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1], crs or "EPSG:4326")),
        )
    geoms = shapely.make_valid(geoms)

    def pop(p: dict[str, Any]) -> float | None:
        if not population_field:
            return None
        v = p.get(population_field)
        try:
            return float(str(v).replace(",", "")) if v not in (None, "") else None
        except ValueError:
            return None

    return Boundaries(
        codes=[str(p[code_field]) for p in props_list],
        names=[str(p.get(name_field or code_field, p[code_field])) for p in props_list],
        populations=[pop(p) for p in props_list],
        polygons=np.asarray(geoms, dtype=object),
    )


def _read_shapefile(path: Path) -> tuple[list[dict[str, Any]], npt.NDArray[np.object_], str | None]:
    """Read a polygon shapefile (geometry and attributes) with pyshp."""
    import shapefile  # pyshp

    with shapefile.Reader(str(path)) as shp:
        fields = [f[0] for f in shp.fields[1:]]
        records: list[dict[str, Any]] = []
        geoms = []
        for sr in shp.iterShapeRecords():
            records.append(dict(zip(fields, list(sr.record), strict=True)))
            geoms.append(shapely.geometry.shape(sr.shape.__geo_interface__))
    prj = path.with_suffix(".prj")
    crs: str | None = None
    if prj.exists():
        try:
            epsg = pyproj.CRS.from_wkt(prj.read_text()).to_epsg(min_confidence=50)
            crs = f"EPSG:{epsg}" if epsg else None
        except pyproj.exceptions.CRSError:
            crs = None
    return records, np.asarray(geoms, dtype=object), crs


def assign_areas(
    easting: FloatArray, northing: FloatArray, polygons: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """All (point index, polygon index) pairs where the point lies in the polygon."""
    ok = np.flatnonzero(np.isfinite(easting) & np.isfinite(northing))
    if len(ok) == 0 or len(polygons) == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    tree = shapely.STRtree(polygons)
    pt_i, poly_i = tree.query(shapely.points(easting[ok], northing[ok]), predicate="intersects")
    return ok[pt_i], poly_i
