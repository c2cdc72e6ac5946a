"""``safercity quarantine``: the rows set aside at import, with file, line, field and reason."""

from __future__ import annotations

import argparse

from safercity.cli import (
    add_command,
    add_workspace_argument,
    open_workspace,
    print_json,
    terminal_text,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "quarantine",
        help="List the rows set aside at import (file, line, field, reason, the row itself).",
        example="safercity quarantine --workspace safercity-data --limit 20",
        handler=run,
    )
    add_workspace_argument(parser)
    parser.add_argument("--file", help="only rows from files whose name contains this text")
    parser.add_argument("--limit", type=int, default=100, help="at most this many rows (100)")


def run(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        where, params = "", []
        if args.file:
            where, params = "WHERE file LIKE ?", [f"%{args.file}%"]
        rows = ws.con.execute(
            f"SELECT file, line, field, reason, raw FROM quarantine {where} "
            "ORDER BY file, line LIMIT ?",
            [*params, args.limit],
        ).fetchall()
        total = ws.con.execute(f"SELECT count(*) FROM quarantine {where}", params).fetchall()[0][0]
    items = [dict(zip(("file", "line", "field", "reason", "raw"), r, strict=True)) for r in rows]
    if args.json:
        print_json({"total": total, "rows": items})
        return 0
    # the file names, fields and reasons come from imported files: a control character in them
    # (a terminal escape sequence, a carriage return) is shown escaped, never sent
    for r in items:
        field = terminal_text(r["field"]) if r["field"] else "(row)"
        print(f"{terminal_text(r['file'])}:{r['line']}  {field}: {terminal_text(r['reason'])}")
    print(
        f"{total} quarantined row(s){' (first ' + str(len(items)) + ')' if total > len(items) else ''}"
    )
    return 0
