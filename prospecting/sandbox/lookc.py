"""The LookC sandbox: a person's LinkedIn profile from an email (sometimes answered asynchronously, with a
webhook), the request-status endpoint, and an organisation's employees paged with an `after` cursor.

LookC's error body is undocumented (providers.md §1), so it answers in Lix's `{"error": {"type", "message"}}`
as the client assumes. How an async answer announces itself is UNKNOWN (§3.2): the sandbox answers 202 with
`{"request_id", "status": "pending"}`, one of the shapes the client treats as pending.
"""

import base64
import binascii
import json
import math
import re
import urllib.parse
import uuid

from prospecting.sandbox.core import DEFAULT_BALANCE, Route, SandboxProvider, reply, stable_number
from prospecting.sandbox.people import company_by_domain, company_for, people_page, person_for

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
NIL_ORG = "00000000-0000-0000-0000-000000000000"
FREE_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
}
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 25, 1000
ASYNC_READY_IN = 1.0  # seconds before an asynchronous lookup completes and its webhook is posted


def error(status, kind, message):
    return reply(status, {"error": {"type": kind, "message": message}})


# --- person by email -----------------------------------------------------------------------------


def sales_nav_id(seed):
    return "ACwAA" + base64.urlsafe_b64encode(stable_number("salesnav", seed).to_bytes(6, "big")).decode()


def lookup(email):
    """The complete answer for an email, as LookC sends it (and as the webhook's `data`)."""
    domain = email.rsplit("@", 1)[1]
    free = domain in FREE_DOMAINS
    person = person_for(email)
    # "first.last@..." names the person, as a real match would; other local parts get a generated name.
    named = re.fullmatch(r"([a-z]+)[._-]([a-z]+)\d*", email.split("@")[0])
    name = f"{named[1].title()} {named[2].title()}" if named else person["full_name"]
    slug = f"{name.lower().replace(' ', '-')}-{stable_number('slug', email) % 9973}"
    sales_nav = f"https://linkedin.com/sales/{sales_nav_id(email)},NAME,undefined"
    hits = [{"name": name, "liProfileUrl": slug, "salesNavUrl": sales_nav}]
    if stable_number("hit", email) % 5 == 0:
        hits = []  # like real data, some emails match nobody
    company, org = company_by_domain(domain), None
    if not free:
        org = {"name": company["name"], "liProfileUrl": company["linkedin_url"].replace("www.", "")}
        org["salesNavUrl"] = f"https://linkedin.com/sales/company/{company['id']}"
    return {"hits": hits, "org": org, "domainInfo": {"isFreeEmailDomain": free}}


def answers_later(email):
    return stable_number(email) % 3 == 0


def person_by_email(request, ctx):
    # The docs' "HTTP Request" line puts the status check on this path too (providers.md §3.1 ⚠️).
    if "request_id" in request.query and "email" not in request.query:
        return request_status(request, ctx)
    email = (request.query.get("email") or "").strip().lower()
    if not email:
        return error(400, "params_invalid", "email is required")
    if not EMAIL_RE.match(email):
        return error(400, "params_invalid", "email is not a valid email address")
    # One Org credit per lookup, answered now or later (providers.md §3 [E1]); nothing is kept unpaid.
    ctx.charge("organisation", 1)
    result = lookup(email)
    if not answers_later(email):
        return reply(200, result)
    request_id = str(uuid.uuid4())
    ctx.state.defer(
        request_id,
        provider="lookc",
        key=ctx.key,
        ready_in=ASYNC_READY_IN,
        result=result,
        webhook={"type": "search.person.by-email", "data": result},
    )
    return reply(202, {"request_id": request_id, "status": "pending"})


def request_status(request, ctx):
    request_id = (request.query.get("request_id") or "").strip()
    if not request_id:
        return error(400, "params_invalid", "request_id is required")
    with ctx.state.lock:
        owner = ctx.state.pending.get(request_id, {}).get("key")
    known, ready, result = ctx.state.pending_result(request_id)
    # Another key's request is as unknown as one never made.
    if not known or owner != ctx.key:
        return error(404, "unknown_record", "request not found")
    if not ready:
        return reply(200, {"request_id": request_id, "status": "pending"})
    return reply(200, {"request_id": request_id, "status": "complete", "data": result})


# --- organisation employees ----------------------------------------------------------------------


def cursor_for(offset):
    return base64.b64encode(json.dumps({"id": offset}, separators=(",", ":")).encode()).decode()


def offset_from(cursor):
    try:
        offset = json.loads(base64.b64decode(cursor, validate=True))["id"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        return None
    return offset if isinstance(offset, int) and offset >= 0 else None


def employee(person, org_id, company, index):
    number = stable_number("tenure", org_id, index)
    years, months = number % 9, (number // 9) % 12
    started = f"{2025 - years}-{12 - months:02d}-01"
    return {
        "personId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"lookc:{org_id}#{index}")),
        "name": person["full_name"],
        "title": person["title"],
        "dateStarted": started,
        "dateEnded": None,
        "location": f"{person['city']}, {person['country']}",
        # Some profiles have no picture, as on LinkedIn.
        "image": None if number % 4 == 0 else f"https://media.licdn.com/dms/image/{person['slug']}.jpg",
        "links": {
            "linkedin": person["linkedin_url"].replace("www.", ""),
            "salesNav": f"https://linkedin.com/sales/lead/{sales_nav_id(person['slug'])}",
        },
        "currentOrg": {"orgId": org_id, "name": company["name"]},
        "tenureAtOrg": {"years": years, "months": months},
        "tenureInRole": {"years": years // (1 + number % 2), "months": months},
    }


def org_employees(request, ctx, org_id):
    org_id = urllib.parse.unquote(org_id).lower()
    if not UUID_RE.match(org_id):
        return error(400, "params_invalid", "org_id must be the organisation's UUID")
    if org_id == NIL_ORG:
        return error(404, "unknown_record", "organisation not found")
    size = request.query.get("page_size") or str(DEFAULT_PAGE_SIZE)
    if not size.isdigit() or not 1 <= int(size) <= MAX_PAGE_SIZE:
        return error(400, "params_invalid", f"page_size must be from 1 to {MAX_PAGE_SIZE}")
    start = offset_from(request.query["after"]) if "after" in request.query else 0
    if start is None:
        return error(400, "params_invalid", "after is not a valid cursor")
    total = 15 + stable_number("headcount", org_id) % 120
    company = company_for(org_id)
    people, total = people_page(org_id, start, int(size), total)
    # No stated price, but LookC answers 402 without prepaid credits [E2]: one Org credit per page.
    ctx.charge("organisation", 1)
    links = {}
    if start + len(people) < total:
        after = urllib.parse.quote(cursor_for(start + len(people)), safe="")
        links["next"] = f"/org/{org_id}/employees?after={after}&page_size={size}"
    return reply(
        200,
        {
            "employees": [employee(p, org_id, company, start + i) for i, p in enumerate(people)],
            "paging": {"_links": links},
        },
    )


# --- the provider --------------------------------------------------------------------------------


def refuse():
    return error(401, "unauthorised", "The API token is missing or not valid")


def rate_limited(wait):
    return reply(
        429,
        {"error": {"type": "rate_limit", "message": "Too many requests"}},
        Retry_After=max(1, math.ceil(wait)),
    )


def out_of_credits():
    # Lix's example: 402 means "LookC credits need to be purchased in advance" (providers.md §3 [E2]).
    return error(402, "no_credits", "LookC credits need to be purchased in advance")


def not_found():
    return error(404, "unknown_route", "URL not valid")


PROVIDER = SandboxProvider(
    slug="lookc",
    prefix="/lookc",
    key_from=lambda request: request.headers.get("authorization"),
    refuse=refuse,
    rate_limited=rate_limited,
    out_of_credits=out_of_credits,
    not_found=not_found,
    routes=[
        Route("GET", r"/v1/search/person/by-email", person_by_email),
        Route("GET", r"/v1/request", request_status),
        Route("GET", r"/org/(?P<org_id>[^/]+)/employees", org_employees),
    ],
    default_limits=[[50, 1]],
    default_balances={"organisation": DEFAULT_BALANCE},
)
