"""Disclosures: a case printed or exported, transferred to another partnership, or everything
held on a person for a subject access request. Each is logged with its purpose and recipient
(Data Protection Act 2018 s.62); a transfer only to an agency an information-sharing agreement
in force allows.

A transfer packet is a zip of ``case.json`` (the case, its person as the cohort collects them,
minutes and open actions), ``case.pdf`` (the same, to read) and ``manifest.json`` (the
packet's id, what sent it, and the SHA-256 of each file), imported on the other side by
``safercity cases transfer-import``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from safercity import __version__
from safercity.web.accounts.models import Agency, User
from safercity.web.audit import services as audit
from safercity.web.audit.models import AuditEvent

from . import casework
from . import cohorts as cohort_services
from . import people as people_services
from .models import DETAIL_FIELDS, Action, Case, Cohort, Person, PossibleDuplicate

PACKET_FORMAT = "safercity-case-transfer/1"
MAX_PACKET_BYTES = 20 * 1024 * 1024


class TransferError(ValueError):
    """A packet that cannot be imported; the message says why."""


def _person(person: Person, fields: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "synthetic": person.synthetic,
    }
    for name in DETAIL_FIELDS:
        if name in fields and getattr(person, name):
            value = getattr(person, name)
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
    if "aliases" in fields:
        out["other_names"] = [
            {"kind": n.kind, "given_name": n.given_name, "family_name": n.family_name}
            for n in person.names.exclude(kind="primary")
        ]
    if "address" in fields:
        out["addresses"] = [
            {
                "kind": a.kind,
                "line1": a.line1,
                "line2": a.line2,
                "town": a.town,
                "postcode": a.postcode,
                "moved_in": a.moved_in.isoformat() if a.moved_in else None,
                "moved_out": a.moved_out.isoformat() if a.moved_out else None,
            }
            for a in person.addresses.all()
        ]
    return out


def case_record(case: Case, *, restricted: bool, open_actions_only: bool = False) -> dict[str, Any]:
    """The case as a document: referral, status history, minutes, actions, links (linked
    people by relationship only: their details are theirs)."""
    spec = case.cohort.spec
    labels = {f.key: f.label for f in spec.form}
    actions = case.actions.select_related("agency")
    if open_actions_only:
        actions = actions.filter(status=Action.Status.OPEN)
    return {
        "reference": case.reference,
        "cohort": {"key": case.cohort.key, "name": case.cohort.name},
        "status": case.status_label,
        "referred_on": case.referred_on.isoformat(),
        "referring_agency": case.referring_agency.name,
        "referral_reason": case.referral_reason,
        "consent": case.get_consent_display(),
        "legal_basis_without_consent": case.legal_basis,
        "answers": {labels.get(k, k): v for k, v in case.answers.items()},
        "restricted_answers": (
            {labels.get(k, k): v for k, v in case.restricted_answers.items()} if restricted else {}
        ),
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "next_review_on": case.next_review_on.isoformat() if case.next_review_on else None,
        "ended_on": case.ended_on.isoformat() if case.ended_on else None,
        "end_reason": case.end_reason,
        "exit_plan": case.exit_plan,
        "outcome": case.outcome,
        "history": [
            {"on": h.on.isoformat(), "from": h.from_status, "to": h.to_status, "reason": h.reason}
            for h in case.history.all()
        ],
        "minutes": [
            {
                "meeting": m.meeting.date.isoformat(),
                "discussion": m.discussion,
                "decisions": m.decisions,
                **({"health_notes": m.health_notes} if restricted and m.health_notes else {}),
            }
            for m in case.minutes.select_related("meeting")
        ],
        "actions": [
            {
                "agency": a.agency.name,
                "description": a.description,
                "due_on": a.due_on.isoformat(),
                "status": a.get_status_display(),
            }
            for a in actions
        ],
        "linked_people": [link.get_relationship_display() for link in case.linked_people.all()],
        "linked_places": [
            {"kind": p.get_kind_display(), "description": p.description, "postcode": p.postcode}
            for p in case.linked_places.all()
        ],
    }


def _pdf(title: str, document: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("cases/print.html", {"title": title, "document": document})
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def export_case(
    request: Any, case: Case, *, purpose: str, recipient: str, restricted: bool, fmt: str
) -> tuple[bytes, str, str]:
    """The case as PDF or JSON for a stated purpose and recipient (logged)."""
    document = {
        "person": _person(case.person, set(case.cohort.spec.person_fields)),
        "case": case_record(case, restricted=restricted),
        "synthetic": case.synthetic,
    }
    audit.record(
        request,
        "disclose",
        case,
        summary=f"exported {case} as {fmt.upper()}",
        purpose=purpose,
        recipient=recipient,
    )
    if fmt == "json":
        return (
            json.dumps(document, indent=2, ensure_ascii=False).encode(),
            "application/json",
            f"{case.reference}.json",
        )
    return _pdf(f"Case {case.reference}", document), "application/pdf", f"{case.reference}.pdf"


def transfer_recipients(cohort: Cohort) -> list[Agency]:
    """Who a case of the cohort can be transferred to: the agencies it shares with."""
    return list(cohort.share_with.all())


def transfer_packet(
    request: Any, case: Case, recipient: Agency, purpose: str, by: User
) -> tuple[bytes, str]:
    """A transfer packet for ``recipient``: refused unless an agreement in force allows it."""
    day = timezone.localdate()
    if recipient not in transfer_recipients(case.cohort):
        raise casework.CaseRuleError(
            f"the {case.cohort.short_name} does not transfer cases to {recipient}"
        )
    decision = cohort_services.may_share(case.cohort, recipient, day, category="referral")
    if not decision.allowed:
        raise casework.CaseRuleError(f"no transfer to {recipient}: {decision.reason}")
    packet_id = str(uuid.uuid4())
    document = {
        "format": PACKET_FORMAT,
        "packet": packet_id,
        "sent_by": {"agency": by.agency.name if by.agency else "", "user": by.get_full_name()},
        "recipient": recipient.name,
        "purpose": purpose,
        "sent_at": timezone.now().isoformat(),
        "synthetic": case.synthetic,
        "person": _person(case.person, set(case.cohort.spec.person_fields)),
        "case": case_record(case, restricted=True, open_actions_only=True),
    }
    files = {
        "case.json": json.dumps(document, indent=2, ensure_ascii=False).encode(),
        "case.pdf": _pdf(f"Transfer of case {case.reference}", document),
    }
    manifest = {
        "format": PACKET_FORMAT,
        "packet": packet_id,
        "software": f"SaferCity {__version__}",
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    audit.record(
        request,
        "disclose",
        case,
        summary=f"transferred {case} (packet {packet_id}) {decision.reason}",
        purpose=purpose,
        recipient=recipient.name,
    )
    return buffer.getvalue(), f"transfer-{case.reference}.zip"


def read_packet(data: bytes) -> dict[str, Any]:
    """The packet's ``case.json``, after checking the zip and the manifest's hashes."""
    if len(data) > MAX_PACKET_BYTES:
        raise TransferError("the packet is larger than 20 MB: not a case transfer")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
        if not {"manifest.json", "case.json"} <= names:
            raise TransferError("the packet has no manifest.json or case.json")
        for info in zf.infolist():
            if info.file_size > MAX_PACKET_BYTES:
                raise TransferError(f"{info.filename} is larger than 20 MB")
        manifest = json.loads(zf.read("manifest.json"))
        for name, digest in manifest.get("files", {}).items():
            if name not in names or hashlib.sha256(zf.read(name)).hexdigest() != digest:
                raise TransferError(f"{name} does not match the packet's manifest (changed?)")
        document: dict[str, Any] = json.loads(zf.read("case.json"))
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError) as exc:
        raise TransferError(f"not a case transfer packet ({type(exc).__name__})") from None
    if document.get("format") != PACKET_FORMAT or manifest.get("packet") != document.get("packet"):
        raise TransferError(f"not a {PACKET_FORMAT} packet")
    return document


@transaction.atomic
def import_packet(
    document: dict[str, Any],
    cohort: Cohort,
    referring_agency: Agency,
    *,
    person: Person | None = None,
) -> tuple[Case, list[people_services.Found]]:
    """Make the transferred case a new referral of ``cohort`` (on this side). A new person
    record is made unless ``person`` is given; likely duplicates are recorded for the chair to
    merge."""
    packet = str(document["packet"])
    if Case.objects.filter(transferred_from=packet).exists():
        raise TransferError(f"packet {packet} has been imported already")
    p = document.get("person", {})
    found: list[people_services.Found] = []
    if person is None:
        born = dt.date.fromisoformat(p["date_of_birth"]) if p.get("date_of_birth") else None
        query = people_services.Query(
            p.get("given_name", ""),
            p.get("family_name", ""),
            born,
            next((a["postcode"] for a in p.get("addresses", []) if not a.get("moved_out")), ""),
        )
        found = people_services.likely_duplicates(query, None)
        names_and_details = ("given_name", "family_name", *DETAIL_FIELDS)
        fields = {k: p[k] for k in names_and_details if p.get(k) and k != "date_of_birth"}
        person = people_services.create(
            {**fields, "date_of_birth": born}, synthetic=bool(document.get("synthetic"))
        )
        for n in p.get("other_names", []):
            people_services.add_name(person, n.get("given_name", ""), n["family_name"], n["kind"])
        for a in p.get("addresses", []):
            people_services.add_address(
                person,
                {
                    "kind": a.get("kind", "home"),
                    "line1": a.get("line1", ""),
                    "line2": a.get("line2", ""),
                    "town": a.get("town", ""),
                    "postcode": a.get("postcode", ""),
                    "moved_in": dt.date.fromisoformat(a["moved_in"]) if a.get("moved_in") else None,
                    "moved_out": dt.date.fromisoformat(a["moved_out"])
                    if a.get("moved_out")
                    else None,
                },
            )
        for f in found:
            PossibleDuplicate.objects.create(
                person=person,
                other=f.person,
                score=f.match.score,
                reasons=", ".join(f.match.reasons),
            )
    c = document["case"]
    history = "\n".join(
        f"- {m['meeting']}: {m['discussion']}"
        + (f" Decisions: {m['decisions']}" if m.get("decisions") else "")
        for m in c.get("minutes", [])
    )
    actions = "\n".join(
        f"- {a['agency']}: {a['description']} (due {a['due_on']})" for a in c.get("actions", [])
    )
    reason = (
        f"Transferred from {document.get('sent_by', {}).get('agency', 'another partnership')} "
        f"({c['cohort']['name']}, {c['reference']}), sent {document.get('sent_at', '')[:10]}.\n\n"
        f"Original referral: {c.get('referral_reason', '')}"
        + (f"\n\nMinutes:\n{history}" if history else "")
        + (f"\n\nOpen actions:\n{actions}" if actions else "")
    )
    spec = cohort.spec
    consent = Case.Consent.NOT_SOUGHT if spec.consent.approach != "required" else Case.Consent.GIVEN
    basis = spec.consent.without_consent[0] if spec.consent.without_consent else ""
    case = casework.refer(
        casework.Referral(
            cohort=cohort,
            person=person,
            referred_on=timezone.localdate(),
            referring_agency=referring_agency,
            reason=reason,
            consent=consent,
            legal_basis=basis,
            answers={},
        ),
        by=None,
        synthetic=bool(document.get("synthetic")),
    )
    case.transferred_from = packet
    case.save(update_fields=["transferred_from", "updated_at"])
    audit.record(None, "create", case, summary=f"imported transfer packet {packet} as {case}")
    return case, found


# --------------------------------------------------------------------------- subject access


def subject_access(
    request: Any, person: Person, *, cohorts: list[Cohort] | None, requested_by: str
) -> dict[str, Any]:
    """Everything held on ``person`` (in ``cohorts``; None: every cohort), for a subject
    access request: their details, every case with answers, minutes and actions, linked people
    by relationship only (third parties' details are not the subject's), and who the record
    was disclosed to. Logged as a disclosure to the data subject."""
    cases = Case.objects.filter(person=person).select_related("cohort", "referring_agency")
    if cohorts is not None:
        cases = cases.filter(cohort__in=cohorts)
    fields: set[str] = set()
    for case in cases:
        fields |= set(case.cohort.spec.person_fields)
    if cohorts is None:
        from safercity.cases.config import PERSON_FIELDS

        fields = set(PERSON_FIELDS)
    disclosures = AuditEvent.objects.filter(subject=str(person.pk), action="disclose").order_by(
        "created_at"
    )
    document = {
        "prepared": timezone.now().isoformat(),
        "scope": "every cohort" if cohorts is None else ", ".join(c.short_name for c in cohorts),
        "person": _person(person, fields),
        "cases": [case_record(c, restricted=True) for c in cases],
        "linked_to_cases_as": [
            {"case": link.case.reference, "relationship": link.get_relationship_display()}
            for link in person.links.select_related("case")
            if cohorts is None or link.case.cohort in cohorts
        ],
        "recipients": [
            {"on": e.created_at.date().isoformat(), "recipient": e.recipient, "purpose": e.purpose}
            for e in disclosures
        ],
    }
    audit.record(
        request,
        "disclose",
        person,
        summary=f"subject access export of {person} ({document['scope']})",
        purpose="subject access request (UK GDPR article 15)",
        recipient=requested_by,
    )
    return document
