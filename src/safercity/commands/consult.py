"""``safercity consult``: paper responses in, results out, and the worked example.

* ``safercity consult import FILE --consultation NAME [--mapping MAPPING.yaml]``: paper and
  event responses from a CSV; bad rows are reported (file, line, field, reason) and set aside,
  good rows stored in one transaction.
* ``safercity consult results NAME [--json] [--export FILE.yaml|.csv]``: Plackett-Luce worths,
  P(first), P(top 3) with bootstrap intervals, mean rank and Borda, weighted beside unweighted;
  ``--export`` writes the ranking in the format ``safercity assess --consultation`` reads.
* ``safercity consult demo``: load the closed Westminster 2010-style consultation with
  SYNTHETIC responses (what ``safercity demo`` can run as an extra step).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from safercity import settings
from safercity.cli import UserError, add_command, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "consult",
        help="Consultations: import paper responses, print the results (Plackett-Luce worths, "
        "weighted and unweighted), export the ranking for the Strategic Assessment, load the "
        "worked example.",
        example="safercity consult results westminster-priorities-2010 --json",
        handler=lambda args: _help(parser),
        json_output=False,
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")

    imp = add_command(
        sub,
        "import",
        help="Import paper or event responses from a CSV (bad rows reported, good rows kept).",
        example="safercity consult import paper.csv --consultation priorities-2026 "
        "--mapping mapping.yaml",
        handler=run_import,
    )
    imp.add_argument("file", help="the CSV of responses")
    imp.add_argument("--consultation", required=True, help="the consultation's short name")
    imp.add_argument(
        "--mapping",
        help="YAML naming the CSV column of each answer (ranking or rank_columns, ward, "
        "age_band, sex, postcode_district, channel, text); default: columns named so",
    )
    _workspace(imp)

    res = add_command(
        sub,
        "results",
        help="Results of a consultation: Plackett-Luce worths, P(first), P(top 3) with "
        "bootstrap intervals, mean rank, Borda; weighted beside unweighted; by group.",
        example="safercity consult results westminster-priorities-2010 --export ranking.yaml",
        handler=run_results,
    )
    res.add_argument("name", help="the consultation's short name")
    res.add_argument(
        "--bootstrap", type=int, default=1000, help="bootstrap resamples (default 1000)"
    )
    res.add_argument(
        "--seed",
        type=int,
        default=settings.get("seed"),
        help="random seed of the bootstrap (default: %(default)s)",
    )
    res.add_argument(
        "--export",
        help="write the ranking for `safercity assess --consultation` (FILE.yaml or FILE.csv)",
    )
    _workspace(res)

    demo = add_command(
        sub,
        "demo",
        help="Load the worked example: a closed Westminster consultation (October 2010 style) "
        "with SYNTHETIC responses, its results, a public meeting and You said, we did.",
        example="safercity consult demo --workspace safercity-data",
        handler=run_demo,
    )
    demo.add_argument("--responses", type=int, default=120, help="synthetic responses (120)")
    _workspace(demo)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace",
        default=None,
        help="workspace folder (default: $SAFERCITY_WORKSPACE or safercity-data)",
    )


def _django(args: argparse.Namespace) -> None:
    from safercity.commands.web import configure

    configure(args.workspace)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _consultation(name: str) -> Any:
    from safercity.web.consult.models import Consultation

    c = Consultation.objects.filter(slug=name).first()
    if c is None:
        known = ", ".join(Consultation.objects.values_list("slug", flat=True)) or "none yet"
        raise UserError(f"no consultation {name!r} (known: {known})")
    return c


def run_import(args: argparse.Namespace) -> int:
    _django(args)
    from safercity.web.consult import services

    mapping: dict[str, Any] = {}
    if args.mapping:
        try:
            loaded = yaml.safe_load(Path(args.mapping).read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise UserError(f"{args.mapping}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise UserError(f"{args.mapping}: a mapping must be a YAML mapping (key: column)")
        mapping = loaded
    c = _consultation(args.consultation)
    try:
        result = services.import_responses(c, args.file, mapping)
    except (OSError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    out = {
        "file": result.path,
        "rows_read": result.read,
        "rows_stored": result.stored,
        "rows_set_aside": result.read - result.stored,
        "problems": [
            {"line": p.line, "field": p.field, "reason": p.reason} for p in result.problems
        ],
    }
    if args.json:
        print_json(out)
        return 0
    print(f"{result.path}: {result.stored} of {result.read} rows stored")
    for p in result.problems:
        print(f"  line {p.line}, {p.field}: {p.reason}")
    return 0


def run_results(args: argparse.Namespace) -> int:
    _django(args)
    from safercity.consult.plackett_luce import NotEstimable
    from safercity.web.consult import services

    c = _consultation(args.name)
    try:
        r = services.results(c, bootstrap=args.bootstrap, seed=args.seed)
    except NotEstimable as exc:
        raise UserError(str(exc)) from exc
    if r is None:
        raise UserError(f"{c.slug}: no counted rankings yet")
    if args.export:
        path = Path(args.export)
        fmt = "csv" if path.suffix.lower() == ".csv" else "yaml"
        path.write_text(r.ranking_file(name=c.title, when=f"{c.opens_on:%B %Y}", fmt=fmt))
    if args.json:
        print_json({"consultation": c.slug, "synthetic": c.synthetic, **r.to_dict()})
        return 0
    d = r.to_dict()
    label = " (SYNTHETIC responses)" if c.synthetic else ""
    print(f"{c.title}{label}: {d['responses']} responses; ranking by {d['basis']} worth")
    weighted = {row["item"]: row for row in (d["weighted"] or {}).get("plackett_luce") or []}
    for row in d["unweighted"]["plackett_luce"]:
        line = (
            f"{int(row['rank'])}. {row['title']}: P(first) {row['p_first']:.3f} "
            f"[{row.get('worth_low') or 0:.3f}, {row.get('worth_high') or 0:.3f}], "
            f"P(top 3) {row['p_top']:.3f}"
            + (
                f" [{row['p_top_low']:.3f}, {row['p_top_high']:.3f}]"
                if row.get("p_top_low") is not None
                else ""
            )
        )
        w = weighted.get(row["item"])
        if w:
            line += f"; weighted P(first) {w['p_first']:.3f}"
        print(line)
    if d["weighted"]:
        print(
            f"weighted to {', '.join(d['weighted']['dimensions'])}: design effect "
            f"{d['weighted']['design_effect']:.2f}, effective sample size "
            f"{d['weighted']['effective_sample_size']:.0f}"
        )
    for warning in d["warnings"]:
        print(f"warning: {warning}")
    if args.export:
        print(f"ranking written to {args.export} (safercity assess --consultation {args.export})")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    _django(args)
    from safercity.web.consult import demo

    loaded = demo.load(responses=args.responses)
    if args.json:
        print_json(loaded)
        return 0
    print(
        f"Loaded {loaded['responses']} SYNTHETIC responses to {loaded['consultation']}; "
        f"public results at {loaded['public']}"
    )
    return 0
