"""``safercity ingest``: import crime data into a workspace."""

from __future__ import annotations

import argparse

from rich.markup import escape

from safercity.analytics.ingest import FileProblem, ingest_paths
from safercity.cli import (
    UserError,
    add_command,
    add_workspace_argument,
    print_json,
    progress_bar,
    terminal_text,
    updating_workspace,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "ingest",
        help="Import police.uk CSVs/zips, police.uk API JSON, Met recorded-crime tables and "
        "local extracts into a workspace. Bad rows are set aside in quarantine; good rows kept.",
        example="safercity ingest 2018-07-west-yorkshire-street.csv police-uk-download.zip",
        handler=run,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or archives")
    add_workspace_argument(parser)
    parser.add_argument(
        "--strict", action="store_true", help="refuse a whole file that has any bad row"
    )
    parser.add_argument(
        "--mapping", metavar="FILE", help="mapping file (YAML) for a local incident extract"
    )


def run(args: argparse.Namespace) -> int:
    try:
        with progress_bar("importing", quiet=args.json) as bar:
            task = bar.add_task("", total=None)

            def progress(done: int, total: int, name: str) -> None:
                shown = escape(terminal_text(name[-60:]))  # a file name is data, not markup
                bar.update(task, completed=done, total=total, description=shown)

            with updating_workspace(args.workspace) as ws:
                summary = ingest_paths(
                    ws,
                    args.paths,
                    strict=args.strict,
                    mapping=args.mapping,
                    progress=progress,
                )
    except FileProblem as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print_json(summary.as_dict())
    else:
        for f in summary.files:
            name = terminal_text(f.file)
            if f.status == "failed":
                print(f"FAILED  {name}\n        {terminal_text(f.error)}")
                continue
            if f.status == "already imported":
                same = terminal_text(f.same_as) if f.same_as else ""
                why = f"the same file as {same}" if same else "already imported"
                print(f"same    {name} ({why}: nothing added)")
                continue
            months = f"{f.months[0]}..{f.months[-1]}" if len(f.months) > 1 else "".join(f.months)
            print(
                f"ok      {name}: {f.rows_stored} stored, {f.rows_already_stored} already held, "
                f"{f.rows_quarantined} quarantined ({f.kind}, {months})"
            )
            for note in f.replaced:
                print(f"        {terminal_text(note)}")
        t = summary.totals()
        print(
            f"{t['files']} file(s): {t['rows_stored']} rows stored, {t['rows_already_stored']} "
            f"already held, {t['rows_quarantined']} quarantined, {t['files_failed']} failed"
            + (
                f"; {t['rows_replaced']} rows of earlier releases replaced"
                if t["rows_replaced"]
                else ""
            )
        )
        if t["rows_quarantined"]:
            print(f"see the quarantined rows: safercity quarantine --workspace {args.workspace}")
    return 1 if summary.failed else 0
