"""Quotes: the most an action can cost at the key's prices, what it is expected to cost once the data the
team already has (fresh) is left out, and the member's budget left; shown on every confirmation."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from prospecting.models import Budget, Company, ContactPoint, FactValue, Person, ProviderCall
from prospecting.providers.facts import PersonFacts
from prospecting.services import ledger
from prospecting.services.quotes import fresh_data_points, quote_people, quote_search
from prospecting.services.records import keep_people

FIXTURES = Path(__file__).parent / "fixtures"
LIX_SEARCH = "https://api.lix-it.com/v1/li/linkedin/search/people"
LUSHA_SEARCH = "https://api.lusha.com/prospecting/contact/search"
LUSHA_ENRICH = "https://api.lusha.com/prospecting/contact/enrich"
PEOPLE_URL = "https://www.linkedin.com/search/results/people/?keywords=founder&page=3"
PHONE = "+44 20 7946 0000"


def person(team, user, slug, emails=(), phones=(), days_ago=0):
    """A person the team keeps, with emails ((address, status)) and phones obtained `days_ago`."""
    facts = PersonFacts(
        linkedin_url=f"linkedin.com/in/{slug}/", full_name=slug.title(), emails=emails, phones=phones
    )
    (kept,) = keep_people(team=team, user=user, facts=[facts], source="lusha")
    ContactPoint.objects.filter(person=kept).update(obtained_at=timezone.now() - timedelta(days=days_ago))
    return kept.pk


@pytest.fixture
def people(team_a, bob):
    """Ann has a fresh valid email; Ben a fresh valid email and phone; Cy a valid email bought long ago;
    Di a fresh email Lusha only graded probable."""
    return {
        "ann": person(team_a, bob, "ann", emails=(("ann@x.test", "valid"),)),
        "ben": person(team_a, bob, "ben", emails=(("ben@x.test", "valid"),), phones=((PHONE, ""),)),
        "cy": person(team_a, bob, "cy", emails=(("cy@x.test", "valid"),), days_ago=91),
        "di": person(team_a, bob, "di", emails=(("di@x.test", "probable"),)),
    }


def test_fresh_data_is_a_valid_email_or_a_phone_obtained_within_fresh_days(team_a, people, settings):
    owned = fresh_data_points(team=team_a, people=people.values())
    assert owned == {
        people["ann"]: {"email"},
        people["ben"]: {"email", "phone"},
        people["cy"]: set(),  # 91 days old
        people["di"]: set(),  # not known to be valid
    }
    settings.FRESH_DAYS = 120
    assert fresh_data_points(team=team_a, people=[people["cy"]]) == {people["cy"]: {"email"}}


def test_the_maximum_buys_everything_and_the_expected_cost_leaves_out_fresh_data(
    key_for, team_a, bob, people
):
    key_for("lusha")  # documented prices: email 1, phone 5
    quote = quote_people(
        team=team_a, user=bob, provider="lusha", people=people.values(), data_points=["email", "phone"]
    )
    (line,) = quote.lines
    assert (line.provider, line.credit_type) == ("lusha", "lusha")
    assert line.maximum == 4 * 6  # four people, an email and a phone each
    assert line.expected == 5 + 0 + 6 + 6  # Ann needs a phone; Ben nothing; Cy (stale) and Di everything
    assert quote.owned == 1 and quote.items == 4 and people["ben"] not in quote.to_buy
    assert quote.to_buy[people["ann"]] == ("phone",) and quote.to_buy[people["cy"]] == ("email", "phone")
    assert quote.maximum_text == "24 Lusha credits" and quote.expected_text == "17 Lusha credits"


def test_without_anything_owned_the_expected_cost_is_the_maximum(key_for, team_a, bob):
    key_for("lusha")
    nobody = person(team_a, bob, "nobody")
    quote = quote_people(team=team_a, user=bob, provider="lusha", people=[nobody], data_points=["email"])
    assert [(line.maximum, line.expected) for line in quote.lines] == [(1, 1)] and not quote.saves


def test_a_quote_uses_the_keys_own_prices(key_for, team_a, bob, people):
    key_for("lusha", prices={"email": 2, "phone": 10})
    quote = quote_people(
        team=team_a, user=bob, provider="lusha", people=[people["ann"]], data_points=["email", "phone"]
    )
    assert [(line.maximum, line.expected) for line in quote.lines] == [(12, 10)]
    assert quote.cost_text == "10 credits"


def test_leadiq_charges_its_profile_beside_each_data_point_in_fractional_credits(
    key_for, team_a, bob, people
):
    key_for("leadiq")  # profile 0.1, email 1
    quote = quote_people(
        team=team_a, user=bob, provider="leadiq", people=[people["ann"], people["cy"]], data_points=["email"]
    )
    (line,) = quote.lines
    assert (line.credit_type, line.maximum, line.expected) == ("leadiq_uc", Decimal("2.2"), Decimal("1.1"))
    assert line.maximum_text == "2.2 LeadIQ universal credits"


def test_company_data_is_owned_when_the_persons_company_has_fresh_firmographics(key_for, team_a, bob):
    key_for("lix")
    fresh, stale = (
        Company.objects.create(team=team_a, name="Fresh"),
        Company.objects.create(team=team_a, name="Old"),
    )
    for company, days in ((fresh, 3), (stale, 200)):
        FactValue.objects.create(
            team=team_a,
            company=company,
            field="industry",
            value="Mining",
            source="lix",
            obtained_at=timezone.now() - timedelta(days=days),
        )
    ids = [
        Person.objects.create(team=team_a, full_name=name, company=c).pk
        for name, c in (("A", fresh), ("B", stale))
    ]
    quote = quote_people(team=team_a, user=bob, provider="lix", people=ids, data_points=["email", "company"])
    assert {line.credit_type: (line.maximum, line.expected) for line in quote.lines} == {
        "lix_email": (2, 2),
        "lix_organisation": (2, 1),
    }


def test_a_provider_that_does_not_sell_a_data_point_is_refused(key_for, team_a, bob, people):
    key_for("lix")
    with pytest.raises(ValueError, match="Lix does not sell phone numbers"):
        quote_people(team=team_a, user=bob, provider="lix", people=[people["ann"]], data_points=["phone"])


def test_a_quote_says_what_is_left_of_the_members_budget_and_the_teams_cap(key_for, team_a, bob, people):
    key_for("lusha")
    Budget.objects.create(team=team_a, user=bob, credit_type="lusha", monthly_limit=20)
    Budget.objects.create(team=team_a, user=None, credit_type="lusha", monthly_limit=100)
    ledger.reserve_credits(team=team_a, user=bob, provider="lusha", credits={"credits": 4})
    quote = quote_people(
        team=team_a, user=bob, provider="lusha", people=people.values(), data_points=["phone"]
    )
    (line,) = quote.lines
    assert (line.budget.left, line.budget.limit) == (16, 20) and (line.cap.left, line.cap.limit) == (96, 100)
    assert line.expected == 15 and line.fits  # three phones of 5; Ben has his
    more = quote_people(
        team=team_a, user=bob, provider="lusha", people=people.values(), data_points=["email", "phone"]
    )
    assert more.lines[0].expected == 17 and more.lines[0].over_budget and not more.fits
    resets = ledger.next_month_start()
    assert more.resets_text == f"1 {resets:%B %Y} at 00:00 UTC"


def test_without_a_budget_the_quote_says_none_is_set(key_for, team_a, bob):
    key_for("lix")
    quote = quote_search(
        team=team_a, user=bob, provider="lix", kind="linkedin_people", query={"url": PEOPLE_URL}, page=2
    )
    (line,) = quote.lines
    assert (line.credit_type, line.maximum, line.expected) == ("lix_standard", 1, 1)
    assert line.budget is None and line.cap is None and quote.fits and not quote.free


def test_a_free_search_quotes_free(key_for, team_a, bob):
    key_for("lusha")
    quote = quote_search(
        team=team_a, user=bob, provider="lusha", kind="contacts", query={"job_titles": "CTO"}, page=1
    )
    assert quote.free and quote.lines == [] and quote.cost_text == "free" and quote.maximum_text == "free"


# --- On the confirmation pages ----------------------------------------------------------------------------


def test_the_search_confirmation_shows_the_quote_and_the_budget_left(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lix")
    Budget.objects.create(team=team_a, user=alice, credit_type="lix_standard", monthly_limit=5)
    ledger.reserve_credits(team=team_a, user=alice, provider="lix", credits={"standard": 1})
    page = alice_client.get(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL}).content.decode()
    resets = ledger.next_month_start()
    assert "<dt>At most</dt><dd>1 Lix standard credit</dd>" in page
    assert "<dt>Expected</dt><dd>1 Lix standard credit</dd>" in page
    assert "You have 4 Lix standard credits left this month of 5" in page
    assert f"Budgets reset on 1 {resets:%B %Y} at 00:00 UTC." in page
    assert "Quarry will refuse it" not in page and "Search and spend 1 standard credit" in page
    ledger.reserve_credits(team=team_a, user=alice, provider="lix", credits={"standard": 3})
    page = alice_client.get(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL}).content.decode()
    assert (
        "You have 1 Lix standard credit left this month of 5" in page and "Quarry will refuse it" not in page
    )
    assert not mocked.calls


def test_a_search_over_budget_says_so_before_the_click_and_the_reservation_still_refuses(
    mocked, key_for, alice_client, bob_client, team_a, bob
):
    key_for("lix")
    mocked.get(LIX_SEARCH, json={})
    Budget.objects.create(team=team_a, user=bob, credit_type="lix_standard", monthly_limit=0)
    page = bob_client.get(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL}).content.decode()
    assert "This needs up to 1 Lix standard credit, more than" in page
    assert (
        "the 0 left of your monthly budget" in page
        and "Quarry will refuse it before anything is sent" in page
    )
    assert "A team admin can raise it" in page
    # Still offered (a budget can be raised meanwhile), but not as the page's main way on.
    assert '<button class="btn" type="submit">Search and spend 1 standard credit</button>' in page
    done = bob_client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    assert "has 0 left of 0" in done and not mocked.calls
    # Alice has no budget; the team's cap covers her.
    Budget.objects.create(team=team_a, user=None, credit_type="lix_standard", monthly_limit=3)
    page = alice_client.get(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL}).content.decode()
    assert "No budget is set for you on Lix standard credits; the team has 3 left of its cap of 3." in page


def _lusha_state(mocked, client, person_id=None):
    data = json.loads((FIXTURES / "lusha" / "contact_search.json").read_text())
    if person_id:
        data["contacts"][0]["personId"] = person_id  # the search names a person the team has
    mocked.post(LUSHA_SEARCH, json=data)
    page = client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"}).content.decode()
    return re.search(r'name="state" value="([^"]+)"', page).group(1)


def test_the_enrich_confirmation_shows_the_quote_and_the_budget_left(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lusha")
    Budget.objects.create(team=team_a, user=alice, credit_type="lusha", monthly_limit=10)
    state = _lusha_state(mocked, alice_client)
    page = alice_client.post(reverse("search_enrich"), {"state": state, "selected": ["0"]}).content.decode()
    assert "<dt>At most</dt><dd>6 Lusha credits</dd>" in page and "Enrich and spend up to 6 credits" in page
    # The search itself charged a credit (its contact has a signal type).
    assert "You have 9 Lusha credits left this month of 10" in page and "Quarry will refuse it" not in page
    Budget.objects.filter(user=alice).update(monthly_limit=5)
    page = alice_client.post(reverse("search_enrich"), {"state": state, "selected": ["0"]}).content.decode()
    assert "This needs up to 6 Lusha credits, more than the 4 left of your monthly budget" in page
    assert f'href="{reverse("budgets")}"' in page  # Alice is an admin: she can raise it there


def test_a_contact_whose_email_and_phone_the_team_has_fresh_is_not_bought_again(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lusha")
    emails, phones = (("c@lusha.com", "valid"),), ((PHONE, "mobile"),)
    facts = PersonFacts(lusha_id="9001", full_name="Chris", emails=emails, phones=phones)
    keep_people(team=team_a, user=alice, facts=[facts], source="lusha")
    state = _lusha_state(mocked, alice_client, person_id="9001")
    page = alice_client.post(
        reverse("search_enrich"), {"state": state, "selected": ["0"], "confirm": "1"}
    ).content.decode()
    assert "Nothing was enriched: 1 contact already has a fresh email and phone in Quarry" in page
    assert not [call for call in mocked.calls if call.request.url == LUSHA_ENRICH]
    assert not ProviderCall.objects.filter(endpoint="enrich_contacts").exists()
    # Stale, it is bought again.
    ContactPoint.objects.update(obtained_at=timezone.now() - timedelta(days=91))
    page = alice_client.post(reverse("search_enrich"), {"state": state, "selected": ["0"]}).content.decode()
    assert "Enrich 1 contact?" in page and "Enrich and spend up to 6 credits" in page
