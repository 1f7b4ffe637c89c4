import pytest

from prospecting.sandbox.server import SandboxServer

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


@pytest.fixture
def sandbox():
    """Start a real sandbox server on a free port: sandbox() for all five providers, or
    sandbox(lix.PROVIDER, ...) for some. Stopped after the test."""
    servers = []

    def start(*providers):
        server = SandboxServer(("127.0.0.1", 0), providers={p.slug: p for p in providers} or None)
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()
