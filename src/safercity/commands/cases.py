"""``safercity cases``: case work on people from the command line.

``cohorts`` lists, checks and loads cohort definitions; ``retention`` erases or anonymises the
cases past their cohort's retention period; ``import`` brings cases in from a spreadsheet with a
mapping; ``transfer-export`` and ``transfer-import`` move a case to and from another
partnership; ``subject-access`` gathers everything held on a person; ``remind`` e-mails the
owners of overdue actions; ``figures`` prints each cohort's figures; ``demo`` loads the
synthetic demonstration. None of them prints a person's name: people and cases are named by
their references.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from safercity.cli import UserError, add_command, add_workspace_argument, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers,
        "cases",
        help="Case work on people: cohorts, retention, imports, transfers, subject access, "
        "reminders, figures and the synthetic demo.",
        example="safercity cases retention --dry-run --json --workspace safercity-data",
        handler=_show_help,
        json_output=False,
    )
    parser.set_defaults(cases_parser=parser)
    actions = parser.add_subparsers(dest="cases_action", metavar="ACTION")

    cohorts = add_command(
        actions,
        "cohorts",
        help="List the cohorts in the web database; with FILE, check a cohort definition "
        "(each problem with its line); with --load, load FILE (or the shipped cohorts).",
        example="safercity cases cohorts marac.yaml --load --workspace safercity-data",
        handler=run_cohorts,
    )
    cohorts.add_argument("file", nargs="?", help="a cohort definition (YAML) to check or load")
    cohorts.add_argument("--load", action="store_true", help="load FILE, or every shipped cohort")
    cohorts.add_argument("--schema", action="store_true", help="print the JSON Schema and stop")
    add_workspace_argument(cohorts)

    retention = add_command(
        actions,
        "retention",
        help="Erase or anonymise the cases past their cohort's retention period (legal holds "
        "kept); --dry-run lists them only.",
        example="safercity cases retention --dry-run --json",
        handler=run_retention,
    )
    retention.add_argument("--dry-run", action="store_true", help="list, change nothing")
    retention.add_argument("--today", help="as if on this day, YYYY-MM-DD (default today)")
    add_workspace_argument(retention)

    importer = add_command(
        actions,
        "import",
        help="Import cases from a CSV or XLSX export with a mapping file: bad rows reported "
        "with line and field and set aside, good rows imported together, likely duplicates "
        "offered to the chair for merging.",
        example="safercity cases import marac-2025.csv --cohort marac --mapping marac-map.yaml",
        handler=run_import,
    )
    importer.add_argument("file", help="CSV (UTF-8) or XLSX file")
    importer.add_argument("--cohort", required=True, help="cohort key, e.g. marac")
    importer.add_argument("--mapping", required=True, help="mapping YAML (docs/cases.md)")
    importer.add_argument("--dry-run", action="store_true", help="check the rows only")
    add_workspace_argument(importer)

    export = add_command(
        actions,
        "transfer-export",
        help="Write the transfer packet of a case (JSON and PDF in a zip) for another "
        "partnership an information-sharing agreement allows; logged as a disclosure.",
        example="safercity cases transfer-export MARAC-7K3Q9X --to 'Royal Borough of Kensington "
        "and Chelsea MARAC' --by marac-chair --out packet.zip",
        handler=run_transfer_export,
    )
    export.add_argument("reference", help="case reference")
    export.add_argument("--to", required=True, help="the receiving agency, by name")
    export.add_argument("--by", required=True, help="username of the chair sending it")
    export.add_argument(
        "--purpose", default="Transfer of the case to the area the person has moved to"
    )
    export.add_argument("--out", required=True, help="zip file to write")
    add_workspace_argument(export)

    imp = add_command(
        actions,
        "transfer-import",
        help="Import a transfer packet from another partnership as a new referral of a cohort.",
        example="safercity cases transfer-import packet.zip --cohort marac --from "
        "'Metropolitan Police Service'",
        handler=run_transfer_import,
    )
    imp.add_argument("packet", help="the zip received")
    imp.add_argument("--cohort", required=True, help="cohort key")
    imp.add_argument("--from", dest="referrer", required=True, help="referring member agency")
    add_workspace_argument(imp)

    sar = add_command(
        actions,
        "subject-access",
        help="Everything held on a person in every cohort, as JSON, for a subject access "
        "request (the data protection officer's export); logged as a disclosure.",
        example="safercity cases subject-access 3f2a9c1e-... --out sar.json --requested-by "
        "'The data subject'",
        handler=run_subject_access,
        json_output=False,
    )
    sar.add_argument("person", help="the person's record id (UUID)")
    sar.add_argument("--out", required=True, help="JSON file to write")
    sar.add_argument("--requested-by", default="The data subject")
    add_workspace_argument(sar)

    remind = add_command(
        actions,
        "remind",
        help="E-mail the owner of each overdue action (at most weekly); names cases by "
        "reference only.",
        example="safercity cases remind --dry-run --json",
        handler=run_remind,
    )
    remind.add_argument("--dry-run", action="store_true", help="list, send nothing")
    add_workspace_argument(remind)

    figures = add_command(
        actions,
        "figures",
        help="Each cohort's figures: size, referrals per month and by agency, days to first "
        "panel, actions on time, outcomes (what a strategy measure can read).",
        example="safercity cases figures --cohort gangs-panel --json",
        handler=run_figures,
    )
    figures.add_argument("--cohort", help="one cohort key (default: all)")
    add_workspace_argument(figures)

    demo = add_command(
        actions,
        "demo",
        help="Load SYNTHETIC people and cases (Faker en_GB) in every seeded cohort, with a "
        "demo case worker and chair per cohort; prints their usernames.",
        example="safercity cases demo --workspace safercity-data",
        handler=run_demo,
    )
    demo.add_argument(
        "--password",
        default="",
        help="password for the demo users (default: the workspace's demo-password file, made once)",
    )
    demo.add_argument("--seed", type=int, default=20110401, help="random seed")
    add_workspace_argument(demo)


def _show_help(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.cases_parser
    parser.print_help()
    return 0


def _web(workspace: str) -> None:
    from safercity.commands.web import configure

    configure(str(Path(workspace).resolve()))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _cohort(key: str) -> Any:
    from safercity.web.cases.models import Cohort

    cohort = Cohort.objects.filter(key=key).first()
    if cohort is None:
        known = ", ".join(Cohort.objects.values_list("key", flat=True)) or "none loaded"
        raise UserError(f"no cohort '{key}' (cohorts: {known})")
    return cohort


def _today(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise UserError(f"--today must be a date YYYY-MM-DD, not {text!r}") from None


def run_cohorts(args: argparse.Namespace) -> int:
    from safercity.cases import config

    if args.schema:
        sys.stdout.write(config.json_schema())
        return 0
    if args.file and not args.load:
        path = Path(args.file)
        if not path.is_file():
            raise UserError(f"no such file: {args.file}")
        try:
            spec = config.load(path)
        except config.CohortFileError as exc:
            if args.json:
                print_json(
                    {
                        "file": str(path),
                        "valid": False,
                        "problems": [
                            {"path": p.path, "line": p.line, "message": p.message}
                            for p in exc.problems
                        ],
                    }
                )
                return 2
            raise UserError(str(exc)) from None
        if args.json:
            print_json({"file": str(path), "valid": True, "key": spec.key, "name": spec.name})
        else:
            print(f"{path}: valid ({spec.key}: {spec.name})")
        return 0
    _web(args.workspace)
    from safercity.web.cases import cohorts as services

    if args.load:
        try:
            if args.file:
                path = Path(args.file)
                if not path.is_file():
                    raise UserError(f"no such file: {args.file}")
                loaded = [services.save_definition(path.read_text(encoding="utf-8"), str(path))]
            else:
                loaded = services.load_bundled()
        except config.CohortFileError as exc:
            raise UserError(str(exc)) from None
        rows = [{"key": x.cohort.key, "name": x.cohort.name, "created": x.created} for x in loaded]
    else:
        from safercity.web.cases.models import Cohort

        rows = [
            {
                "key": c.key,
                "name": c.name,
                "members": c.memberships.count(),
                "cases": c.cases.count(),
            }
            for c in Cohort.objects.order_by("key")
        ]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print("  ".join(f"{k}: {v}" for k, v in row.items()))
    return 0


def run_retention(args: argparse.Namespace) -> int:
    today = _today(args.today)
    _web(args.workspace)
    from safercity.web.cases import retention

    outcomes = retention.run(today, dry_run=args.dry_run)
    held = [
        {
            "case": str(c.pk),
            "cohort": c.cohort.key,
            "reason": d.reason,
            "due_on": d.due_on.isoformat() if d.due_on else None,
        }
        for c, d in retention.held(today)
    ]
    if args.json:
        print_json(
            {
                "today": today.isoformat(),
                "dry_run": args.dry_run,
                "cases": [o.as_dict() for o in outcomes],
                "legal_holds": held,
            }
        )
        return 0
    verb = "would be" if args.dry_run else "were"
    print(f"{len(outcomes)} case(s) {verb} erased or anonymised on {today.isoformat()}")
    for o in outcomes:
        print(f"  {o.cohort:<16} case {o.case_id}  {o.action:<9} {o.reason}")
    if held:
        print(f"{len(held)} case(s) past their period kept under legal hold")
        for h in held:
            print(f"  {h['cohort']:<16} case {h['case']}  {h['reason']}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    path, mapping = Path(args.file), Path(args.mapping)
    for p in (path, mapping):
        if not p.is_file():
            raise UserError(f"no such file: {p}")
    _web(args.workspace)
    from safercity.web.cases import importer

    cohort = _cohort(args.cohort)
    try:
        result = importer.run(path, cohort, mapping, dry_run=args.dry_run)
    except importer.MappingError as exc:
        raise UserError(str(exc)) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise UserError(f"{path}: cannot read the file ({type(exc).__name__})") from None
    if args.json:
        print_json(result.as_dict())
    else:
        d = result.as_dict()
        print(
            f"{path.name}: {d['rows']} rows, {d['imported']} imported, {d['set_aside']} set aside"
            + (" (dry run: nothing stored)" if args.dry_run else "")
        )
        for problem in result.problems:
            print(f"  line {problem.line}: {problem.field}: {problem.message}")
        if result.duplicates:
            print(
                f"{len(result.duplicates)} possible duplicate(s) offered to the chair for merging"
            )
    # every row bad: nothing could be imported, which a script must notice
    return 2 if result.rows and len({p.line for p in result.problems}) == result.rows else 0


def run_transfer_export(args: argparse.Namespace) -> int:
    _web(args.workspace)
    from safercity.web.accounts.models import Agency, User
    from safercity.web.cases import casework, disclosure
    from safercity.web.cases.models import Case

    case = Case.objects.filter(reference=args.reference.upper()).select_related("cohort").first()
    if case is None:
        raise UserError(f"no case {args.reference}")
    user = User.objects.filter(username=args.by, is_active=True).first()
    if user is None or not case.cohort.memberships.filter(user=user, role="chair").exists():
        raise UserError(f"{args.by} is not a chair of the {case.cohort.short_name}")
    recipient = Agency.objects.filter(name=args.to).first()
    if recipient is None:
        raise UserError(f"no agency named {args.to!r}")
    try:
        data, _ = disclosure.transfer_packet(None, case, recipient, args.purpose, user)
    except casework.CaseRuleError as exc:
        raise UserError(str(exc)) from None
    Path(args.out).write_bytes(data)
    result = {
        "case": case.reference,
        "recipient": recipient.name,
        "packet": args.out,
        "bytes": len(data),
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"wrote {args.out}: case {case.reference} for {recipient.name} (logged as a disclosure)"
        )
    return 0


def run_transfer_import(args: argparse.Namespace) -> int:
    path = Path(args.packet)
    if not path.is_file():
        raise UserError(f"no such file: {args.packet}")
    _web(args.workspace)
    from safercity.web.cases import disclosure

    cohort = _cohort(args.cohort)
    agency = cohort.agencies.filter(name=args.referrer).first()
    if agency is None:
        raise UserError(f"{args.referrer!r} is not a member agency of the {cohort.short_name}")
    try:
        document = disclosure.read_packet(path.read_bytes())
        case, found = disclosure.import_packet(document, cohort, agency)
    except disclosure.TransferError as exc:
        raise UserError(f"{path}: {exc}") from None
    result = {
        "case": case.reference,
        "person": str(case.person_id),
        "possible_duplicates": len(found),
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"imported as {case.reference} (a new referral of the {cohort.short_name}); "
            f"{len(found)} possible duplicate(s) offered to the chair"
        )
    return 0


def run_subject_access(args: argparse.Namespace) -> int:
    _web(args.workspace)
    from django.core.exceptions import ValidationError

    from safercity.web.cases import disclosure
    from safercity.web.cases.models import Person

    try:
        person = Person.objects.filter(pk=args.person).first()
    except (ValueError, ValidationError):
        person = None
    if person is None:
        raise UserError(f"no person record {args.person}")
    document = disclosure.subject_access(None, person, cohorts=None, requested_by=args.requested_by)
    Path(args.out).write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        f"wrote {args.out} ({len(document['cases'])} case(s); logged as a disclosure)",
        file=sys.stderr,
    )
    return 0


def run_remind(args: argparse.Namespace) -> int:
    _web(args.workspace)
    from safercity.web.cases import meetings

    sent = meetings.remind(dry_run=args.dry_run)
    rows = [{"action": r.action_id, "case": r.case_reference, "to": r.to} for r in sent]
    if args.json:
        print_json({"dry_run": args.dry_run, "reminders": rows})
    else:
        print(f"{len(rows)} reminder(s) {'to send' if args.dry_run else 'sent'}")
        for r in rows:
            print(f"  {r['case']}  to {r['to']}")
    return 0


def run_figures(args: argparse.Namespace) -> int:
    _web(args.workspace)
    from safercity.web.cases import reporting
    from safercity.web.cases.models import Cohort

    cohorts = [_cohort(args.cohort)] if args.cohort else list(Cohort.objects.order_by("key"))
    out = {c.key: reporting.figures(c).as_dict() for c in cohorts}
    if args.json:
        print_json(out)
    else:
        for key, f in out.items():
            print(
                f"{key}: {f['size']} open, {sum(f['referrals_by_month'].values())} referrals, "
                f"median {f['median_days_to_first_panel']} days to first panel, "
                f"{f['actions_on_time']} of {f['actions_due']} actions on time"
            )
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from safercity.commands.demo import demo_password

    workspace = Path(args.workspace).resolve()
    password, _ = (args.password, False) if args.password else demo_password(workspace)
    _web(str(workspace))
    from safercity.web.cases import cohorts, demo

    cohorts.load_bundled()
    logins = demo.users(password)
    made = demo.load(seed=args.seed)
    if args.json:
        print_json({"loaded": made, "logins": [login.__dict__ for login in logins]})
        return 0
    if made["cases"]:
        print(
            f"Loaded SYNTHETIC case work: {made['people']} people, {made['cases']} cases, "
            f"{made['meetings']} meetings"
        )
    else:
        print("The synthetic case work was loaded before: demo users refreshed only.")
    print(f"Demo case-work logins (password: {password}):")
    for login in logins:
        print(f"  {login.username:<24} {login.role:<7} {login.cohort:<16} ({login.agency})")
    return 0
