"""Each provider's facts live beside its client: default and per-endpoint rate limits, key format and
encoding, options and their defaults, and the calls that make up its balances."""

import base64

import pytest

from accounts.models import Provider, ProviderKey
from prospecting.providers import PROVIDERS
from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.linkup import LinkupClient
from prospecting.rate_limits import parse_rate_limits
from prospecting.ratelimit import windows_for


def test_every_provider_states_its_default_rate_limits():
    assert set(PROVIDERS) == set(Provider.values)
    for client in PROVIDERS.values():
        assert parse_rate_limits(client.default_rate_limits), client.slug


def test_a_key_without_limits_of_its_own_gets_its_providers_defaults():
    lix = ProviderKey(pk=1, provider="lix", options={})
    assert windows_for(lix) == [("key:1", [[1, 3]])]


def test_lushas_usage_endpoint_has_its_own_limit_on_top_of_the_keys():
    lusha = ProviderKey(pk=2, provider="lusha", options={"rate_limits": [[25, 1]]})
    assert [name for name, _ in windows_for(lusha, "balances")] == ["key:2", "key:2:usage"]
    assert windows_for(lusha, "balances")[1][1] == [[5, 60]]
    assert [name for name, _ in windows_for(lusha, "person")] == ["key:2"]


@pytest.mark.parametrize("slug", sorted(PROVIDERS))
def test_balance_endpoints_are_methods_of_the_providers_own_client(slug):
    client = PROVIDERS[slug]
    for endpoint in client.balance_endpoints():
        assert getattr(client, endpoint.__name__) is endpoint


def test_lix_balances_include_the_daily_allowance():
    names = [endpoint.__name__ for endpoint in PROVIDERS["lix"].balance_endpoints()]
    assert names == ["balances", "daily_allowance"]


def test_linkup_states_its_countries_and_default_country():
    assert LinkupClient.default_options == {"country": "FR"}
    assert "FR" in LinkupClient.countries and "US" in LinkupClient.countries


def test_leadiq_issues_base64_keys_that_its_own_format_accepts():
    key = LeadiqClient.issued_key("sandbox-leadiq-1-abc")
    assert base64.b64decode(key).decode() == "sandbox-leadiq-1-abc"
    assert LeadiqClient.key_format_error(key) == ""
    assert "base64" in LeadiqClient.key_format_error("not-base64-at-all!")


@pytest.mark.parametrize("slug", sorted(PROVIDERS))
@pytest.mark.parametrize("secret", ["abc€def", "abc def", "abc\x07def", "abc\x1bdef", "abc\r\ndef", "ключ"])
def test_no_provider_accepts_keys_with_spaces_controls_or_non_ascii(slug, secret):
    assert PROVIDERS[slug].key_format_error(secret)
