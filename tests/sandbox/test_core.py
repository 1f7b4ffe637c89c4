"""The sandbox machinery with a tiny provider of its own: keys, rate limits, billing, faults."""

import pytest
import requests

from prospecting.sandbox.core import Route, SandboxProvider, reply

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
    server.control = lambda action, **body: requests.post(f"{server.url}/_sandbox/{action}", json=body).json()
    return server


def test_answers_charge_the_account_until_it_runs_out(echo_server):
    first, second, third = (echo_server.get("/hello/ada") for _ in range(3))
    assert (first.status_code, first.json()) == (200, {"hello": "ada", "balance": 3})
    assert (second.status_code, second.json()["balance"]) == (200, 1)
    assert third.status_code == 402
    billed = requests.get(f"{echo_server.url}/_sandbox/billed?provider=echo").json()
    assert billed["totals"] == {"credits": 4} and len(billed["charges"]) == 2


def test_wrong_keys_are_refused_and_never_billed(echo_server):
    assert echo_server.get("/hello/ada", key="live-key-123456").status_code == 401
    assert echo_server.get("/hello/ada", key="").status_code == 401
    assert requests.get(f"{echo_server.url}/_sandbox/billed").json()["totals"] == {}


def test_rate_limit_answers_429_with_retry_after(echo_server):
    echo_server.control("limits", provider="echo", windows=[[1, 30]])
    assert echo_server.get("/hello/ada").status_code == 200
    limited = echo_server.get("/hello/ada")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 31


@pytest.mark.parametrize("kind", ["status", "malformed", "drop", "latency"])
def test_injected_faults_hit_the_next_call_only(echo_server, kind):
    echo_server.control("faults", provider="echo", kind=kind, status=503, seconds=0.3)
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
    received = requests.get(f"{echo_server.url}/_sandbox/received?provider=echo").json()["received"]
    assert [(r["path"], r["query"], r["status"]) for r in received] == [("/hello/ada", {"x": "1"}, 200)]
    echo_server.control("reset")
    assert requests.get(f"{echo_server.url}/_sandbox/received").json()["received"] == []


def test_unknown_paths_answer_404(echo_server):
    assert echo_server.get("/nothing/here").status_code == 404
