"""LookC (api.lookc.io): a person's LinkedIn profile from an email address, and an organisation's employees.

LookC is documented only as a section of the Lix docs (providers.md §3, seeds 000/001), so several things
are inferred and marked as such: the error body is assumed to be Lix's `{"error": {"type", "message"}}`
(providers.md §1 "Error body: UNKNOWN (assume Lix format)"), and how an async-enabled call announces
"accepted, pending" is UNKNOWN (§3.2), so a pending answer is recognised by its shape, whatever its status.
"""

import re
import urllib.parse

from prospecting.providers import plain
from prospecting.providers.base import (
    BaseClient,
    InvalidInput,
    KeyRejected,
    LegalRefusal,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    Pending,
    ProviderUnavailable,
    RateLimited,
    Result,
    error_for_status,
    message_from,
    parse_retry_after,
)
from prospecting.providers.facts import CompanyFacts, PersonFacts

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A cursor-safe id for paths and queries: no slash, no whitespace, nothing that would change the route.
ID_RE = re.compile(r"^[A-Za-z0-9._:=+-]{1,200}$")
# The nil UUID: a well-formed organisation id that cannot exist (see `check`).
NIL_ORG = "00000000-0000-0000-0000-000000000000"
MAX_PAGE_SIZE = 1000

# Lix's documented error types (seed 001 "Error types"; providers.md §2.2) -> how to treat them for LookC.
ERROR_TYPES = {
    "params_invalid": InvalidInput,
    "unknown_route": InvalidInput,
    "unknown_record": NotFound,
    "not_found": NotFound,  # seen in Lix's example code, not in the docs table (§2.2 [E2])
    "queued": Pending,
    "rate_limit": RateLimited,
    "daily_limit": OutOfCredits,
    "api_error": ProviderUnavailable,
}


class LookcClient(BaseClient):
    slug = "lookc"
    base_url_setting = "LOOKC_API_URL"
    default_rate_limits = "50/s"  # stated in Lix's example code, not in the docs [E2]

    # ⚠️ providers.md §3.1: the status-check URL appears three ways in the docs' history; this is the curl
    # example's, which is also the generic `/v1/request` path of the first (2023) version.
    STATUS_PATH = "/v1/request"

    def auth_headers(self):
        # The raw token, no scheme, as for Lix (seed 001, LookC curl example; providers.md §3 "Auth").
        return {"Authorization": self.secret}

    # --- endpoints ---------------------------------------------------------------------------

    def person_by_email(self, email):
        """LinkedIn profile(s) for an email. `data` is {"request_id", "complete", "status", "person"}: the
        endpoint is "async enabled" (seed 001), so the answer is either the result or a request id to poll."""
        email = _clean(email, "email")
        if not EMAIL_RE.match(email):
            raise InvalidInput(f"{email!r} is not an email address.")
        return self.request(
            "GET", "/v1/search/person/by-email", endpoint="person_by_email", params={"email": email}
        )

    def request_status(self, request_id):
        """The state of an asynchronous request, normalised like `person_by_email`."""
        request_id = _clean(request_id, "request_id")
        if not ID_RE.match(request_id):
            raise InvalidInput("The LookC request id has unexpected characters.")
        result = self.request(
            "GET", self.STATUS_PATH, endpoint="request_status", params={"request_id": request_id}
        )
        if not result.data.get("request_id"):
            result.data["request_id"] = request_id
        return result

    def org_employees(self, org_id, *, after=None, page_size=None):
        """One page of an organisation's employees. Not in the docs: from Lix's official example
        `get_employees.py` (providers.md §3.1 [E2]), un-versioned path, cursor `after`.
        `data["next_after"]` is the cursor of the next page, None on the last one."""
        org_id = _clean(org_id, "org_id")
        if not ID_RE.match(org_id):
            raise InvalidInput("The LookC organisation id must be the organisation's UUID.")
        params = {}
        if after is not None:
            params["after"] = _clean(after, "after")
        if page_size is not None:
            if (
                isinstance(page_size, bool)
                or not isinstance(page_size, int)
                or not 1 <= page_size <= MAX_PAGE_SIZE
            ):
                raise InvalidInput(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.")
            params["page_size"] = page_size
        path = f"/org/{urllib.parse.quote(org_id, safe='')}/employees"
        return self.request("GET", path, endpoint="org_employees", params=params or None)

    # --- account -----------------------------------------------------------------------------

    def check(self):
        """Test the token. LookC documents no account endpoint (providers.md §3, §7), so this asks for the
        employees of the nil organisation id on the one endpoint whose 401/402/404 answers are documented
        (Lix's example [E2]): 401 -> KeyRejected, 402 -> OutOfCredits, and a 404 "organisation not found"
        (or a 400 about the id) proves the token was accepted. Nothing is looked up, so no Org credit should
        be spent [inferred]."""
        try:
            result = self.request(
                "GET", f"/org/{NIL_ORG}/employees", endpoint="check", params={"page_size": 1}
            )
        except (NotFound, InvalidInput) as exc:
            # A 400 about the id also means the token got past authentication.
            if isinstance(exc, InvalidInput) and exc.status != 400:
                raise
            return Result(data={"key_accepted": True}, call=exc.call)
        result.data = {"key_accepted": True}
        return result

    def balances(self):
        raise NotImplementedError(
            "LookC has no balance endpoint in its API: its credits are prepaid, and Quarry is told only "
            "when they run out."
        )

    # --- answers -----------------------------------------------------------------------------

    def error_from(self, status, data, headers):
        if status < 400:
            return None
        message = message_from(data)
        error = data.get("error") if isinstance(data, dict) else None
        kind = error.get("type") if isinstance(error, dict) else None
        kwargs = {"provider_code": kind if isinstance(kind, str) else ""}
        if status == 429 or kind == "rate_limit":
            wait = parse_retry_after(headers.get("retry-after"))
            return RateLimited(message, status=status, retry_after=wait, **kwargs)
        if status == 402:
            # "LookC credits need to be purchased in advance" (providers.md §3 [E2]).
            return OutOfCredits(
                message or "LookC credits must be bought in advance: top up the LookC account.",
                status=status,
                **kwargs,
            )
        if status in (401, 403):
            return KeyRejected(message, status=status, **kwargs)
        if isinstance(kind, str) and kind in ERROR_TYPES:
            return ERROR_TYPES[kind](message, status=status, **kwargs)
        if status == 451:
            return LegalRefusal(message, status=status, **kwargs)
        return error_for_status(status, message, **kwargs)

    def parse(self, endpoint, data):
        if endpoint in ("person_by_email", "request_status"):
            return _async_answer(data)
        if endpoint == "org_employees":
            if not isinstance(data, dict) or not isinstance(data.get("employees", []), list):
                raise MalformedResponse("LookC's employees answer has no employee list.")
            paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
            links = paging.get("_links") if isinstance(paging.get("_links"), dict) else {}
            return {
                **data,
                "employees": data.get("employees") or [],
                "next_after": _cursor(links.get("next")),
            }
        return data


def _clean(value, name):
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"LookC needs a non-empty {name}.")
    return value.strip()


def _async_answer(data):
    """Normalise the three shapes of an async-enabled LookC answer (seed 001, "Asynchronous Requests"): the
    result itself ({"hits", "org", "domainInfo"}), a status envelope ({"status", "data"}), or an accepted
    request carrying only its id (field name UNKNOWN, providers.md §3.2: `request_id`, `requestId`, `id`)."""
    if not isinstance(data, dict):
        raise MalformedResponse("LookC's answer was not a JSON object.")
    request_id = next((str(data[k]) for k in ("request_id", "requestId", "id") if data.get(k)), None)
    if "hits" in data:
        return {"request_id": request_id, "complete": True, "status": "complete", "person": _person(data)}
    status = data.get("status")
    if isinstance(status, str):
        complete = status.lower() == "complete"
        person = _person(data.get("data")) if complete else None
        return {"request_id": request_id, "complete": complete, "status": status, "person": person}
    if request_id:
        return {"request_id": request_id, "complete": False, "status": "pending", "person": None}
    raise MalformedResponse("LookC's answer had neither a result nor a request id.")


def _person(payload):
    if not isinstance(payload, dict) or not isinstance(payload.get("hits", []), list):
        raise MalformedResponse("LookC's result has no list of hits.")
    return {
        "hits": payload.get("hits") or [],
        "org": payload.get("org"),
        "domainInfo": payload.get("domainInfo"),
    }


def _cursor(link):
    """The `after` cursor of `paging._links.next`, a full URL or a path with a query (providers.md §3.1)."""
    if not isinstance(link, str) or not link:
        return None
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query).get("after")
    return values[0] if values else None


# --- Billing facts (billing.py applies them) ------------------------------------------------------
# LookC's credits are the Lix account's Organisation credits [E1]. An email lookup uses one, answered at
# once or accepted for later (202 with a request id) [E1]; polling its status is free. A page of an
# organisation's employees has no stated price, but LookC answers it 402 without prepaid credits [E2], so
# it is billed: one Organisation credit per page is the higher reading. Errors cost nothing (the key
# check's expected 404 included), `queued` too, as for Lix.
CREDIT_TYPES = {"person_by_email": "organisation", "org_employees": "organisation"}


def max_credits(endpoint, params, prices):
    kind = CREDIT_TYPES.get(endpoint)
    return {kind: 1} if kind else {}


def credits_charged(call, params, data, prices):
    if call.status is None or not 200 <= call.status < 300:
        return {}  # a check answered by an expected refusal
    return max_credits(call.endpoint, params, prices)


def credits_for_error(call, params, error, prices):
    return {}, {}


# --- Plain facts (records.keep_people / keep_companies take these) -----------------------------------
# An email lookup's hits carry name, liProfileUrl (a bare public-id slug) and salesNavUrl; its `org` a
# name and full LinkedIn URLs [S]. The hits do not repeat the email asked about: the caller adds it.
# Employees carry links{linkedin, salesNav}, title, location, currentOrg, dateEnded (null while in role) [E2].


def people_from(endpoint, data):
    """PersonFacts from a LookC answer as the client parsed it (`Result.data`); [] for other endpoints
    and for lookups still pending."""
    data = plain.record(data)
    if endpoint in ("person_by_email", "request_status"):
        found = _found(data)
        org = plain.record(found.get("org"))
        people = [
            PersonFacts(
                linkedin_url=plain.text(hit.get("liProfileUrl")),
                sales_nav_id=plain.text(hit.get("salesNavUrl")),
                full_name=plain.text(hit.get("name")),
                company_name=plain.text(org.get("name")),
                company_linkedin_url=plain.text(org.get("liProfileUrl")),
            )
            for hit in plain.records(found.get("hits"))
        ]
    elif endpoint == "org_employees":
        people = [_employee(employee) for employee in plain.records(data.get("employees"))]
    else:
        people = []
    return [person for person in people if person.linkedin_url or person.sales_nav_id or person.full_name]


def companies_from(endpoint, data):
    """CompanyFacts from a LookC answer: the organisation an email lookup found (employees name only
    LookC's own org id, which no other provider knows)."""
    if endpoint not in ("person_by_email", "request_status"):
        return []
    org = plain.record(_found(plain.record(data)).get("org"))
    company = CompanyFacts(name=plain.text(org.get("name")), linkedin_url=plain.text(org.get("liProfileUrl")))
    return [company] if company != CompanyFacts() else []


def _found(data):
    """The {hits, org} of a parsed lookup; also accepts the raw result or a webhook's {type, data}."""
    if "person" in data:
        return plain.record(data.get("person"))
    return plain.record(data.get("data")) if "data" in data else data


def _employee(employee):
    links = plain.record(employee.get("links"))
    in_role = not plain.text(employee.get("dateEnded"))  # a former employee's title was at this org, then
    return PersonFacts(
        linkedin_url=plain.text(links.get("linkedin")),
        sales_nav_id=plain.text(links.get("salesNav")),
        full_name=plain.text(employee.get("name")),
        title=plain.text(employee.get("title")) if in_role else "",
        location=plain.text(employee.get("location")),
        company_name=plain.text(plain.dig(employee, "currentOrg", "name")),
    )


LookcClient.people_from = staticmethod(people_from)
LookcClient.companies_from = staticmethod(companies_from)
