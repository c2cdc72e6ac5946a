"""People: creating them (after a search for duplicates), their names and addresses, finding
them by name, and merging two records of one person (undoable)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safercity.cases import duplicates as dup
from safercity.cases import names

from . import access
from .models import DETAIL_FIELDS, Address, Case, LinkedPerson, Person, PersonMerge, PersonName

#: most candidates scored for one duplicate or name search
MAX_CANDIDATES = 2000


def index_name(name: PersonName) -> PersonName:
    keys = dup.blocking_keys(name.given_name, name.family_name)
    name.family_fold = keys["family_fold"]
    name.family_sound = keys["family_sound"]
    name.given_canonical = keys["given_canonical"]
    return name


def sync_primary_name(person: Person) -> None:
    """The person's own name is also a row of their names (so search reads one table)."""
    row = person.names.filter(kind=PersonName.Kind.PRIMARY).first() or PersonName(
        person=person, kind=PersonName.Kind.PRIMARY
    )
    if (row.given_name, row.family_name) != (
        person.given_name,
        person.family_name,
    ) or row._state.adding:
        row.given_name, row.family_name = person.given_name, person.family_name
        index_name(row).save()


def sync_postcode(person: Person) -> None:
    current = person.addresses.filter(moved_out__isnull=True).order_by("-moved_in").first()
    code = names.postcode(current.postcode) if current else None
    value = code.text if code else ""
    if person.postcode != value:
        person.postcode = value
        person.save(update_fields=["postcode", "updated_at"])


@transaction.atomic
def create(data: dict[str, Any], *, synthetic: bool = False) -> Person:
    person = Person(**data, synthetic=synthetic)
    person.save()
    sync_primary_name(person)
    return person


@transaction.atomic
def update(person: Person, data: dict[str, Any]) -> Person:
    for key, value in data.items():
        setattr(person, key, value)
    person.save()
    sync_primary_name(person)
    return person


def add_name(person: Person, given: str, family: str, kind: str) -> PersonName:
    row = index_name(PersonName(person=person, given_name=given, family_name=family, kind=kind))
    row.save()
    return row


def add_address(person: Person, data: dict[str, Any]) -> Address:
    code = names.postcode(data.get("postcode", ""))
    if code is not None:
        data = {**data, "postcode": code.text}
    address = Address.objects.create(person=person, **data)
    sync_postcode(person)
    return address


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Query:
    given: str = ""
    family: str = ""
    born: dt.date | None = None
    postcode: str = ""

    def as_matching(self) -> dup.PersonForMatching:
        code = names.postcode(self.postcode)
        return dup.PersonForMatching(
            "", [dup.Name(self.given, self.family)], self.born, code.text if code else ""
        )


def _next_prefix(prefix: str) -> str:
    """The first string after every string starting with ``prefix`` ('smi' → 'smj')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def candidate_ids(query: Query) -> set[Any]:
    """Who might match, from indexed columns only (a few small queries, whoever can see them):
    a name of the same family-name sound or the same first three letters (or, with no family
    name, the same given name), the same date of birth, or the same postcode."""
    keys = dup.blocking_keys(query.given, query.family)
    ids: set[Any] = set()
    names_rows = PersonName.objects.all()
    if keys["family_fold"]:
        prefix = keys["family_fold"][:3]
        by_name = Q(family_sound=keys["family_sound"]) | Q(
            family_fold__gte=prefix, family_fold__lt=_next_prefix(prefix)
        )
        ids |= set(names_rows.filter(by_name).values_list("person_id", flat=True)[:MAX_CANDIDATES])
    elif keys["given_canonical"]:
        ids |= set(
            names_rows.filter(given_canonical=keys["given_canonical"]).values_list(
                "person_id", flat=True
            )[:MAX_CANDIDATES]
        )
    if query.born is not None:
        ids |= set(Person.objects.filter(date_of_birth=query.born).values_list("pk", flat=True))
    code = names.postcode(query.postcode)
    if code is not None:
        ids |= set(Person.objects.filter(postcode=code.text).values_list("pk", flat=True))
    return ids


def _candidates(query: Query, seen: access.Access | None) -> list[dup.PersonForMatching]:
    """The candidates the user may see (``seen``; None: everyone, for imports run by an
    administrator), as plain values for matching: the need-to-know filter runs on the few
    candidates, not on every person, and no model is built for a candidate not kept."""
    ids = candidate_ids(query)
    if seen is not None:
        ids = access.visible_people_among(seen, ids)
    if not ids:
        return []
    # by primary key alone: "merged_into IS NULL" in the query makes SQLite use that index
    # (every current person is NULL there) instead of the primary key's
    rows = Person.objects.filter(pk__in=ids).values_list(
        "pk", "given_name", "family_name", "date_of_birth", "postcode", "merged_into_id"
    )
    known: dict[Any, list[dup.Name]] = {}
    for person_id, given, family in PersonName.objects.filter(person_id__in=ids).values_list(
        "person_id", "given_name", "family_name"
    ):
        known.setdefault(person_id, []).append(dup.Name(given, family))
    return [
        dup.PersonForMatching(str(pk), known.get(pk) or [dup.Name(given, family)], born, code)
        for pk, given, family, born, code, merged in rows
        if merged is None
    ]


@dataclass(frozen=True)
class Found:
    person: Person
    match: dup.Match


def search(
    query: Query, seen: access.Access | None, *, at_least: float = 0.5, limit: int = 50
) -> list[Found]:
    """People the user may see (``seen``; None: everyone) who match ``query``, best first."""
    ranked = dup.rank(query.as_matching(), _candidates(query, seen), at_least=at_least, limit=limit)
    people = Person.objects.in_bulk([m.id for m in ranked])
    return [Found(people[UUID(m.id)], m) for m in ranked]


def likely_duplicates(query: Query, seen: access.Access | None) -> list[Found]:
    """Possible and likely duplicates of a person about to be created."""
    return search(query, seen, at_least=dup.POSSIBLE, limit=10)


# --------------------------------------------------------------------------- merging


@transaction.atomic
def merge(kept: Person, merged: Person, by: Any) -> PersonMerge:
    """Make ``merged`` part of ``kept``: its cases, links, names and addresses move over,
    its name becomes one of ``kept``'s names, and ``merged`` is marked merged (not deleted),
    so :func:`unmerge` can put everything back."""
    if kept.pk == merged.pk:
        raise ValueError("a record cannot be merged with itself")
    if kept.merged_into_id or merged.merged_into_id:
        raise ValueError("one of the records is already merged")
    moved: dict[str, list[str]] = {
        "cases": [str(pk) for pk in merged.cases.values_list("pk", flat=True)],
        "links": [str(pk) for pk in merged.links.values_list("pk", flat=True)],
        "names": [
            str(pk)
            for pk in merged.names.exclude(kind=PersonName.Kind.PRIMARY).values_list(
                "pk", flat=True
            )
        ],
        "addresses": [str(pk) for pk in merged.addresses.values_list("pk", flat=True)],
    }
    Case.objects.filter(pk__in=moved["cases"]).update(person=kept)
    # a link to a case that already links the kept person is dropped (it would be a twin)
    twins = LinkedPerson.objects.filter(
        pk__in=moved["links"], case__linked_people__person=kept
    ).values_list("pk", flat=True)
    moved["links"] = [pk for pk in moved["links"] if pk not in {str(t) for t in twins}]
    LinkedPerson.objects.filter(pk__in=moved["links"]).update(person=kept)
    PersonName.objects.filter(pk__in=moved["names"]).update(person=kept)
    Address.objects.filter(pk__in=moved["addresses"]).update(person=kept)
    alias = add_name(kept, merged.given_name, merged.family_name, PersonName.Kind.SPELLING)
    moved["alias"] = [str(alias.pk)]
    for name in DETAIL_FIELDS:
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            moved.setdefault("filled", []).append(name)
    kept.save()
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    sync_postcode(kept)
    return PersonMerge.objects.create(kept=kept, merged=merged, moved=moved, by=by)


@transaction.atomic
def unmerge(record: PersonMerge) -> None:
    if record.undone_at is not None:
        raise ValueError("this merge has been undone already")
    kept, merged, moved = record.kept, record.merged, record.moved
    Case.objects.filter(pk__in=moved.get("cases", [])).update(person=merged)
    LinkedPerson.objects.filter(pk__in=moved.get("links", [])).update(person=merged)
    PersonName.objects.filter(pk__in=moved.get("names", [])).update(person=merged)
    Address.objects.filter(pk__in=moved.get("addresses", [])).update(person=merged)
    PersonName.objects.filter(pk__in=moved.get("alias", [])).delete()
    for name in moved.get("filled", []):
        setattr(kept, name, "" if name != "date_of_birth" else None)
    kept.save()
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    sync_postcode(kept)
    sync_postcode(merged)
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at", "updated_at"])
