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
