"""``safercity priorities``: MoRiLE-style scoring of every crime category, anti-social
behaviour and theme into a ranked list, with the intelligence gaps."""

from __future__ import annotations

import argparse

from safercity.analytics.frames import incidents_frame
from safercity.analytics.harm import WeightFileError, load_weights
from safercity.analytics.priorities import DIMENSIONS, PriorityMatrix
from safercity.analytics.themes import ThemeError, load_themes
from safercity.cli import UserError, add_command, add_workspace_argument, open_workspace, print_json
from safercity.commands._assessment import jsonable


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "priorities",
        help="Rank every crime category, anti-social behaviour and theme on harm to "
        "individuals and the community, likelihood, organisational position, public concern "
        "and confidence (MoRiLE; stated 1-5 rules, editable weights), with the reasons for "
        "each score; themes the data cannot measure are listed as intelligence gaps.",
        example="safercity priorities --workspace ws --area Westminster "
        "--consultation night-time-economy,reoffending,youth --json",
        handler=run,
    )
    add_workspace_argument(parser)
    parser.add_argument("--area", help="local authority (default: all incidents)")
    parser.add_argument("--period", help="START:END months (default: all)")
    parser.add_argument("--themes", help="themes YAML file (default: the shipped one)")
    parser.add_argument("--harm-weights", help="harm weight file (default: shipped CCHI)")
    parser.add_argument(
        "--consultation",
        help="themes or crime categories in the public's order of concern, comma-separated "
        "(default: none)",
    )
    parser.add_argument(
        "--weights",
        help="dimension weights, e.g. harm_individual=0.3,harm_community=0.2,likelihood=0.2,"
        "organisational=0.1,public_concern=0.2 (the default)",
    )


def _parse_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in DIMENSIONS or not value.strip():
            raise UserError(f"--weights: use name=value with names {', '.join(DIMENSIONS)}")
        try:
            out[name] = float(value)
        except ValueError as exc:
            raise UserError(f"--weights: {value!r} is not a number") from exc
    return out


def run(args: argparse.Namespace) -> int:
    try:
        themes = load_themes(args.themes)
        harm = load_weights(args.harm_weights)
    except (ThemeError, WeightFileError, OSError) as exc:
        raise UserError(str(exc)) from exc
    consultation = (
        [c.strip() for c in args.consultation.split(",") if c.strip()]
        if args.consultation
        else None
    )
    with open_workspace(args.workspace) as ws:
        frame = incidents_frame(ws, area=args.area, period=args.period)
    if frame.empty:
        raise UserError("no incidents match these options")
    try:
        pm = PriorityMatrix(
            frame,
            themes=themes,
            harm_weights=harm,
            consultation=consultation,
            weights=_parse_weights(args.weights),
            period_months=12,
            area=args.area,
        )
    except KeyError as exc:
        raise UserError(str(exc).strip("'\"")) from exc
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print_json(jsonable(pm.to_dict()))
        return 0
    for _i, row in pm.table.iterrows():
        print(f"{int(row['rank'])}. {row['title']} ({row['kind']}): score {row['score']:.2f}")
        print(f"   {row['reasons']}")
    for _i, gap in pm.gaps.iterrows():
        print(f"Intelligence gap: {gap['title']}: the data has no {gap['missing']}")
    return 0
