"""Lusha V2 in the sandbox (providers.md §5), answering in the shapes prospecting/providers/lusha.py parses
(tests/fixtures/lusha/): person and company enrichment, single and bulk; prospecting filters, search and
enrich; the four signals endpoints and their options; account usage. The records are lusha_data.py's.

- One credit type, "credits", charged per successful result and per data point [E12]: a matched contact
  costs its email (1) and its phones (5), Lusha's own example prices [E11], a matched company 1 [E21];
  a contact charged with neither costs the dearer point (the phone). `isCreditCharged` flags contacts;
  no match, GDPR refusals and per-record errors are free [E12]. Each requested signal type that returns
  data costs 1 [S], inside person and company answers too; the signals endpoints state it in
  `creditCharged` [S][E10]. Look-ups, searches and usage are free.
- A billable answer is charged once, after it is built: a balance too small for it gives 402 and costs
  nothing, never half a batch. An answer that would cost nothing is served even at a zero balance.
- Quotas travel in response headers on every answer (`decorate`), one header family per configured
  window, named as the client's `rate_limit_state` reads them; resets are in seconds.
- Only the client's default bulk company path (POST /v2/company) answers; the other documented one,
  /bulk/company/v2, 404s as on an account that serves one only [E10][E13].
"""

import functools
import json
import math
import time
import uuid

from prospecting.sandbox import lusha_data as records
from prospecting.sandbox.core import DEFAULT_BALANCE, Route, SandboxProvider, reply
from prospecting.sandbox.lusha_data import COMPANY_SIGNALS, CONTACT_SIGNALS, MAX_BATCH
from prospecting.sandbox.people import people_page, person_for

# Header names per window, as the client reads them: the spec's per-second RateLimit-* and the seed's
# x-*-requests-left families [S][E10]. A window goes to the first family at least as long as it.
FAMILIES = (  # (longest window, limit, remaining, used, reset)
    (59, "RateLimit-Limit", "RateLimit-Remaining", None, "RateLimit-Reset"),
    (3599, "x-rate-limit-minute", "x-minute-requests-left", "x-minute-usage", "x-ratelimit-reset-minute"),
    (86399, "x-rate-limit-hourly", "x-hourly-requests-left", "x-hourly-usage", "x-ratelimit-reset-hourly"),
    (math.inf, "x-rate-limit-daily", "x-daily-requests-left", "x-daily-usage", "X-RateLimit-Reset-Daily"),
)
PRICES = {"email": 1, "phone": 5, "company": 1, "signal": 1}  # per data point [E11][E21][S]
FULL_NAME = "Please make sure to send a full name field that contains a valid first & last name"  # 412 [S]


# --- Errors and quotas ---------------------------------------------------------------------------


def _error(status, message, *details):
    """The spec's ErrorResponse [E10] (the client reads the seed's `{"error": {...}}` too)."""
    body = {"statusCode": status, "message": message}
    return reply(status, body | {"errors": list(details)} if details else body)


def _invalid(*details):
    return _error(400, "Validation failed", *details)


def rate_limited(wait):
    # Only the wait is known here, not which window ran out: the spec's per-second 429 headers carry it.
    seconds = str(max(1, math.ceil(wait)))
    answer = _error(429, "Too many requests. Please wait before making another request.")
    answer.headers.update({"Retry-After": seconds, "RateLimit-Remaining": "0", "RateLimit-Reset": seconds})
    return answer


def decorate(answer, ctx):
    """Each window's figures after this call; when two windows share a family, the tighter one speaks."""
    now, figures = time.monotonic(), {}
    with ctx.state.lock:
        for count, seconds in ctx.state.limits[ctx.provider]:
            log = [at for at in ctx.account.hits.get(seconds, ()) if at > now - seconds]
            reset = math.ceil(log[0] + seconds - now) if log else math.ceil(seconds)
            family = next(f for f in FAMILIES if seconds <= f[0])
            row = (count, max(count - len(log), 0), len(log), max(reset, 1))
            if family not in figures or (row[1], -row[3]) < (figures[family][1], -figures[family][3]):
                figures[family] = row
    for (_longest, *names), row in figures.items():
        answer.headers.update({name: str(value) for name, value in zip(names, row, strict=True) if name})


def _lenient(handler):
    """Lusha answers a body of the wrong shape with a 400 [E10]. The checks the client relies on are explicit
    in the handlers; a field of some other wrong type lands here, rather than dropping the connection."""

    @functools.wraps(handler)
    def checked(request, ctx, **params):
        if request.body and not isinstance(request.json, dict):
            return _invalid("The request body must be a JSON object")
        try:
            return handler(request, ctx, **params)
        except (AttributeError, TypeError, ValueError, KeyError) as error:
            return _invalid(f"A field has the wrong type ({type(error).__name__})")

    return checked


def _query_list(value):
    # The core keeps the first of repeated query values (`signals=a&signals=b` reads "a"); "a,b" works.
    return [part for part in str(value or "").split(",") if part]


def _bad_signals(names, allowed):
    return not isinstance(names, list) or any(name not in allowed for name in names)


def _bad_places(filters):
    """A hiringByLocations entry without a country is a 400 [E10]."""
    places = ((filters or {}).get("include") or {}).get("hiringByLocations") or []
    return any(not isinstance(place, dict) or not place.get("country") for place in places)


def _batch(items, what):
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        return _invalid(f"{what} must be a list of 1 to {MAX_BATCH} items")
    return None


# --- Person and company --------------------------------------------------------------------------


def person(request, ctx):
    query = request.query
    company = query.get("companyName") or query.get("companyDomain")
    named = bool(query.get("firstName") and query.get("lastName") and company)
    if not (named or any(query.get(k) for k in ("personId", "email", "linkedinUrl"))):
        return _invalid("Provide personId, email, linkedinUrl, or firstName, lastName and a company")
    if query.get("filterBy") not in (None, "phoneNumbers", "emailAddresses"):
        return _invalid("filterBy must be one of: phoneNumbers, emailAddresses")
    if _bad_signals(signals := _query_list(query.get("signals")), CONTACT_SIGNALS):
        return _invalid(f"signals must be among: {', '.join(CONTACT_SIGNALS)}")
    ident = {**query, "fullName": f"{query['firstName']} {query['lastName']}" if named else None}
    seed, found = records.find_person(ident)
    entry, charged = records.contact_entry(
        seed, found, ident, records.reveal_of(query), query.get("filterBy")
    )
    if entry["error"] is records.BAD_LINKEDIN:
        return _invalid(records.BAD_LINKEDIN["message"])
    if entry["error"] is records.GDPR_RECORD:
        return _error(451, records.GDPR)  # the single lookup refuses outright; bulk says so per record [S]
    if charged:
        entry["data"]["company"] = records.company_record(found["company"], "person")
        if signals:  # a `signals` object, empty if none [E10]
            dates = records.signal_dates(query, "signalsStartDate")
            subject = {"seed": seed, "person": found}
            entry["data"]["signals"] = records.signals_of("contacts", subject, signals, dates)
        ctx.charge("credits", contact_price(entry["data"]))
    return reply(200, {"contact": entry})


def contact_price(data):
    """A charged contact's data points: its email and its phones (with neither, the dearer one), and each
    signal type that returned data [S][E11][E12]."""
    points = [
        point for point, key in (("email", "emailAddresses"), ("phone", "phoneNumbers")) if data.get(key)
    ]
    price = sum(PRICES[point] for point in points) or max(PRICES["email"], PRICES["phone"])
    return price + signal_price(data.get("signals"))


def signal_price(signals):
    return PRICES["signal"] * sum(1 for events in (signals or {}).values() if events)


def company_price(company):
    return PRICES["company"] + signal_price({k: v for k, v in company.items() if k in COMPANY_SIGNALS})


def _bulk_problem(contacts):
    if problem := _batch(contacts, "contacts"):
        return problem
    if not all(isinstance(c, dict) and str(c.get("contactId") or "").strip() for c in contacts):
        return _invalid("contacts.contactId is required")
    if len({str(c["contactId"]) for c in contacts}) != len(contacts):
        return _invalid("contacts.contactId must be unique")
    for contact in contacts:
        name, company = contact.get("fullName"), _first_company(contact)
        if name is not None and len(str(name).split()) < 2:
            return reply(412, {"error": {"code": 412, "message": FULL_NAME}})  # the seed's shape [S]
        direct = any(contact.get(k) for k in ("email", "linkedinUrl", "personId"))
        if not (direct or (name and (company.get("name") or company.get("domain")))):
            return _invalid(
                f"contact {contact['contactId']} needs an email, a LinkedIn URL, a person id or a name"
            )
    return None


def _first_company(contact):
    return next((c for c in contact.get("companies") or [] if isinstance(c, dict)), {})


def bulk_people(request, ctx):
    body = request.json or {}
    contacts, metadata = body.get("contacts"), body.get("metadata") or {}
    if problem := _bulk_problem(contacts):
        return problem
    if _bad_signals(signals := metadata.get("signals") or [], CONTACT_SIGNALS):
        return _invalid(f"metadata.signals must be among: {', '.join(CONTACT_SIGNALS)}")
    reveal, dates = records.reveal_of(metadata), records.signal_dates(metadata, "signalsStartDate")
    answer, companies, charged = {}, {}, 0
    for contact in contacts:
        company = _first_company(contact)
        ident = {**contact, "companyName": company.get("name"), "companyDomain": company.get("domain")}
        seed, found = records.find_person(ident)
        entry, paid = records.contact_entry(seed, found, ident, reveal, metadata.get("filterBy"))
        if paid:  # Lusha de-duplicates the contacts' companies into one top-level map [E10]
            companies[str(found["company"]["id"])] = records.company_record(found["company"], "person")
            if signals:
                subject = {"seed": seed, "person": found}
                entry["data"]["signals"] = records.signals_of("contacts", subject, signals, dates)
        answer[str(contact["contactId"])] = entry
        charged += contact_price(entry["data"]) if paid else 0
    ctx.charge("credits", charged)
    return reply(200, {"contacts": answer, "companies": companies})


def company(request, ctx):
    query = request.query
    if not any(query.get(k) for k in ("domain", "company", "companyId")):
        return _invalid("Provide domain, company or companyId")
    if _bad_signals(signals := _query_list(query.get("signals")), COMPANY_SIGNALS):
        return _invalid(f"signals must be among: {', '.join(COMPANY_SIGNALS)}")
    found, data = records.find_company(query)
    if not found:
        return reply(200, {"data": {}, "errors": {"message": "Company not found"}, "meta": {}})
    subject, dates = (
        {"seed": data["domain"], "company": data},
        records.signal_dates(query, "signalsStartDate"),
    )
    body = records.company_record(data) | records.signals_of("companies", subject, signals, dates)
    ctx.charge("credits", company_price(body))
    return reply(200, {"data": body, "errors": {}, "meta": {}})


def bulk_companies(request, ctx):
    body = request.json or {}
    items, signals = body.get("companies"), body.get("signals") or []
    if problem := _batch(items, "companies"):
        return problem
    identifiers = ("domain", "name", "companyId", "fqdn")
    if not all(isinstance(i, dict) and i.get("id") and any(i.get(k) for k in identifiers) for i in items):
        return _invalid("each company needs an id and one of domain, name, companyId, fqdn")
    if _bad_signals(signals, COMPANY_SIGNALS) or _bad_places(body.get("signalsFilters")):
        return _invalid("signals must be company signals; hiringByLocations entries need a country")
    answer, dates = {}, records.signal_dates(body, "signalsStartDate")
    for item in items:
        found, data = records.find_company(item)
        answer[str(item["id"])] = {}  # no match: an empty object under the request's id [E10]
        if found:
            subject = {"seed": data["domain"], "company": data}
            answer[str(item["id"])] = records.company_record(data, "bulk") | records.signals_of(
                "companies", subject, signals, dates
            )
    ctx.charge("credits", sum(company_price(value) for value in answer.values() if value))
    return reply(200, answer)


# --- Prospecting -----------------------------------------------------------------------------------


def filter_values(request, ctx, name):
    values = records.FILTERS[name]
    if name not in records.SEARCHED:
        return reply(200, values)
    text = str((request.json or {}).get("text") or "").strip().lower()
    if not text:
        return _invalid("text should not be empty")
    return reply(200, [value for value in values if text in json.dumps(value).lower()])


def _search(body, *keys):
    """(request id, first index, size) of a search, or an error reply. The same filters give the same
    request id, so the same search lists the same results."""
    pages, filters = body.get("pages") or {}, body.get("filters")
    page, size = pages.get("page", 0), pages.get("size", 20)
    if not (isinstance(page, int) and 0 <= page <= 1000 and isinstance(size, int) and 10 <= size <= 50):
        return _invalid("pages.page must be 0 to 1000 and pages.size 10 to 50")
    if not isinstance(filters, dict) or not any(
        isinstance(filters.get(k), dict) and filters[k] for k in keys
    ):
        return _invalid(f"filters.{' or filters.'.join(keys)} is required")
    text = f"lusha:{keys[0]}:{json.dumps(filters, sort_keys=True)}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text)), page, size


def _page(request_id, page, kind, rows, total=None):
    total = records.search_total(request_id) if total is None else total
    return reply(
        200,
        {
            "requestId": request_id,
            "currentPage": page,
            "pageLength": len(rows),
            "totalResults": total,
            kind: rows,
        },
    )


def search_contacts(request, ctx):
    search = _search(request.json or {}, "contacts", "companies")
    if not isinstance(search, tuple):
        return search
    request_id, page, size = search
    total = records.search_total(request_id)
    wanted = ((request.json["filters"].get("contacts") or {}).get("include")) or {}
    if not any(wanted.get(name) for name in ("jobTitles", "locations", "seniority", "existing_data_points")):
        people, _total = people_page(request_id, page * size, size, total)
        rows = [records.listed_contact(request_id, page * size + i, p) for i, p in enumerate(people)]
        return _page(request_id, page, "contacts", rows)
    # Filtered as Lusha would, on what the sandbox's people have: their title, where they are, their
    # seniority and their data. Each keeps its index in the whole list, so enrichment finds it by its
    # contactId.
    found = [(i, person_for(f"{request_id}#{i}")) for i in range(total)]
    found = [(i, p) for i, p in found if records.fits(p, wanted)]
    rows = [records.listed_contact(request_id, i, p) for i, p in found[page * size : page * size + size]]
    return _page(request_id, page, "contacts", rows, total=len(found))


def _enrich_problem(body, ids_key):
    if not isinstance(body.get("requestId"), str) or not body["requestId"].strip():
        return _invalid("requestId is required")
    return _batch(body.get(ids_key), ids_key)


def enrich_contacts(request, ctx):
    body = request.json or {}
    if problem := _enrich_problem(body, "contactIds"):
        return problem
    request_id, reveal = body["requestId"], records.reveal_of(body)
    indexes, contacts = records.contact_indexes(request_id), []
    for contact_id in body["contactIds"]:
        index = indexes.get(str(contact_id))
        found = None if index is None else person_for(f"{request_id}#{index}")  # as people_page made them
        if found is None or found["legal_hold"]:  # not this search's, or withheld (GDPR): not enriched
            refused = {"error": records.GDPR_RECORD} if found else {}
            contacts.append({"id": contact_id, "isSuccess": False, "data": {}, **refused})
        else:
            contacts.append(
                {"id": contact_id, "isSuccess": True, "data": records.contact_data(found, reveal, "enrich")}
            )
    ctx.charge("credits", sum(contact_price(c["data"]) for c in contacts if c["isSuccess"]))
    return reply(200, {"requestId": request_id, "contacts": contacts})


def search_companies(request, ctx):
    search = _search(request.json or {}, "companies")
    if not isinstance(search, tuple):
        return search
    request_id, page, size = search
    total = records.search_total(request_id)
    wanted = ((request.json["filters"].get("companies") or {}).get("include")) or {}
    indexes = range(total)
    if wanted.get("locations") or wanted.get("sizes"):
        # Filtered on where the company is and its headcount; each keeps its index, so enrichment finds it.
        indexes = [i for i in indexes if records.company_fits(records.listed_company(request_id, i), wanted)]
    rows = []
    for index in indexes[page * size : page * size + size]:
        c = records.company_record(records.listed_company(request_id, index))
        rows.append(
            {
                "id": str(c["id"]),
                "name": c["name"],
                "fqdn": c["domain"],
                "description": c["description"],
                "logoUrl": c["logoUrl"],
                "hasCompanyRevenue": index % 3 != 0,
                "signalTypes": [],
            }
        )
    return _page(request_id, page, "companies", rows, total=len(indexes))


def enrich_companies(request, ctx):
    body = request.json or {}
    if problem := _enrich_problem(body, "companiesIds"):
        return problem
    request_id, indexes = body["requestId"], records.company_indexes(body["requestId"])
    # Ids that are not the search's are left out; the client counts them as no match.
    found = [indexes[str(i)] for i in body["companiesIds"] if str(i) in indexes]
    companies = [records.company_record(records.listed_company(request_id, i), "enrich") for i in found]
    ctx.charge("credits", sum(company_price(company) for company in companies))
    return reply(200, {"requestId": request_id, "companies": companies})


# --- Signals and account -------------------------------------------------------------------------


def signal_options(request, ctx, object_type):
    if object_type == "contact":
        return reply(200, {"signals": list(CONTACT_SIGNALS), "objectType": "contact"})
    if object_type != "company":
        return _invalid("objectType must be one of: contact, company")
    countries = records.FILTERS["contacts/all_countries"]
    options = {
        "newsEventTypes": [event.title() for event in records.NEWS],
        "hiringByDepartments": records.FILTERS["contacts/departments"],
        "hiringByLocations": [{"country": country["name"]} for country in countries],
    }
    return reply(200, {"signals": list(COMPANY_SIGNALS), "objectType": "company", "filterOptions": options})


def _subjects(kind, body, searched):
    """[(answer key, {"seed", "person" | "company"})] of a signals request, or an error reply."""
    if searched:  # the caller's own ids, with snake_case identifiers for contacts [E10]
        items = body.get(kind)
        problem = _batch(items, kind)
        if problem is None and not all(isinstance(i, dict) and i.get("id") for i in items):
            problem = _invalid(f"{kind}.id is required")
        if problem:
            return problem
        if kind == "companies":
            found = [(str(i["id"]), records.find_company(i)[1]) for i in items]
            return [(key, {"seed": c["domain"], "company": c}) for key, c in found]
        seeds = [(str(i["id"]), i.get("social_link") or i.get("email") or _named(i)) for i in items]
        return [(key, {"seed": seed, "person": person_for(seed)}) for key, seed in seeds]
    ids = body.get("contactIds" if kind == "contacts" else "companyIds")
    problem = _batch(ids, "ids")
    if problem is None and not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        problem = _invalid("ids must be Lusha's numeric ids")
    if problem:
        return problem
    if kind == "companies":
        return [
            (str(i), {"seed": f"id:{i}", "company": records.find_company({"companyId": i})[1]}) for i in ids
        ]
    return [(str(i), {"seed": f"id:{i}", "person": records.find_person({"personId": i})[1]}) for i in ids]


def _named(contact):
    company = _first_company(contact)
    return f"{contact.get('full_name')}@{company.get('name') or company.get('domain')}".lower()


def _signals(kind, searched):
    allowed = CONTACT_SIGNALS if kind == "contacts" else COMPANY_SIGNALS

    def handler(request, ctx):
        body = request.json or {}
        names, limit = body.get("signals"), body.get("maxResultsPerSignal", 10)
        if not names or _bad_signals(names, allowed):
            return _invalid(f"signals must be a non-empty list of: {', '.join(allowed)}")
        if not isinstance(limit, int) or limit < 1 or _bad_places(body.get("filters")):
            return _invalid("maxResultsPerSignal must be positive; hiringByLocations entries need a country")
        subjects = _subjects(kind, body, searched)
        if not isinstance(subjects, list):
            return subjects
        dates, answer, charged = records.signal_dates(body, "startDate"), {}, 0
        for key, subject in subjects:
            found = records.signals_of(kind, subject, names, dates, limit)
            charged += sum(1 for events in found.values() if events)  # each type that returns data [S]
            if kind == "contacts":
                answer[key] = {"personId": str(subject["person"]["id"]), **found}
            else:
                c = subject["company"]
                answer[key] = {
                    "companyId": str(c["id"]),
                    "companyName": c["name"],
                    "domain": c["domain"],
                    **found,
                }
        ctx.charge("credits", charged)
        start, end = (when.isoformat() for when in dates)
        return reply(200, {kind: answer, "startDate": start, "endDate": end, "creditCharged": charged})

    # The handler's name is the billed endpoint's in the sandbox's record: the client's method name.
    handler.__name__ = (
        f"{'search_' if searched else ''}{'contact' if kind == 'contacts' else 'company'}_signals"
    )
    return handler


def account_usage(request, ctx):
    """The account's "credits": what is left, what was charged so far, and their sum [E10]."""
    remaining = ctx.balance("credits")
    used = ctx.state.billed_totals(ctx.provider, ctx.key).get("credits", 0)
    figures = {"used": used, "total": round(remaining + used, 4), "remaining": remaining}
    return reply(200, {"usage": {"credits": figures}})


def _route(method, pattern, handler):
    return Route(method, pattern, _lenient(handler))


def _filters_route(method, searched):
    names = "|".join(name for name in records.FILTERS if (name in records.SEARCHED) == searched)
    return _route(method, rf"/prospecting/filters/(?P<name>{names})", filter_values)


PROVIDER = SandboxProvider(
    slug="lusha",
    prefix="/lusha",
    key_from=lambda request: request.headers.get("api_key"),  # with an underscore [S][E10]
    refuse=lambda: _error(401, "Invalid API key"),
    rate_limited=rate_limited,
    out_of_credits=lambda: _error(402, "Insufficient credits"),  # [E12]
    not_found=lambda: _error(404, "The requested endpoint was not found"),
    decorate=decorate,
    routes=[
        _route("GET", r"/v2/person", person),
        _route("POST", r"/v2/person", bulk_people),
        _route("GET", r"/v2/company", company),
        _route("POST", r"/v2/company", bulk_companies),
        _filters_route("GET", searched=False),
        _filters_route("POST", searched=True),
        _route("POST", r"/prospecting/contact/search", search_contacts),
        _route("POST", r"/prospecting/contact/enrich", enrich_contacts),
        _route("POST", r"/prospecting/company/search", search_companies),
        _route("POST", r"/prospecting/company/enrich", enrich_companies),
        _route("GET", r"/api/signals/filters/(?P<object_type>[^/]+)", signal_options),
        _route("POST", r"/api/signals/contacts", _signals("contacts", searched=False)),
        _route("POST", r"/api/signals/contacts/search", _signals("contacts", searched=True)),
        _route("POST", r"/api/signals/companies", _signals("companies", searched=False)),
        _route("POST", r"/api/signals/companies/search", _signals("companies", searched=True)),
        _route("GET", r"/account/usage", account_usage),
    ],
    default_limits=[[25, 1]],  # 25 requests a second [S]; plans' minute/hour/day quotas vary [E12]
    default_balances={"credits": DEFAULT_BALANCE},
)
