"""Case work at a partnership's scale: 50,000 people and 100,000 cases (SYNTHETIC, Faker en_GB).

Builds a throw-away web database (SQLite in a temporary workspace, or ``DATABASE_URL``), fills
it with people, names, postcodes and cases across the seven seeded cohorts, then times, as a
MARAC and IOM case worker sees them (every request through Django's full stack: middleware,
need-to-know, audit rows, templates):

* **person search** -- ``POST /cases/find/`` by family name (and sometimes a date of birth);
* **case lists** -- ``GET /cases/cohorts/<MARAC>/``: first page, a later page, open cases,
  reviews due, mine;
* **agenda** -- the agenda rule over a cohort's open cases, built and stored for a meeting;
* **duplicate search** -- the likely duplicates of a new person (with a nickname, a typo or
  another spelling) among the people the worker sees.

The issue's targets: search and lists p95 under 200 ms, an agenda under 1 s, duplicate search
under 100 ms. The issue names no peer tool (E-CINS and Sentinel are closed), so the table gives
each figure against its target (the ratio; under 1 meets it). Run it when the machine is quiet:
the load average is printed with the figures.

    .venv/bin/python benchmarks/cases.py                 # 50,000 people, 100,000 cases
    .venv/bin/python benchmarks/cases.py --people 2000 --cases 4000 --repeats 20 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGETS_MS = {"person search": 200, "case list": 200, "agenda": 1000, "duplicate search": 100}
#: cases by cohort over six years: flows as a London borough's (triage and DIP see thousands,
#: the gangs panel tens; the MARAC a few hundred a year)
COHORT_SHARE = {
    "marac": 0.10,
    "gangs-panel": 0.02,
    "rapid-returners": 0.03,
    "iom": 0.05,
    "abc": 0.20,
    "triage": 0.30,
    "dip": 0.30,
}
#: most of six years' cases have ended; the open ones are today's work
STATUS_SHARE = {
    "closed": 0.72,
    "declined": 0.10,
    "referred": 0.03,
    "accepted": 0.03,
    "active": 0.08,
    "under_review": 0.04,
}
OUTWARD = ["W1D", "W1F", "W2", "W9", "W10", "NW1", "NW8", "SW1A", "SW1E", "SW1P", "SW1V", "WC2N"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def setup_django(workspace: Path) -> None:
    os.environ["SAFERCITY_WORKSPACE"] = str(workspace)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safercity.web.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-" + "k" * 50)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", interactive=False, verbosity=0)


def build(n_people: int, n_cases: int, seed: int) -> dict[str, Any]:
    """SYNTHETIC people and cases by bulk insert (no per-row audit: this is a fixture)."""
    from faker import Faker

    from safercity.cases import duplicates as dup
    from safercity.web.accounts.models import User
    from safercity.web.cases import cohorts
    from safercity.web.cases.casework import new_reference
    from safercity.web.cases.models import Case, Cohort, CohortMembership, Person, PersonName

    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    cohorts.load_bundled()
    cohorts.seed_agreements(dt.date.today() - dt.timedelta(days=400))
    all_cohorts = {c.key: c for c in Cohort.objects.all()}
    given_pool = list({fake.first_name() for _ in range(3000)})
    family_pool = list({fake.last_name() for _ in range(6000)})
    today = dt.date.today()
    people: list[Any] = []
    names: list[Any] = []
    for _ in range(n_people):
        given, family = rng.choice(given_pool), rng.choice(family_pool)
        born = today - dt.timedelta(days=rng.randint(10 * 365, 70 * 365))
        postcode = (
            f"{rng.choice(OUTWARD)} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
        )
        p = Person(
            given_name=given,
            family_name=family,
            date_of_birth=born,
            postcode=postcode,
            synthetic=True,
        )
        people.append(p)
        keys = dup.blocking_keys(given, family)
        names.append(
            PersonName(person=p, kind="primary", given_name=given, family_name=family, **keys)
        )
        if rng.random() < 0.1:
            alias = rng.choice(family_pool)
            names.append(
                PersonName(
                    person=p,
                    kind="alias",
                    given_name=given,
                    family_name=alias,
                    **dup.blocking_keys(given, alias),
                )
            )
    Person.objects.bulk_create(people, batch_size=2000)
    PersonName.objects.bulk_create(names, batch_size=2000)
    keys = list(COHORT_SHARE)
    weights = [COHORT_SHARE[k] for k in keys]
    cases = []
    statuses, status_weights = list(STATUS_SHARE), list(STATUS_SHARE.values())
    references: set[str] = set()
    for i in range(n_cases):
        cohort = all_cohorts[rng.choices(keys, weights)[0]]
        reference = new_reference(cohort)
        while reference in references:  # six random characters: a few repeats in 100,000
            reference = new_reference(cohort)
        references.add(reference)
        status = rng.choices(statuses, status_weights)[0]
        if status not in cohort.spec.lifecycle.statuses:
            status = "active" if "active" in cohort.spec.lifecycle.statuses else "monitored"
        referred = today - dt.timedelta(days=rng.randint(1, 6 * 365))
        ended = status in {"closed", "declined"}
        cases.append(
            Case(
                reference=reference,
                cohort=cohort,
                person=people[i % n_people] if i < n_people else rng.choice(people),
                status=status,
                referred_on=referred,
                referring_agency_id=cohort.lead_agency_id,
                referral_reason="SYNTHETIC",
                consent="given",
                accepted_on=None
                if status in {"referred", "declined"}
                else referred + dt.timedelta(days=14),
                next_review_on=None
                if ended or status == "referred"
                else today + dt.timedelta(days=rng.randint(-20, 40)),
                ended_on=referred + dt.timedelta(days=200) if ended else None,
                synthetic=True,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    police = all_cohorts["marac"].lead_agency
    worker = User.objects.create(username="bench-worker", role="case_worker", agency=police)
    worker.set_password("benchmark-password-2026")
    worker.save()
    for key in ("marac", "iom"):
        CohortMembership.objects.create(cohort=all_cohorts[key], user=worker, role="chair")
    Case.objects.filter(cohort=all_cohorts["marac"], status="active").filter(
        pk__in=Case.objects.filter(cohort=all_cohorts["marac"], status="active").values("pk")[:300]
    ).update(owner=worker)
    return {"worker": worker, "cohorts": all_cohorts, "people": people, "given": given_pool}


def timed(fn: Any, repeats: int) -> list[float]:
    out = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    workspace = Path(tempfile.mkdtemp(prefix="safercity-cases-bench-"))
    setup_django(workspace)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from safercity.cases import names as name_rules
    from safercity.web.cases import access, meetings, people
    from safercity.web.cases.models import Case, Meeting

    t0 = time.perf_counter()
    world = build(args.people, args.cases, args.seed)
    built_s = time.perf_counter() - t0
    client = Client()
    client.force_login(world["worker"])
    rng = random.Random(args.seed + 1)
    acc = access.for_user(world["worker"])
    seen = access.people(acc)
    # people the worker may see (the MARAC and IOM cohorts'), so each search has its person
    visible = list(seen.values_list("pk", flat=True))
    picked = rng.sample(visible, min(args.repeats, len(visible)))
    by_pk = {p.pk: p for p in world["people"]}
    sample = [by_pk[pk] for pk in picked]
    marac = world["cohorts"]["marac"]
    results: dict[str, list[float]] = {}

    def search(i: int) -> None:
        p = sample[i % len(sample)]
        data = {"family_name": p.family_name}
        if i % 3 == 0:
            d = p.date_of_birth
            data.update(
                date_of_birth_day=str(d.day),
                date_of_birth_month=str(d.month),
                date_of_birth_year=str(d.year),
            )
        response = client.post(reverse("cases:find"), data)
        assert response.status_code == 200, response.status_code

    lists = ["", "?page=40", "?status=open", "?due=1", "?mine=1", "?status=referred&page=3"]

    def case_list(i: int) -> None:
        response = client.get(
            reverse("cases:cohort", kwargs={"pk": marac.pk}) + lists[i % len(lists)]
        )
        assert response.status_code == 200, response.status_code

    def variant(p: Any, i: int) -> people.Query:
        given = p.given_name
        nick = sorted(name_rules.nicknames(given))
        if i % 3 == 0 and nick:
            given = nick[0].capitalize()
        elif i % 3 == 1 and len(given) > 3:
            given = given[:2] + given[3] + given[2] + given[4:]  # two letters swapped
        return people.Query(given, p.family_name, p.date_of_birth, p.postcode)

    def duplicate(i: int) -> None:
        people.likely_duplicates(variant(sample[i % len(sample)], i), acc)

    for key, fn in (
        ("person search", search),
        ("case list", case_list),
        ("duplicate search", duplicate),
    ):
        timed(fn, 3)  # warm the caches the first requests fill
        results[key] = timed(fn, args.repeats)
    meeting_days = [dt.date.today() + dt.timedelta(days=7 * k) for k in range(args.agendas)]

    agenda_sizes: list[int] = []

    def agenda(i: int) -> None:
        cohort = world["cohorts"][("marac", "gangs-panel", "iom", "abc")[i % 4]]
        meeting, _ = Meeting.objects.get_or_create(
            cohort=cohort, date=meeting_days[i], defaults={"time": dt.time(10)}
        )
        agenda_sizes.append(len(meetings.build_agenda(meeting).items))

    results["agenda"] = timed(agenda, args.agendas)
    found = people.likely_duplicates(variant(sample[0], 0), acc)
    return {
        "people": args.people,
        "cases": args.cases,
        "database": connection.vendor,
        "build_seconds": round(built_s, 1),
        "load_average": load_average(),
        "first_duplicate_found": bool(found) and found[0].person.pk == sample[0].pk,
        "agenda_items": agenda_sizes,
        "open_cases": Case.objects.exclude(status__in=("closed", "declined")).count(),
        "measures": {
            key: {
                "n": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "max_ms": round(max(values), 1),
                "target_ms": TARGETS_MS[key],
                "ratio_p95_to_target": round(percentile(values, 95) / TARGETS_MS[key], 2),
            }
            for key, values in results.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=200, help="timed requests per measure")
    parser.add_argument("--agendas", type=int, default=12, help="agendas built")
    parser.add_argument("--seed", type=int, default=20110401)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    before = load_average()
    out = run(args)
    out["load_average_before"] = before
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"Case work: {out['people']:,} people, {out['cases']:,} cases ({out['database']}; "
        f"built in {out['build_seconds']} s); load average before {before}, after {out['load_average']}"
    )
    print(
        f"{'measure':<18} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>8} {'p95/target':>11}"
    )
    print(f"open cases {out['open_cases']:,}; agenda items per meeting {out['agenda_items']}")
    for key, m in out["measures"].items():
        print(
            f"{key:<18} {m['n']:>5} {m['p50_ms']:>8} {m['p95_ms']:>8} {m['max_ms']:>8} "
            f"{m['target_ms']:>8} {m['ratio_p95_to_target']:>11}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
