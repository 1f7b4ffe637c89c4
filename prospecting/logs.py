"""What Quarry writes to its run log: one line per client error, and never a token.

Three routes carry a secret in their path: the LookC webhook (the URL is its only authentication),
invitation links and password-reset links. Every record that reaches the console (Django, Celery,
gunicorn's access and error logs) passes through mask_tokens, which keeps the route and replaces the
token with ***.
"""

import logging
import re
from urllib.parse import unquote

MASK = "***"
TOKEN_IN_PATH = re.compile(
    r"(?P<route>/webhooks/lookc/|/invitations/accept/|/password/reset/[^/\s?#\"]+/)(?P<token>[^/\s?#\"]+)",
    re.IGNORECASE,
)
# After checking a reset link Django keeps its token in the session and redirects to this placeholder.
NOT_A_TOKEN = "set-password"


def _mask(match):
    token = match["token"]
    return match["route"] + (token if token == NOT_A_TOKEN else MASK)


def mask_tokens(text):
    masked = TOKEN_IN_PATH.sub(_mask, text)
    # A percent-encoded route (/webhooks/look%63/...) reaches the same view, so look at the decoded
    # text too; when it holds a token, log the decoded text, masked, with anything unprintable that
    # the decoding produced (a newline would forge a log line) replaced.
    if "%" in masked:
        decoded = unquote(masked)
        decoded_masked = TOKEN_IN_PATH.sub(_mask, decoded)
        if decoded_masked != decoded:
            return "".join(c if c.isprintable() else "?" for c in decoded_masked)
    return masked


class MaskTokens(logging.Filter):
    """Masks tokens in a record's message and in its traceback."""

    def filter(self, record):
        record.msg = mask_tokens(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True


class OneLineForClientErrors(logging.Filter):
    """Django logs a 403 (PermissionDenied) or a 400 (SuspiciousOperation) with the exception's full
    traceback. Those are the client's mistakes, answered as designed: the one line (status, reason,
    path) says all there is. Tracebacks stay for 5xx, where they are needed."""

    def filter(self, record):
        if record.name.startswith("django.") and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
