"""``safercity jobs``: the background job worker (imports, Strategic Assessments).

``safercity serve`` starts a worker and supervises it; ``safercity jobs work`` runs one in the
foreground (for a deployment that runs the worker as its own service). ``safercity jobs run``
is what the worker starts for each job. See docs/web-server.md and ADR 0002.
"""

from __future__ import annotations

import argparse
import signal
from typing import Any

from safercity import settings
from safercity.cli import UserError, add_command, add_workspace_argument, print_json
from safercity.commands.web import configure


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "jobs",
        help="The background job worker that runs imports and Strategic Assessments requested "
        "in the web application (safercity serve starts one itself).",
        example="safercity jobs work --workspace safercity-data\n  safercity jobs list --json",
        handler=run,
    )
    add_workspace_argument(parser)
    parser.add_argument(
        "action",
        choices=["work", "list", "run"],
        help="work: serve the queue until stopped (--once: until it is empty); list: jobs "
        "waiting, running and failed; run KIND ID: run one job here (what the worker starts)",
    )
    parser.add_argument("kind", nargs="?", help="for run: import or report")
    parser.add_argument("id", nargs="?", help="for run: the job's id")
    parser.add_argument(
        "--once", action="store_true", help="for work: stop when the queue is empty"
    )


def run(args: argparse.Namespace) -> int:
    configure(str(args.workspace))
    import django

    django.setup()
    from safercity.web.jobs import queue, worker

    if args.action == "run":
        if args.kind not in queue.KINDS or not args.id:
            raise UserError(f"run needs a KIND ({' or '.join(queue.KINDS)}) and a job ID")
        return worker.run_in_this_process(args.kind, args.id)
    if args.action == "work":
        w = worker.Worker(timeout_minutes=float(settings.get("job_timeout_minutes")))
        signal.signal(signal.SIGTERM, w.stop)
        signal.signal(signal.SIGINT, w.stop)
        done = w.run(once=args.once)
        if args.json:
            print_json({"jobs_run": done})
        return 0
    rows: list[dict[str, Any]] = []
    for kind in queue.KINDS.values():
        for job in kind.model.objects.exclude(status=queue.DONE).order_by("created_at"):
            rows.append(
                {
                    "kind": kind.name,
                    "id": str(job.pk),
                    "what": str(job),
                    "status": job.status,
                    "progress": job.progress,
                    "created_at": job.created_at.isoformat(),
                    "reason": getattr(job, kind.reason_field, ""),
                }
            )
    if args.json:
        print_json({"worker_running": queue.worker_running(), "jobs": rows})
    else:
        print(f"job worker: {'running' if queue.worker_running() else 'not running'}")
        for r in rows:
            print(f"{r['status']:8} {r['kind']:7} {r['created_at'][:16]}  {r['what']}")
            if r["status"] == queue.FAILED and r["reason"]:
                print(f"         {r['reason']}")
        if not rows:
            print("no jobs waiting, running or failed")
    return 0
