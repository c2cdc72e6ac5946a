"""``safercity strategy``: validate, summarise and export a partnership strategy file.

The file format is described in ``docs/strategy-file.md``; its JSON Schema, generated from the
model in :mod:`safercity.strategy`, is ``docs/strategy-schema.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from safercity.cli import UserError, add_command, add_workspace_argument, print_json
from safercity.strategy import StrategyFile, StrategyFileError, dumps, load, schema_text, summary

EXAMPLE_FILE = "examples/westminster-2011-14.yaml"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "strategy",
        help="Check, summarise and export a partnership strategy file (YAML).",
        example=f"safercity strategy summary {EXAMPLE_FILE} --json",
        handler=_show_help,
        json_output=False,
    )
    parser.set_defaults(strategy_parser=parser)
    actions = parser.add_subparsers(dest="strategy_action", metavar="ACTION")

    validate = add_command(
        actions,
        "validate",
        help="Check a strategy file; each problem names its YAML path and line.",
        example=f"safercity strategy validate {EXAMPLE_FILE}",
        handler=run_validate,
    )
    validate.add_argument("file", help="strategy YAML file")

    summarise = add_command(
        actions,
        "summary",
        help="Count priorities, objectives, activities, milestones, measures, bodies, "
        "agencies and the budget committed.",
        example=f"safercity strategy summary {EXAMPLE_FILE} --json",
        handler=run_summary,
    )
    summarise.add_argument("file", help="strategy YAML file")

    export = add_command(
        actions,
        "export",
        help="Write the strategy back as YAML in the standard field order.",
        example=f"safercity strategy export {EXAMPLE_FILE} --out strategy.yaml",
        handler=run_export,
        json_output=False,
    )
    export.add_argument("file", nargs="?", help="strategy YAML file (not with --from-db)")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument(
        "--from-db",
        action="store_true",
        help="export the strategy held in the web database of --workspace instead of a file",
    )
    add_workspace_argument(export)

    loader = add_command(
        actions,
        "load",
        help="Load a strategy file into the web database (again: updates it in place).",
        example=f"safercity strategy load {EXAMPLE_FILE} --workspace safercity-data",
        handler=run_load,
    )
    loader.add_argument("file", help="strategy YAML file")
    add_workspace_argument(loader)

    report = add_command(
        actions,
        "report",
        help="Write the board's quarterly performance report (HTML, or PDF for a .pdf name) "
        "for the strategy in the web database.",
        example="safercity strategy report --out board-report.pdf --workspace safercity-data",
        handler=run_report,
        json_output=False,
    )
    report.add_argument("--out", required=True, help="file to write: .pdf for PDF, else HTML")
    report.add_argument("--as-at", help="progress as at this day, YYYY-MM-DD (default today)")
    add_workspace_argument(report)

    demo = add_command(
        actions,
        "demo-progress",
        help="Load SYNTHETIC delivery history (updates, values, spend, board meetings) for the "
        "Westminster example into the web database, so the demo's monitoring shows something.",
        example="safercity strategy demo-progress --workspace safercity-data",
        handler=run_demo_progress,
    )
    demo.add_argument(
        "file", nargs="?", help=f"strategy YAML file (default: the example, {EXAMPLE_FILE})"
    )
    demo.add_argument("--out", help="also write the strategy with its synthetic history here")
    add_workspace_argument(demo)

    schema = add_command(
        actions,
        "schema",
        help="Print the JSON Schema of the strategy file (docs/strategy-schema.json).",
        example="safercity strategy schema --out docs/strategy-schema.json",
        handler=run_schema,
        json_output=False,
    )
    schema.add_argument("--out", help="file to write (default: standard output)")


def _show_help(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.strategy_parser
    parser.print_help()
    return 0


def _load(file: str) -> StrategyFile:
    path = Path(file)
    if not path.is_file():
        raise UserError(f"no such file: {file}")
    try:
        return load(path)
    except StrategyFileError as exc:
        raise UserError(str(exc)) from None


def run_validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"no such file: {args.file}")
    try:
        model = load(path)
    except StrategyFileError as exc:
        if args.json:
            print_json(
                {"file": str(path), "valid": False, "problems": [p.as_dict() for p in exc.problems]}
            )
            return 2
        raise UserError(str(exc)) from None
    counts = summary(model)
    if args.json:
        print_json({"file": str(path), "valid": True, "problems": [], "summary": counts})
    else:
        print(
            f"{path}: valid — {counts['priorities']} priorities, {counts['activities']} "
            f"activities, {counts['milestones']} milestones, {counts['measures']} measures"
        )
    return 0


def run_summary(args: argparse.Namespace) -> int:
    counts: dict[str, Any] = summary(_load(args.file))
    if args.json:
        print_json(counts)
        return 0
    for key, value in counts.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for sub, amount in value.items():
                print(f"  {sub:<40} {amount:>12,}")
        elif isinstance(value, int) and key.endswith("_gbp"):
            print(f"{key:<24} £{value:,}")
        else:
            print(f"{key:<24} {value}")
    return 0


def _write(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


def run_export(args: argparse.Namespace) -> int:
    if args.from_db:
        if args.file:
            raise UserError("give a FILE or --from-db, not both")
        _web(args.workspace)
        from safercity.web.strategy import services

        strategy = services.current_strategy()
        if strategy is None:
            raise UserError(f"no strategy is loaded in the workspace {args.workspace}")
        _write(dumps(services.export(strategy)), args.out)
        return 0
    if not args.file:
        raise UserError("give a strategy FILE to export, or --from-db")
    _write(dumps(_load(args.file)), args.out)
    return 0


def _web(workspace: str) -> None:
    """Set up Django on the workspace's web database, migrated."""
    from safercity.commands.web import configure

    configure(str(Path(workspace).resolve()))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def run_load(args: argparse.Namespace) -> int:
    model = _load(args.file)
    _web(args.workspace)
    from safercity.web.strategy import services

    return _print_load(args, services.load(model).as_dict())


def _print_load(args: argparse.Namespace, result: dict[str, Any], *, demo: bool = False) -> int:
    if args.json:
        print_json(result)
    elif demo:
        print(
            f"{result['strategy']}: SYNTHETIC demo history added: {result['updates_added']} "
            f"progress updates, {result['values_added']} measure values, "
            f"{result['spend_added']} spend entries, {result['meetings_added']} meetings"
        )
    else:
        print(
            f"{result['strategy']} ({result['partnership']}): {result['created']} created, "
            f"{result['updated']} updated, {result['deleted']} removed, "
            f"{result['updates_added']} progress updates, {result['values_added']} "
            f"measure values, {result['spend_added']} spend entries and "
            f"{result['meetings_added']} meetings added"
        )
    return 0


def run_report(args: argparse.Namespace) -> int:
    import datetime as dt

    try:
        as_at = dt.date.fromisoformat(args.as_at) if args.as_at else dt.date.today()
    except ValueError:
        raise UserError(f"--as-at must be a date YYYY-MM-DD, not {args.as_at!r}") from None
    _web(args.workspace)
    from safercity.web.strategy import report, services

    strategy = services.current_strategy()
    if strategy is None:
        raise UserError(f"no strategy is loaded in the workspace {args.workspace}")
    out = Path(args.out)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(report.render_pdf(strategy, as_at))
    else:
        out.write_text(report.render_html(strategy, as_at), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


def run_demo_progress(args: argparse.Namespace) -> int:
    from safercity.strategy.demo_progress import with_history

    file = args.file
    if file is None:
        from safercity.commands.demo import strategy_example

        example = strategy_example()
        if example is None:
            raise UserError("the Westminster example is not installed: give a strategy FILE")
        file = str(example)
    model = with_history(_load(file))
    if args.out:
        _write(dumps(model), args.out)
    _web(args.workspace)
    from safercity.web.strategy import services

    return _print_load(args, services.load(model).as_dict(), demo=True)


def run_schema(args: argparse.Namespace) -> int:
    _write(schema_text(), args.out)
    return 0
