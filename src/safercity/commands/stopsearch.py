"""``safercity stopsearch``: stop and search, its use, outcomes and fairness."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from safercity.analytics.stopsearch import lsoa_map_svg, stop_search_profile
from safercity.cli import (
    UserError,
    add_command,
    add_workspace_argument,
    open_workspace,
    print_json,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "stopsearch",
        help="Stop and search from police.uk files: searches per month; by object of search, "
        "legislation, outcome, age, gender, officer- and self-defined ethnicity; the rate of "
        "outcomes other than 'no further action' with 95%% intervals; searches per 1,000 "
        "residents by ethnic group and the disproportionality ratio (against White) with its "
        "interval, where residents by ethnic group are loaded (safercity population load); a "
        "map by LSOA (--map).",
        example="safercity stopsearch --workspace ws --area 'City of London' "
        "--period 2016-01:2016-12 --json",
        handler=run,
    )
    parser.add_argument("--area", help="local authority, e.g. Westminster (default: all)")
    parser.add_argument("--period", help="START:END months, e.g. 2016-01:2016-12")
    parser.add_argument("--map", metavar="FILE.svg", help="write the map of searches by LSOA")
    add_workspace_argument(parser)


def _pct(v: float) -> str:
    return "-" if v is None or not math.isfinite(v) else f"{v:.1f}%"


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        try:
            profile, left_out = stop_search_profile(ws, area=args.area, period=args.period)
        except KeyError as exc:
            raise UserError(str(exc.args[0])) from exc
    if profile.searches == 0:
        raise UserError(
            "no stop-and-search rows match these options (import the police.uk "
            "stop-and-search files with safercity ingest)"
        )
    result = profile.to_dict()
    result["unlocated_outside_area"] = left_out
    if args.map:
        if not args.area:
            raise UserError("--map needs --area (the local authority whose LSOAs to draw)")
        Path(args.map).write_text(lsoa_map_svg(profile, args.area), encoding="utf-8")
        result["map"] = args.map
    if args.json:
        print_json(result)
        return 0
    a = profile.action
    print(f"{profile.searches:,} searches in {len(profile.per_month)} months")
    print(
        f"outcome other than no further action: {a['action']:,} of {a['with_outcome']:,} "
        f"({_pct(a['rate'])}, 95% {_pct(a['low'])} to {_pct(a['high'])})"
    )
    for key, frame in profile.breakdowns.items():
        print(f"\n{key.replace('by_', 'by ').replace('_', ' ')}")
        for r in frame.to_dict("records"):
            print(
                f"  {str(r['group'])[:52]:<52} {r['searches']:>7,}  {r['share']:5.1f}%  "
                f"action {_pct(r['action_rate'])} "
                f"({_pct(r['action_low'])}-{_pct(r['action_high'])})"
            )
    print()
    if profile.rates is not None:
        print(f"per 1,000 residents ({profile.ethnicity_basis} ethnicity):")
        for r in profile.rates.to_dict("records"):
            ci = ""
            if r["group"] != "White" and math.isfinite(r["ratio_low"]):
                ci = f" ({r['ratio_low']:.2f}-{r['ratio_high']:.2f})"
            print(
                f"  {r['group']:<6} {r['searches']:>7,} searches, {r['residents']:>10,.0f} "
                f"residents, {r['per_1000']:8.1f} per 1,000, ratio to White {r['ratio']:.2f}{ci}"
            )
    print(profile.population_statement)
    if left_out:
        print(
            f"{left_out:,} searches without a location by a force policing more than this "
            "area are in no area's figures"
        )
    return 0
