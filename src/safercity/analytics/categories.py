"""The police.uk crime categories: one vocabulary for CSV names, API slugs and local offences.

police.uk publishes street-level crime in these categories (https://data.police.uk/docs/method/crime-street/).
CSV files use the names, the API uses the slugs. Two categories were split in 2013
("Violent crime" became part of "Violence and sexual offences"; "Public disorder and weapons"
became "Public order" and "Possession of weapons"); the old names are kept so older files import.
"""

from __future__ import annotations

import re

#: slug -> canonical police.uk category name
CATEGORIES: dict[str, str] = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
    "other-crime": "Other crime",
    # Categories retired in 2013, still found in older releases.
    "public-disorder-weapons": "Public disorder and weapons",
}

#: the category names in police.uk's own order
CATEGORY_NAMES: tuple[str, ...] = tuple(dict.fromkeys(CATEGORIES.values()))

#: slug for each canonical name (the API's "violent-crime" for violence and sexual offences)
SLUGS: dict[str, str] = {name: slug for slug, name in CATEGORIES.items()}

_ALIASES: dict[str, str] = {
    "violence and sexual offences": "Violence and sexual offences",
    "violent crime": "Violence and sexual offences",
    "violence-and-sexual-offences": "Violence and sexual offences",
    "criminal damage & arson": "Criminal damage and arson",
    "asb": "Anti-social behaviour",
    "antisocial behaviour": "Anti-social behaviour",
    "anti social behaviour": "Anti-social behaviour",
    "theft from person": "Theft from the person",
    "weapons": "Possession of weapons",
}


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


_LOOKUP: dict[str, str] = {}
for _slug, _name in CATEGORIES.items():
    _LOOKUP[_key(_slug)] = _name
    _LOOKUP[_key(_name)] = _name
for _alias, _name in _ALIASES.items():
    _LOOKUP[_key(_alias)] = _name


def normalise_category(text: str) -> str | None:
    """Return the canonical police.uk category for a CSV name, API slug or alias, else None.

    >>> normalise_category("violent-crime")
    'Violence and sexual offences'
    >>> normalise_category("  Anti-social behaviour ")
    'Anti-social behaviour'
    >>> normalise_category("Fraud") is None
    True
    """
    return _LOOKUP.get(_key(text))


def category_lookup_table() -> list[tuple[str, str]]:
    """All (lower-case spelling, canonical name) pairs, for lookups inside DuckDB."""
    return sorted(_LOOKUP.items())
