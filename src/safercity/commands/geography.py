"""``safercity geography``: load boundaries (wards, LSOAs, custom areas) and list areas."""

from __future__ import annotations

import argparse

from safercity.analytics import geography
from safercity.analytics.areas import (
    AREA_TYPES,
    load_boundaries,
    place_local_authorities,
    rows_without_local_authority,
)
from safercity.cli import (
    UserError,
    add_command,
    add_workspace_argument,
    print_json,
    updating_workspace,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "geography",
        help="Load boundary files (GeoJSON or shapefile: wards, LSOAs such as the ONS 2021 "
        "LSOAs, custom areas such as a night-time-economy zone) and place every incident in "
        "them; place rows without a local authority; list local authorities.",
        example="safercity geography load wards.geojson --type ward --workspace safercity-data",
        handler=run,
    )
    parser.add_argument(
        "action",
        choices=("load", "place", "local-authorities"),
        help="load: a boundary file; place: give every stored row without a local authority "
        "the one its LSOA code, LSOA name or point places it in (rows imported before this "
        "was done at import); local-authorities: list the built-in ones",
    )
    parser.add_argument("file", nargs="?", help="boundary file (for load)")
    parser.add_argument("--type", choices=AREA_TYPES, default="custom", help="area type")
    parser.add_argument("--code-field", help="field holding the area code (guessed if absent)")
    parser.add_argument("--name-field", help="field holding the area name (guessed if absent)")
    parser.add_argument("--population-field", help="field holding residents (guessed)")
    add_workspace_argument(parser)


def run(args: argparse.Namespace) -> int:
    if args.action == "local-authorities":
        names = geography.local_authorities()
        if args.json:
            print_json({"local_authorities": names})
        else:
            print("\n".join(names))
        return 0
    if args.action == "place":
        with updating_workspace(args.workspace) as ws:
            with ws.transaction():
                placed = place_local_authorities(ws.con)
            left, by_reason = rows_without_local_authority(ws.con)
        result = {
            "rows_placed": placed,
            "rows_without_local_authority": left,
            "rows_without_local_authority_by_reason": by_reason,
        }
        if args.json:
            print_json(result)
        else:
            print(f"{placed} row(s) given a local authority; {left} still without one")
            for reason, n in by_reason.items():
                print(f"  {n:>10,}  {reason}")
        return 0
    if not args.file:
        raise UserError("load needs a boundary FILE")
    with updating_workspace(args.workspace) as ws:
        try:
            loaded = load_boundaries(
                ws,
                args.file,
                area_type=args.type,
                code_field=args.code_field,
                name_field=args.name_field,
                population_field=args.population_field,
            )
        except (ValueError, OSError) as exc:
            raise UserError(str(exc)) from exc
    out = {
        "area_type": loaded.area_type,
        "areas": loaded.areas,
        "replaced": loaded.replaced,
        "incidents_placed": loaded.incidents_placed,
    }
    if args.json:
        print_json(out)
    else:
        print(
            f"loaded {loaded.areas} {loaded.area_type} area(s) from {args.file} "
            f"({loaded.replaced} replaced); {loaded.incidents_placed} incident(s) placed"
        )
    return 0
