"""Which models are audited, and which hold personal data (every view of one is logged)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Audited:
    personal: bool = False
    ignore_fields: frozenset[str] = field(default_factory=frozenset)
    #: for a personal model: the fields whose old and new values a change row may show
    shown_values: frozenset[str] = field(default_factory=frozenset)


_REGISTRY: dict[type[models.Model], Audited] = {}


def register(
    model: type[models.Model],
    *,
    personal: bool = False,
    ignore_fields: set[str] | None = None,
    shown_values: set[str] | None = None,
) -> None:
    _REGISTRY[model] = Audited(
        personal=personal,
        ignore_fields=frozenset(ignore_fields or ()),
        shown_values=frozenset(shown_values or ()),
    )


def audited(model: type[models.Model]) -> Audited | None:
    return _REGISTRY.get(model)


def is_personal(obj: models.Model) -> bool:
    entry = _REGISTRY.get(type(obj))
    return bool(entry and entry.personal)


def audited_models() -> list[type[models.Model]]:
    return list(_REGISTRY)
