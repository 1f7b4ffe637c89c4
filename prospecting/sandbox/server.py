"""The sandbox's HTTP server: the five providers under their prefixes, and a control API for tests.

Control API (under /_sandbox/, JSON):
  GET  /_sandbox/health                  {"ok": true}
  POST /_sandbox/reset                   forget accounts, records, faults and pending requests
  POST /_sandbox/accounts                {"provider", "key", "balances"?, "webhook_url"?}: set up an account
  GET  /_sandbox/accounts?provider=&key= the account's balances
  POST /_sandbox/limits                  {"provider", "windows": [[count, seconds], ...]}
  POST /_sandbox/faults                  {"provider" or "*", "path"?, "count"?, "kind", "status"?, "seconds"?}
                                         fails the next matching calls (kind: status|latency|malformed|drop)
  GET  /_sandbox/received?provider=      what the sandbox received (keys are sandbox keys, not secrets)
  GET  /_sandbox/billed?provider=&key=   credits charged, in total by type, and each charge
"""

import json
import logging
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prospecting.sandbox.core import Request, State, dispatch

log = logging.getLogger(__name__)


def all_providers():
    from prospecting.sandbox import leadiq, linkup, lix, lookc, lusha

    providers = [module.PROVIDER for module in (lix, lookc, linkup, lusha, leadiq)] + [leadiq.PROSPECTOR]
    return {provider.slug: provider for provider in providers}


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, providers=None):
        super().__init__(address, Handler)
        self.state = State(providers or all_providers())
        self.prefixes = sorted(
            ((p.prefix, slug) for slug, p in self.state.providers.items()), key=lambda pair: -len(pair[0])
        )
        self._stop = threading.Event()
        self._webhooks = threading.Thread(target=self._deliver_webhooks, daemon=True)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        """Serve in background threads (tests and the benchmark); `serve_forever` for the process."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        self._webhooks.start()
        return self

    def stop(self):
        self._stop.set()
        self.shutdown()
        self.server_close()

    def run(self):
        self._webhooks.start()
        try:
            self.serve_forever()
        finally:
            self._stop.set()

    def _deliver_webhooks(self):
        # Asynchronous answers (LookC) are posted to the account's webhook URL once they are ready.
        while not self._stop.wait(0.2):
            for request_id, pending in self.state.due_webhooks():
                try:
                    body = json.dumps(pending["webhook"]).encode()
                    post = urllib.request.Request(  # noqa: S310 - the account's own http(s) URL
                        pending["webhook_url"],
                        data=body,
                        method="POST",
                        headers={"Content-Type": "application/json"},
                    )
                    with urllib.request.urlopen(post, timeout=5) as answer:  # noqa: S310 - our own URL
                        self.state.webhook_delivered(request_id, answer.status)
                except OSError as error:
                    log.warning(
                        "sandbox webhook %s to %s failed: %s", request_id, pending["webhook_url"], error
                    )
                    self.state.webhook_failed(request_id)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "QuarrySandbox/1"
    # Headers and body go out in two writes: without this, Nagle's algorithm holds the body ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        log.debug("sandbox %s", format % args)

    def _handle(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts.path.startswith("/_sandbox/"):
            status, payload = control(self.server.state, self.command, parts.path, parts.query, body)
            return self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        for prefix, slug in self.server.prefixes:
            if parts.path == prefix or parts.path.startswith(prefix + "/"):
                request = Request.build(
                    self.command,
                    parts.path[len(prefix) :] or "/",
                    parts.query,
                    dict(self.headers.items()),
                    body,
                )
                answer = dispatch(self.server.state, slug, request)
                if answer.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                return self._send(
                    answer.status, answer.encoded(), {"Content-Type": "application/json", **answer.headers}
                )
        return self._send(
            404, b'{"message": "No such sandbox provider"}', {"Content-Type": "application/json"}
        )

    def _send(self, status, body, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


def control(state, method, path, query_string, body):
    query = Request.build(method, path, query_string, {}, b"").query
    data = json.loads(body) if body else {}
    action = path[len("/_sandbox/") :].strip("/")
    if action == "health":
        return 200, {"ok": True, "providers": sorted(state.providers)}
    if action == "reset" and method == "POST":
        state.reset()
        return 200, {"ok": True}
    if action == "accounts" and method == "POST":
        account = state.account(data["provider"], data["key"])
        with state.lock:
            account.balances.update(data.get("balances") or {})
            account.webhook_url = data.get("webhook_url", account.webhook_url)
        return 200, {"balances": account.balances, "webhook_url": account.webhook_url}
    if action == "accounts":
        account = state.account(query["provider"], query["key"])
        return 200, {"balances": account.balances, "webhook_url": account.webhook_url}
    if action == "limits" and method == "POST":
        with state.lock:
            state.limits[data["provider"]] = [[int(c), float(s)] for c, s in data["windows"]]
        return 200, {"windows": state.limits[data["provider"]]}
    if action == "faults" and method == "POST":
        with state.lock:
            state.faults.append({"path": "", "count": 1, **data})
        return 200, {"faults": state.faults}
    if action == "received":
        with state.lock:
            rows = [
                r for r in state.received if not query.get("provider") or r["provider"] == query["provider"]
            ]
        return 200, {"received": rows}
    if action == "billed":
        provider, key = query.get("provider"), query.get("key")
        with state.lock:
            charges = [
                b
                for b in state.billed
                if (not provider or b["provider"] == provider) and (not key or b["key"] == key)
            ]
        return 200, {"totals": state.billed_totals(provider, key), "charges": charges}
    return 404, {"message": f"No control action {action!r}"}


def wait_until_up(url, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_sandbox/health", timeout=1):  # noqa: S310
                return True
        except OSError:
            time.sleep(0.1)
    return False
