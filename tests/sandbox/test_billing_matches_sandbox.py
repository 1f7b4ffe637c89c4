"""Issue 7's measure of "every charge recorded as the provider made it": a scripted run of every paid
endpoint of the five providers through `call_provider` with sandbox keys, then the call log's credits,
per provider and credit type, against what the sandbox itself says it charged (`/_sandbox/billed`).
The sandbox bills as the providers' documents say (it imports nothing of the clients' billing).
Then the same with faults injected: what cannot be read is recorded as unconfirmed, never as charged."""

import base64

import pytest

from prospecting.models import CallState, ProviderCall
from prospecting.providers import PROVIDERS
from prospecting.providers.base import ProviderError
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.provider_calls import call_provider
from tests.sandbox.conftest import billed, control

PROFILES = [f"https://www.linkedin.com/in/ledger-{index}" for index in range(4)]
EMAILS = [f"buyer{index}@northwind.io" for index in range(6)]
TOKEN = "li-sandbox-session"
VIEWER = "alfie-lambert"
ORG = "5b3e0f7e-9a6d-4c2e-8f51-0b6f3f2a9d10"
SALES_VPS = {"contactFilter": {"roles": ["Sales"], "seniorities": ["VP"]}}


@pytest.fixture
def keys(running_sandbox, team_a, alice):
    made = {}
    for provider in ("lix", "lookc", "linkup", "lusha", "leadiq"):
        key = connect_sandbox_key(team=team_a, actor=alice, provider=provider)
        key.options = {**key.options, "rate_limits": [[1000, 1]], "viewer_id": VIEWER}
        key.save()
        control(running_sandbox, "limits", {"provider": provider, "windows": [[1000, 1]]})
        made[provider] = key
    return made


def run(team, user, provider, action, **params):
    # The scripts name endpoints as the providers' documents do; the call takes the client's own method.
    endpoint = getattr(PROVIDERS[provider], action)
    try:
        return call_provider(team=team, user=user, provider=provider, endpoint=endpoint, **params)
    except ProviderError as error:
        return error


def lix_script(go):
    search = "https://www.linkedin.com/search/results"
    go("check")
    go("balances")
    go("daily_allowance")
    go("connections", count=5)
    go("person_ids", li_flagship_id="alfie-lambert")
    go("organisation_ids", li_flagship_id="northwind")
    go("organisation_by_linkedin", linkedin_url="https://www.linkedin.com/company/northwind")
    go("enrich_job", job_id="3556453411")
    go("enrich_post", post_urn="urn:li:activity:7019605025920286720")
    go("job_hirers", job_id="3556453411")
    go("search_people", url=f"{search}/people/?keywords=cto")
    go("search_jobs", url="https://www.linkedin.com/jobs/search/?keywords=lix")
    go("search_posts", url=f"{search}/content/?keywords=lix", start=0)
    go("search_orgs", url=f"{search}/companies/?keywords=london")
    go("search_sales_people", url="https://www.linkedin.com/sales/search/people?query=(keywords%3Alix)")
    go("search_recruiter_people", skills=[{"text": "Machine Learning", "entity": "urn:li:ts_skill:3289"}])
    go("sales_facet", query="E", facet_type="SENIORITY_V2")
    go("recruiter_facet", query="Javascrip")
    for profile in PROFILES:
        go("person_by_linkedin", profile_link=profile)
        go("email_by_linkedin", url=profile)  # VALID costs an Email credit, Probable nothing
    go("person_by_linkedin", profile_link="https://www.linkedin.com/company/not-a-person")  # a free 404


def lookc_script(go):
    go("check")
    pending = []
    for email in EMAILS:
        answer = go("person_by_email", email=email)
        if not isinstance(answer, ProviderError) and not answer.data["complete"]:
            pending.append(answer.data["request_id"])
    for request_id in pending:
        go("request_status", request_id=request_id)  # polling is free
    page = go("org_employees", org_id=ORG, page_size=5)
    go("org_employees", org_id=ORG, page_size=5, after=page.data["next_after"])


def linkup_script(go):
    go("check")
    go("login", email="someone@example.com", password="secret")
    go("verify_code", email="someone@example.com", code="000000")  # a 400, billed all the same
    go("profile_info", linkedin_url=PROFILES[0], login_token=TOKEN)
    go("search_profiles", title="cto", start_page=1, end_page=3, login_token=TOKEN)
    go("search_profiles", title="cto", total_results=25, login_token=TOKEN)
    go("search_companies", industry="Banking", login_token=TOKEN)
    go("connections", total_results=31, login_token=TOKEN)
    go("send_invitation", PROFILES[1], message="Hello", login_token=TOKEN)
    invitations = go("list_invitations", total_results=10, login_token=TOKEN)
    go("list_sent_invitations", start_page=1, end_page=2, login_token=TOKEN)
    go("invitation_status", PROFILES[1], login_token=TOKEN)
    found = [
        i.get("invitation_id") for i in invitations.data.get("invitations", []) if i.get("invitation_id")
    ]
    go("withdraw_invitation", found[0] if found else "12345", login_token=TOKEN)
    go("send_message", PROFILES[2], "Hi", login_token=TOKEN)
    go("send_message", PROFILES[2], "Hi", media_link="https://x.test/a.png", login_token=TOKEN)
    go("inbox", total_results=20, login_token=TOKEN)
    go("conversation", conversation_id="nope", start_page=2, end_page=3, login_token=TOKEN)
    post = "https://www.linkedin.com/feed/update/urn:li:activity:7019605025920286720"
    go("react_to_post", post, login_token=TOKEN)
    go("comment_post", post, "Well said", login_token=TOKEN)


def lusha_script(go):
    go("check")
    go("account_usage")
    go("contact_departments")
    for email in EMAILS:
        go("person", email=email)
    go("person", email=EMAILS[0], reveal_emails=True, reveal_phones=False)
    go("person", linkedin_url="https://www.linkedin.com/in/grace-h", signals=["allSignals"])
    go("person", first_name="Grace", last_name="Hopper", company_domain="acme-robotics.com")
    go("bulk_people", contacts=[{"contactId": str(i), "email": e} for i, e in enumerate(EMAILS)])
    go("company", domain="northwind.io", signals=["riskNews", "surgeInHiring"])
    go("bulk_companies", companies=[{"id": "1", "domain": "northwind.io"}, {"id": "2", "name": "Globex"}])
    contacts = go("search_contacts", filters={"contacts": {"include": {"jobTitles": ["CTO"]}}}, size=10)
    ids = [contact["contactId"] for contact in contacts.data["contacts"]]
    go("enrich_contacts", request_id=contacts.data["requestId"], contact_ids=ids[:5])
    go("enrich_contacts", request_id=contacts.data["requestId"], contact_ids=ids[5:], reveal_phones=True)
    companies = go("search_companies", filters={"companies": {"include": {"names": ["Acme"]}}}, size=10)
    company_ids = [company["id"] for company in companies.data["companies"]]
    go("enrich_companies", request_id=companies.data["requestId"], company_ids=company_ids[:4])
    go("contact_signals", contact_ids=[115889, 115890], signals=["allSignals"])
    go("search_contact_signals", contacts=[{"id": "1", "email": EMAILS[1]}], signals=["promotion"])
    go("company_signals", company_ids=[3416, 3417], signals=["allSignals"])
    go("search_company_signals", companies=[{"id": "1", "domain": "northwind.io"}], signals=["riskNews"])


def leadiq_script(go):
    go("check")
    go("balances")
    everything = ("profile", "email", "phone", "company")
    for profile in PROFILES:
        for fields in (everything, ("profile",), ("email", "company"), ()):
            go("search_people", fields=fields, linkedin_url=profile)
    go("flat_advanced_search", fields=("profile", "company"), filters=SALES_VPS, limit=5)
    go("flat_advanced_search", fields=(), filters=SALES_VPS, limit=5)
    go("grouped_advanced_search", fields=("profile", "company"), filters=SALES_VPS, limit=3)
    go("search_company", fields=("company",), name="Globex Health")
    go("search_company", fields=(), domain="northwind.io")
    listed = go("create_list", name="Ledger run")
    go("add_prospect", listed.data["id"], {"firstName": "Ada", "lastName": "Lovelace"})
    go("list_prospects", listed.data["id"])
    go("whoami")


SCRIPTS = {
    "lix": lix_script,
    "lookc": lookc_script,
    "linkup": linkup_script,
    "lusha": lusha_script,
    "leadiq": leadiq_script,
}


def sandbox_secret(key):
    secret = key.reveal_secret()
    # The sandbox knows LeadIQ's key by its decoded form, as LeadIQ's Prospector API does.
    return base64.b64decode(secret).decode() if key.provider == "leadiq" else secret


def recorded(key, field="credits"):
    totals = {}
    for credits in ProviderCall.objects.filter(key=key).values_list(field, flat=True):
        for kind, amount in credits.items():
            totals[kind] = round(totals.get(kind, 0) + amount, 4)
    return totals


def run_every_script(team, user):
    """Every provider's script of paid calls, through `call_provider`, as `user`."""
    for provider, script in SCRIPTS.items():

        def go(action, *args, provider=provider, **params):
            if args:  # the few endpoints whose first parameters are positional
                params = dict(zip(POSITIONAL[action], args, strict=False)) | params
            return run(team, user, provider, action, **params)

        script(go)


def test_the_call_logs_credits_equal_the_sandboxs_own_bill_for_every_paid_endpoint(
    keys, team_a, bob, running_sandbox
):
    run_every_script(team_a, bob)
    for provider, key in keys.items():
        charged = billed(running_sandbox, provider, sandbox_secret(key))
        assert recorded(key) == charged, provider
        assert recorded(key, "credits_unconfirmed") == {}, provider
        assert charged, f"the script spent nothing with {provider}"
    assert billed(running_sandbox, "leadiq-prospector") == {}  # lists and prospects are free
    assert not ProviderCall.objects.filter(state=CallState.SENT).exists()


POSITIONAL = {
    "send_invitation": ("linkedin_url",),
    "invitation_status": ("linkedin_url",),
    "withdraw_invitation": ("invitation_id",),
    "send_message": ("linkedin_url", "message_text"),
    "react_to_post": ("post_url",),
    "comment_post": ("post_url", "message"),
    "add_prospect": ("list_id", "prospect"),
    "list_prospects": ("list_id",),
}


def test_what_linkup_cannot_bill_is_not_recorded_as_billed(keys, team_a, bob, running_sandbox):
    key = keys["linkup"]
    control(
        running_sandbox,
        "accounts",
        {"provider": "linkup", "key": key.reveal_secret(), "balances": {"credits": 0}},
    )
    run(team_a, bob, "linkup", "profile_info", linkedin_url=PROFILES[0], login_token=TOKEN)  # 402
    key.secret = "not-a-linkup-key-000"  # LinkUp refuses the API key itself: 401
    key.save()
    run(team_a, bob, "linkup", "profile_info", linkedin_url=PROFILES[0], login_token=TOKEN)
    statuses = list(ProviderCall.objects.filter(key=key).order_by("id").values_list("http_status", flat=True))
    assert statuses == [402, 401]
    assert recorded(key) == {} == billed(running_sandbox, "linkup")


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        ({"kind": "malformed"}, CallState.UNKNOWN),
        ({"kind": "drop"}, CallState.UNKNOWN),
        ({"kind": "status", "status": 503}, CallState.FAILED),
    ],
)
def test_answers_that_cannot_be_read_are_unconfirmed_and_never_counted_as_charged(
    keys, team_a, bob, running_sandbox, fault, state
):
    for provider, path in (("lix", "/v1/person"), ("lusha", "/v2/person"), ("leadiq", "/graphql")):
        control(running_sandbox, "faults", {"provider": provider, "path": path, **fault})
    run(team_a, bob, "lix", "person_by_linkedin", profile_link=PROFILES[0])
    run(team_a, bob, "lusha", "person", email=EMAILS[0])
    run(team_a, bob, "leadiq", "search_people", fields=("email",), linkedin_url=PROFILES[0], limit=1)
    for provider, most in (("lix", {"standard": 1}), ("lusha", {"credits": 6}), ("leadiq", {"uc": 1.1})):
        logged = ProviderCall.objects.get(key=keys[provider])
        assert logged.state == state and logged.credits == {}, provider
        assert logged.credits_unconfirmed == (most if state == CallState.UNKNOWN else {}), provider
        assert billed(running_sandbox, provider) == {}
