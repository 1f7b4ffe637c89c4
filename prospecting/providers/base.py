"""The contract every provider client keeps, the errors they raise, and the one HTTP helper.

A client is built from a decrypted key and the key's options; it knows nothing of models, teams or
credits. Each public method makes exactly one HTTP call and returns a `Result` (the parsed payload and
a `Call` describing the exchange) or raises one of the `ProviderError` classes below, which carry the
same `Call`. Callers decide whether to retry from `permanent` and `retry_after` alone.
"""

import email.utils
import http.cookiejar
import json
import math
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings

# --- Errors ------------------------------------------------------------------------------------


class ProviderError(Exception):
    """A provider call that did not give a usable answer.

    permanent: repeating the same call cannot succeed (bad key, no credits, invalid input...).
    retry_after: seconds to wait before trying again, when the provider said so.
    maybe_billed: the request reached the provider and its outcome is unknown (a read timeout), so it
        must not be blindly repeated.
    """

    code = "error"
    permanent = True
    default_message = "The provider refused the request."

    def __init__(
        self,
        message="",
        *,
        status=None,
        retry_after=None,
        provider_code="",
        call=None,
        maybe_billed=False,
        permanent=None,
        request_id="",
    ):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.status = status
        self.retry_after = retry_after
        self.provider_code = provider_code
        self.call = call
        self.maybe_billed = maybe_billed
        self.request_id = request_id
        if permanent is not None:
            self.permanent = permanent

    def __str__(self):
        return self.message


class KeyRejected(ProviderError):
    code = "key_rejected"
    default_message = "The provider rejected the API key: check it, or replace it in Provider keys."


class OutOfCredits(ProviderError):
    code = "out_of_credits"
    default_message = (
        "The provider says the account is out of credits or quota: top up, or wait for the reset."
    )


class RateLimited(ProviderError):
    code = "rate_limited"
    permanent = False
    default_message = "The provider's rate limit was reached; Quarry will wait before calling again."


class NotFound(ProviderError):
    code = "not_found"
    default_message = "The provider has no record for this."


class Pending(ProviderError):
    """The provider accepted the request and will answer later (Lix `queued`, LookC async)."""

    code = "pending"
    permanent = False
    default_message = "The provider is still working on this; the result will come later."


class LegalRefusal(ProviderError):
    code = "legal_refusal"
    default_message = "The provider may not share this record for legal reasons (e.g. GDPR)."


class InvalidInput(ProviderError):
    code = "invalid_input"
    default_message = "The provider refused the input as invalid."


class ProviderUnavailable(ProviderError):
    code = "unavailable"
    permanent = False
    default_message = "The provider is unavailable right now; try again in a few minutes."


class MalformedResponse(ProviderError):
    code = "malformed_response"
    permanent = False
    default_message = "The provider sent an answer Quarry could not read."


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Call:
    """One HTTP exchange, as the call log records it (never with the secret)."""

    provider: str
    endpoint: str
    method: str
    url: str
    status: int | None = None
    duration_ms: int = 0
    request_id: str = ""
    headers: dict = field(default_factory=dict)
    # Seconds before the next call with this key, when the provider's headers say so (Lusha quotas).
    retry_after: float | None = None
    # Billable units the request asked for, where a provider bills per page or per block of results
    # (LinkUp); billing.py prices them.
    units: int = 1


@dataclass
class Result:
    data: Any
    call: Call
    # Set by Quarry's call service: the call log row of this call (clients know no models).
    log: Any = None


# The headers that carry a key, of every provider (providers.md "Auth").
AUTH_HEADER_NAMES = ("authorization", "x-api-key", "api_key")

# The longest wait any provider's header can impose on us; anything beyond is a malformed header.
MAX_RETRY_AFTER = 86400.0


def never_sent(exc):
    """True when a requests failure happened while connecting, before any byte reached the provider."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError) or isinstance(exc, requests.ReadTimeout):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.SSLError)


def parse_retry_after(value, *, now=None):
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. None if unreadable."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return min(max(0.0, seconds), MAX_RETRY_AFTER) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - (now or datetime.now(UTC))).total_seconds()), MAX_RETRY_AFTER)


def error_for_status(status, message="", **kwargs):
    """The generic mapping of an HTTP error status; provider modules refine it from the body."""
    if status in (401, 403):
        return KeyRejected(message, status=status, **kwargs)
    if status == 402:
        return OutOfCredits(message, status=status, **kwargs)
    if status == 404:
        return NotFound(message, status=status, **kwargs)
    if status == 429:
        return RateLimited(message, status=status, **kwargs)
    if status == 451:
        return LegalRefusal(message, status=status, **kwargs)
    if status is not None and status >= 500:
        return ProviderUnavailable(message, status=status, **kwargs)
    return InvalidInput(message, status=status, **kwargs)


# --- Connections -------------------------------------------------------------------------------

_pool = threading.local()


def pooled_session(url):
    """One requests.Session per process, thread and provider host, so calls reuse their connection
    (one TLS handshake per host, not per call). Per thread, because a Session is not guaranteed
    thread-safe; per process, because a forked child (Celery prefork, gunicorn) must not share its
    parent's sockets: the pid is checked, and a child starts with sessions of its own."""
    if getattr(_pool, "pid", None) != os.getpid():
        _pool.pid, _pool.sessions = os.getpid(), {}
    origin = urlsplit(url)[:2]
    if origin not in _pool.sessions:
        session = requests.Session()
        # Shared by every team's keys for this host: never keep a cookie from one call for the next.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        _pool.sessions[origin] = session
    return _pool.sessions[origin]


# --- Clients -----------------------------------------------------------------------------------


class BaseClient:
    """Subclasses set `slug` and `base_url_setting`, and implement `auth_headers`, `error_from`,
    `check` and `balances`; their endpoint methods call `self.request`."""

    slug = ""
    base_url_setting = ""
    # The provider's facts, stated in its module (providers.md): the documented default rate limits, which a
    # team overrides with its plan's ("25/s, 300/min"); endpoints limited on their own, on top of the key's
    # limits ({endpoint: (bucket, limits)}); the options a key takes, with their defaults.
    default_rate_limits = ""
    endpoint_rate_limits = {}
    default_options = {}

    @classmethod
    def balance_endpoints(cls):
        """The calls that together make up this provider's balances."""
        return (cls.balances,)

    @classmethod
    def key_format_error(cls, secret):
        """Why `secret` cannot be a key of this provider, or "" when it can. Keys travel in HTTP headers,
        which hold Latin-1 at most, and no provider documents keys with spaces or control characters, so
        every key is printable ASCII without spaces; a provider adds its own documented format."""
        if not secret:
            return "Paste the API key."
        if not (secret.isascii() and secret.isprintable()) or any(char.isspace() for char in secret):
            return (
                "This key contains a space, a control character or a character outside plain ASCII "
                "(such as “€”), which API keys never do: copy it again from the provider's dashboard."
            )
        return ""

    @staticmethod
    def issued_key(token):
        """A key as this provider issues it, made from random printable text (for sandbox keys)."""
        return token

    def __init__(self, secret, options=None, *, session=None, urls=None):
        if not secret:
            raise KeyRejected("No API key is configured for this provider.")
        self.secret = secret
        self.options = options or {}
        self.session = session  # None: the process's pooled session for each host
        # Base URLs by setting name: the configured hosts, or the sandbox's for a sandbox key.
        self.urls = urls or settings.PROVIDER_URLS

    def __repr__(self):
        return f"<{type(self).__name__}>"  # never the secret

    @property
    def base_url(self):
        return self.urls[self.base_url_setting].rstrip("/")

    def auth_headers(self):
        raise NotImplementedError

    def request(
        self, method, path, *, endpoint, params=None, json_body=None, headers=None, url=None, units=1
    ):
        """Send one request and return its Result, or raise a ProviderError carrying the Call."""
        url = url or f"{self.base_url}{path}"
        call = Call(provider=self.slug, endpoint=endpoint, method=method, url=url, units=units)
        headers = {"Accept": "application/json", **self.auth_headers(), **(headers or {})}
        refuse_unsendable_headers(headers)
        started = time.monotonic()
        try:
            response = (self.session or pooled_session(url)).request(
                method, url, params=params, json=json_body, timeout=settings.PROVIDER_TIMEOUT, headers=headers
            )
        except UnicodeError:
            # requests encodes URLs and bodies itself; anything it still cannot encode was never sent.
            raise InvalidInput("Quarry could not encode this request, so it was not sent.") from None
        except requests.RequestException as exc:
            call.duration_ms = int((time.monotonic() - started) * 1000)
            # Only a failure to connect proves the provider never saw the request; after that (a read
            # timeout, a dropped connection, a broken body) it may have been billed and must not be
            # blindly repeated.
            reached = not never_sent(exc)
            raise ProviderUnavailable(
                "The provider did not answer properly." if reached else "Quarry could not reach it.",
                call=call,
                maybe_billed=reached,
            ) from None
        call.duration_ms = int((time.monotonic() - started) * 1000)
        return self.handle(response, call)

    def handle(self, response, call):
        """Turn an HTTP response into a Result or a ProviderError; never raises anything else."""
        call.status = response.status_code
        call.url = response.url or call.url
        call.headers = {k.lower(): v for k, v in response.headers.items()}
        call.request_id = self.request_id_from(call.headers)
        try:
            data = self.decode(response)
            error = self.error_from(response.status_code, data, call.headers)
            if error is None:
                data = self.parse(call.endpoint, data)
                call.retry_after = self.wait_hint(call.headers)
        except ProviderError as raised:
            error = raised
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
            error = MalformedResponse(
                f"The provider sent an answer Quarry could not read ({type(exc).__name__})."
            )
        if error is not None:
            error.call = call
            error.status = error.status or response.status_code
            if error.retry_after is None:
                error.retry_after = self.wait_hint(call.headers)
            call.retry_after = error.retry_after
            raise error
        return Result(data=data, call=call)

    def decode(self, response):
        """The JSON body, None for an empty body; non-JSON on a success status is malformed."""
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            if response.status_code < 400:
                raise MalformedResponse("The provider's answer was not JSON.") from None
            return response.text[:500]

    def request_id_from(self, headers):
        for name in ("x-request-id", "x-amzn-requestid", "request-id", "x-correlation-id"):
            if headers.get(name):
                return str(headers[name])[:100]
        return ""

    def wait_hint(self, headers):
        return parse_retry_after(headers.get("retry-after"))

    def error_from(self, status, data, headers):
        """The ProviderError for this answer, or None when it is a success. Providers refine this."""
        if status < 400:
            return None
        return error_for_status(status, message_from(data))

    def parse(self, endpoint, data):
        """The payload callers get; by default the decoded JSON unchanged."""
        return data

    def check(self):
        """The provider's cheapest account call, to test the key."""
        raise NotImplementedError

    def balances(self):
        """Live balances and allowances as a list of {"label", "value"} dicts (plus the Result)."""
        raise NotImplementedError


def refuse_unsendable_headers(headers):
    """Refuse headers that HTTP cannot carry before anything is sent: requests encodes header values as
    Latin-1 and would raise UnicodeEncodeError, outside its own exceptions, for a pasted "€"."""
    for name, value in headers.items():
        try:
            str(value).encode("latin-1")
        except UnicodeEncodeError:
            if name.lower() in AUTH_HEADER_NAMES:
                raise KeyRejected(
                    "This key contains characters that cannot be sent to the provider (such as “€”): "
                    "a team admin pastes it again in Provider keys."
                ) from None
            raise InvalidInput(f"The {name} header contains characters that cannot be sent.") from None
        if any(char in str(value) for char in "\r\n\0"):
            raise InvalidInput(f"The {name} header contains a line break, so the request was not sent.")


def message_from(data, *keys):
    """A human message from a provider's error body, whatever its shape."""
    if isinstance(data, str):
        return data.strip()[:300]
    if not isinstance(data, dict):
        return ""
    for key in keys or ("message", "error", "detail", "data", "errors"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
        if isinstance(value, dict):
            found = message_from(value)
            if found:
                return found
        if isinstance(value, list) and value:
            found = message_from(value[0]) if isinstance(value[0], dict) else str(value[0])
            if found:
                return found[:300]
    return ""
