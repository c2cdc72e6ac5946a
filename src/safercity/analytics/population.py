"""Residents by ethnic group from an ONS census table (``safercity population load``).

Stop-and-search rates per 1,000 residents by ethnic group need the resident population by
ethnic group: an ONS census table (2011 KS201EW, 2021 TS021, as Nomis or the ONS "create a
custom dataset" service gives them, or a republication such as the GLA LSOA Atlas) for local
authorities or LSOAs. The reader accepts

* **wide** tables: one row per area, a code column (``geography code``, ``... Code``, ``Lower
  Super Output Area``...) and one count column per ethnic group (``Ethnic group: White``,
  ``Ethnic Group;Asian/Asian British;2011``...); sub-group columns (``Ethnic group: White:
  Irish``), percentages and derived totals (``BAME``) are left out;
* **long** tables: one row per area and group, with a code column, an ethnic group column and
  a count column (``Observation``, ``Count``, ``Value``).

Groups are the five broad census groups, which are also police.uk's officer-defined and (first
part of) self-defined ethnicity: White, Mixed, Asian, Black, Other. Codes starting ``E01``/
``W01`` are LSOAs; ``E06``-``E09``/``W06`` local authorities. The census year is read from the
headers (``2011``/``2021``) or given.

The table ``population`` (created here, one row per source, area and group) holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from duckdb import DuckDBPyConnection

from safercity.analytics import geography

#: the broad ethnic groups, in the census's order
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")

SCHEMA = """
CREATE TABLE IF NOT EXISTS population (
    source VARCHAR NOT NULL,
    census_year INTEGER NOT NULL,
    geography VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    name VARCHAR,
    local_authority VARCHAR,
    ethnic_group VARCHAR NOT NULL,
    persons DOUBLE NOT NULL
)
"""


def broad_group(text: object) -> str | None:
    """The broad ethnic group a census label or a police.uk ethnicity names, else None.

    >>> broad_group("Black or Black British - African (B2)"), broad_group("Mixed or Multiple ethnic groups")
    ('Black', 'Mixed')
    >>> broad_group("Not Stated (NS)") is None, broad_group("Asian/Asian British")
    (True, 'Asian')
    """
    if not isinstance(text, str):
        return None
    t = text.strip().lower()
    if t.startswith("chinese or other ethnic group"):
        # police.uk's self-defined ethnicity follows the 2001 census, which put Chinese with
        # "other"; the 2011 and 2021 censuses count Chinese as Asian
        return "Asian" if "chinese (o1)" in t or t.endswith("- chinese") else "Other"
    for group in GROUPS:
        if t.startswith(group.lower()):
            return group
    return None


@dataclass
class LoadedPopulation:
    source: str
    census_year: int
    geography: str
    areas: int
    groups: list[str]
    persons: float


def _geography_of(code: str) -> str | None:
    if re.match(r"^[EW]01\d{6}$", code):
        return "lsoa"
    if re.match(r"^(E0[6-9]|W06)\d{6}$", code):
        return "local_authority"
    return None


def _code_column(frame: pd.DataFrame) -> str:
    best, hits = None, 0
    for col in frame.columns:
        values = frame[col].astype("string").str.strip()
        n = int(values.fillna("").map(lambda v: _geography_of(v) is not None).sum())
        if n > hits:
            best, hits = col, n
    if best is None:
        raise ValueError("no column of LSOA or local authority codes (E01..., E09...)")
    return str(best)


def _group_of_header(header: str) -> str | None:
    """'Ethnic group: White' -> White; sub-groups, percentages and derived totals -> None."""
    h = header.lower()
    if "%" in h or "bame" in h or "percent" in h:
        return None
    parts = [p.strip() for p in re.split(r"[;:]", header) if p.strip()]
    for i, part in enumerate(parts):
        if "ethnic group" in part.lower() and i + 1 < len(parts):
            rest = [
                p for p in parts[i + 2 :] if not re.match(r"^(\d{4}|measures.*|value)$", p.lower())
            ]
            return broad_group(parts[i + 1]) if not rest else None
    return None


def read_census_table(path: str | Path, census_year: int | None = None) -> tuple[pd.DataFrame, int]:
    """Read a census table of residents by ethnic group into (code, name, ethnic_group, persons).

    Raises
    ------
    ValueError
        Naming the file, when it has no area codes, no ethnic group counts or no census year.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8")
    except UnicodeDecodeError:
        raw = pd.read_csv(path, dtype=str, encoding="latin-1")
    try:
        code_col = _code_column(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    names = [c for c in raw.columns if c != code_col and re.search(r"name", c, re.I)]
    names += [
        c
        for c in raw.columns
        if c != code_col
        and raw[c].astype("string").str.match(r"^.+ \d{3}[A-Z]$").fillna(False).mean() > 0.5
    ]
    name_col = names[0] if names else None
    year = census_year
    if year is None:
        years = {int(y) for c in raw.columns for y in re.findall(r"\b(2011|2021)\b", c)}
        dates = [c for c in raw.columns if c.strip().lower() in ("date", "census", "year")]
        for c in dates:  # Nomis bulk tables: a 'date' column holding the census year
            years |= {int(v) for v in raw[c].dropna().str.strip() if v in ("2011", "2021")}
        if len(years) == 1:
            year = years.pop()
    if year is None:
        raise ValueError(f"{path}: cannot tell the census year from the headers; pass --census")
    wide = {c: g for c in raw.columns if (g := _group_of_header(str(c)))}
    chosen: dict[str, str] = {}
    for col, group in wide.items():  # a group named twice: the shortest header (not a sub-group)
        if group not in chosen or len(col) < len(chosen[group]):
            chosen[group] = col
    base = pd.DataFrame(
        {
            "code": raw[code_col].astype("string").str.strip(),
            "name": raw[name_col].astype("string").str.strip() if name_col else pd.NA,
        }
    )
    if chosen:
        parts = []
        for group, col in chosen.items():
            part = base.copy()
            part["ethnic_group"] = group
            part["persons"] = pd.to_numeric(raw[col].str.replace(",", ""), errors="coerce")
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
    else:
        group_cols = sorted(
            (c for c in raw.columns if re.search(r"ethnic", c, re.I) and c != code_col),
            key=lambda c: -int(raw[c].map(broad_group).notna().to_numpy().sum()),
        )
        count_cols = [c for c in raw.columns if re.search(r"observation|count|value", c, re.I)]
        if not group_cols or not count_cols:
            raise ValueError(f"{path}: no ethnic group counts (White, Mixed, Asian, Black, Other)")
        labels = raw[group_cols[0]].astype("string")
        top = ~labels.fillna("").str.contains(":")  # a sub-group label has 'Group: sub-group'
        out = base[top].copy()
        out["ethnic_group"] = labels[top].map(broad_group)
        out["persons"] = pd.to_numeric(
            raw.loc[top, count_cols[0]].str.replace(",", ""), errors="coerce"
        )
        out = out.dropna(subset=["ethnic_group"])
        out = pd.DataFrame(
            out.groupby(["code", "name", "ethnic_group"], dropna=False, as_index=False)[
                "persons"
            ].sum()
        )
    out = out[out["code"].fillna("").map(lambda c: _geography_of(c) is not None)]
    out = out.dropna(subset=["persons"])
    if out.empty:
        raise ValueError(f"{path}: no ethnic group counts (White, Mixed, Asian, Black, Other)")
    return out.reset_index(drop=True), int(year)


def load_population(
    con: DuckDBPyConnection, path: str | Path, *, census_year: int | None = None
) -> LoadedPopulation:
    """Load a census table into ``population`` (replacing an earlier load of the same file)."""
    frame, year = read_census_table(path, census_year)
    frame["geography"] = frame["code"].map(_geography_of)
    geos = sorted(set(frame["geography"]))
    lookup = geography.builtin_lsoas().lookup
    la = frame["code"].map(lookup["local_authority"]).astype(object)
    by_name = frame["name"].map(
        lambda n: geography.local_authority_of_lsoa_name(n) if isinstance(n, str) else None
    )
    la = la.where(la.notna(), by_name)
    is_la = frame["geography"] == "local_authority"
    la[is_la] = frame.loc[is_la, "name"]
    frame["local_authority"] = la
    frame["source"] = str(path)
    frame["census_year"] = year
    con.execute(SCHEMA)
    cols = ["source", "census_year", "geography", "code", "name", "local_authority"]
    cols += ["ethnic_group", "persons"]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM population WHERE source = ?", [str(path)])
        con.register("_pop", frame[cols])
        con.execute(f"INSERT INTO population SELECT {', '.join(cols)} FROM _pop")
        con.unregister("_pop")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    from safercity.analytics.areas import fill_lsoa_populations

    fill_lsoa_populations(con)
    return LoadedPopulation(
        source=str(path),
        census_year=year,
        geography=", ".join(geos),
        areas=int(frame["code"].nunique()),
        groups=sorted(set(frame["ethnic_group"]), key=GROUPS.index),
        persons=float(frame["persons"].sum()),
    )


def census_residents(con: DuckDBPyConnection, census_year: int) -> dict[str, float]:
    """Usual residents (all ethnic groups) by LSOA code from the loaded census of that year."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'population'"
    ).fetchall()[0][0]
    if not exists:
        return {}
    rows = con.execute(
        "SELECT code, sum(persons) FROM population WHERE geography = 'lsoa' AND census_year = ? "
        "GROUP BY code",
        [census_year],
    ).fetchall()
    return {str(c): float(n) for c, n in rows}


def residents_by_group(con: DuckDBPyConnection, area: str | None) -> tuple[pd.Series, str] | None:
    """Residents of ``area`` (a local authority; None: every area loaded) by broad ethnic group,
    and where they come from; None when no population is loaded for it.

    Local authority rows are used where the area has them; otherwise its LSOAs are summed (the
    LSOAs of the latest census loaded for it).
    """
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'population'"
    ).fetchall()[0][0]
    if not exists:
        return None
    where, params = "", []
    if area:
        where = "WHERE lower(local_authority) = lower(?)"
        params = [area]
    rows = con.execute(
        f"SELECT geography, census_year, ethnic_group, sum(persons), count(DISTINCT code), "
        f"any_value(source) FROM population {where} GROUP BY ALL ORDER BY geography, census_year DESC",
        params,
    ).df()
    if rows.empty:
        return None
    rows.columns = ["geography", "year", "group", "persons", "areas", "source"]
    geo = "local_authority" if (rows["geography"] == "local_authority").any() else "lsoa"
    rows = rows[rows["geography"] == geo]
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    series = rows.set_index("group")["persons"].astype(float).reindex(list(GROUPS)).dropna()
    what = "local authority" if geo == "local_authority" else f"{int(rows['areas'].max())} LSOAs"
    return (
        series,
        f"Census {year} usual residents by ethnic group ({what}; {Path(rows['source'].iloc[0]).name})",
    )
