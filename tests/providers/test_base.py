"""The shared HTTP helper: what a network failure says about billing, and Retry-After parsing."""

from datetime import UTC, datetime, timedelta
from http.client import RemoteDisconnected
from unittest import mock

import pytest
import requests
import responses

from prospecting.providers.base import (
    MAX_RETRY_AFTER,
    InvalidInput,
    KeyRejected,
    ProviderUnavailable,
    parse_retry_after,
)
from prospecting.providers.lix import LixClient


def failing_call(exception):
    with responses.RequestsMock() as mocked:
        mocked.get("https://api.lix-it.com/v1/account/balances", body=exception)
        with pytest.raises(ProviderUnavailable) as raised:
            LixClient("key-0000").balances()
    return raised.value


def test_a_refused_connection_was_never_billed():
    with pytest.raises(ProviderUnavailable) as raised:
        LixClient("key-0000", urls={"LIX_API_URL": "http://127.0.0.1:1"}).balances()
    assert raised.value.maybe_billed is False and raised.value.permanent is False
    assert raised.value.call.status is None


@pytest.mark.parametrize(
    "exception",
    [
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError(("Connection aborted.", RemoteDisconnected("closed without response"))),
        requests.exceptions.ChunkedEncodingError("connection broken mid-body"),
    ],
    ids=["read-timeout", "dropped-after-send", "broken-body"],
)
def test_a_failure_after_sending_may_have_been_billed(exception):
    error = failing_call(exception)
    assert error.maybe_billed is True and error.permanent is False


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120),
        ("0", 0),
        ("-5", 0),
        ("1e999", None),
        ("nan", None),
        ("999999999", MAX_RETRY_AFTER),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_in_seconds_is_bounded(header, seconds):
    assert parse_retry_after(header) == seconds


def test_retry_after_as_an_http_date():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, now=now) == 90


def test_a_key_http_cannot_carry_is_rejected_before_anything_is_sent():
    with responses.RequestsMock() as mocked:
        with pytest.raises(KeyRejected, match="cannot be sent") as raised:
            LixClient("key-€-0000").balances()
        assert len(mocked.calls) == 0
    assert raised.value.call is None and "key-€" not in str(raised.value)


@pytest.mark.parametrize("value", ["café ☕", "a\r\nX-Injected: 1"])
def test_any_other_header_http_cannot_carry_is_refused_as_input(value):
    client = LixClient("key-0000")
    with responses.RequestsMock() as mocked:
        with pytest.raises(InvalidInput):
            client.request("GET", "/v1/account/balances", endpoint="balances", headers={"X-Note": value})
        assert len(mocked.calls) == 0


def test_an_encoding_failure_inside_requests_is_refused_as_input():
    session = mock.Mock()
    session.request.side_effect = UnicodeEncodeError("latin-1", "€", 0, 1, "")
    client = LixClient("key-0000", session=session)
    with pytest.raises(InvalidInput, match="was not sent"):
        client.balances()
