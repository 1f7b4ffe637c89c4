import pytest
import requests

SETTING_PREFIXES = {
    "LIX_API_URL": "/lix",
    "LOOKC_API_URL": "/lookc",
    "LINKUP_API_URL": "/linkup",
    "LUSHA_API_URL": "/lusha",
    "LEADIQ_GRAPHQL_URL": "/leadiq/graphql",
    "LEADIQ_PROSPECTOR_URL": "/leadiq-prospector",
}


def sandbox_urls(server):
    """Provider base URLs pointing at a running sandbox, for a client's `urls=`."""
    return {name: f"{server.url}{prefix}" for name, prefix in SETTING_PREFIXES.items()}


def control(server, action, body=None, **query):
    """Call the sandbox's control API (see prospecting/sandbox/server.py): POST `body` as JSON when
    given, else GET with `query` as query parameters. Returns the decoded JSON; raises on HTTP errors."""
    url = f"{server.url}/_sandbox/{action}"
    if body is not None and query:
        raise TypeError("control() takes a JSON body (POST) or query parameters (GET), not both")
    if body is not None:
        answer = requests.post(url, json=body, timeout=5)
    else:
        answer = requests.get(url, params=query, timeout=5)
    answer.raise_for_status()
    return answer.json()


def billed(server, provider, key=None):
    """The credits the sandbox charged `provider` (and `key`, if given), in total by type."""
    query = {"provider": provider} if key is None else {"provider": provider, "key": key}
    return control(server, "billed", **query)["totals"]


@pytest.fixture
def running_sandbox(sandbox, settings):
    """A sandbox that sandbox keys' calls go to."""
    server = sandbox()
    settings.SANDBOX_URL = server.url
    settings.SANDBOX_PROVIDER_URLS = sandbox_urls(server)
    return server
