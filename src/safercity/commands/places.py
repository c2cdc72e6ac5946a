"""``safercity places``: counts and rates by LSOA, ward or custom area; concentration."""

from __future__ import annotations

import argparse

import pandas as pd

from safercity.analytics.places import AreaComparison, PlaceProfile, population_from_areas
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import (
    add_filter_arguments,
    jsonable,
    load_filtered,
)

_PLACE = {"lsoa": ("lsoa_code", "lsoa"), "ward": ("ward_code", "ward"), "area": ("area_id", None)}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "places",
        help="Where crime is: counts and rates per 1,000 residents by LSOA, ward or custom "
        "area, rankings, share in the top 5%%/10%% of places, Gini, one area vs the rest.",
        example="safercity places --workspace ws --area Westminster --by ward --top 10 --json",
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument("--by", choices=sorted(_PLACE), default="lsoa", help="default: lsoa")
    parser.add_argument("--top", type=int, default=10, help="places to list (default: 10)")
    parser.add_argument(
        "--compare",
        metavar="NAME",
        help="compare one place (code or name, e.g. a ward name) with the rest of the selection",
    )


def run(args: argparse.Namespace) -> int:
    column, area_type = _PLACE[args.by]
    with open_workspace(args.workspace) as ws:
        frame = load_filtered(ws, args)
        if frame.empty:
            raise UserError("no incidents match these options")
        population: pd.Series | None = None
        names: pd.Series | None = None
        if args.by == "area":
            # custom areas: every area that is not a ward or an LSOA (those have --by ward/lsoa)
            areas = ws.con.execute(
                "SELECT area_id, name, population FROM areas "
                "WHERE lower(area_type) NOT IN ('ward', 'lsoa')"
            ).df()
            links = ws.con.execute(
                "SELECT l.incident_key, l.area_id FROM incident_areas l JOIN areas a "
                "ON l.area_id = a.area_id WHERE lower(a.area_type) NOT IN ('ward', 'lsoa')"
            ).df()
            if links.empty:
                raise UserError("no incidents fall in a custom area in this workspace")
            frame = frame.merge(links, on="incident_key", how="inner")
            names = pd.Series(areas["name"].to_numpy(), index=areas["area_id"].astype(str))
            pop = areas.dropna(subset=["population"])
            if len(pop):
                population = pd.Series(
                    pop["population"].astype(float).to_numpy(), index=pop["area_id"].astype(str)
                )
        elif area_type is not None:
            pop_s = population_from_areas(ws, area_type)
            population = pop_s if len(pop_s) else None
    profile = PlaceProfile(frame, place=column, population=population, names=names)
    result = jsonable(profile.to_dict(top=args.top))
    if args.compare:
        table = profile.table
        key = args.compare.strip().lower()
        codes = [
            str(c)
            for c, r in table.iterrows()
            if str(c).lower() == key or str(r.get("name", "")).lower() == key
        ]
        if not codes:
            raise UserError(f"no place {args.compare!r} among the {args.by} places")
        inside = frame[column].astype("string").isin(codes).to_numpy(dtype=bool, na_value=False)
        placed = frame[column].notna().to_numpy()
        pop_in = pop_rest = None
        if population is not None:
            pop_in = float(table.loc[codes, "population"].sum())
            pop_rest = float(table["population"].sum()) - pop_in
        cmp = AreaComparison(
            frame[placed], inside[placed], population_area=pop_in, population_rest=pop_rest
        )
        result["comparison"] = {"place": codes, **jsonable(cmp.to_dict())}
    if args.json:
        print_json(result)
        return 0
    print(f"{profile.n_incidents:,} incidents in {profile.n_places:,} places ({args.by})")
    print(
        f"top 5% of places ({profile.top5['places']}): {100 * profile.top5['share']:.1f}% of "
        f"incidents; top 10%: {100 * profile.top10['share']:.1f}%; Gini {profile.gini:.3f}"
    )
    print(profile.table.head(args.top).to_string())
    return 0
