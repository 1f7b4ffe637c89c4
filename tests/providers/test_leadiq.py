"""LeadiqClient: GraphQL (errors in a 200, pay-per-selected-field queries) and the Prospector REST API."""

import base64
import json

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from responses import matchers

from prospecting.providers.base import (
    Call,
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from prospecting.providers.leadiq import DEFAULT_PRICES, LeadiqClient, selected_data_points
from prospecting.providers.leadiq_schema import ACCOUNT_QUERY
from tests.providers import helpers

RAW_KEY = "li-3f9c2a7e:5b1d"
KEY = base64.b64encode(RAW_KEY.encode()).decode()
GRAPHQL_URL = "https://graphql.leadiq.test/graphql"
PROSPECTOR_URL = "https://prospector.leadiq.test"
LIST_ID = "65a1b2c3d4e5f60718293a4b"
CURSOR = "65a1b2c3d4e5f60718293a4c"
GRAPHQL_HEADERS = {
    "Authorization": f"Basic {KEY}",
    "Content-Type": "application/json",
    "Accept": "application/json",
}
PROSPECTOR_HEADERS = {"X-API-Key": RAW_KEY, "Accept": "application/json"}


def fixture(name):
    return helpers.load_fixture("leadiq", name)


_provider_urls = helpers.provider_urls(
    LEADIQ_GRAPHQL_URL=GRAPHQL_URL, LEADIQ_PROSPECTOR_URL=PROSPECTOR_URL + "/"
)


@pytest.fixture
def client():
    return LeadiqClient(KEY)


def sent_body(rsps):
    return json.loads(rsps.calls[0].request.body)


# --- GraphQL endpoints ---------------------------------------------------------------------------

JANE = "https://www.linkedin.com/in/janedoe"
NH_SALES = {"contactFilter": {"roles": ["Sales"], "seniorities": ["VP", "Director", "Manager"]}}
GRAPHQL_CASES = [
    pytest.param(
        lambda c: c.search_people(fields=("profile", "email", "phone", "company"), linkedin_url=JANE),
        "search_people.json",
        "searchPeople",
        {"input": {"linkedinUrl": JANE}},
        [
            "searchPeople(input: $input)",
            "emails { value type status }",
            "personalPhones",
            "numberOfEmployees",
        ],
        id="search_people_by_linkedin",
    ),
    pytest.param(
        lambda c: c.search_people(
            fields=["email"], first_name="Jane", last_name="Doe", company_domain="acme.com", limit=1, skip=0
        ),
        "search_people.json",
        "searchPeople",
        {
            "input": {
                "firstName": "Jane",
                "lastName": "Doe",
                "company": {"domain": "acme.com"},
                "limit": 1,
                "skip": 0,
            }
        },
        ["query SearchPeople($input: SearchPeopleInput!)", "emails"],
        id="search_people_by_name_and_company",
    ),
    pytest.param(
        lambda c: c.flat_advanced_search(fields={"profile"}, filters=NH_SALES, sort_contacts_by=["NameAsc"]),
        "flat_advanced_search.json",
        "flatAdvancedSearch",
        {"input": {**NH_SALES, "limit": 25, "skip": 0, "sortContactsBy": ["NameAsc"]}},
        ["query FlatAdvancedSearch($input: FlatSearchInput!)", "totalPeople", "people { id name firstName"],
        id="flat_advanced_search",
    ),
    pytest.param(
        lambda c: c.grouped_advanced_search(
            fields=("profile", "company"),
            filters={"companyFilter": {"industries": ["Computer Software"]}, "contactFilter": None},
            sort_by={"sortCompaniesBy": ["SizeDesc"]},
            limit=10,
            skip=10,
            limit_per_company=3,
        ),
        "grouped_advanced_search.json",
        "groupedAdvancedSearch",
        {
            "input": {
                "companyFilter": {"industries": ["Computer Software"]},
                "limit": 10,
                "skip": 10,
                "limitPerCompany": 3,
                "sortCompaniesBy": ["SizeDesc"],
            }
        },
        ["query GroupedSearch($input: GroupedSearchInput!)", "totalContactsInCompany", "employeeCount"],
        id="grouped_advanced_search",
    ),
    pytest.param(
        lambda c: c.search_company(fields=("company",), domain="acme.com", strict=True),
        "search_company.json",
        "searchCompany",
        {"input": {"domain": "acme.com", "strict": True}},
        [
            "query SearchCompany($input: SearchCompanyInput!)",
            "fundingInfo { fundingTotalUsd lastFundingType }",
        ],
        id="search_company",
    ),
]


@pytest.mark.parametrize(("call", "fixture_name", "root", "variables", "fragments"), GRAPHQL_CASES)
def test_graphql_search_posts_the_query_with_variables_and_basic_auth(
    client, call, fixture_name, root, variables, fragments
):
    payload = fixture(fixture_name)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.post(
            GRAPHQL_URL,
            json=payload,
            match=[
                matchers.header_matcher(GRAPHQL_HEADERS),
                matchers.query_param_matcher({}),
                matchers.json_params_matcher({"variables": variables}, strict_match=False),
            ],
        )
        result = call(client)
        body = sent_body(rsps)
    assert set(body) == {"query", "variables"}
    assert all(fragment in body["query"] for fragment in fragments)
    assert result.data == payload["data"][root]
    assert result.call.provider == "leadiq"
    assert result.call.status == 200
    assert result.call.url == GRAPHQL_URL


def test_check_sends_the_seed_account_query_and_returns_the_account(client):
    payload = fixture("account.json")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.post(
            GRAPHQL_URL,
            json=payload,
            match=[
                matchers.header_matcher(GRAPHQL_HEADERS),
                matchers.json_params_matcher({"query": ACCOUNT_QUERY}),
            ],
        )
        result = client.check()
    assert result.data == payload["data"]["account"]
    assert result.call.endpoint == "check"


def test_balances_lists_universal_credits_and_plans(client):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.post(
            GRAPHQL_URL,
            json=fixture("account.json"),
            match=[matchers.json_params_matcher({"query": ACCOUNT_QUERY})],
        )
        result = client.balances()
    assert result.data == [
        {"label": "Universal credits available", "value": 4870},
        {"label": "Universal credits used", "value": 130},
        {"label": "Universal credits renew on", "value": "2026-09-01"},
        {"label": "Plan Enterprise Annual (Universal)", "value": "Active"},
        {"label": "Plan Api Trial (Api)", "value": "Trialing"},
    ]
    assert result.call.endpoint == "balances"


def test_a_null_account_without_errors_is_a_rejected_key(client):
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json={"data": {"account": None}})
        with pytest.raises(KeyRejected) as raised:
            client.check()
    assert raised.value.permanent is True


def test_search_people_selects_only_the_requested_field_groups(client):
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=fixture("search_people.json"))
        client.search_people(fields=("email",), person_id="5f1a2b3c4d5e6f7a8b9c0d1e")
        query = sent_body(rsps)["query"]
    assert query == (
        "query SearchPeople($input: SearchPeopleInput!) { searchPeople(input: $input) { totalResults hasMore "
        "results { id currentPositions { emails { value type status } } } } }"
    )


def test_search_company_without_fields_selects_only_id_and_name(client):
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=fixture("search_company.json"))
        client.search_company(fields=(), name="Acme")
        query = sent_body(rsps)["query"]
    assert query.endswith("searchCompany(input: $input) { totalResults hasMore results { id name } } }")


def test_merged_field_groups_select_each_field_once(client):
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=fixture("search_people.json"))
        client.search_people(fields=("company", "profile", "phone"), email="jane.doe@acme.com")
        query = sent_body(rsps)["query"]
    assert query.count("currentPositions {") == 1
    assert query.count("companyInfo {") == 1
    assert "emails" not in query
    assert query.count("{") == query.count("}")


def test_caller_input_travels_in_variables_never_in_the_query(client):
    hostile = 'https://www.linkedin.com/in/x"}) { account { plans { name } } } #'
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=fixture("search_people.json"))
        client.search_people(fields=("profile",), linkedin_url=hostile)
        body = sent_body(rsps)
    assert "linkedin.com/in/x" not in body["query"]
    assert body["variables"] == {"input": {"linkedinUrl": hostile}}


# --- Prospector REST endpoints -------------------------------------------------------------------

PROSPECT = {
    "firstName": "Jane",
    "lastName": "Doe",
    "workEmail": "jane.doe@acme.com",
    "phone": "+1 603 555 0199",
    "seniority": "VP",
    "emailStatus": "Verified",
    "personId": "5f1a2b3c4d5e6f7a8b9c0d1e",
    "location": {"city": "Manchester", "state": "New Hampshire"},
}
REST_CASES = [
    pytest.param(
        lambda c: c.create_list(name="Sales Leaders in New Hampshire", description="VPs"),
        "POST",
        "/v1/lists",
        {},
        {"name": "Sales Leaders in New Hampshire", "description": "VPs"},
        201,
        "list.json",
        id="create_list",
    ),
    pytest.param(
        lambda c: c.add_prospect(LIST_ID, {**PROSPECT, "title": None}),
        "POST",
        f"/v1/lists/{LIST_ID}/prospects",
        {},
        PROSPECT,
        201,
        "prospect.json",
        id="add_prospect",
    ),
    pytest.param(
        lambda c: c.add_prospects(LIST_ID, [PROSPECT, {"firstName": "John", "lastName": "Roe"}]),
        "POST",
        f"/v1/lists/{LIST_ID}/prospects/batch",
        {},
        [PROSPECT, {"firstName": "John", "lastName": "Roe"}],
        200,
        "prospects_batch.json",
        id="add_prospects",
    ),
    pytest.param(
        lambda c: c.list_prospects(LIST_ID, limit=100, cursor=CURSOR),
        "GET",
        f"/v1/lists/{LIST_ID}/prospects",
        {"limit": "100", "cursor": CURSOR},
        None,
        200,
        "prospects_page.json",
        id="list_prospects",
    ),
    pytest.param(lambda c: c.whoami(), "GET", "/v1/whoami", {}, None, 200, "whoami.json", id="whoami"),
]


@pytest.mark.parametrize(("call", "method", "path", "query", "body", "status", "fixture_name"), REST_CASES)
def test_prospector_call_sends_the_decoded_key_to_the_v1_path(
    client, call, method, path, query, body, status, fixture_name
):
    payload = fixture(fixture_name)
    match = [matchers.header_matcher(PROSPECTOR_HEADERS), matchers.query_param_matcher(query)]
    if body is not None:
        match.append(matchers.json_params_matcher(body))
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(method, PROSPECTOR_URL + path, json=payload, status=status, match=match)
        result = call(client)
        sent = rsps.calls[0].request
    assert "Authorization" not in sent.headers
    assert result.data == payload
    assert result.call.status == status


def test_batch_partial_success_is_a_result_with_the_failures(client):
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{PROSPECTOR_URL}/v1/lists/{LIST_ID}/prospects/batch", json=fixture("prospects_batch.json")
        )
        result = client.add_prospects(LIST_ID, [PROSPECT, {"firstName": "John", "lastName": "Roe"}])
    assert [prospect["firstName"] for prospect in result.data["succeeded"]] == ["Jane"]
    assert result.data["failed"] == [{"index": 1, "reason": "workEmail must be a valid email"}]


def test_a_key_that_does_not_decode_from_base64_is_rejected_before_any_prospector_call():
    client = LeadiqClient("not~base64~at~all")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(KeyRejected, match="base64"):
            client.whoami()
        assert len(rsps.calls) == 0


def test_the_graphql_key_is_sent_as_given_even_when_it_does_not_decode():
    with responses.RequestsMock() as rsps:
        rsps.post(
            GRAPHQL_URL,
            json=fixture("account.json"),
            match=[matchers.header_matcher({"Authorization": "Basic not~base64~at~all"})],
        )
        assert LeadiqClient("not~base64~at~all").check().data["universalPlan"]["available"] == 4870


# --- Local validation ----------------------------------------------------------------------------

INVALID_CALLS = [
    pytest.param(lambda c: c.search_people(fields=("emails",), email="a@b.co"), id="unknown_field_group"),
    pytest.param(lambda c: c.search_people(fields=("email",)), id="no_identifier"),
    pytest.param(
        lambda c: c.search_people(fields=("email",), first_name="Jane", last_name="Doe"), id="name_alone"
    ),
    pytest.param(lambda c: c.search_people(fields=("email",), email="not-an-email"), id="bad_email"),
    pytest.param(
        lambda c: c.search_people(fields=("email",), linkedin_url="https://x.com/jane"), id="not_linkedin"
    ),
    pytest.param(
        lambda c: c.search_people(fields=("email",), email="a@b.co", nickname="J"), id="unknown_identifier"
    ),
    pytest.param(
        lambda c: c.search_people(fields=("email",), email="a@b.co", options={"x": 1}), id="bad_option"
    ),
    pytest.param(lambda c: c.search_people(fields=("email",), email="a@b.co", limit=0), id="limit_zero"),
    pytest.param(lambda c: c.search_people(fields=("email",), email="a@b.co", skip=-1), id="negative_skip"),
    pytest.param(
        lambda c: c.flat_advanced_search(fields=("email",), filters=NH_SALES), id="email_in_flat_search"
    ),
    pytest.param(lambda c: c.flat_advanced_search(fields=(), filters={}), id="no_filter"),
    pytest.param(
        lambda c: c.flat_advanced_search(fields=(), filters={"contactFilter": {"role": ["x"]}}),
        id="unknown_filter_key",
    ),
    pytest.param(
        lambda c: c.flat_advanced_search(fields=(), filters={"contactFilter": {"seniorities": ["CEO"]}}),
        id="unknown_seniority",
    ),
    pytest.param(
        lambda c: c.flat_advanced_search(fields=(), filters=NH_SALES, sort_contacts_by=["Fastest"]),
        id="unknown_sort",
    ),
    pytest.param(
        lambda c: c.flat_advanced_search(fields=(), filters=NH_SALES, limit=101), id="limit_over_100"
    ),
    pytest.param(
        lambda c: c.grouped_advanced_search(fields=(), filters={"jobChangeFilter": {"startedAfter": 1}}),
        id="job_change_in_grouped",
    ),
    pytest.param(
        lambda c: c.search_company(fields=("profile",), domain="acme.com"), id="profile_for_company"
    ),
    pytest.param(lambda c: c.search_company(fields=("company",)), id="no_company_identifier"),
    pytest.param(lambda c: c.search_company(fields=("company",), domain="  "), id="blank_domain"),
    pytest.param(lambda c: c.create_list(name=""), id="empty_list_name"),
    pytest.param(lambda c: c.create_list(name="x" * 201), id="long_list_name"),
    pytest.param(lambda c: c.add_prospect("123", PROSPECT), id="bad_list_id"),
    pytest.param(lambda c: c.add_prospect(LIST_ID, {"firstName": "Jane"}), id="no_last_name"),
    pytest.param(lambda c: c.add_prospect(LIST_ID, {**PROSPECT, "mobilePhone": "+1"}), id="mobile_phone_key"),
    pytest.param(
        lambda c: c.add_prospect(LIST_ID, {**PROSPECT, "emailStatus": "Invalid"}), id="invalid_status"
    ),
    pytest.param(lambda c: c.add_prospect(LIST_ID, {**PROSPECT, "seniority": "Boss"}), id="bad_seniority"),
    pytest.param(lambda c: c.add_prospect(LIST_ID, {**PROSPECT, "notes": "n" * 5001}), id="long_notes"),
    pytest.param(lambda c: c.add_prospects(LIST_ID, []), id="empty_batch"),
    pytest.param(lambda c: c.add_prospects(LIST_ID, [PROSPECT] * 101), id="batch_over_100"),
    pytest.param(lambda c: c.add_prospects(LIST_ID, [PROSPECT, {"firstName": "x"}]), id="bad_item_in_batch"),
    pytest.param(lambda c: c.list_prospects(LIST_ID, limit=0), id="page_limit_zero"),
    pytest.param(lambda c: c.list_prospects(LIST_ID, cursor="next"), id="bad_cursor"),
]


@pytest.mark.parametrize("call", INVALID_CALLS)
def test_invalid_input_is_refused_before_any_http_call(client, call):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(InvalidInput) as raised:
            call(client)
        assert len(rsps.calls) == 0
    assert raised.value.permanent is True
    assert raised.value.message


# --- Errors --------------------------------------------------------------------------------------

GRAPHQL_ERRORS = [
    ("invalid_key", KeyRejected, True),
    ("no_credits", OutOfCredits, True),
    ("rate_limited", RateLimited, False),
    ("unauthenticated_code", KeyRejected, True),
    ("insufficient_credits_code", OutOfCredits, True),
    ("plan_code", OutOfCredits, True),
    ("not_found_code", NotFound, True),
    ("invalid_parameters_code", InvalidInput, True),
    ("validation", InvalidInput, True),
    ("missing_query", InvalidInput, True),
    ("internal", ProviderUnavailable, False),
    ("unexpected_credit", ProviderUnavailable, False),
    ("rate_message", RateLimited, False),
    ("unknown", InvalidInput, True),
    ("mixed", KeyRejected, True),
]


@pytest.mark.parametrize(("name", "error_class", "permanent"), GRAPHQL_ERRORS)
def test_graphql_errors_in_a_200_are_mapped(client, name, error_class, permanent):
    body = fixture("graphql_errors.json")[name]
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=body, status=200)
        with pytest.raises(error_class) as raised:
            client.search_people(fields=("email",), email="jane.doe@acme.com")
    error = raised.value
    assert type(error) is error_class
    assert error.permanent is permanent
    assert error.retry_after is None
    assert error.maybe_billed is False
    assert error.status == 200
    assert error.call.endpoint == "search_people"


def test_graphql_rate_limit_honours_retry_after(client):
    with responses.RequestsMock() as rsps:
        rsps.post(
            GRAPHQL_URL, json=fixture("graphql_errors.json")["rate_limited"], headers={"Retry-After": "30"}
        )
        with pytest.raises(RateLimited) as raised:
            client.check()
    assert raised.value.retry_after == 30.0
    assert raised.value.permanent is False


def test_graphql_errors_beside_partial_data_may_have_been_billed(client):
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=fixture("graphql_errors.json")["partial"])
        with pytest.raises(InvalidInput) as raised:
            client.search_people(fields=("phone",), email="jane.doe@acme.com")
    assert raised.value.maybe_billed is True
    assert raised.value.message == "Could not load phones"


@pytest.mark.parametrize(
    ("status", "body", "error_class", "permanent"),
    [
        (401, {"errors": [{"message": "Unauthorized"}]}, KeyRejected, True),
        (402, "Payment Required", OutOfCredits, True),
        (429, "", RateLimited, False),
        (500, {"errors": [{"message": "boom"}]}, ProviderUnavailable, False),
        (400, {"errors": [{"message": "Syntax Error: Unexpected Name"}]}, InvalidInput, True),
    ],
)
def test_graphql_http_errors_are_mapped(client, status, body, error_class, permanent):
    with responses.RequestsMock() as rsps:
        kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
        rsps.post(GRAPHQL_URL, status=status, **kwargs)
        with pytest.raises(error_class) as raised:
            client.check()
    assert raised.value.permanent is permanent
    assert raised.value.status == status


@pytest.mark.parametrize(
    ("status", "error_class", "permanent"),
    [
        (400, InvalidInput, True),
        (401, KeyRejected, True),
        (402, OutOfCredits, True),
        (403, KeyRejected, True),
        (404, NotFound, True),
        (409, InvalidInput, True),
        (413, InvalidInput, True),
        (422, InvalidInput, True),
        (429, RateLimited, False),
        (500, ProviderUnavailable, False),
        (502, ProviderUnavailable, False),
    ],
)
def test_prospector_errors_are_mapped_with_their_code(client, status, error_class, permanent):
    body = fixture("rest_errors.json")[str(status)]
    with responses.RequestsMock() as rsps:
        rsps.get(f"{PROSPECTOR_URL}/v1/lists/{LIST_ID}/prospects", json=body, status=status)
        with pytest.raises(error_class) as raised:
            client.list_prospects(LIST_ID)
    error = raised.value
    assert type(error) is error_class
    assert error.permanent is permanent
    assert error.provider_code == body["code"]
    assert error.message == body["message"]
    assert error.maybe_billed is False
    assert error.retry_after is None


@pytest.mark.parametrize(
    ("header", "is_expected"),
    [
        ("12", lambda wait: wait == 12.0),
        ("Thu, 01 Jan 2099 00:00:00 GMT", lambda wait: wait > 0),
        ("soon", lambda wait: wait is None),
    ],
)
def test_prospector_429_reads_retry_after_in_seconds_or_as_a_date(client, header, is_expected):
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{PROSPECTOR_URL}/v1/whoami",
            json=fixture("rest_errors.json")["429"],
            status=429,
            headers={"Retry-After": header},
        )
        with pytest.raises(RateLimited) as raised:
            client.whoami()
    assert is_expected(raised.value.retry_after)
    assert raised.value.permanent is False


@pytest.mark.parametrize(
    ("call", "method", "path", "status", "body", "maybe_billed"),
    [
        (
            lambda c: c.add_prospect(LIST_ID, PROSPECT),
            "POST",
            f"/v1/lists/{LIST_ID}/prospects",
            502,
            "json",
            True,
        ),
        (lambda c: c.create_list(name="Leads"), "POST", "/v1/lists", 500, "json", True),
        (
            lambda c: c.add_prospects(LIST_ID, [PROSPECT]),
            "POST",
            f"/v1/lists/{LIST_ID}/prospects/batch",
            200,
            "<html>",
            True,
        ),
        (
            lambda c: c.add_prospect(LIST_ID, PROSPECT),
            "POST",
            f"/v1/lists/{LIST_ID}/prospects",
            429,
            "json",
            False,
        ),
        (lambda c: c.create_list(name="Leads"), "POST", "/v1/lists", 409, "json", False),
        (lambda c: c.list_prospects(LIST_ID), "GET", f"/v1/lists/{LIST_ID}/prospects", 502, "json", False),
    ],
)
def test_non_idempotent_creates_with_unknown_outcome_are_flagged_not_to_repeat(
    client, call, method, path, status, body, maybe_billed
):
    with responses.RequestsMock() as rsps:
        if body == "json":
            rsps.add(
                method, PROSPECTOR_URL + path, json=fixture("rest_errors.json")[str(status)], status=status
            )
        else:
            rsps.add(method, PROSPECTOR_URL + path, body=body, status=status)
        with pytest.raises(ProviderError) as raised:
            call(client)
    assert raised.value.maybe_billed is maybe_billed


def test_non_idempotent_endpoints_are_declared():
    assert {"create_list", "add_prospect", "add_prospects"} == LeadiqClient.NOT_IDEMPOTENT


def test_a_graphql_200_without_data_is_malformed(client):
    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json={"data": None})
        with pytest.raises(MalformedResponse) as raised:
            client.search_company(fields=(), domain="acme.com")
    assert raised.value.permanent is False


# --- Billed data points --------------------------------------------------------------------------
# "A query only charges for the data points you actually select" [S]: each result is charged for every
# selected data point, found or not (the former rule counted only values returned, under-counting).


@pytest.mark.parametrize(
    ("endpoint", "fixture_name", "fields", "expected"),
    [
        (
            "search_people",
            "search_people.json",
            ("profile", "email", "phone", "company"),
            {"profile": 1, "email": 1, "phone": 1, "company": 1},
        ),
        (
            "search_people",
            "search_people.json",
            ("email",),
            {"profile": 1, "email": 1, "phone": 0, "company": 0},
        ),
        (
            "flat_advanced_search",
            "flat_advanced_search.json",
            ("profile",),
            {"profile": 2, "email": 0, "phone": 0, "company": 0},
        ),
        (
            "flat_advanced_search",
            "flat_advanced_search.json",
            ("profile", "company"),
            {"profile": 2, "email": 0, "phone": 0, "company": 2},
        ),
        (
            "grouped_advanced_search",
            "grouped_advanced_search.json",
            ("profile", "company"),
            {"profile": 1, "email": 0, "phone": 0, "company": 1},
        ),
        (
            "search_company",
            "search_company.json",
            ("company",),
            {"profile": 0, "email": 0, "phone": 0, "company": 1},
        ),
        ("search_company", "search_company.json", (), {"profile": 0, "email": 0, "phone": 0, "company": 0}),
    ],
)
def test_each_result_is_charged_for_each_selected_data_point(endpoint, fixture_name, fields, expected):
    root = {
        "search_people": "searchPeople",
        "flat_advanced_search": "flatAdvancedSearch",
        "grouped_advanced_search": "groupedAdvancedSearch",
        "search_company": "searchCompany",
    }[endpoint]
    assert selected_data_points(endpoint, fields, fixture(fixture_name)["data"][root]) == expected


def test_an_enriched_person_with_everything_costs_fourteen_point_one_uc():
    counts = selected_data_points(
        "search_people",
        ("profile", "email", "phone", "company"),
        fixture("search_people.json")["data"]["searchPeople"],
    )
    assert round(sum(DEFAULT_PRICES[point] * count for point, count in counts.items()), 4) == 14.1


def test_a_selected_email_or_phone_is_charged_even_when_suppressed_or_empty():
    data = {
        "results": [
            {
                "id": "1",
                "currentPositions": [
                    {
                        "emails": [{"value": "x@y.z", "status": "Suppressed"}],
                        "phones": [{"value": "", "status": "LikelyAccurate"}],
                    }
                ],
                "personalPhones": [],
            }
        ]
    }
    counts = selected_data_points("search_people", ("email", "phone"), data)
    assert counts == {"profile": 1, "email": 1, "phone": 1, "company": 0}


# --- Fuzz ----------------------------------------------------------------------------------------

JSON = helpers.json_values(text=st.text(max_size=20))
GRAPHQL_ERROR = st.fixed_dictionaries(
    {},
    optional={
        "message": JSON,
        "extensions": st.fixed_dictionaries(
            {},
            optional={
                "code": JSON
                | st.sampled_from(["UNAUTHENTICATED", "InsufficientCredits", "NotFound", "Unexpected"]),
                "response": JSON | st.fixed_dictionaries({"status": st.integers(100, 700) | JSON}),
                "status": JSON | st.integers(100, 700),
            },
        ),
    },
)
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "errors": JSON | st.lists(GRAPHQL_ERROR | JSON, max_size=3),
        "data": JSON | st.dictionaries(st.sampled_from(["account", "searchPeople", "searchCompany"]), JSON),
        "items": JSON,
        "succeeded": JSON,
        "failed": JSON,
        "code": JSON,
        "message": JSON,
    },
)
BODIES = helpers.bodies(JSON, SHAPED)
HEADERS = helpers.header_dicts(values=st.text(alphabet=helpers.PRINTABLE_ASCII, max_size=30))
ENDPOINTS = [
    "check",
    "balances",
    "search_people",
    "flat_advanced_search",
    "grouped_advanced_search",
    "search_company",
    "create_list",
    "add_prospect",
    "add_prospects",
    "list_prospects",
    "whoami",
]


@helpers.FUZZ_SETTINGS
@given(status=helpers.STATUSES, body=BODIES, headers=HEADERS, endpoint=st.sampled_from(ENDPOINTS))
def test_any_answer_ends_as_a_result_or_a_provider_error(client, status, body, headers, endpoint):
    call = Call(provider="leadiq", endpoint=endpoint, method="POST", url=GRAPHQL_URL)
    outcome = helpers.assert_handle_never_raises_foreign(client, call, status, body, headers)
    if isinstance(outcome, ProviderError):
        assert isinstance(outcome.message, str)
