"""Rate-limit windows of a provider key, written the way plans state them: "1/3s", "25/s, 40/min, 100/day".

Stored on the key as a list of [requests, seconds] pairs; every window applies at once.
"""

import re

from django.core.exceptions import ValidationError

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_WINDOW = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


def parse_rate_limits(text):
    windows = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _WINDOW.match(part.lower())
        unit = match and (_UNITS.get(match.group(3)) or _UNITS.get(match.group(3) + "s"))
        if not match or unit is None or int(match.group(1)) < 1 or int(match.group(2) or 1) < 1:
            raise ValidationError(
                f"“{part.strip()}” is not a rate limit: write requests/period, e.g. 1/3s, 40/min, 100/day."
            )
        windows.append([int(match.group(1)), int(match.group(2) or 1) * unit])
    return sorted(windows, key=lambda window: window[1])


def format_rate_limits(windows):
    names = {1: "s", 60: "min", 3600: "h", 86400: "day"}
    parts = []
    for count, seconds in windows or []:
        if seconds in names:
            parts.append(f"{count}/{names[seconds]}")
        else:
            parts.append(f"{count}/{seconds}s")
    return ", ".join(parts)
