"""``safercity trends``: counts by month or year, this year against last, SPC and seasonality."""

from __future__ import annotations

import argparse

from safercity.analytics.frames import INCIDENT_COLUMNS
from safercity.analytics.trends import Trend, period_table, recorded_crime_monthly
from safercity.cli import UserError, add_command, open_workspace, print_json
from safercity.commands._assessment import add_filter_arguments, load_filtered, months_with_data


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "trends",
        help="Crime trends: monthly/yearly counts, this year against last (exact and E-test), "
        "SPC (XmR, Making Data Count rules) and seasonal decomposition.",
        example="safercity trends --workspace ws --area Westminster --by year --json",
        handler=run,
    )
    add_filter_arguments(parser)
    parser.add_argument("--by", choices=["month", "year"], default="month", help="default: month")
    parser.add_argument(
        "--split",
        metavar="COLUMN",
        help="also count by this incidents column per period (category, ward_name, lsoa_code)",
    )
    parser.add_argument(
        "--source",
        choices=["auto", "incidents", "recorded_crime"],
        default="auto",
        help="incidents table, the Met recorded_crime table, or auto (default): incidents if "
        "any match, otherwise recorded_crime for the --area borough",
    )


def run(args: argparse.Namespace) -> int:
    if args.split and args.split not in INCIDENT_COLUMNS:
        raise UserError(f"--split: {args.split!r} is not a column of the incidents table")
    with open_workspace(args.workspace) as ws:
        source = args.source
        frame = None
        if source in ("auto", "incidents"):
            wanted = ["month", "category"]
            if args.split and args.split not in wanted:
                wanted.append(args.split)
            frame = load_filtered(ws, args, wanted)
            if frame.empty and source == "auto" and args.area and not args.theme:
                source = "recorded_crime"
            else:
                source = "incidents"
        if source == "recorded_crime":
            if not args.area:
                raise UserError("--source recorded_crime needs --area (a borough name)")
            if args.theme:
                raise UserError("themes apply to incidents, not to the Met recorded_crime table")
            monthly = recorded_crime_monthly(ws, args.area, category=args.category)
            if monthly.empty:
                raise UserError(f"no incidents or recorded crime for area {args.area!r}")
            have = ws.con.execute(
                "SELECT DISTINCT month FROM recorded_crime WHERE lower(area_name) = lower(?) "
                "OR lower(area_code) = lower(?)",
                [args.area, args.area],
            ).fetchall()
            trend = Trend(monthly=monthly, by=args.by, months_with_data=[r[0] for r in have])
        else:
            assert frame is not None
            if frame.empty:
                raise UserError("no incidents match these options")
            trend = Trend(frame, by=args.by, months_with_data=months_with_data(ws, args.area))
    result = {"source": source, **trend.to_dict()}
    if args.split:
        if frame is None or source != "incidents":
            raise UserError("--split needs incidents (the Met table has no such column)")
        table = period_table(frame, args.split, args.by)
        result["split"] = {
            str(period): {str(k): int(v) for k, v in row.items() if v}
            for period, row in table.iterrows()
        }
    if args.json:
        print_json(result)
        return 0
    print(f"Source: {source}")
    if trend.missing_months:
        print(f"Months with no data (left out): {', '.join(trend.missing_months)}")
    for key, value in trend.series.items():
        print(f"{key}  {value:>10,.0f}")
    if trend.comparison is not None:
        print(f"\n{trend.this_period_label} vs {trend.last_period_label}:")
        print("  " + trend.comparison.statement())
    if trend.spc is not None:
        print(f"\nSPC: {trend.spc.signals['special_cause']} month(s) show special-cause variation")
    return 0
