"""LeadIQ's Prospector REST API in the sandbox (`PROSPECTOR`, under /leadiq-prospector), split from leadiq.py
to keep both short: lists and prospects, free [E4], errors as {code, message, details} [E6].

Its key is the base64-decoded GraphQL key, sent as `X-API-Key`. Lists and prospects live on the sandbox
account, so /_sandbox/reset forgets them; ids are 24-hex like LeadIQ's, and creates are not idempotent.
"""

import math
import re
from datetime import UTC, datetime

from prospecting.sandbox import people
from prospecting.sandbox.core import Route, SandboxProvider, reply, stable_number

HEX_ID = re.compile(r"[0-9a-fA-F]{24}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def names(text):
    """Field names written as one string (the lists are long and ordered as LeadIQ documents them)."""
    return text.split()


def words(text):
    return frozenset(names(text))


SENIORITIES = words("VP Manager Director Executive SeniorIndividualContributor Other")
PROSPECT_INPUT = words(
    "firstName lastName workEmail phone title seniority function company companyDomain companyIndustry "
    "companyId linkedinUrl emailStatus location notes personId"
)
LOCATION_INPUT = words("streetLine1 streetLine2 city state zip country formatted")
COMPANY_INPUT = {
    "companyId": "id",
    "company": "name",
    "companyDomain": "domain",
    "companyIndustry": "industry",
}
PROSPECT_FIELDS = names(
    "id personId linkedinId linkedinUrl firstName lastName name picture title seniority function workEmail "
    "emailStatus personalEmails mobilePhones location company listIds notes createdAt updatedAt"
)
LIST_DEFAULTS = {
    "role": "owner",
    "status": "Active",
    "visibility": "Private",
    "startDate": None,
    "endDate": None,
}


def hex_id(*parts):
    """A LeadIQ-looking 24-hex id derived from the parts."""
    return f"{stable_number(*parts):012x}{stable_number('more', *parts):012x}"


def rest_error(status, code, message, details=None, **headers):
    return reply(status, {"code": code, "message": message, "details": details}, **headers)


def _now():
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _store(ctx):
    return vars(ctx.account).setdefault("leadiq_lists", {"lists": {}, "made": 0})


def _new_id(ctx, kind):
    with ctx.state.lock:
        store = _store(ctx)
        store["made"] += 1
        return hex_id(kind, ctx.key, store["made"])


def _find_list(ctx, list_id):
    """(the list's entry, None) or (None, the error reply)."""
    if not HEX_ID.fullmatch(list_id):
        return None, rest_error(400, "invalid_request", "listId must be a 24-character hex id")
    found = _store(ctx)["lists"].get(list_id.lower())
    missing = rest_error(404, "not_found", "List not found or not accessible to caller")
    return found, None if found else missing


def create_list(request, ctx):
    body = request.json
    if not isinstance(body, dict) or set(body) - {"name", "description"}:
        return rest_error(400, "invalid_request", "The body takes name and description, nothing else")
    name, description = body.get("name"), body.get("description")
    if not isinstance(name, str) or not 1 <= len(name) <= 200:
        return rest_error(400, "invalid_request", "name must be 1 to 200 characters")
    if description is not None and (not isinstance(description, str) or len(description) > 2000):
        return rest_error(400, "invalid_request", "description must be at most 2000 characters")
    with ctx.state.lock:
        lists = _store(ctx)["lists"]
        if any(entry["list"]["name"] == name for entry in lists.values()):
            return rest_error(409, "list_name_exists", "A list with this name already exists")
        list_id, now = _new_id(ctx, "list"), _now()
        made = {"id": list_id, "name": name, "description": description, "createdAt": now, "updatedAt": now}
        lists[list_id] = {"list": made | LIST_DEFAULTS, "prospects": []}
    return reply(201, lists[list_id]["list"])


def _problem(prospect):
    """(path, reason) of the first way `prospect` breaks ProspectInput, or None."""
    if not isinstance(prospect, dict):
        return "", "A prospect must be an object"
    for key, value in prospect.items():
        if key not in PROSPECT_INPUT:
            return key, f"{key}: must NOT have additional properties"
        if key != "location" and (
            not isinstance(value, str) or len(value) > (5000 if key == "notes" else 500)
        ):
            return key, f"{key} must be a string of at most {5000 if key == 'notes' else 500} characters"
    for key in ("firstName", "lastName"):
        if not str(prospect.get(key) or "").strip():
            return key, f"{key} is required"
    location = prospect.get("location", {})
    if not EMAIL.fullmatch(prospect.get("workEmail", "a@b.c")):
        return "workEmail", "workEmail must be a valid email"
    if not prospect.get("linkedinUrl", "https://").startswith(("https://", "http://")):
        return "linkedinUrl", "linkedinUrl must be a URI"
    if prospect.get("seniority", "VP") not in SENIORITIES:
        return "seniority", f"seniority must be one of {', '.join(sorted(SENIORITIES))}"
    if prospect.get("emailStatus", "Verified") not in ("Unverified", "Verified", "VerifiedLikely"):
        return "emailStatus", "emailStatus must be Unverified, Verified or VerifiedLikely"
    if not isinstance(location, dict) or set(location) - LOCATION_INPUT:
        return "location", "location must be an address object"
    return None


def _new_prospect(ctx, entry, given):
    company = {field: given.get(key) for key, field in COMPANY_INPUT.items()}
    now, phone = _now(), given.get("phone")
    prospect = dict.fromkeys(PROSPECT_FIELDS) | {k: v for k, v in given.items() if k in PROSPECT_FIELDS}
    prospect |= {"id": _new_id(ctx, "prospect"), "name": f"{given['firstName']} {given['lastName']}"}
    prospect |= {"personalEmails": [], "mobilePhones": [{"value": phone, "status": None}] if phone else []}
    prospect |= {"company": company | {"employees": None} if any(company.values()) else None}
    prospect |= {"listIds": [entry["list"]["id"]], "createdAt": now, "updatedAt": now}
    with ctx.state.lock:
        entry["prospects"].append(prospect)
    return prospect


def add_prospect(request, ctx, list_id):
    entry, missing = _find_list(ctx, list_id)
    if missing:
        return missing
    problem = _problem(request.json)
    if problem:
        return rest_error(422, "invalid_body", problem[1], [{"path": problem[0]}])
    return reply(201, _new_prospect(ctx, entry, request.json))


def add_prospects(request, ctx, list_id):
    entry, missing = _find_list(ctx, list_id)
    if missing:
        return missing
    batch = request.json
    if not isinstance(batch, list) or not 1 <= len(batch) <= 100:
        return rest_error(400, "invalid_request", "Batch must contain between 1 and 100 prospects")
    succeeded, failed = [], []
    for index, given in enumerate(batch):
        problem = _problem(given)  # a bad prospect fails alone: a 200 with partial success [E6]
        if problem:
            failed.append({"index": index, "reason": problem[1]})
        else:
            succeeded.append(_new_prospect(ctx, entry, given))
    return reply(200, {"succeeded": succeeded, "failed": failed})


def list_prospects(request, ctx, list_id):
    entry, missing = _find_list(ctx, list_id)
    if missing:
        return missing
    limit, cursor = request.query.get("limit", "25"), request.query.get("cursor")
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        return rest_error(400, "invalid_request", "limit must be a whole number from 1 to 100")
    with ctx.state.lock:
        ids = [one["id"] for one in entry["prospects"]]
        items = list(entry["prospects"])
    start = 0
    if cursor is not None:
        # The cursor is the id of the last prospect of the previous page, as LeadIQ's nextCursor is [E4].
        if not HEX_ID.fullmatch(cursor) or cursor.lower() not in ids:
            return rest_error(400, "invalid_request", "cursor is not a cursor this list gave")
        start = ids.index(cursor.lower()) + 1
    page = items[start : start + int(limit)]
    more = start + len(page) < len(items)
    return reply(200, {"items": page, "nextCursor": page[-1]["id"] if more and page else None})


def whoami(request, ctx):
    person = people.person_for(ctx.key)
    company = person["company"]
    email = re.sub(
        r"[^a-z0-9.@-]", "", f"{person['first_name']}.{person['last_name']}@{company['domain']}".lower()
    )
    user = {"email": email, "name": person["full_name"]}
    user |= {"firstName": person["first_name"], "lastName": person["last_name"]}
    return reply(200, {"user": user, "team": {"name": company["name"], "domain": company["domain"]}})


_PROSPECTS = r"/v1/lists/(?P<list_id>[^/]+)/prospects"
PROSPECTOR = SandboxProvider(
    slug="leadiq-prospector",
    prefix="/leadiq-prospector",
    key_from=lambda request: request.headers.get("x-api-key"),  # the decoded key, as LeadIQ wants it
    refuse=lambda: rest_error(401, "unauthorized", "Missing or invalid API key"),
    rate_limited=lambda wait: rest_error(
        429, "rate_limited", "Too Many Requests", Retry_After=math.ceil(wait)
    ),
    out_of_credits=lambda: rest_error(402, "insufficient_credits", "Insufficient credits"),
    routes=[
        Route("POST", r"/v1/lists", create_list),
        Route("POST", _PROSPECTS, add_prospect),
        Route("POST", _PROSPECTS + "/batch", add_prospects),
        Route("GET", _PROSPECTS, list_prospects),
        Route("GET", r"/v1/whoami", whoami),
    ],
    default_limits=[[60, 60]],  # the same published 60/min as GraphQL [E7], counted apart
    default_balances={},  # Prospector bills nothing [E4]
    not_found=lambda: rest_error(404, "not_found", "Not found"),
)
