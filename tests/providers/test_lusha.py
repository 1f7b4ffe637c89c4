"""Lusha V2 client: what it sends, how it reads the answers, errors and quota headers (providers.md §5)."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from responses import matchers

from prospecting.providers.base import (
    Call,
    InvalidInput,
    KeyRejected,
    LegalRefusal,
    NotFound,
    OutOfCredits,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from prospecting.providers.lusha import FILTER_LOOKUPS, LushaClient, quota_wait, rate_limit_state
from tests.providers import helpers

BASE = "https://lusha.test"
KEY = "lusha-secret-key"
AUTH = matchers.header_matcher({"api_key": KEY, "Accept": "application/json"})


def fixture(name):
    return helpers.load_fixture("lusha", f"{name}.json")


@pytest.fixture
def client(settings):
    settings.PROVIDER_URLS = {**settings.PROVIDER_URLS, "LUSHA_API_URL": BASE}
    return LushaClient(KEY)


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def by_id(result):
    return {record["id"]: record for record in result.data["records"]}


# --- Person ---------------------------------------------------------------------------------------


def test_person_sends_the_api_key_header_and_an_encoded_query_and_reads_the_contact(client, mock):
    linkedin = "https://www.linkedin.com/in/dustin moskovitz/"
    query = {"linkedinUrl": linkedin, "refreshJobInfo": "true", "signals": ["promotion", "companyChange"]}
    mock.get(f"{BASE}/v2/person", json=fixture("person"), match=[AUTH, matchers.query_param_matcher(query)])

    result = client.person(
        linkedin_url=linkedin, refresh_job_info=True, signals=["promotion", "companyChange"]
    )

    assert "linkedinUrl=https%3A%2F%2Fwww.linkedin.com%2Fin%2Fdustin+moskovitz%2F" in result.call.url
    assert KEY not in result.call.url
    assert result.call.endpoint == "person" and result.call.method == "GET"
    assert result.data["outcome"] == "found"
    assert result.data["credit_charged"] is True
    assert result.data["data"]["emailAddresses"][0]["address"] == "dustin@lusha.com"
    assert result.data["data"]["company"]["name"] == "Lusha"


def test_person_by_name_sends_first_last_and_company(client, mock):
    query = {
        "firstName": "Dustin",
        "lastName": "Moskovitz",
        "companyDomain": "lusha.com",
        "filterBy": "emailAddresses",
    }
    mock.get(f"{BASE}/v2/person", json=fixture("person"), match=[matchers.query_param_matcher(query)])

    client.person(
        first_name="Dustin", last_name="Moskovitz", company_domain="lusha.com", filter_by="emailAddresses"
    )


def test_person_sends_reveal_flags_only_when_given(client, mock):
    mock.get(
        f"{BASE}/v2/person", json=fixture("person"), match=[matchers.query_param_matcher({"email": "a@b.co"})]
    )
    mock.get(
        f"{BASE}/v2/person",
        json=fixture("person"),
        match=[
            matchers.query_param_matcher({"email": "a@b.co", "revealEmails": "true", "revealPhones": "false"})
        ],
    )

    client.person(email="a@b.co")
    client.person(email="a@b.co", reveal_emails=True, reveal_phones=False)


def test_person_no_match_is_an_outcome_without_a_credit(client, mock):
    mock.get(f"{BASE}/v2/person", json=fixture("person_not_found"))

    record = client.person(person_id="4183886134").data

    assert record["outcome"] == "not_found"
    assert record["credit_charged"] is False
    assert record["error"] == {"code": 3, "name": "EMPTY_DATA", "message": "Could not find requested data"}


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"first_name": "Dustin", "last_name": "Moskovitz"},  # a name needs a company
        {"email": "a@b.co", "filter_by": "phones"},
        {"email": "a@b.co", "signals": ["headcountIncrease3m"]},  # a company signal
        {"email": "a@b.co", "signals_start_date": "01/03/2025"},
        {"email": "a@b.co", "revealEmail": True},  # unknown option
    ],
)
def test_person_input_is_checked_before_any_call(client, mock, fields):
    with pytest.raises(InvalidInput) as raised:
        client.person(**fields)

    assert raised.value.call is None  # nothing was sent


# --- Bulk person ------------------------------------------------------------------------------------


def test_bulk_people_sends_contacts_and_metadata_and_gives_each_record_its_outcome(client, mock):
    contacts = [
        {"contactId": "1", "fullName": "John Doe", "companies": [{"name": "Amazon", "domain": "amazon.com"}]},
        {"contactId": "2", "linkedinUrl": "https://www.linkedin.com/in/janesmith"},
        {"contactId": "3", "email": "nobody@example.com"},
        {"contactId": "4", "linkedinUrl": "https://www.linkedin.com/in/x"},
        {"contactId": "5", "personId": "4183886135"},
    ]
    body = {
        "contacts": [
            {**contacts[0], "companies": [{"name": "Amazon", "domain": "amazon.com", "isCurrent": True}]},
            *contacts[1:],
        ],
        "metadata": {"revealEmails": True, "signals": ["promotion"], "signalsStartDate": "2025-03-01"},
    }
    mock.post(
        f"{BASE}/v2/person", json=fixture("person_bulk"), match=[AUTH, matchers.json_params_matcher(body)]
    )

    result = client.bulk_people(
        contacts=contacts, reveal_emails=True, signals=["promotion"], signals_start_date="2025-03-01"
    )

    records = by_id(result)
    assert records["1"]["outcome"] == "found" and records["1"]["credit_charged"] is True
    assert records["1"]["data"]["company"]["name"] == "Amazon"  # from the top-level companies map
    assert records["2"]["outcome"] == "found" and records["2"]["credit_charged"] is False
    assert records["3"]["outcome"] == "not_found" and records["3"]["error"]["name"] == "EMPTY_DATA"
    assert records["4"]["outcome"] == "error" and records["4"]["error"]["message"] == "Invalid LinkedIn URL"
    assert records["5"] == {
        "id": "5",
        "outcome": "not_found",
        "credit_charged": False,
        "error": None,
        "data": {},
    }
    assert result.data["charged_records"] == 1
    assert set(result.data["companies"]) == {"1586", "33222678"}


@pytest.mark.parametrize(
    "contacts",
    [
        [],
        [{"contactId": str(i), "email": f"p{i}@x.co"} for i in range(101)],
        [{"contactId": "1", "email": "a@x.co"}, {"contactId": "1", "email": "b@x.co"}],
        [{"email": "a@x.co"}],  # no contactId
        [{"contactId": "1", "fullName": "Madonna", "companies": [{"name": "Lusha"}]}],  # Lusha's 412
        [{"contactId": "1", "fullName": "John Doe"}],  # a name without a company
        [{"contactId": "1", "fullName": "John Doe", "companies": ["Lusha"]}],
        "not a list",
    ],
)
def test_bulk_people_refuses_bad_batches_locally(client, mock, contacts):
    with pytest.raises(InvalidInput):
        client.bulk_people(contacts=contacts)


def test_bulk_people_takes_exactly_one_hundred_contacts(client, mock):
    mock.post(f"{BASE}/v2/person", json={"contacts": {}, "companies": {}})

    result = client.bulk_people(contacts=[{"contactId": str(i), "email": f"p{i}@x.co"} for i in range(100)])

    assert len(result.data["records"]) == 100
    assert {record["outcome"] for record in result.data["records"]} == {"not_found"}


# --- Company ----------------------------------------------------------------------------------------


def test_company_sends_its_query_and_reads_the_company(client, mock):
    query = {"domain": "lusha.com", "signals": "itSpendIncrease", "partialCompany": "false"}
    mock.get(f"{BASE}/v2/company", json=fixture("company"), match=[AUTH, matchers.query_param_matcher(query)])

    record = client.company(domain="lusha.com", signals=["itSpendIncrease"], partial_company=False).data

    assert record["outcome"] == "found"
    assert record["data"]["employees"] == "201 - 500"
    assert record["data"]["itSpendIncrease"][0]["estimatedAnnualItSpend"] == 5000000


def test_company_errors_without_data_are_a_no_match(client, mock):
    mock.get(f"{BASE}/v2/company", json=fixture("company_not_found"))

    record = client.company(company="Nonexistent Ltd").data

    assert record["outcome"] == "not_found"
    assert record["error"]["message"] == "Company not found"


def test_company_needs_an_identifier(client):
    with pytest.raises(InvalidInput):
        client.company(partial_company=True)


def test_bulk_companies_posts_to_the_spec_path_by_default(client, mock):
    companies = [
        {"id": "1", "name": "Lusha"},
        {"id": "2", "domain": "google.com"},
        {"id": "3", "domain": "gone.example"},
    ]
    body = {
        "companies": companies,
        "signals": ["surgeInHiringByLocation"],
        "signalsFilters": {
            "include": {"hiringByLocations": [{"country": "United States", "state": "California"}]}
        },
    }
    mock.post(
        f"{BASE}/v2/company", json=fixture("company_bulk"), match=[AUTH, matchers.json_params_matcher(body)]
    )

    result = client.bulk_companies(
        companies=companies, signals=["surgeInHiringByLocation"], signals_filters=body["signalsFilters"]
    )

    records = by_id(result)
    assert records["1"]["outcome"] == "found" and records["1"]["data"]["lushaCompanyId"] == "16303253"
    assert records["2"]["outcome"] == "found"
    assert records["3"]["outcome"] == "not_found"
    assert records["1"]["credit_charged"] is None  # Lusha sends no flag for companies


def test_bulk_companies_path_can_be_switched_per_key(settings, mock):
    settings.PROVIDER_URLS = {**settings.PROVIDER_URLS, "LUSHA_API_URL": BASE}
    client = LushaClient(KEY, {"bulk_company_path": "/bulk/company/v2"})
    mock.post(f"{BASE}/bulk/company/v2", json=fixture("company_bulk"))

    assert len(client.bulk_companies(companies=[{"id": "1", "name": "Lusha"}]).data["records"]) == 3


def test_bulk_companies_404_says_which_path_to_try(client, mock):
    mock.post(f"{BASE}/v2/company", status=404, json=fixture("errors")["spec_404"])

    with pytest.raises(InvalidInput) as raised:
        client.bulk_companies(companies=[{"id": "1", "domain": "lusha.com"}])

    assert "/bulk/company/v2" in raised.value.message
    assert raised.value.permanent and raised.value.status == 404 and raised.value.call.status == 404


@pytest.mark.parametrize(
    ("companies", "options"),
    [
        ([{"id": "1"}], {}),  # no identifier
        ([{"domain": "lusha.com"}], {}),  # no id
        (
            [{"id": "1", "domain": "lusha.com"}],
            {"signals_filters": {"include": {"hiringByLocations": [{"state": "CA"}]}}},
        ),
        ([{"id": "1", "domain": "lusha.com"}], {"signals": ["promotion"]}),  # a contact signal
    ],
)
def test_bulk_companies_refuses_bad_input_locally(client, companies, options):
    with pytest.raises(InvalidInput):
        client.bulk_companies(companies=companies, **options)


def test_bulk_companies_path_option_must_be_one_of_the_two_documented(settings):
    settings.PROVIDER_URLS = {**settings.PROVIDER_URLS, "LUSHA_API_URL": BASE}
    with pytest.raises(InvalidInput):
        LushaClient(KEY, {"bulk_company_path": "/v3/companies"}).bulk_companies(
            companies=[{"id": "1", "name": "x"}]
        )


# --- Prospecting ------------------------------------------------------------------------------------


def test_search_contacts_posts_pages_and_filters(client, mock):
    filters = {"contacts": {"include": {"departments": ["Engineering & Technical"], "seniority": [4, 5]}}}
    body = {"pages": {"page": 2, "size": 50}, "filters": filters, "excludeDnc": True}
    mock.post(
        f"{BASE}/prospecting/contact/search",
        json=fixture("contact_search"),
        match=[AUTH, matchers.json_params_matcher(body)],
    )

    result = client.search_contacts(filters=filters, page=2, size=50, exclude_dnc=True)

    assert result.data["requestId"] == "b6effae6-35b8-493d-91aa-7d3b1b7c7dc7"
    assert result.data["contacts"][0]["hasWorkEmail"] is True


@pytest.mark.parametrize(
    ("page", "size", "filters"), [(1001, 20, None), (0, 9, None), (0, 51, None), (0, 20, {})]
)
def test_search_contacts_checks_paging_and_filters_locally(client, page, size, filters):
    filters = {"contacts": {"include": {"jobTitles": ["CTO"]}}} if filters is None else filters
    with pytest.raises(InvalidInput):
        client.search_contacts(filters=filters, page=page, size=size)


def test_enrich_contacts_posts_the_search_ids_and_reads_each_outcome(client, mock):
    ids = ["37b4c536-eaec-11ef-ad4b-a75f8e9e1484", "ddfb6966-741f-4fca-a62b-e553d4ac12f8", "missing-id"]
    body = {"requestId": "b6effae6-35b8-493d-91aa-7d3b1b7c7dc7", "contactIds": ids, "revealPhones": True}
    mock.post(
        f"{BASE}/prospecting/contact/enrich",
        json=fixture("contact_enrich"),
        match=[AUTH, matchers.json_params_matcher(body)],
    )

    result = client.enrich_contacts(request_id=body["requestId"], contact_ids=ids, reveal_phones=True)

    records = by_id(result)
    assert records[ids[0]]["outcome"] == "found" and records[ids[0]]["data"]["firstName"] == "Carolina"
    assert records[ids[1]]["outcome"] == "not_found"  # isSuccess false
    assert records["missing-id"]["outcome"] == "not_found"
    assert result.data["request_id"] == body["requestId"]


def test_search_and_enrich_companies(client, mock):
    filters = {"companies": {"include": {"sizes": [{"min": 100, "max": 1000}], "mainIndustriesIds": [4]}}}
    search_body = {"pages": {"page": 0, "size": 20}, "filters": filters}
    enrich_body = {"requestId": "5ad275c8-7dd4-462a-bd45-6bc1970da64e", "companiesIds": ["1586"]}
    mock.post(
        f"{BASE}/prospecting/company/search",
        json=fixture("company_search"),
        match=[AUTH, matchers.json_params_matcher(search_body)],
    )
    mock.post(
        f"{BASE}/prospecting/company/enrich",
        json=fixture("company_enrich"),
        match=[AUTH, matchers.json_params_matcher(enrich_body)],
    )

    found = client.search_companies(filters=filters).data
    enriched = client.enrich_companies(
        request_id=found["requestId"], company_ids=[found["companies"][0]["id"]]
    )

    assert by_id(enriched)["1586"]["outcome"] == "found"
    assert by_id(enriched)["1586"]["data"]["subIndustry"] == "E-Commerce & Marketplace"


def test_prospecting_enrich_takes_at_most_one_hundred_ids(client):
    with pytest.raises(InvalidInput):
        client.enrich_companies(request_id="r", company_ids=[str(i) for i in range(101)])
    with pytest.raises(InvalidInput):
        client.enrich_contacts(request_id="", contact_ids=["a"])


@pytest.mark.parametrize("method", sorted(FILTER_LOOKUPS))
def test_filter_lookups_call_their_endpoint_and_return_the_values(client, mock, method):
    path, searched = FILTER_LOOKUPS[method]
    values = fixture("filters")[method]
    url = f"{BASE}/prospecting/filters/{path}"
    if searched:
        mock.post(url, json=values, match=[AUTH, matchers.json_params_matcher({"text": "lu"})])
        result = getattr(client, method)(text="lu")
    else:
        mock.get(url, json=values, match=[AUTH])
        result = getattr(client, method)()

    assert result.data == values
    assert result.call.endpoint == method


def test_searched_filter_lookups_need_a_text(client):
    with pytest.raises(InvalidInput):
        client.company_technologies(text="  ")


# --- Signals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "path", "body", "answer"),
    [
        (
            "contact_signals",
            {
                "contact_ids": [115889, "115890"],
                "signals": ["promotion", "companyChange"],
                "start_date": "2025-01-01",
            },
            "/api/signals/contacts",
            {
                "contactIds": [115889, 115890],
                "signals": ["promotion", "companyChange"],
                "startDate": "2025-01-01",
            },
            "signals_contacts",
        ),
        (
            "search_contact_signals",
            {
                "contacts": [{"id": "123321", "social_link": "https://www.linkedin.com/in/ron-nabet"}],
                "signals": "allSignals",
            },
            "/api/signals/contacts/search",
            {
                "contacts": [{"id": "123321", "social_link": "https://www.linkedin.com/in/ron-nabet"}],
                "signals": ["allSignals"],
            },
            "signals_contacts_search",
        ),
        (
            "company_signals",
            {
                "company_ids": [3416],
                "signals": ["commercialActivityNews", "websiteTrafficIncrease"],
                "max_results_per_signal": 10,
                "filters": {"include": {"newsEventTypes": ["Partnership"]}},
            },
            "/api/signals/companies",
            {
                "companyIds": [3416],
                "signals": ["commercialActivityNews", "websiteTrafficIncrease"],
                "maxResultsPerSignal": 10,
                "filters": {"include": {"newsEventTypes": ["Partnership"]}},
            },
            "signals_companies",
        ),
        (
            "search_company_signals",
            {"companies": [{"id": "12344321", "domain": "lusha.com"}], "signals": ["headcountIncrease3m"]},
            "/api/signals/companies/search",
            {"companies": [{"id": "12344321", "domain": "lusha.com"}], "signals": ["headcountIncrease3m"]},
            "signals_companies_search",
        ),
    ],
)
def test_signals_post_their_body_and_give_each_record_its_signals(
    client, mock, method, kwargs, path, body, answer
):
    mock.post(f"{BASE}{path}", json=fixture(answer), match=[AUTH, matchers.json_params_matcher(body)])

    result = getattr(client, method)(**kwargs)

    payload = fixture(answer)
    kind = "contacts" if "contacts" in payload else "companies"
    first_key = next(iter(payload[kind]))
    assert by_id(result)[first_key]["outcome"] == "found"
    assert by_id(result)[first_key]["signals"]
    assert result.data["credit_charged"] == payload["creditCharged"]
    assert result.data["start_date"] == payload["startDate"]


def test_contact_signal_ids_without_signals_are_no_match(client, mock):
    mock.post(f"{BASE}/api/signals/contacts", json=fixture("signals_contacts"))

    records = by_id(client.contact_signals(contact_ids=[115889, 115890, 115891], signals=["promotion"]))

    assert records["115890"]["outcome"] == "not_found"
    assert records["115891"]["outcome"] == "not_found"  # absent from the answer


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("contact_signals", {"contact_ids": ["abc"], "signals": ["promotion"]}),
        ("contact_signals", {"contact_ids": [1], "signals": []}),
        ("contact_signals", {"contact_ids": [1], "signals": ["promotion"], "filters": {"include": {}}}),
        ("company_signals", {"company_ids": [1], "signals": ["promotion"]}),
        ("company_signals", {"company_ids": [1], "signals": ["riskNews"], "max_results_per_signal": 0}),
        (
            "search_contact_signals",
            {"contacts": [{"id": "1", "full_name": "Ron Nabet"}], "signals": ["promotion"]},
        ),
        ("search_company_signals", {"companies": [{"id": "1"}], "signals": ["riskNews"]}),
    ],
)
def test_signals_refuse_bad_input_locally(client, method, kwargs):
    with pytest.raises(InvalidInput):
        getattr(client, method)(**kwargs)


def test_signal_options_for_an_object_type(client, mock):
    mock.get(f"{BASE}/api/signals/filters/contact", json=fixture("signal_options_contact"), match=[AUTH])

    assert client.signal_options(object_type="contact").data["signals"][0] == "promotion"
    with pytest.raises(InvalidInput):
        client.signal_options(object_type="person")


# --- Account ----------------------------------------------------------------------------------------


QUOTA_HEADERS = {
    "x-rate-limit-daily": "18000",
    "x-daily-requests-left": "17900",
    "x-daily-usage": "100",
    "x-rate-limit-hourly": "1800",
    "x-hourly-requests-left": "1790",
    "x-hourly-usage": "10",
    "x-rate-limit-minute": "300",
    "x-minute-requests-left": "299",
    "x-minute-usage": "1",
}


def test_account_usage_and_check_read_the_credit_figures(client, mock):
    mock.get(f"{BASE}/account/usage", json=fixture("account_usage"), match=[AUTH])
    mock.get(f"{BASE}/account/usage", json=fixture("account_usage"), match=[AUTH])

    usage = {"usage": {"bulkCredits": {"used": 150, "total": 1000, "remaining": 850}}}
    assert client.account_usage().data == usage
    assert client.check().data == usage


def test_balances_list_credits_and_request_allowances(client, mock):
    mock.get(f"{BASE}/account/usage", json=fixture("account_usage"), headers=QUOTA_HEADERS)

    result = client.balances()

    rows = {row["label"]: row["value"] for row in result.data}
    assert rows["Bulk credits remaining"] == 850
    assert rows["Bulk credits total"] == 1000
    assert rows["Requests left this day"] == 17900
    assert rows["Requests allowed per minute"] == 300
    assert result.call.retry_after is None  # nothing exhausted


def test_account_usage_reads_the_older_flat_shape(client, mock):
    mock.get(f"{BASE}/account/usage", json={"usage": {"used": 1, "total": 10, "remaining": 9}})

    assert client.account_usage().data == {"usage": {"credits": {"used": 1, "total": 10, "remaining": 9}}}


# --- Quota headers ----------------------------------------------------------------------------------


def test_rate_limit_state_reads_every_window():
    headers = {**QUOTA_HEADERS, "RateLimit-Limit": "25", "RateLimit-Remaining": "24", "RateLimit-Reset": "1"}

    state = rate_limit_state(headers)

    assert state["day"] == {
        "limit": 18000,
        "remaining": 17900,
        "used": 100,
        "reset_in": None,
        "window_seconds": 86400,
    }
    assert state["minute"]["remaining"] == 299
    assert state["second"] == {
        "limit": 25,
        "remaining": 24,
        "used": None,
        "reset_in": 1.0,
        "window_seconds": 1,
    }
    assert LushaClient.rate_limit_state(headers) == state


def test_remaining_is_derived_from_limit_and_usage_when_not_sent():
    assert rate_limit_state({"x-rate-limit-hourly": "150", "x-hourly-usage": "150"})["hour"]["remaining"] == 0


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"x-minute-requests-left": "0", "x-rate-limit-minute": "50"}, 60),  # no reset header: the window
        ({"x-hourly-requests-left": "0"}, 3600),
        ({"x-daily-requests-left": "0", "x-ratelimit-reset-daily": "120"}, 120),  # a delta
        (
            {"X-RateLimit-Remaining-Daily": "0", "X-RateLimit-Reset-Daily": str(1_000_000_000 + 900)},
            900,
        ),  # Unix time
        (
            {"x-ratelimit-remaining-day": "0", "x-ratelimit-reset-day": str((1_000_000_000 + 30) * 1000)},
            30,
        ),  # ms
        (
            {"x-minute-requests-left": "0", "x-daily-requests-left": "0"},
            86400,
        ),  # the longest exhausted window
        ({"RateLimit-Remaining": "0", "RateLimit-Reset": "2"}, 2),
        ({"x-minute-requests-left": "3"}, None),
        ({}, None),
    ],
)
def test_quota_wait_is_the_time_until_exhausted_windows_reopen(headers, wait):
    assert quota_wait(headers, now=1_000_000_000) == wait


def test_a_success_that_exhausts_a_window_tells_the_caller_to_wait(client, mock):
    mock.get(
        f"{BASE}/v2/person", json=fixture("person"), headers={**QUOTA_HEADERS, "x-minute-requests-left": "0"}
    )

    result = client.person(email="dustin@lusha.com")

    assert result.call.retry_after == 60
    assert result.data["outcome"] == "found"


def test_retry_after_wins_over_the_quota_headers(client, mock):
    mock.get(
        f"{BASE}/v2/person",
        json=fixture("person"),
        headers={"Retry-After": "7", "x-minute-requests-left": "0"},
    )

    assert client.person(email="dustin@lusha.com").call.retry_after == 7


# --- Errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "headers", "error_class", "permanent", "retry_after"),
    [
        ("seed_400", 400, {}, InvalidInput, True, None),
        ("spec_400", 400, {}, InvalidInput, True, None),
        ("spec_401", 401, {}, KeyRejected, True, None),
        ("spec_402", 402, {}, OutOfCredits, True, None),
        ("spec_403_inactive", 403, {}, KeyRejected, True, None),
        ("spec_403_reveal", 403, {}, InvalidInput, True, None),
        ("spec_403_dnc", 403, {}, InvalidInput, True, None),
        ("spec_404", 404, {}, NotFound, True, None),
        ("seed_412", 412, {}, InvalidInput, True, None),
        ("seed_429_trial", 429, {}, OutOfCredits, True, None),
        ("seed_429_daily", 429, {}, RateLimited, False, 86400),
        ("seed_429_daily", 429, {"X-RateLimit-Reset-Daily": "5400"}, RateLimited, False, 5400),
        ("seed_429_hourly", 429, {}, RateLimited, False, 1200),
        ("spec_429", 429, {"Retry-After": "30"}, RateLimited, False, 30),
        ("spec_429", 429, {"x-minute-requests-left": "0"}, RateLimited, False, 60),
        ("spec_429", 429, {"RateLimit-Remaining": "0", "RateLimit-Reset": "1"}, RateLimited, False, 1),
        ("spec_429", 429, {}, RateLimited, False, None),
        ("spec_451", 451, {}, LegalRefusal, True, None),
        ("seed_499", 499, {}, ProviderUnavailable, False, None),
        ("spec_500", 500, {}, ProviderUnavailable, False, None),
        ("spec_500", 503, {}, ProviderUnavailable, False, None),
    ],
)
def test_documented_errors_map_to_their_class(
    client, mock, body, status, headers, error_class, permanent, retry_after
):
    payload = fixture("errors")[body]
    mock.get(f"{BASE}/v2/person", status=status, json=payload, headers=headers)

    with pytest.raises(error_class) as raised:
        client.person(email="dustin@lusha.com")

    error = raised.value
    assert type(error) is error_class
    assert error.permanent is permanent
    assert error.retry_after == retry_after
    assert error.status == status and error.call.status == status
    expected = (payload.get("error") or payload)["message"]
    assert expected in error.message


def test_validation_details_of_the_spec_error_reach_the_message(client, mock):
    mock.get(f"{BASE}/v2/person", status=400, json=fixture("errors")["spec_400"])

    with pytest.raises(InvalidInput) as raised:
        client.person(email="dustin@lusha.com")

    assert raised.value.message == "Validation failed; entityType must be one of: contact, company"
    assert raised.value.provider_code == "400"


def test_plan_restrictions_say_so(client, mock):
    mock.get(f"{BASE}/v2/person", status=403, json=fixture("errors")["spec_403_reveal"])

    with pytest.raises(InvalidInput) as raised:
        client.person(email="dustin@lusha.com", reveal_emails=True)

    assert raised.value.message.startswith("Your Lusha plan does not allow this request")


def test_retry_after_as_an_http_date_is_read(client, mock):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    mock.get(
        f"{BASE}/v2/person", status=429, json=fixture("errors")["spec_429"], headers={"Retry-After": when}
    )

    with pytest.raises(RateLimited) as raised:
        client.person(email="dustin@lusha.com")

    assert 100 < raised.value.retry_after <= 120


def test_a_non_json_success_is_malformed(client, mock):
    mock.get(f"{BASE}/v2/person", body="<html>oops</html>")

    with pytest.raises(ProviderError) as raised:
        client.person(email="dustin@lusha.com")

    assert raised.value.code == "malformed_response"


def test_an_html_error_page_still_maps_by_status(client, mock):
    mock.get(f"{BASE}/v2/person", status=502, body="<html>Bad gateway</html>")

    with pytest.raises(ProviderUnavailable):
        client.person(email="dustin@lusha.com")


# --- Fuzz: handle() only ever returns a Result or raises a ProviderError ----------------------------

JSON = helpers.json_values(floats=st.floats(), text=st.text(max_size=20), keys=st.text(max_size=12))
ENDPOINTS = [
    *sorted(FILTER_LOOKUPS),
    "person",
    "bulk_people",
    "company",
    "bulk_companies",
    "search_contacts",
    "enrich_contacts",
    "search_companies",
    "enrich_companies",
    "signal_options",
    "contact_signals",
    "search_contact_signals",
    "company_signals",
    "search_company_signals",
    "account_usage",
    "check",
    "balances",
    "unknown",
]
HEADER_NAMES = [
    "Retry-After",
    "x-minute-requests-left",
    "x-daily-requests-left",
    "X-RateLimit-Reset-Daily",
    "RateLimit-Reset",
    "RateLimit-Remaining",
    "x-rate-limit-hourly",
    "x-hourly-usage",
    "x-ratelimit-reset-day",
    "Content-Type",
]
HEADER_VALUES = st.one_of(
    st.text(alphabet=helpers.PRINTABLE_ASCII, max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        ["0", "nan", "inf", "-inf", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "2030-01-01T00:00:00+00:00"]
    ),
)


@helpers.FUZZ_SETTINGS
@given(
    status=helpers.STATUSES,
    body=helpers.bodies(JSON),
    headers=helpers.header_dicts(HEADER_NAMES, HEADER_VALUES, max_size=5),
    endpoint=st.sampled_from(ENDPOINTS),
)
def test_handle_returns_a_result_or_raises_a_provider_error(client, status, body, headers, endpoint):
    call = Call(provider="lusha", endpoint=endpoint, method="GET", url=f"{BASE}/v2/person")

    outcome = helpers.assert_handle_never_raises_foreign(client, call, status, body, headers)

    if isinstance(outcome, ProviderError):
        assert outcome.retry_after is None or 0 <= outcome.retry_after <= 86400
    else:
        assert call.retry_after is None or 0 <= call.retry_after <= 86400
