"""What the provider client tests share: their JSON fixtures, hand-built responses for `handle()`, the
hypothesis strategies of arbitrary answers, and the fuzz check that `handle()` answers anything with a
Result or a ProviderError."""

import json
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prospecting.providers.base import ProviderError, Result

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_fixture(provider, name):
    """The decoded JSON of tests/fixtures/<provider>/<name>."""
    return json.loads((FIXTURES / provider / name).read_text())


def provider_urls(**urls):
    """An autouse fixture pointing these `PROVIDER_URLS` entries at the tests' hosts."""

    @pytest.fixture(autouse=True)
    def _provider_urls(settings):
        settings.PROVIDER_URLS = {**settings.PROVIDER_URLS, **urls}

    return _provider_urls


def make_response(status, content=b"", headers=None, url=None):
    """A `requests.Response` as a provider would have sent it, for `client.handle()`."""
    response = requests.Response()
    response.status_code = status
    response._content = content
    response.headers.update(headers or {})
    response.url = url
    return response


# --- Fuzz ----------------------------------------------------------------------------------------

STATUSES = st.integers(min_value=100, max_value=599)
FINITE_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
PRINTABLE_ASCII = st.characters(min_codepoint=32, max_codepoint=126)
COMMON_HEADERS = ("Retry-After", "X-Request-Id", "Content-Type")

# 200 examples, no deadline; a fuzz test may take the function-scoped `client` fixture, one client then
# answering every example.
FUZZ_SETTINGS = hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def json_values(*, floats=FINITE_FLOATS, text=None, keys=None, max_keys=4, max_leaves=20):
    """Any JSON value: null, booleans, numbers and strings, nested in lists and objects."""
    text = st.text() if text is None else text
    keys = st.text(max_size=10) if keys is None else keys
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=max_keys),
        max_leaves=max_leaves,
    )


JSON = json_values()


def bodies(*values):
    """Response bodies: arbitrary bytes, or one of these strategies' values encoded as JSON."""
    return st.binary(max_size=200) | st.one_of(*values).map(lambda value: json.dumps(value).encode())


def header_dicts(names=COMMON_HEADERS, values=None, max_size=3):
    """Response headers: some of `names`, with printable ASCII values unless `values` says otherwise."""
    values = st.text(alphabet=PRINTABLE_ASCII, max_size=40) if values is None else values
    return st.dictionaries(st.sampled_from(names), values, max_size=max_size)


def assert_handle_never_raises_foreign(client, call, status, body, headers, url=None):
    """`client.handle()` of this answer returns a Result or raises a ProviderError, either carrying `call`.

    The response's URL is `url`, else the call's. Returns the Result or the error, for the provider's
    own checks.
    """
    response = make_response(status, body, headers, url=call.url if url is None else url)
    try:
        result = client.handle(response, call)
    except ProviderError as error:
        assert error.call is call
        return error
    assert isinstance(result, Result)
    assert result.call is call
    return result
