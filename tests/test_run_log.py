"""The run log a new user reads after `make run`: each event once, client errors as one line without a
traceback, no warnings about the set-up, and never a token (LookC webhook, invitation, password reset)."""

import io
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.urls.resolvers import RoutePattern

from prospecting.logs import mask_tokens

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Subprocesses run on the embedded defaults in a folder of their own, as `make run` does on a fresh clone.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DEBUG", "QUARRY_VAR_DIR", "PYTHONWARNINGS")
TRACEBACK = "Traceback (most recent call last)"


def token_routes():
    """Every route of the URLconf with a `token` parameter, as a path with SECRET where the token goes."""

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and "token" in str(entry.pattern):
                assert isinstance(entry.pattern, RoutePattern), f"mask_tokens does not know {entry.pattern}"
                route = prefix + str(entry.pattern)
                yield "/" + re.sub(
                    r"<(?:\w+:)?(\w+)>", lambda m: "SECRET" if m[1] == "token" else "MQ", route
                )

    return list(walk(get_resolver().url_patterns, ""))


def test_every_route_with_a_token_is_logged_with_the_token_masked():
    routes = token_routes()
    assert {"/webhooks/lookc/SECRET/", "/invitations/accept/SECRET/", "/password/reset/MQ/SECRET/"} <= set(
        routes
    )
    for route in routes:
        line = f'"POST {route}?next={route} HTTP/1.1" 404 33 "https://quarry.example.com{route}"'
        assert "SECRET" not in mask_tokens(line)
        assert mask_tokens(route) == route.replace("SECRET", "***")


def test_a_percent_encoded_route_is_masked_and_cannot_forge_a_line():
    masked = mask_tokens("GET /webhooks/look%63/SECRET/?x=%0a1 HTTP/1.1")
    assert "SECRET" not in masked and "\n" not in masked
    assert "/webhooks/lookc/***/" in masked


@contextmanager
def console_output():
    """What the console handlers print (Django's default one too, if it is still attached)."""
    buffer = io.StringIO()
    handlers = {
        handler
        for name in ("django.request", "django.security", "django", "")
        for handler in logging.getLogger(name).handlers
        if type(handler).__module__.startswith("logging")
    }
    assert handlers, "no console handler configured"
    streams = {handler: handler.setStream(buffer) for handler in handlers}
    try:
        yield buffer
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # as in `make run`


def test_a_forbidden_request_is_logged_once_in_one_line(debug, bob_client):
    with console_output() as output:
        assert bob_client.get("/team/audit/").status_code == 403  # admins only
    lines = output.getvalue().splitlines()
    assert (
        lines == [lines[0]]
        and "WARNING django.request: Forbidden (Permission denied): /team/audit/" in lines[0]
    )


def test_a_request_without_csrf_token_is_logged_once_in_one_line(debug, db):
    with console_output() as output:
        assert Client(enforce_csrf_checks=True).post("/login/").status_code == 403
    lines = output.getvalue().splitlines()
    assert len(lines) == 1 and "Forbidden (CSRF cookie not set.): /login/" in lines[0]


def test_a_bad_request_is_logged_once_in_one_line(debug, db):
    with console_output() as output:
        assert Client().get("/", HTTP_HOST="evil.example").status_code == 400
    lines = output.getvalue().splitlines()
    assert len(lines) == 1 and "ERROR django.security.DisallowedHost: Invalid HTTP_HOST header" in lines[0]


def test_django_logs_a_webhook_token_masked(debug, db):
    with console_output() as output:
        Client().get("/webhooks/lookc/SECRET-WEBHOOK-TOKEN/")
    assert "/webhooks/lookc/***/" in output.getvalue()
    assert "SECRET" not in output.getvalue()


def broken_webhook(request, token):
    raise RuntimeError(f"cannot handle {request.path}")


urlpatterns = [path("webhooks/lookc/<str:token>/", broken_webhook)]


@pytest.mark.urls(__name__)
def test_a_server_error_keeps_its_traceback_with_the_token_masked(debug, db):
    client = Client(raise_request_exception=False)
    with console_output() as output:
        assert client.get("/webhooks/lookc/SECRET-TOKEN/").status_code == 500
    assert TRACEBACK in output.getvalue() and "cannot handle /webhooks/lookc/***/" in output.getvalue()
    assert "SECRET" not in output.getvalue()


# --- The processes of the Procfiles, as `make run` starts them ---------------------------------------


def procfile_command(procfile, process):
    for line in (ROOT / procfile).read_text().splitlines():
        if line.startswith(f"{process}:"):
            return line.split(":", 1)[1].strip().replace(".venv/bin/", f"{BIN}/")
    raise AssertionError(f"no {process} in {procfile}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """A var/ folder with a migrated SQLite database, and the environment pointing at it."""
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(QUARRY_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="prospecting.settings")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    return env


@contextmanager
def started(command, env, log, ready):
    """Run a Procfile command under the shell (as honcho does) until `ready` appears in its log."""
    with open(log, "w") as out:
        process = subprocess.Popen(
            command,
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while ready not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def get(port, path, **headers):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return conn.recv(100).decode().split()[1]


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.dev"])
def test_the_web_process_logs_routes_with_their_tokens_masked(procfile, embedded, tmp_path):
    port = free_port()
    env = {**embedded, "QUARRY_PORT": str(port), "WEB_CONCURRENCY": "1"}
    log = tmp_path / "web.log"
    with started(procfile_command(procfile, "web"), env, log, ready="Booting worker"):
        get(port, "/webhooks/lookc/SECRET-WEBHOOK/")
        get(port, "/invitations/accept/SECRET-INVITATION/")
        get(port, "/login/?next=/invitations/accept/SECRET-NEXT/", Referer="/password/reset/MQ/SECRET-RESET/")
        get(port, "/webhooks/look%63/SECRET-ENCODED/")
        deadline = time.monotonic() + 30
        while log.read_text().count(" HTTP/1.1") < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
    output = log.read_text()
    assert '"GET /webhooks/lookc/***/ HTTP/1.1"' in output
    assert '"GET /invitations/accept/***/ HTTP/1.1"' in output
    assert (
        '"GET /login/?next=/invitations/accept/***/ HTTP/1.1"' in output
        and "/password/reset/MQ/***/" in output
    )
    assert "SECRET" not in output
    # gunicorn's control socket would be shared under the user's home by every instance.
    assert "Control socket" not in output


def test_the_worker_starts_without_warnings(embedded, tmp_path):
    log = tmp_path / "worker.log"
    with started(procfile_command("Procfile.dev", "worker"), embedded, log, ready="ready."):
        pass
    startup = log.read_text().split("ready.")[0]
    # Neither Celery's warning about root (make run is root in containers) nor kombu's "No hostname".
    assert "Warning" not in startup and "WARNING" not in startup, startup
