"""``safercity demo``: the worked example, end to end.

Loads the embedded demo data (police.uk street-level crime for West Yorkshire Police, July 2016,
2017 and 2018, OGL), runs the Strategic Assessment for Leeds, sets up the web application with
one demo login per role and the Safer Westminster Partnership strategy 2011-14 when the strategy
app is installed, and serves it. Every step is idempotent: a second run reuses what is there.
"""

from __future__ import annotations

import argparse
import os
import secrets
from importlib import resources
from pathlib import Path

from safercity import settings
from safercity.cli import UserError, add_command, main

#: the demo assessment: the largest local authority in the embedded data, its latest month
DEMO_AREA = "Leeds"
DEMO_PERIOD = "2018-07:2018-07"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "demo",
        help="Set up the worked example (embedded West Yorkshire police.uk data, the Strategic "
        "Assessment for Leeds, the Westminster 2011-14 strategy, demo logins) and serve it.",
        example="safercity demo --workspace safercity-data --port 8000",
        handler=run,
        json_output=False,
    )
    parser.add_argument("--workspace", default=settings.get("workspace"), help="workspace folder")
    parser.add_argument("--port", type=int, default=settings.get("port"), help="port (8000)")
    parser.add_argument("--no-serve", action="store_true", help="set up only, do not serve")


def demo_zip() -> Path:
    ref = resources.files("safercity.data").joinpath("demo").joinpath("west-yorkshire-street.zip")
    return Path(str(ref))


def strategy_example() -> Path | None:
    """The Westminster strategy YAML: in the package, or in a source checkout's examples/."""
    packaged = Path(str(resources.files("safercity.data").joinpath("westminster-2011-14.yaml")))
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "examples" / "westminster-2011-14.yaml"
    return checkout if checkout.is_file() else None


def run(args: argparse.Namespace) -> int:
    ws = str(Path(args.workspace).resolve())
    steps: list[tuple[str, list[str]]] = [
        ("Loading the embedded demo data", ["ingest", str(demo_zip()), "--workspace", ws]),
        (
            f"Strategic Assessment for {DEMO_AREA}",
            [
                "assess",
                "--workspace",
                ws,
                "--area",
                DEMO_AREA,
                "--period",
                DEMO_PERIOD,
                "--out",
                str(Path(ws) / "reports" / "leeds-2018-07"),
            ],
        ),
        (
            "Setting up the web application",
            ["web", "--workspace", ws, "migrate", "--verbosity", "0"],
        ),
    ]
    example = strategy_example()
    if example is not None and _has_strategy_loader():
        steps.append(
            (
                "Loading the Westminster strategy 2011-14",
                ["strategy", "load", str(example), "--workspace", ws],
            )
        )
        steps.append(
            (
                "Monitoring history for the Westminster strategy (SYNTHETIC)",
                ["strategy", "demo-progress", "--workspace", ws],
            )
        )
    if _has_command("cases"):
        steps.append(
            (
                "Case work: SYNTHETIC people and cases in every seeded cohort",
                ["cases", "demo", "--workspace", ws],
            )
        )
    if _has_command("consult"):
        steps.append(
            (
                "A closed consultation on the Westminster priorities (SYNTHETIC responses)",
                ["consult", "demo", "--workspace", ws],
            )
        )
    password, kept = demo_password(Path(ws))
    title = (
        "Demo logins (the same as before: see the workspace's demo-password file)"
        if kept
        else ("Demo logins (new; kept for the next runs in the workspace's demo-password file)")
    )
    steps.append((title, ["web", "--workspace", ws, "seed_demo", "--password", password]))
    report = Path(ws) / "reports" / "leeds-2018-07"
    for title, argv in steps:
        print(f"== {title}", flush=True)
        if argv[0] == "assess" and _up_to_date(report, Path(ws)):
            print(f"up to date: {report}.html (the data has not changed since)", flush=True)
            continue
        code = main(argv)
        if code:
            raise UserError(f"step failed: safercity {' '.join(argv)}")
    print(f"The Strategic Assessment is in {Path(ws) / 'reports'} (HTML and PDF).", flush=True)
    if args.no_serve:
        return 0
    # two waitress worker processes, one per core (docs/web-server.md: benchmarks/web.py)
    return main(["serve", "--workspace", ws, "--port", str(args.port), "--workers", "2"])


def _up_to_date(report: Path, workspace: Path) -> bool:
    """The demo's assessment was written after the store last changed (a second run of the
    demo need not write it again)."""
    from safercity.analytics.store import STORE_FILE

    manifest = report.with_name(report.name + "-manifest.json")
    store = workspace / STORE_FILE
    html = report.with_name(report.name + ".html")
    if not (manifest.is_file() and store.is_file() and html.is_file()):
        return False
    return manifest.stat().st_mtime_ns > store.stat().st_mtime_ns


PASSWORD_FILE = "demo-password"


def demo_password(workspace: Path) -> tuple[str, bool]:
    """The demo users' password: made once and kept in the workspace (readable by its owner
    only), so that running the demo again does not change the logins. Returns it and whether
    it was kept from an earlier run."""
    path = workspace / PASSWORD_FILE
    try:
        kept = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        kept = ""
    if kept:
        return kept, True
    workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
    password = "demo-" + secrets.token_urlsafe(9)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    return password, False


def _has_command(name: str) -> bool:
    """True when ``safercity NAME`` exists (its app is installed)."""
    from safercity.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return name in sub.choices


def _has_strategy_loader() -> bool:
    """True once ``safercity strategy load`` exists (the web strategy app is installed)."""
    import argparse as _argparse

    from safercity.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, _argparse._SubParsersAction))
    strategy = sub.choices.get("strategy")
    if strategy is None:
        return False
    actions = [a for a in strategy._actions if isinstance(a, _argparse._SubParsersAction)]
    return any("load" in a.choices for a in actions)
