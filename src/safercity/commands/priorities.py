"""``safercity priorities``: MoRiLE-style scoring of the themes into a ranked list."""

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
        help="Rank the themes on harm, volume, trend, repeats and public concern (stated 1-5 "
        "rules, editable weights), with the reasons for each score.",
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
        help="theme names in the public's order of concern, comma-separated (default: none)",
    )
    parser.add_argument(
        "--weights",
        help="dimension weights, e.g. harm=0.3,volume=0.2,trend=0.15,vulnerability=0.2,"
        "public_concern=0.15 (the default)",
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
        )
    except KeyError as exc:
        raise UserError(str(exc).strip("'\"")) from exc
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print_json(jsonable(pm.to_dict()))
        return 0
    for theme, row in pm.table.iterrows():
        score = "not scored" if row["score"] != row["score"] else f"score {row['score']:.2f}"
        print(f"{int(row['rank'])}. {row['title']} ({theme}): {score}")
        print(f"   {row['reasons']}")
    return 0
