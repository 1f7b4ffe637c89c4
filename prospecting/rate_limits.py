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

# Windows and counts the limiter accepts (the key form and the limiter refuse the rest): beyond them a
# spec is a typo, and a window of years would keep a Redis key and hold calls back for as long.
MAX_COUNT = 1_000_000
MAX_WINDOW_SECONDS = 86_400


def parse_rate_limits(text):
    windows = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        shown = part.strip() if len(part.strip()) <= 30 else part.strip()[:30] + "…"
        match = _WINDOW.match(part.lower())
        unit = match and (_UNITS.get(match.group(3)) or _UNITS.get(match.group(3) + "s"))
        if not match or unit is None:
            raise ValidationError(
                f"“{shown}” is not a rate limit: write requests/period, e.g. 1/3s, 40/min, 100/day."
            )
        # Digits are capped first: int() of thousands of digits raises.
        count = int(match.group(1)) if len(match.group(1)) <= 9 else 10**9
        seconds = (int(match.group(2) or 1) if len(match.group(2)) <= 9 else 10**9) * unit
        if not 1 <= count <= MAX_COUNT:
            raise ValidationError(
                f"“{shown}”: the number of requests must be between 1 and 1,000,000 per period."
            )
        if not 1 <= seconds <= MAX_WINDOW_SECONDS:
            raise ValidationError(
                f"“{shown}”: the period must be between 1 second and 1 day, e.g. 1/3s, 40/min, 100/day."
            )
        windows.append([count, seconds])
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
