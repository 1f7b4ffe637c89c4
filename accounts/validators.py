"""Text that people type and other people read: names and email addresses carry no control characters."""

import unicodedata

from django.core.exceptions import ValidationError

# Bidirectional overrides and isolates reorder the text after them, so a name could read as another one.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control_character(char):
    # Cc: C0 and C1 controls (NUL, BEL, ESC, CR, LF, TAB, DEL...); Zl, Zp: line and paragraph separators.
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS


def reject_control_characters(value):
    if any(is_control_character(char) for char in value):
        raise ValidationError(
            "Remove the control characters (line breaks, tabs or other invisible characters): "
            "only letters, digits, spaces and punctuation are allowed here.",
            code="control_characters",
        )


def without_control_characters(value):
    """`value` with each control character shown as �, for recording what someone typed."""
    return "".join("\ufffd" if is_control_character(char) else char for char in value)
