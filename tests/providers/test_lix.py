"""The Lix client against Lix's documented requests, answers and errors (providers.md 2, seeds 000/001)."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import responses
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from responses import matchers

from prospecting.providers.base import (
    Call,
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    Pending,
    ProviderUnavailable,
    RateLimited,
    Result,
)
from prospecting.providers.lix import LixClient
from tests.providers import helpers

BASE = "https://lix.test"
KEY = "lix-secret-key"
VIEWER = "alfie-lambert"
PEOPLE_URL = (
    "https://www.linkedin.com/search/results/people/?keywords=lix&origin=SWITCH_SEARCH_VERTICAL&sid=%40%2Co"
)
JOBS_URL = "https://www.linkedin.com/jobs/search/?currentJobId=3436671233&keywords=lix"
POSTS_URL = (
    "https://www.linkedin.com/search/results/content/?keywords=lix&origin=SWITCH_SEARCH_VERTICAL&sid=V2J"
)
ORGS_URL = (
    "https://www.linkedin.com/search/results/companies/?keywords=london&origin=SWITCH_SEARCH_VERTICAL&sid=o(E"
)
SALES_URL = (
    "https://www.linkedin.com/sales/search/people?query=(spellCorrectionEnabled%3Atrue%2CrecentSearchParam%3A"
    "(id%3A2154062338%2CdoLogHistory%3Atrue)%2Ckeywords%3Alix)&sessionId=GumqcP8vR0aPVWr3cNR74A%3D%3D"
)
SKILL = {
    "text": "Machine Learning",
    "entity": "urn:li:ts_skill:3289",
    "negated": False,
    "required": False,
    "selected": True,
}


def fixture(name):
    return helpers.load_fixture("lix", name)


lix_base_url = helpers.provider_urls(LIX_API_URL=BASE)


@pytest.fixture
def client():
    return LixClient(KEY, {"viewer_id": VIEWER})


def page_of(n, total, start, sequence_id):
    return lambda data: (
        len(data["items"]) == n
        and data["total"] == total
        and data["start"] == start
        and data["sequence_id"] == sequence_id
        and isinstance(data["raw"], dict)
    )


def search_query(url, start=25, page=None):
    """The query of a search page: with `page`, the URL asks for the page that `start` falls on."""
    url = f"{url}&page={page}" if page else url
    return {"url": url, "start": str(start), "sequence_id": "seq-1", "viewer_id": VIEWER}


BALANCES = [{"label": "Standard credits", "value": 50000}, {"label": "Email credits", "value": 10000}]

# method, args, kwargs, path, query sent, JSON body sent, fixture answered, check of the parsed data
ENDPOINTS = [
    ("check", (), {}, "/v1/account/balances", {}, None, "balances.json", lambda d: d == BALANCES),
    ("balances", (), {}, "/v1/account/balances", {}, None, "balances.json", lambda d: d == BALANCES),
    ("daily_allowance", (), {}, "/v1/account/allowances/daily", {}, None, "daily_allowance.json",
     lambda d: d == [{"label": "Requests remaining today", "value": 10000},
                     {"label": "Daily allowance refreshes at", "value": "2023-10-05 13:28 UTC"}]),
    ("connections", (), {"start": 10}, "/v1/connections",
     {"viewer_id": VIEWER, "count": "1000", "start": "10"}, None, "connections.json",
     lambda d: len(d["items"]) == 2 and d["count"] == 10
     and d["items"][0]["publicIdentifier"] == "alfie-lambert"),
    ("person_ids", (), {"li_flagship_id": "alfie-lambert"}, "/v1/person/ids",
     {"li_flagship_id": "alfie-lambert"}, None, "person_ids.json",
     lambda d: (d["li_id"], d["sales_nav_id"], d["lix_id"])
     == ("alfie-lambert", "ACoAAAXQSFkBYBAvJOtLzKQz7X0qXjByqI9m7Tg", "cGVyc29uOjk3MDgyNQ==")),
    ("person_ids", (), {"sales_nav_id": "ACoAAAXQSFkBYBAvJOtLzKQz7X0qXjByqI9m7Tg"}, "/v1/person/ids",
     {"sales_nav_id": "ACoAAAXQSFkBYBAvJOtLzKQz7X0qXjByqI9m7Tg"}, None, "person_ids_object.json",
     lambda d: d["lix_id"] == "cGVyc29uOjk3MDgyNQ=="
     and d["links"]["liProfileURL"].endswith("/in/alfie-lambert")),
    ("organisation_ids", (), {"li_flagship_id": "lix"}, "/v1/organisation/ids", {"li_flagship_id": "lix"},
     None, "organisation_ids.json",
     lambda d: (d["id"], d["name"], d["li_id"], d["sales_nav_id"], d["lix_id"])
     == ("59688920", "Lix", "lix", "1670390", "b3JnYW5pc2F0aW9uOjA=")),
    ("organisation_ids", (), {"lix_id": "b3JnYW5pc2F0aW9uOjA="}, "/v1/organisation/ids",
     {"lix_id": "b3JnYW5pc2F0aW9uOjA="}, None, "organisation_ids_object.json",
     lambda d: d["sales_nav_id"] == "1670390" and d["lix_id"] == "b3JnYW5pc2F0aW9uOjA="),
    ("person_by_linkedin", ("https://linkedin.com/in/alfie-lambert",), {}, "/v1/person",
     {"profile_link": "https://linkedin.com/in/alfie-lambert", "viewer_id": VIEWER}, None, "person.json",
     lambda d: d["name"] == "Alfie Lambert" and d["skills"][0]["numOfEndorsement"] == "57"),
    ("organisation_by_linkedin", (), {"linkedin_url": "https://linkedin.com/company/linkedin"},
     "/v1/organisations/by-linkedin",
     {"linkedin_url": "https://linkedin.com/company/linkedin", "viewer_id": VIEWER},
     None, "organisation.json", lambda d: d["name"] == "LinkedIn" and d["liEmployeeCount"] == "26383"),
    ("organisation_by_linkedin", (), {"sales_nav_url": "https://www.linkedin.com/sales/company/1337"},
     "/v1/organisations/by-linkedin",
     {"sales_nav_url": "https://www.linkedin.com/sales/company/1337", "viewer_id": VIEWER}, None,
     "organisation.json", lambda d: d["name"] == "LinkedIn"),
    ("enrich_job", ("3556453411",), {}, "/v1/enrich/job", {"job_id": "3556453411", "viewer_id": VIEWER}, None,
     "enrich_job.json", lambda d: d["title"] == "Growth Marketer"),
    ("enrich_post", ("urn:li:activity:7019605025920286720",), {}, "/v1/enrich/post",
     {"post_urn": "urn:li:activity:7019605025920286720", "viewer_id": VIEWER}, None, "enrich_post.json",
     lambda d: d["urn"] == "urn:li:activity:7019605025920286720"),
    ("job_hirers", (3556453411,), {}, "/v1/li/linkedin/jobs/hirers",
     {"job_id": "3556453411", "viewer_id": VIEWER}, None, "job_hirers.json",
     lambda d: [p["name"] for p in d["people"]] == ["Emma Cardona", "Philister Lukacevic"]),
    ("search_people", (PEOPLE_URL,), {"start": 25, "sequence_id": "seq-1"}, "/v1/li/linkedin/search/people",
     search_query(PEOPLE_URL, page=3), None, "search_people.json", page_of(2, 1000, 25, "seq-1")),
    ("search_jobs", (JOBS_URL,), {"start": 25, "sequence_id": "seq-1"}, "/v1/li/linkedin/search/jobs",
     search_query(JOBS_URL, page=3), None, "search_jobs.json", page_of(1, 1000, 0, "seq-1")),
    ("search_posts", (POSTS_URL,), {"start": 25, "sequence_id": "seq-1"}, "/v1/li/linkedin/search/posts",
     search_query(POSTS_URL), None, "search_posts.json", page_of(1, 1000, 10, "jAkFkdjfi19kFdf")),
    ("search_orgs", (ORGS_URL,), {"start": 25, "sequence_id": "seq-1"}, "/v1/li/linkedin/search/orgs",
     search_query(ORGS_URL, page=3), None, "search_orgs.json", page_of(1, 1000, 0, "seq-1")),
    ("search_sales_people", (SALES_URL,), {"start": 25, "sequence_id": "seq-1"}, "/v1/li/sales/search/people",
     search_query(SALES_URL, page=2), None, "sales_search_people.json",
     page_of(2, 2500, 0, "jAkFkdjfi19kFdf")),
    ("search_recruiter_people", ([SKILL],), {"start": 25, "sequence_id": "seq-1"},
     "/v1/li/recruiter/search/people", {"viewer_id": VIEWER, "sequence_id": "seq-1"},
     {"skills": [SKILL], "start": 25}, "recruiter_search_people.json",
     page_of(1, 2500, 0, "jAkFkdjfi19kFdf")),
    ("sales_facet", ("E", "SENIORITY_V2"), {}, "/v1/search/sales/facet",
     {"query": "E", "type": "SENIORITY_V2", "count": "100", "start": "0", "viewer_id": VIEWER}, None,
     "sales_facet.json",
     lambda d: d["items"][0] == {"id": "3", "text": "Entry"} and len(d["items"]) == 6 and d["count"] == 100),
    ("recruiter_facet", ("Javascrip",), {"count": 10, "start": 10}, "/v1/li/recruiter/search/facet",
     {"query": "Javascrip", "type": "skill", "count": "10", "start": "10", "viewer_id": VIEWER}, None,
     "recruiter_facet.json",
     lambda d: d["items"][0] == {"id": "urn:li:ts_skill:218", "text": "JavaScript"} and d["total"] == 10
     and d["sequence_id"] == "01HNJHSE0E4RBSV5KBV50V523X"),
    ("email_by_linkedin", ("https://www.linkedin.com/in/alfie-lambert",), {}, "/v1/contact/email/by-linkedin",
     {"url": "https://www.linkedin.com/in/alfie-lambert"}, None, "email.json",
     lambda d: d["email"] == "*****@lix-it.com" and d["status"] == "VALID" and d["valid"] is True
     and d["alternatives"] == ["*****@lix-it.com"]),
]  # fmt: skip


@pytest.mark.parametrize(("method", "args", "kwargs", "path", "query", "body", "answer", "check"), ENDPOINTS)
def test_endpoint_sends_documented_request_and_parses_answer(
    client, method, args, kwargs, path, query, body, answer, check
):
    match = [matchers.query_param_matcher(query), matchers.header_matcher({"Authorization": KEY})]
    if body is not None:
        match.append(matchers.json_params_matcher(body))
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.get(f"{BASE}{path}", json=fixture(answer), match=match)
        result = getattr(client, method)(*args, **kwargs)
        sent = rsps.calls[0].request
    assert isinstance(result, Result)
    assert check(result.data)
    assert result.call.provider == "lix" and result.call.status == 200 and result.call.method == "GET"
    assert KEY not in sent.url and "api_key" not in sent.url
    if body is None:
        assert not sent.body


@responses.activate
def test_url_valued_parameters_are_percent_encoded_once():
    responses.get(f"{BASE}/v1/li/linkedin/search/people", json=fixture("search_people.json"))
    responses.get(f"{BASE}/v1/enrich/post", json=fixture("enrich_post.json"))
    client = LixClient(KEY)
    client.search_people(PEOPLE_URL, sequence_id="s")
    # A URL pasted already encoded is decoded first, so it is not encoded twice.
    client.search_people(
        "https%3A%2F%2Fwww.linkedin.com%2Fsearch%2Fresults%2Fpeople%2F%3Fkeywords%3Dlix", sequence_id="s"
    )
    client.enrich_post("urn%3Ali%3Aactivity%3A7019605025920286720")
    first, second, post = (call.request.url for call in responses.calls)
    assert (
        "url=https%3A%2F%2Fwww.linkedin.com%2Fsearch%2Fresults%2Fpeople%2F%3Fkeywords%3Dlix%26origin%3D"
        in first
    )
    assert "%26sid%3D%2540%252Co" in first  # the search URL's own escapes survive as data
    assert "url=https%3A%2F%2Fwww.linkedin.com%2Fsearch%2Fresults%2Fpeople%2F%3Fkeywords%3Dlix&" in second
    assert "post_urn=urn%3Ali%3Aactivity%3A7019605025920286720" in post
    assert all(call.request.headers["Authorization"] == KEY for call in responses.calls)


@responses.activate
def test_search_without_sequence_id_generates_one_and_keeps_it_across_pages():
    responses.get(f"{BASE}/v1/li/linkedin/search/people", json=fixture("search_people.json"))
    client = LixClient(KEY)
    first = client.search_people(PEOPLE_URL)
    generated = first.data["sequence_id"]
    assert len(generated) >= 16
    second = client.search_people(PEOPLE_URL, start=25, sequence_id=generated)
    sent = [call.request.params for call in responses.calls]
    assert sent[0]["sequence_id"] == sent[1]["sequence_id"] == generated == second.data["sequence_id"]
    assert sent[1]["start"] == "25" and "viewer_id" not in sent[0]


@responses.activate
def test_search_prefers_sequence_id_lix_sends_back():
    responses.get(f"{BASE}/v1/li/sales/search/people", json=fixture("sales_search_people_seed.json"))
    result = LixClient(KEY).search_sales_people(SALES_URL, sequence_id="mine")
    assert result.data["sequence_id"] == "jAkFkdjfi19kFdf"


@pytest.mark.parametrize(
    ("method", "url", "answer", "items", "total", "first_key", "first_value"),
    [
        ("search_people", PEOPLE_URL, "search_people_seed.json", 2, 1000, "name", "Alfie Lambert"),
        ("search_people", PEOPLE_URL, "search_people.json", 2, 1000, "name", "Alfie Lambert"),
        ("search_people", PEOPLE_URL, "search_people_response_wrapper.json", 2, 100, "name", "Alfie Lambert"),
        ("search_jobs", JOBS_URL, "search_jobs_seed.json", 1, 1000, "title", "Growth Marketer"),
        ("search_jobs", JOBS_URL, "search_jobs.json", 1, 1000, "title", "Growth Marketer"),
        ("search_posts", POSTS_URL, "search_posts_seed.json", 1, 1000, "text", "We are hiring"),
        ("search_orgs", ORGS_URL, "search_orgs_seed.json", 1, 1000, "name", "Lix"),
        ("search_orgs", ORGS_URL, "search_orgs.json", 1, 1000, "name", "Lix"),
        ("search_sales_people", SALES_URL, "sales_search_people_seed.json", 2, 2500, "name", "Alfie Lambert"),
        ("search_sales_people", SALES_URL, "sales_search_people.json", 2, 2500, "name", "Alfie Lambert"),
    ],
)
def test_search_accepts_answers_with_or_without_search_response_wrapper(
    method, url, answer, items, total, first_key, first_value
):
    path = {"search_sales_people": "/v1/li/sales/search/people"}.get(
        method, f"/v1/li/linkedin/{method.replace('_', '/')}"
    )
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}{path}", json=fixture(answer))
        data = getattr(LixClient(KEY), method)(url, sequence_id="s").data
    assert len(data["items"]) == items and data["total"] == total
    assert data["items"][0][first_key] == first_value


@responses.activate
def test_explicit_viewer_id_overrides_the_key_option_and_none_is_sent_without_either():
    responses.get(f"{BASE}/v1/person", json=fixture("person.json"))
    responses.get(f"{BASE}/v1/contact/email/by-linkedin", json=fixture("email.json"))
    LixClient(KEY, {"viewer_id": VIEWER}).person_by_linkedin(
        "linkedin.com/in/alfie-lambert", viewer_id="other"
    )
    LixClient(KEY).person_by_linkedin("https://www.linkedin.com/in/alfie-lambert")
    LixClient(KEY, {"viewer_id": VIEWER}).email_by_linkedin("https://www.linkedin.com/in/alfie-lambert")
    first, second, email = (call.request.params for call in responses.calls)
    assert first == {"profile_link": "https://linkedin.com/in/alfie-lambert", "viewer_id": "other"}
    assert "viewer_id" not in second and "viewer_id" not in email


@responses.activate
def test_probable_email_is_not_valid_and_keeps_alternatives():
    responses.get(f"{BASE}/v1/contact/email/by-linkedin", json=fixture("email_probable.json"))
    data = LixClient(KEY).email_by_linkedin("https://www.linkedin.com/in/alfie-lambert").data
    assert data["valid"] is False and data["status"] == "PROBABLE"
    assert data["alternatives"] == ["a.lambert@lix-it.com", "alfie.lambert@lix-it.com"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.person_by_linkedin("https://example.com/in/alfie"), "LinkedIn URL"),
        (lambda c: c.person_by_linkedin(""), "profile_link"),
        (lambda c: c.search_people("https://evil.test/?u=linkedin.com"), "LinkedIn URL"),
        (lambda c: c.search_people(PEOPLE_URL, start=-1), "start"),
        (lambda c: c.search_posts(POSTS_URL, start="10"), "start"),
        (lambda c: c.search_sales_people(None), "url"),
        (lambda c: c.person_ids(), "exactly one"),
        (lambda c: c.person_ids(li_flagship_id="alfie-lambert", lix_id="x"), "exactly one"),
        (lambda c: c.organisation_ids(), "exactly one"),
        (lambda c: c.organisation_by_linkedin(), "exactly one"),
        (
            lambda c: c.organisation_by_linkedin(
                linkedin_url="https://linkedin.com/company/a",
                sales_nav_url="https://linkedin.com/sales/company/1",
            ),
            "exactly one",
        ),
        (lambda c: c.enrich_job("view/3556453411"), "job_id"),
        (lambda c: c.job_hirers(""), "job_id"),
        (lambda c: c.enrich_post("7019605025920286720"), "post_urn"),
        (lambda c: c.search_recruiter_people([]), "skills"),
        (lambda c: c.search_recruiter_people([{"text": "Machine Learning"}]), "entity"),
        (lambda c: c.sales_facet("", "TITLE"), "query"),
        (lambda c: c.sales_facet("Goog", ""), "facet_type"),
        (lambda c: c.recruiter_facet("Java", count=0), "count"),
        (lambda c: c.connections(), "viewer_id"),
        (lambda c: c.email_by_linkedin("alfie lambert"), "LinkedIn URL"),
    ],
)
def test_invalid_input_is_refused_before_any_http_call(call, message):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        with pytest.raises(InvalidInput, match=message) as raised:
            call(LixClient(KEY))
        assert len(rsps.calls) == 0
    assert raised.value.call is None and raised.value.permanent


def test_key_never_appears_in_repr():
    assert KEY not in repr(LixClient(KEY))


def error(kind, message=""):
    return {"error": {"type": kind, "message": message}}


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "permanent", "retry_after", "code"),
    [
        (400, fixture("error_params_invalid.json"), {}, InvalidInput, True, None, "params_invalid"),
        (400, None, {}, InvalidInput, True, None, ""),
        (404, error("unknown_record"), {}, NotFound, True, None, "unknown_record"),
        (400, error("not_found", "organisation not found"), {}, NotFound, True, None, "not_found"),
        (404, error("unknown_route"), {}, InvalidInput, True, None, "unknown_route"),
        (404, None, {}, NotFound, True, None, ""),
        (200, error("queued"), {}, Pending, False, 180.0, "queued"),
        (202, error("queued"), {"Retry-After": "60"}, Pending, False, 60.0, "queued"),
        (429, error("rate_limit"), {"Retry-After": "120"}, RateLimited, False, 120.0, "rate_limit"),
        (429, None, {}, RateLimited, False, 3.0, ""),
        (500, error("api_error"), {}, ProviderUnavailable, False, None, "api_error"),
        (500, "Internal Server Error", {}, ProviderUnavailable, False, None, ""),
        (503, None, {"Retry-After": "30"}, ProviderUnavailable, False, 30.0, ""),
        (407, error("viewer_invalid"), {}, KeyRejected, True, None, "viewer_invalid"),
        (407, None, {}, KeyRejected, True, None, ""),
        (401, None, {}, KeyRejected, True, None, ""),
        (402, None, {}, OutOfCredits, True, None, ""),
        (429, error("daily_limit"), {}, OutOfCredits, False, None, "daily_limit"),
        (402, error("daily_limit"), {"Retry-After": "3600"}, OutOfCredits, False, 3600.0, "daily_limit"),
        (200, error("brand_new_type"), {}, MalformedResponse, False, None, "brand_new_type"),
        (418, error("brand_new_type"), {}, InvalidInput, True, None, "brand_new_type"),
    ],
)
def test_documented_errors_map_to_error_classes(status, body, headers, cls, permanent, retry_after, code):
    url = f"{BASE}/v1/person"
    with responses.RequestsMock() as rsps:
        if isinstance(body, str):
            rsps.get(url, body=body, status=status, headers=headers)
        elif body is None:
            rsps.get(url, body=b"", status=status, headers=headers)
        else:
            rsps.get(url, json=body, status=status, headers=headers)
        with pytest.raises(cls) as raised:
            LixClient(KEY).person_by_linkedin("https://www.linkedin.com/in/alfie-lambert")
    assert type(raised.value) is cls
    assert raised.value.permanent is permanent
    assert raised.value.retry_after == retry_after
    assert raised.value.provider_code == code
    assert raised.value.status == status and raised.value.call.endpoint == "person_by_linkedin"


@responses.activate
def test_error_message_keeps_what_lix_said():
    responses.get(f"{BASE}/v1/person", json=fixture("error_params_invalid.json"), status=400)
    with pytest.raises(InvalidInput, match="profile_id is required"):
        LixClient(KEY).person_by_linkedin("https://www.linkedin.com/in/alfie-lambert")


@responses.activate
def test_weekly_connection_cap_honours_retry_after_http_date():
    when = datetime.now(UTC) + timedelta(hours=2)
    responses.get(
        f"{BASE}/v1/connections",
        json=fixture("error_weekly_connection_cap.json"),
        status=429,
        headers={"Retry-After": format_datetime(when, usegmt=True)},
    )
    with pytest.raises(RateLimited, match="weekly connection request limit reached") as raised:
        LixClient(KEY, {"viewer_id": VIEWER}).connections()
    assert 7000 < raised.value.retry_after <= 7200


@pytest.mark.parametrize(
    ("method", "args", "path", "body"),
    [
        ("search_people", (PEOPLE_URL,), "/v1/li/linkedin/search/people", {"people": "nobody"}),
        ("search_people", (PEOPLE_URL,), "/v1/li/linkedin/search/people", [1, 2]),
        ("balances", (), "/v1/account/balances", {"emailBalance": "lots"}),
        ("balances", (), "/v1/account/balances", {}),
        (
            "daily_allowance",
            (),
            "/v1/account/allowances/daily",
            {"requestsRemaining": 5, "refreshesAt": 1e300},
        ),
        ("person_ids", (), "/v1/person/ids", {"person_ids": "alfie"}),
        ("organisation_ids", (), "/v1/organisation/ids", {"unrelated": True}),
        ("sales_facet", ("E", "TITLE"), "/v1/search/sales/facet", {"data": {"elements": ["Entry"]}}),
        (
            "email_by_linkedin",
            ("https://www.linkedin.com/in/a",),
            "/v1/contact/email/by-linkedin",
            {"alternatives": "x"},
        ),
    ],
)
def test_unreadable_answers_raise_malformed_response(method, args, path, body):
    kwargs = {"lix_id": "x"} if method.endswith("_ids") else {}
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}{path}", json=body)
        with pytest.raises(MalformedResponse):
            getattr(LixClient(KEY), method)(*args, **kwargs)


@responses.activate
def test_non_json_success_is_malformed():
    responses.get(f"{BASE}/v1/account/balances", body="<html>maintenance</html>", status=200)
    with pytest.raises(MalformedResponse):
        LixClient(KEY).check()


# --- Fuzz: whatever Lix answers, the client returns a Result or raises a ProviderError ------------------

PARSED_ENDPOINTS = sorted({case[0] for case in ENDPOINTS if case[0] != "check"})
LIX_KEYS = st.sampled_from(
    ["error", "type", "message", "searchResponse", "response", "people", "jobPostings", "posts", "orgs",
     "paging", "meta", "sequenceId", "total", "start", "count", "data", "elements", "results", "status",
     "alternatives", "emailBalance", "linkedInBalance", "requestsRemaining", "refreshesAt", "person_ids",
     "personIds", "organisationIds", "liOrganisation", "connections_response"]
)  # fmt: skip
JSON = helpers.json_values(
    floats=st.floats(),
    text=st.text(max_size=20),
    keys=LIX_KEYS | st.text(max_size=8),
    max_keys=5,
    max_leaves=25,
)
BODIES = helpers.bodies(JSON)
HEADERS = helpers.header_dicts(values=st.text(max_size=40))


@hyp_settings(
    helpers.FUZZ_SETTINGS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(status=helpers.STATUSES, body=BODIES, headers=HEADERS, endpoint=st.sampled_from(PARSED_ENDPOINTS))
def test_any_answer_gives_a_result_or_a_provider_error(status, body, headers, endpoint):
    call = Call(provider="lix", endpoint=endpoint, method="GET", url=f"{BASE}/v1/x")
    helpers.assert_handle_never_raises_foreign(LixClient(KEY), call, status, body, headers)


# --- Recruiter facet: the docs' fixed path, or the one the key's option names ------------------------

FIXED_FACET, SEED_FACET = f"{BASE}/v1/li/recruiter/search/facet", f"{BASE}/v1/search/recruiter/facet"
UNKNOWN_ROUTES = [
    {"json": {"error": {"type": "unknown_route", "message": "URL not valid"}}},
    {"body": "404 page not found", "content_type": "text/plain"},
]


def test_recruiter_facet_uses_the_fixed_path_when_lix_knows_it():
    with responses.RequestsMock() as rsps:
        rsps.get(FIXED_FACET, json=fixture("recruiter_facet.json"))
        result = LixClient(KEY, {"viewer_id": VIEWER}).recruiter_facet("Javascrip")
        assert [call.request.url.split("?")[0] for call in rsps.calls] == [FIXED_FACET]
    assert result.data["items"][0]["text"] == "JavaScript"


def test_recruiter_facet_asks_only_the_path_the_keys_option_names():
    with responses.RequestsMock() as rsps:
        rsps.get(SEED_FACET, json=fixture("recruiter_facet.json"))
        options = {"viewer_id": VIEWER, "recruiter_facet_path": "/v1/search/recruiter/facet"}
        result = LixClient(KEY, options).recruiter_facet("Javascrip")
        assert [call.request.url.split("?")[0] for call in rsps.calls] == [SEED_FACET]
    assert result.data["items"][0]["text"] == "JavaScript"


@pytest.mark.parametrize("unknown_route", UNKNOWN_ROUTES, ids=["lix-unknown-route", "bare-404"])
def test_an_unknown_recruiter_facet_route_sends_one_request_and_says_which_option_to_set(unknown_route):
    # One request only: a second inside the same slot of Lix's 1 call / 3 s would risk a 429.
    with responses.RequestsMock() as rsps:
        rsps.get(FIXED_FACET, status=404, **unknown_route)
        with pytest.raises(InvalidInput) as raised:
            LixClient(KEY, {"viewer_id": VIEWER}).recruiter_facet("Javascrip")
        assert len(rsps.calls) == 1
    message = raised.value.message
    assert "Recruiter facet path" in message and "/v1/search/recruiter/facet" in message
    assert raised.value.status == 404 and raised.value.permanent


def test_an_unknown_seed_path_points_back_to_the_documented_one():
    with responses.RequestsMock() as rsps:
        unknown = {"error": {"type": "unknown_route", "message": "URL not valid"}}
        rsps.get(SEED_FACET, status=404, json=unknown)
        options = {"recruiter_facet_path": "/v1/search/recruiter/facet"}
        with pytest.raises(InvalidInput, match="to /v1/li/recruiter/search/facet under Provider keys"):
            LixClient(KEY, options).recruiter_facet("Javascrip")


def test_a_recruiter_facet_path_option_outside_the_two_known_is_refused_before_sending():
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInput, match="recruiter_facet_path must be one of"):
            LixClient(KEY, {"recruiter_facet_path": "/v2/elsewhere"}).recruiter_facet("Javascrip")
        assert not rsps.calls


def test_recruiter_facet_takes_a_no_record_404_as_the_answer():
    with responses.RequestsMock() as rsps:
        rsps.get(FIXED_FACET, status=404, json={"error": {"type": "unknown_record", "message": "none"}})
        with pytest.raises(NotFound):
            LixClient(KEY, {"viewer_id": VIEWER}).recruiter_facet("Javascrip")
        assert len(rsps.calls) == 1


def test_recruiter_facet_passes_other_errors_through():
    with responses.RequestsMock() as rsps:
        rsps.get(FIXED_FACET, status=401, json={"error": {"type": "", "message": "not authorised"}})
        with pytest.raises(KeyRejected):
            LixClient(KEY, {"viewer_id": VIEWER}).recruiter_facet("Javascrip")
        assert len(rsps.calls) == 1


# --- Paging (issue 8): a pasted page=N is honoured, and each page says where the next one starts ------


def sent_params():
    return [call.request.params for call in responses.calls]


@responses.activate
@pytest.mark.parametrize(
    ("method", "path", "url", "start"),
    [
        ("search_people", "/v1/li/linkedin/search/people", f"{PEOPLE_URL}&page=3", 20),
        ("search_people", "/v1/li/linkedin/search/people", f"{PEOPLE_URL}&page=1", 0),
        ("search_sales_people", "/v1/li/sales/search/people", f"{SALES_URL}&page=3", 50),
        # Sales Navigator keeps its search after a `#`; Lix's example appends &page=N there [E2].
        ("search_sales_people", "/v1/li/sales/search/people",
         "https://www.linkedin.com/sales/search/people#query=(keywords%3Alix)&sessionId=abc&page=2", 25),
        ("search_orgs", "/v1/li/linkedin/search/orgs", f"{ORGS_URL}&page=4", 30),
    ],
)  # fmt: skip
def test_a_pasted_urls_page_is_the_page_asked_for(method, path, url, start):
    responses.get(f"{BASE}{path}", json={"people": [], "orgs": [], "paging": {"start": start}})
    result = getattr(LixClient(KEY), method)(url, sequence_id="seq-1")
    assert sent_params()[0]["start"] == str(start) and sent_params()[0]["url"] == url
    assert result.data["page"] == int(url.rsplit("page=", 1)[1])


@responses.activate
@pytest.mark.parametrize(
    "url", [PEOPLE_URL, f"{PEOPLE_URL}&page=0", f"{PEOPLE_URL}&page=x", f"{PEOPLE_URL}&pages=3"]
)
def test_a_url_without_a_page_number_starts_at_the_first_page(url):
    responses.get(f"{BASE}/v1/li/linkedin/search/people", json=fixture("search_people.json"))
    LixClient(KEY).search_people(url)
    assert sent_params()[0]["start"] == "0" and sent_params()[0]["url"] == url


@responses.activate
def test_the_next_page_of_a_pasted_page_keeps_the_sequence_id_and_moves_the_urls_page():
    responses.get(
        f"{BASE}/v1/li/linkedin/search/people",
        json={"people": [{"name": "A"}] * 10, "paging": {"count": 10, "start": 20, "total": 95}},
    )
    client = LixClient(KEY)
    first = client.search_people(f"{PEOPLE_URL}&page=3")
    assert (first.data["page"], first.data["next_start"], first.data["total"]) == (3, 30, 95)
    client.search_people(
        f"{PEOPLE_URL}&page=3", start=first.data["next_start"], sequence_id=first.data["sequence_id"]
    )
    sent = sent_params()
    assert sent[1]["start"] == "30" and sent[1]["url"] == f"{PEOPLE_URL}&page=4"
    assert sent[0]["sequence_id"] == sent[1]["sequence_id"] == first.data["sequence_id"]


@responses.activate
@pytest.mark.parametrize(
    ("answer", "next_start"),
    [
        ({"people": [{"name": "A"}] * 25, "paging": {"count": 25, "start": 0, "total": 2500}}, 25),
        ({"people": [{"name": "A"}] * 5, "paging": {"count": 5, "start": 2495, "total": 2500}}, None),
        ({"people": [], "paging": {"count": 0, "start": 2500, "total": 2500}}, None),
        ({"people": [{"name": "A"}] * 25, "paging": {"start": 50}}, 75),  # no total: go on while pages come
        ({"people": []}, None),
    ],
)
def test_each_page_says_where_the_next_one_starts(answer, next_start):
    responses.get(f"{BASE}/v1/li/sales/search/people", json={**answer, "meta": {"sequenceId": "lix-seq"}})
    page = LixClient(KEY).search_sales_people(SALES_URL).data
    assert page["next_start"] == next_start and page["sequence_id"] == "lix-seq" and page["page_size"] == 25


@responses.activate
def test_recruiter_pages_say_where_the_next_one_starts():
    responses.get(f"{BASE}/v1/li/recruiter/search/people", json=fixture("recruiter_search_people.json"))
    page = LixClient(KEY, {"viewer_id": VIEWER}).search_recruiter_people([SKILL], start=25).data
    assert (page["page"], page["next_start"], page["sequence_id"]) == (1, 25, "jAkFkdjfi19kFdf")


@responses.activate
@pytest.mark.parametrize(
    ("url", "start", "sent"),
    [
        (PEOPLE_URL, 10, f"{PEOPLE_URL}&page=2"),
        (PEOPLE_URL, 0, PEOPLE_URL),
        (
            "https://www.linkedin.com/search/results/people/",
            20,
            "https://www.linkedin.com/search/results/people/?page=3",
        ),
        (
            "https://www.linkedin.com/search/results/people/?",
            20,
            "https://www.linkedin.com/search/results/people/?page=3",
        ),
    ],
)
def test_a_later_page_of_a_url_without_page_number_asks_for_that_page_in_the_url_too(url, start, sent):
    # Lix's examples page people searches through the URL's page alone [E2]: the URL and `start` agree.
    responses.get(f"{BASE}/v1/li/linkedin/search/people", json=fixture("search_people.json"))
    LixClient(KEY).search_people(url, start=start)
    assert sent_params()[0]["url"] == sent and sent_params()[0]["start"] == str(start)


@responses.activate
def test_a_posts_search_pages_with_its_documented_start_alone():
    responses.get(f"{BASE}/v1/li/linkedin/search/posts", json=fixture("search_posts.json"))
    LixClient(KEY).search_posts(POSTS_URL, start=30)
    assert sent_params()[0]["url"] == POSTS_URL and sent_params()[0]["start"] == "30"
