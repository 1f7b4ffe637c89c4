"""The sandbox machinery with a tiny provider of its own: keys, rate limits, billing, faults."""

import pytest
import requests

from prospecting.sandbox.core import Route, SandboxProvider, reply
from tests.sandbox.conftest import control

KEY = "sandbox-echo-key-1"


def echo(request, ctx, name):
    ctx.charge("credits", 2)
    return reply(200, {"hello": name, "balance": ctx.balance("credits")})


ECHO = SandboxProvider(
    slug="echo",
    prefix="/echo",
    key_from=lambda request: request.headers.get("x-key"),
    refuse=lambda: reply(401, {"error": "bad key"}),
    rate_limited=lambda wait: reply(429, {"error": "slow down"}, Retry_After=int(wait) + 1),
    out_of_credits=lambda: reply(402, {"error": "no credits"}),
    routes=[Route("GET", r"/hello/(?P<name>\w+)", echo)],
    default_limits=[[100, 1]],
    default_balances={"credits": 5},
)


@pytest.fixture
def echo_server(sandbox):
    server = sandbox(ECHO)
    server.get = lambda path, key=KEY: requests.get(f"{server.url}/echo{path}", headers={"x-key": key})
    return server


def test_answers_charge_the_account_until_it_runs_out(echo_server):
    first, second, third = (echo_server.get("/hello/ada") for _ in range(3))
    assert (first.status_code, first.json()) == (200, {"hello": "ada", "balance": 3})
    assert (second.status_code, second.json()["balance"]) == (200, 1)
    assert third.status_code == 402
    charged = control(echo_server, "billed", provider="echo")
    assert charged["totals"] == {"credits": 4} and len(charged["charges"]) == 2


def test_wrong_keys_are_refused_and_never_billed(echo_server):
    assert echo_server.get("/hello/ada", key="live-key-123456").status_code == 401
    assert echo_server.get("/hello/ada", key="").status_code == 401
    assert control(echo_server, "billed")["totals"] == {}


def test_rate_limit_answers_429_with_retry_after(echo_server):
    control(echo_server, "limits", {"provider": "echo", "windows": [[1, 30]]})
    assert echo_server.get("/hello/ada").status_code == 200
    limited = echo_server.get("/hello/ada")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 31


@pytest.mark.parametrize("kind", ["status", "malformed", "drop", "latency"])
def test_injected_faults_hit_the_next_call_only(echo_server, kind):
    control(echo_server, "faults", {"provider": "echo", "kind": kind, "status": 503, "seconds": 0.3})
    if kind == "drop":
        with pytest.raises(requests.ConnectionError):
            echo_server.get("/hello/ada")
    else:
        faulty = echo_server.get("/hello/ada")
        if kind == "status":
            assert faulty.status_code == 503
        elif kind == "malformed":
            with pytest.raises(ValueError):
                faulty.json()
        else:
            assert faulty.status_code == 200 and faulty.elapsed.total_seconds() >= 0.3
    assert echo_server.get("/hello/ada").status_code == 200


def test_received_requests_are_recorded_and_reset_forgets_them(echo_server):
    echo_server.get("/hello/ada?x=1")
    received = control(echo_server, "received", provider="echo")["received"]
    assert [(r["path"], r["query"], r["status"]) for r in received] == [("/hello/ada", {"x": "1"}, 200)]
    control(echo_server, "reset", {})
    assert control(echo_server, "received")["received"] == []


def test_unknown_paths_answer_404(echo_server):
    assert echo_server.get("/nothing/here").status_code == 404
