"""Free look-ups are cached per key: a second form render or keystroke asks the provider nothing."""

from datetime import timedelta

import pytest

from prospecting.models import ProviderCall
from prospecting.providers.base import ProviderError
from prospecting.providers.lusha import LushaClient
from prospecting.services.lookups import cached_lookup

LUSHA_DEPARTMENTS = "https://api.lusha.com/prospecting/filters/contacts/departments"


def test_a_look_up_is_asked_once_per_key_and_then_served_from_the_cache(mocked, key_for, team_a, alice):
    key_for("lusha")
    mocked.get(LUSHA_DEPARTMENTS, json=["Engineering", "Sales"])
    first = cached_lookup(team=team_a, user=alice, provider="lusha", endpoint=LushaClient.contact_departments)
    again = cached_lookup(team=team_a, user=alice, provider="lusha", endpoint=LushaClient.contact_departments)
    assert first == again == ["Engineering", "Sales"]
    assert len(mocked.calls) == 1
    assert ProviderCall.objects.filter(team=team_a, endpoint="contact_departments").count() == 1


def test_another_search_text_or_a_replaced_key_asks_again(mocked, key_for, team_a, alice):
    key = key_for("lusha")
    mocked.post("https://api.lusha.com/prospecting/filters/companies/names", json=[{"name": "Lusha"}])
    for text in ("lus", "lush", "lus"):
        cached_lookup(
            team=team_a, user=alice, provider="lusha", endpoint=LushaClient.company_names, text=text
        )
    assert len(mocked.calls) == 2
    # A secret replaced on the key's page (perhaps another Lusha account) saves the key again.
    type(key).objects.filter(pk=key.pk).update(updated_at=key.updated_at + timedelta(minutes=1))
    cached_lookup(team=team_a, user=alice, provider="lusha", endpoint=LushaClient.company_names, text="lus")
    assert len(mocked.calls) == 3


def test_a_failed_look_up_is_not_cached(mocked, key_for, team_a, alice):
    key_for("lusha")
    mocked.get(LUSHA_DEPARTMENTS, json={"message": "Server error"}, status=500)
    for _ in range(2):
        with pytest.raises(ProviderError):
            cached_lookup(team=team_a, user=alice, provider="lusha", endpoint=LushaClient.contact_departments)
    assert len(mocked.calls) == 2
