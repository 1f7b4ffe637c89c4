"""Settings are read from the environment at start-up: bad values stop Quarry with a clear message,
and production variables pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
QUARRY_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "QUARRY_ENCRYPTION_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "SITE_URL",
)


def manage(tmp_path, *args, **env):
    base = {k: v for k, v in os.environ.items() if k not in QUARRY_VARIABLES}
    base.update(QUARRY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="prospecting.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def production_env():
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "quarry.example.com",
        "QUARRY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgres://quarry@db.internal:5432/quarry",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "EMAIL_HOST": "smtp.example.com",
        "SITE_URL": "https://quarry.example.com",
    }


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        (
            {"DATABASE_URL": "mysql://root@localhost/quarry"},
            "DATABASE_URL must be a URL starting with postgres://",
        ),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL must be a URL starting with redis://"),
        (
            {"QUARRY_ENCRYPTION_KEYS": "not-a-fernet-key"},
            "QUARRY_ENCRYPTION_KEYS must be a comma-separated list",
        ),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT must be a whole number"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT must be at least 1"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({**production_env(), "SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is false"),
        ({**production_env(), "SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 random characters"),
        ({**production_env(), "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is false"),
        ({**production_env(), "QUARRY_ENCRYPTION_KEYS": ""}, "QUARRY_ENCRYPTION_KEYS must be set when DEBUG"),
        # Without a mail server, reset links and invitation tokens would be printed to the logs.
        ({**production_env(), "EMAIL_HOST": ""}, "EMAIL_HOST must be set when DEBUG is false"),
        # The LookC webhook URL is built from it; a localhost default would be handed to LookC.
        ({**production_env(), "SITE_URL": ""}, "SITE_URL must be set when DEBUG is false"),
        # Production never falls back to the embedded SQLite file or the filesystem broker.
        ({**production_env(), "DATABASE_URL": ""}, "DATABASE_URL must be set when DEBUG is false"),
        ({**production_env(), "REDIS_URL": ""}, "REDIS_URL must be set when DEBUG is false"),
        # Any Host header would be accepted, and it builds the links in reset and invitation emails.
        ({**production_env(), "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must not contain *"),
        ({**production_env(), "ALLOWED_HOSTS": "quarry.example.com, *"}, "ALLOWED_HOSTS must not contain *"),
        # The LookC webhook URL carries the team's token.
        ({**production_env(), "SITE_URL": "http://quarry.example.com"}, "SITE_URL must start with https://"),
    ],
)
def test_invalid_setting_fails_at_start_up_with_a_clear_message(tmp_path, env, message):
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_variables_pass_check_deploy(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_need_no_variables(tmp_path):
    result = manage(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    # The generated secrets are kept under var/ so restarts keep sessions and can decrypt keys.
    assert (tmp_path / "secret_key").exists() and (tmp_path / "encryption_key").exists()
    assert (tmp_path / "broker" / "queue").is_dir()


def test_every_html_page_sends_a_strict_content_security_policy(client, alice_client):
    for response in (client.get("/login/"), alice_client.get("/"), alice_client.get("/team/members/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy
        assert "unsafe-eval" not in policy and "unsafe-inline" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        nonce = policy.split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.parametrize(("extra", "expected"), [({}, "False"), ({"QUARRY_SANDBOX": "true"}, "True")])
def test_the_sandbox_is_refused_in_production_unless_enabled_explicitly(tmp_path, extra, expected):
    result = manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SANDBOX_ENABLED)",
        **production_env(),
        **extra,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def without_quarry_variables(**env):
    base = {k: v for k, v in os.environ.items() if k not in (*QUARRY_VARIABLES, "TEST_REDIS_URL")}
    return {**base, **env}


def test_without_redis_url_quarry_runs_on_the_embedded_broker_and_limiter_store(tmp_path):
    result = manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; from prospecting.ratelimit import default_store; "
        "from prospecting.celery import app; app.connection_for_write().connect(); "
        "print(settings.CELERY_BROKER_URL, type(default_store()).__name__)",
    )
    assert result.returncode == 0, result.stderr
    # kombu warns "No hostname was supplied" on every connection to a URL without a host.
    assert "WARNING" not in result.stderr, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["filesystem://localhost/", "DatabaseStore"]


def test_without_redis_url_the_tests_never_use_a_redis_that_happens_to_run(tmp_path):
    # Run the limiter's Redis tests with no variables set: whether or not a Redis listens on
    # 127.0.0.1:6379 (it does in CI), each must be skipped rather than quietly run against it.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_ratelimit.py", "-k", "redis and not unreachable",
         "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-rs"],
        cwd=ROOT,
        env=without_quarry_variables(QUARRY_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert " skipped" in summary and "passed" not in summary, summary
