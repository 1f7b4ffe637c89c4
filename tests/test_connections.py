"""Provider calls reuse their connection: one pooled requests.Session per process, thread and host."""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from prospecting.providers.base import pooled_session
from prospecting.providers.lix import LixClient


class CountingServer(ThreadingHTTPServer):
    """A keep-alive HTTP server that counts the connections it accepted."""

    daemon_threads = True

    def __init__(self):
        self.connections = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(handler):  # noqa: N805 - the server is `self` here
                super().setup()
                self.connections += 1

            def do_GET(handler):  # noqa: N805
                body = b'{"emailBalance": 5, "linkedInBalance": 7}'
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Set-Cookie", "session=team-a-secret; Path=/")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)
                self.cookies_seen.append(handler.headers.get("Cookie"))

            def log_message(handler, *args):  # noqa: N805
                pass

        self.cookies_seen = []
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server():
    server = CountingServer()
    yield server
    server.shutdown()
    server.server_close()


def test_calls_to_one_host_reuse_one_connection(server):
    urls = {"LIX_API_URL": server.url}
    # A client per call, as the call service builds them: the connection outlives the client.
    for secret in ("sk-team-a-0123456789", "sk-team-b-0123456789"):
        LixClient(secret, urls=urls).balances()
    assert server.connections == 1


def test_no_cookie_from_one_call_reaches_the_next(server):
    # The pooled session is shared by every team's keys for a host: it must not carry state between them.
    urls = {"LIX_API_URL": server.url}
    LixClient("sk-team-a-0123456789", urls=urls).balances()
    LixClient("sk-team-b-0123456789", urls=urls).balances()
    assert server.cookies_seen == [None, None]


def test_each_host_has_its_own_session_and_other_threads_their_own():
    session = pooled_session("https://api.lix-it.com/v1/account/balances")
    assert pooled_session("https://api.lix-it.com/v1/person") is session
    assert pooled_session("https://api.lusha.com/v2/person") is not session
    other = []
    thread = threading.Thread(target=lambda: other.append(pooled_session("https://api.lix-it.com/")))
    thread.start()
    thread.join()
    assert other[0] is not session


def test_a_forked_child_never_uses_its_parents_session():
    # Celery prefork and gunicorn fork after the parent may have called a provider: sharing a socket
    # between processes would interleave their requests on one connection.
    parent = pooled_session("https://api.lix-it.com/")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, and leave without running anything of pytest's
        os.write(write, b"own" if pooled_session("https://api.lix-it.com/") is not parent else b"shared")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 10)
    os.waitpid(pid, 0)
    assert answer == b"own"
