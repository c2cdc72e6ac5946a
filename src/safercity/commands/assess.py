"""``safercity assess``: the Strategic Assessment document (HTML, PDF, figures, tables).

Inputs beside the workspace, each optional: consultation results (``--consultation``: the
ranking file route, which the consultation app feeds too), last year's strategy with its
monitoring (``--previous-strategy``: what ``safercity strategy export --from-db`` writes), the
analyst's narrative (``--context``; by default ``OUT-context.md``, written as a template on the
first run) and an ONS workday population table (``--workday-population``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from safercity import settings
from safercity.analytics.assessment import Assessment, load_consultation
from safercity.analytics.harm import WeightFileError, load_weights
from safercity.analytics.report import write_report
from safercity.analytics.themes import ThemeError, load_themes
from safercity.cli import UserError, add_command, add_workspace_argument, open_workspace, print_json
from safercity.commands._assessment import jsonable

STEPS = 14


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "assess",
        help="Generate the Strategic Assessment for an area and period: report.html, "
        "report.pdf, report-figures/*.svg, report-tables/*.csv and report-manifest.json.",
        example='safercity assess --workspace ws --area "Westminster" --period 2017-07:2018-06 '
        "--out report --consultation examples/westminster-2011-14.yaml",
        handler=run,
    )
    add_workspace_argument(parser)
    parser.add_argument("--area", required=True, help="local authority, e.g. Westminster")
    parser.add_argument(
        "--period", required=True, help="START:END months, e.g. 2017-07:2018-06 (both needed)"
    )
    parser.add_argument(
        "--out", default="report", help="output name: OUT.html, OUT.pdf, OUT-figures/, ..."
    )
    parser.add_argument(
        "--consultation",
        help="public consultation ranking: a strategy YAML (consultation: ranking:) or a CSV",
    )
    parser.add_argument(
        "--previous-strategy",
        help="last year's strategy file with its monitoring (safercity strategy export "
        "--from-db --out FILE): its priorities are reviewed",
    )
    parser.add_argument(
        "--context",
        help="the analyst's narrative file (PESTELO, emerging threats, hidden harms; default "
        "OUT-context.md, written as a template when missing)",
    )
    parser.add_argument(
        "--workday-population",
        help="ONS workday population by LSOA (CSV, e.g. Census 2011 WP101EW) for rates where "
        "many work or visit but few live",
    )
    parser.add_argument("--themes", help="themes YAML file (default: the shipped one)")
    parser.add_argument("--harm-weights", help="harm weight file (default: shipped CCHI)")
    parser.add_argument(
        "--seed",
        type=int,
        default=settings.get("seed"),
        help="random seed for the Knox permutations (default: %(default)s)",
    )
    parser.add_argument(
        "--permutations",
        type=int,
        default=settings.get("permutations"),
        help="Knox Monte Carlo permutations (default: %(default)s)",
    )
    parser.add_argument(
        "--date",
        help="report date YYYY-MM-DD printed on the report (default: the latest import's date)",
    )
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF")


def run(args: argparse.Namespace) -> int:
    try:
        themes = load_themes(args.themes)
        harm = load_weights(args.harm_weights)
    except (ThemeError, WeightFileError, OSError) as exc:
        raise UserError(str(exc)) from exc
    consultation = None
    if args.consultation:
        try:
            consultation = load_consultation(args.consultation, themes)
        except (OSError, ValueError) as exc:
            raise UserError(str(exc)) from exc
    for opt in ("previous_strategy", "workday_population", "context"):
        value = getattr(args, opt)
        if value and opt != "context" and not Path(value).is_file():
            raise UserError(f"--{opt.replace('_', '-')}: no such file {value}")
    out = Path(args.out)
    if out.suffix.lower() in (".html", ".htm", ".pdf"):
        out = out.with_suffix("")
    context = Path(args.context) if args.context else out.parent / f"{out.name}-context.md"
    report_date = None
    if args.date:
        try:
            report_date = dt.date.fromisoformat(args.date)
        except ValueError as exc:
            raise UserError(f"--date must be YYYY-MM-DD, not {args.date!r}") from exc
    with open_workspace(args.workspace) as ws:
        from rich.progress import Progress

        with Progress(transient=True, disable=bool(args.json)) as bar:
            task = bar.add_task("Strategic Assessment", total=STEPS + 1)

            def step(name: str) -> None:
                bar.update(task, advance=1, description=name)

            try:
                a = Assessment(
                    ws,
                    area=args.area,
                    period=args.period,
                    themes=themes,
                    harm_weights=harm,
                    consultation=consultation,
                    previous_strategy=args.previous_strategy,
                    context=context,
                    workday_population=args.workday_population,
                    seed=args.seed,
                    permutations=args.permutations,
                    generated_on=report_date,
                    progress=step,
                )
            except (ValueError, KeyError, OSError) as exc:
                raise UserError(str(exc).strip("'\"")) from exc
            step("writing the report")
            written = write_report(a, out, pdf=not args.no_pdf)
    outputs = {
        "html": str(written.html),
        "pdf": str(written.pdf) if written.pdf else None,
        "figures": str(written.figures[0].parent) if written.figures else None,
        "tables": str(written.tables[0].parent) if written.tables else None,
        "summary_html": str(written.summary_html) if written.summary_html else None,
        "summary_pdf": str(written.summary_pdf) if written.summary_pdf else None,
        "context": str(context),
        "manifest": str(written.manifest),
    }
    if args.json:
        print_json(jsonable({"outputs": outputs, **a.summary()}))
        return 0
    print(f"Strategic Assessment for {a.area}, {a.start:%Y-%m} to {a.end:%Y-%m}:")
    for finding in a.findings:
        print(f"  - {finding}")
    for k, v in outputs.items():
        if v:
            print(f"{k}: {v}")
    return 0
