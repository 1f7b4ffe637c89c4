"""The sandbox's machinery shared by the five simulated providers: requests and replies, accounts with
balances that go down, rate limits, injected faults, and the record of what was received and billed.

A provider module (lix.py, lookc.py, ...) describes itself with a `SandboxProvider`: how it reads the
key, how it refuses, rate-limits and runs out of credits in its own words, and its routes. A route's
handler gets the `Request` and a `Context` and returns a `Reply`; it charges with `ctx.charge(...)`
exactly when the real provider bills, which raises `NoCredits` when the balance cannot pay.
"""

import contextlib
import hashlib
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

DEFAULT_BALANCE = 100_000


@dataclass
class Request:
    method: str
    path: str  # below the provider's prefix, e.g. /v1/person
    query: dict  # name -> first value
    headers: dict  # lower-case names
    body: bytes = b""

    @property
    def json(self):
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @classmethod
    def build(cls, method, path, query_string, headers, body):
        query = {name: values[0] for name, values in parse_qs(query_string, keep_blank_values=True).items()}
        return cls(
            method=method.upper(),
            path=path,
            query=query,
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
        )


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict = field(default_factory=dict)
    drop: bool = False  # close the connection without answering

    def encoded(self):
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body).encode()


def reply(status=200, body=None, **headers):
    return Reply(
        status=status, body=body, headers={name.replace("_", "-"): str(v) for name, v in headers.items()}
    )


class NoCredits(Exception):
    pass


@dataclass
class Route:
    method: str
    pattern: str  # a regex matched against the whole path; named groups reach the handler as kwargs
    handler: Any

    def match(self, method, path):
        if method != self.method:
            return None
        found = re.fullmatch(self.pattern, path)
        return found.groupdict() if found else None


@dataclass
class SandboxProvider:
    slug: str
    prefix: str  # URL prefix on the sandbox, e.g. /lix
    key_from: Any  # Request -> key or None
    refuse: Any  # () -> Reply, for a missing or wrong key
    rate_limited: Any  # (seconds to wait) -> Reply
    out_of_credits: Any  # () -> Reply
    routes: list
    default_limits: list  # [[count, seconds], ...]
    default_balances: dict  # credit type -> starting balance
    not_found: Any = None  # () -> Reply for an unknown path
    decorate: Any = None  # (Reply, Context) -> None, e.g. quota headers on every answer
    # Request -> {credit type: amount} a rate-limited call still costs (LinkUp bills its 429s).
    billed_when_limited: Any = None


def accepts_key(key):
    """Sandbox keys start with "sandbox-"; anything else is refused as the provider refuses a bad key."""
    return isinstance(key, str) and key.startswith("sandbox-") and len(key) >= 12


def stable_number(*parts):
    """A number derived from the input, so the same input always gives the same answer."""
    return int(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:12], 16)


# --- State ---------------------------------------------------------------------------------------


@dataclass
class Account:
    balances: dict
    webhook_url: str = ""
    hits: dict = field(default_factory=dict)  # window seconds -> deque of call times


class State:
    """Everything the sandbox remembers, behind one lock (the server answers on several threads)."""

    def __init__(self, providers):
        self.providers = providers
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.accounts = {}
            self.limits = {slug: list(p.default_limits) for slug, p in self.providers.items()}
            self.received = []
            self.billed = []
            self.faults = []
            self.pending = {}  # LookC asynchronous requests by id

    def account(self, provider, key):
        with self.lock:
            if (provider, key) not in self.accounts:
                balances = dict(self.providers[provider].default_balances)
                self.accounts[provider, key] = Account(balances=balances)
            return self.accounts[provider, key]

    def wait_for_rate(self, provider, key):
        """0 if the call fits every window (and counts it), else the seconds until it would."""
        now = time.monotonic()
        with self.lock:
            hits = self.account(provider, key).hits
            wait = 0.0
            for count, seconds in self.limits[provider]:
                log = hits.setdefault(seconds, deque())
                while log and log[0] <= now - seconds:
                    log.popleft()
                if len(log) >= count:
                    wait = max(wait, log[0] + seconds - now)
            if wait:
                return wait
            for _count, seconds in self.limits[provider]:
                hits[seconds].append(now)
            return 0.0

    def take_fault(self, provider, path):
        with self.lock:
            for fault in self.faults:
                if fault["provider"] in (provider, "*") and path.startswith(fault.get("path", "")):
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                    return dict(fault)
        return None

    def defer(self, request_id, *, provider, key, ready_in, result, webhook):
        """Keep an asynchronous answer: ready after `ready_in` seconds, then posted to the webhook URL."""
        with self.lock:
            self.pending[request_id] = {
                "provider": provider,
                "key": key,
                "ready_at": time.monotonic() + ready_in,
                "result": result,
                "webhook": webhook,
                "webhook_url": self.account(provider, key).webhook_url,
                "delivered": False,
                "attempts": 0,
            }

    def pending_result(self, request_id):
        """(known, ready, result) of an asynchronous request."""
        with self.lock:
            pending = self.pending.get(request_id)
            if pending is None:
                return False, False, None
            return True, pending["ready_at"] <= time.monotonic(), pending["result"]

    def due_webhooks(self):
        now = time.monotonic()
        with self.lock:
            return [
                (request_id, dict(p))
                for request_id, p in self.pending.items()
                if p["ready_at"] <= now and p["webhook_url"] and not p["delivered"] and p["attempts"] < 5
            ]

    def webhook_delivered(self, request_id, status):
        with self.lock:
            self.pending[request_id]["delivered"] = 200 <= status < 300
            self.pending[request_id]["attempts"] += 1

    def webhook_failed(self, request_id):
        with self.lock:
            self.pending[request_id]["attempts"] += 1

    def billed_totals(self, provider=None, key=None):
        totals = {}
        with self.lock:
            for entry in self.billed:
                if (provider and entry["provider"] != provider) or (key and entry["key"] != key):
                    continue
                for kind, amount in entry["credits"].items():
                    totals[kind] = round(totals.get(kind, 0) + amount, 4)
        return totals


class Context:
    """What a handler may use: the caller's key and account, and the one way to charge."""

    def __init__(self, state, provider, key, endpoint):
        self.state, self.provider, self.key, self.endpoint = state, provider, key, endpoint
        self.account = state.account(provider, key)
        self.charged = {}

    def charge(self, kind, amount=1):
        if amount <= 0:
            return
        with self.state.lock:
            if self.account.balances.get(kind, 0) < amount:
                raise NoCredits(kind)
            self.account.balances[kind] = round(self.account.balances[kind] - amount, 4)
            self.charged[kind] = round(self.charged.get(kind, 0) + amount, 4)

    def balance(self, kind):
        with self.state.lock:
            return self.account.balances.get(kind, 0)

    def new_id(self):
        return uuid.uuid4().hex


# --- Dispatch ------------------------------------------------------------------------------------


def dispatch(state, provider, request):
    """Answer one request to a simulated provider: key, fault, rate limit, route, bill, record."""
    spec = state.providers[provider]
    key = spec.key_from(request)
    endpoint, answer, ctx = request.path, None, None
    if not accepts_key(key):
        answer = spec.refuse()
    else:
        fault = state.take_fault(provider, request.path)
        answer = fault_reply(fault)
        if answer is None:
            wait = state.wait_for_rate(provider, key)
            answer = spec.rate_limited(wait) if wait else None
            if answer is not None and spec.billed_when_limited:
                ctx = Context(state, provider, key, "rate_limited")
                for kind, amount in spec.billed_when_limited(request).items():
                    with contextlib.suppress(NoCredits):
                        ctx.charge(kind, amount)
        if answer is None:
            answer, endpoint, ctx = route(spec, state, key, request)
    if ctx is not None and spec.decorate:
        spec.decorate(answer, ctx)
    with state.lock:
        state.received.append(
            {
                "provider": provider,
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "key": key if accepts_key(key) else None,
                "status": answer.status,
                "at": time.time(),
            }
        )
        if ctx is not None and ctx.charged:
            state.billed.append(
                {"provider": provider, "key": key, "endpoint": endpoint, "credits": ctx.charged}
            )
    return answer


def route(spec, state, key, request):
    for candidate in spec.routes:
        params = candidate.match(request.method, request.path)
        if params is not None:
            ctx = Context(state, spec.slug, key, candidate.handler.__name__)
            try:
                return candidate.handler(request, ctx, **params), candidate.handler.__name__, ctx
            except NoCredits:
                return spec.out_of_credits(), candidate.handler.__name__, ctx
    missing = spec.not_found() if spec.not_found else reply(404, {"message": "Not found"})
    return missing, request.path, None


def fault_reply(fault):
    if fault is None:
        return None
    kind = fault["kind"]
    if kind == "latency":
        time.sleep(float(fault.get("seconds", 1)))
        return None
    if kind == "status":
        return reply(int(fault.get("status", 500)), {"message": "Injected fault"})
    if kind == "malformed":
        return Reply(status=200, body=b'{"truncated": ', headers={"Content-Type": "application/json"})
    if kind == "drop":
        return Reply(drop=True)
    raise ValueError(f"unknown fault kind {kind!r}")
