"""How long a refused sign-in takes, by reason: a difference tells an attacker which accounts
exist or are locked (issue 15, item 9: 'a locked account answers in ~10 ms while an unknown
name answers in ~570 ms').

Runs the sign-in view in this process (Django's test client: middleware, session, database,
template) with the production password hasher (PBKDF2, or Argon2 when installed) on a throw-away
SQLite web database, ``--rounds`` times per case, the cases interleaved so that load on the
machine touches them alike. Prints the median and p95 in milliseconds and each median's ratio to
the unknown username's. Only public interfaces are used, so the same script measures an older
commit (``PYTHONPATH=<checkout>/src``).

    .venv/bin/python benchmarks/sign_in.py --rounds 40
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

PASSWORD = "benchmark-password-2026"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="sign-ins per case")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    workspace = tempfile.mkdtemp(prefix="safercity-bench-sign-in-")
    os.environ["SAFERCITY_WORKSPACE"] = workspace
    os.environ["LOCKOUT_THRESHOLD"] = str(10**9)  # wrong passwords here must not lock
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safercity.web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from safercity.web.accounts.models import User

    def make(username: str, **fields: Any) -> Any:
        user = User(username=username, **fields)
        user.set_password(PASSWORD)
        user.save()
        return user

    make("known")
    locked = make("locked")
    make("inactive", is_active=False)
    lock = {"locked_until": timezone.now() + timedelta(days=1)}
    User.objects.filter(pk=locked.pk).update(**lock)

    cases = {
        "unknown username": ("nobody", PASSWORD),
        "wrong password": ("known", "not-the-password"),
        "locked, right password": ("locked", PASSWORD),
        "locked, wrong password": ("locked", "not-the-password"),
        "deactivated": ("inactive", PASSWORD),
    }
    url = reverse("accounts:login")
    client = Client()
    client.post(url, {"username": "nobody", "password": "x"})  # warm up
    timings: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(args.rounds):
        for case, (username, password) in cases.items():
            User.objects.filter(username="known").update(failed_logins=0)
            User.objects.filter(pk=locked.pk).update(**lock)
            started = time.perf_counter()
            response = client.post(url, {"username": username, "password": password})
            timings[case].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (case, response.status_code)

    shutil.rmtree(workspace, ignore_errors=True)
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]
    base = statistics.median(timings["unknown username"])
    rows = [
        {
            "case": case,
            "median_ms": round(statistics.median(ms), 1),
            "p95_ms": round(sorted(ms)[round(0.95 * (len(ms) - 1))], 1),
            "ratio_to_unknown": round(statistics.median(ms) / base, 2),
        }
        for case, ms in timings.items()
    ]
    if args.json:
        print(json.dumps({"hasher": hasher, "rounds": args.rounds, "cases": rows}, indent=2))
        return 0
    print(f"{hasher}, {args.rounds} sign-ins per case")
    print(f"{'case':<24} {'median ms':>10} {'p95 ms':>8} {'÷ unknown':>10}")
    for row in rows:
        print(
            f"{row['case']:<24} {row['median_ms']:>10} {row['p95_ms']:>8} "
            f"{row['ratio_to_unknown']:>10}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
