"""Small readers the providers' fact mappers share: they take whatever a provider sent and give back a
plain value, never raising on odd but valid answers (a null, a number where text was expected, a list
where a dict was expected). Used by every provider module's `people_from` / `companies_from`."""

import math


def text(value):
    """A stripped string from text or a number; "" for anything else (None, bools, dicts, lists)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else str(value)
    return ""


def first(*values):
    """The first value that reads as non-empty text."""
    return next((text(value) for value in values if text(value)), "")


def record(value):
    """value when it is a dict, else an empty dict."""
    return value if isinstance(value, dict) else {}


def records(value):
    """The dicts of a list (other items skipped); [] when value is not a list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def dig(value, *keys):
    """value[k1][k2]... through dicts, or None as soon as a step is missing or not a dict."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def joined(*parts, separator=" "):
    return separator.join(text(part) for part in parts if text(part))


def unique(pairs):
    """Pairs without repeats (first one wins, compared on the lowercased first item), empty ones dropped."""
    seen, kept = set(), []
    for value, kind in pairs:
        key = value.lower()
        if value and key not in seen:
            seen.add(key)
            kept.append((value, kind))
    return tuple(kept)
