"""LeadIQ in the sandbox (providers.md section 6): the GraphQL API (`PROVIDER`, POST /leadiq/graphql) and,
re-exported from leadiq_prospector.py, the Prospector REST API (`PROSPECTOR`, /leadiq-prospector/v1/...).

GraphQL reads the query text (leadiq_graphql.py): it refuses what LeadIQ's schema would, answers exactly the
fields selected and bills each result for every data point its selection asks for, because LeadIQ charges
what a query selects: email 1, phone 10, company 3, profile 0.1 UC [S]. Errors come as an `errors` array in
an HTTP 200 with the HTTP-like status in `extensions.response.status`, as LeadIQ's samples read them [E4].
The Basic key is the base64 "Secret" key; Prospector takes the decoded key, so both reach the same sandbox
key ("sandbox-...").
"""

import base64
import binascii
import json
import math
import re
from datetime import UTC, datetime

from prospecting.sandbox import people
from prospecting.sandbox.core import DEFAULT_BALANCE, Route, SandboxProvider, reply, stable_number
from prospecting.sandbox.leadiq_graphql import (
    SCHEMA,
    GraphqlError,
    checked_selection,
    graphql_error,
    parse_query,
    pick,
    root_input,
)
from prospecting.sandbox.leadiq_prospector import HEX_ID, PROSPECTOR, hex_id, words

__all__ = ["PROSPECTOR", "PROVIDER"]  # register both: one provider, two APIs under two URL prefixes

UC = {"email": 1, "phone": 10, "company": 3, "profile": 0.1}  # per data point selected [S]
# title -> (seniority, role), so that people look consistent
TITLE_FACTS = {
    "VP of Sales": ("VP", "Sales"),
    "Head of Growth": ("Director", "Marketing"),
    "Sales Director": ("Director", "Sales"),
    "Account Executive": ("SeniorIndividualContributor", "Sales"),
    "CTO": ("Executive", "Engineering"),
    "Marketing Manager": ("Manager", "Marketing"),
    "Chief Revenue Officer": ("Executive", "Sales"),
    "Business Development Manager": ("Manager", "Sales"),
    "Product Manager": ("Manager", "Product"),
    "Founder & CEO": ("Executive", "Operations"),
}
TECHNOLOGIES = [
    ("Salesforce", "CRM"),
    ("HubSpot", "Marketing Automation"),
    ("Snowflake", "Data Warehouse"),
    ("Zendesk", "Customer Support"),
    ("AWS", "Cloud Hosting"),
    ("Slack", "Collaboration"),
]
FUNDING = ["Seed", "Series A", "Series B", "Series C"]
# Ids seen in answers, so a later lookup by id finds the same person or company (ids are hashes of seeds).
PERSON_SEEDS, COMPANY_DOMAINS = {}, {}


# --- Records: facts under LeadIQ's field names; `pick` keeps what the query selected -------------------


def _employee_range(count):
    tops = ((10, "1-10"), (50, "11-50"), (200, "51-200"), (500, "201-500"), (1000, "501-1000"))
    return next(
        (label for top, label in tops if count <= top), "1001-5000" if count <= 5000 else "5001-10000"
    )


def _shape(facts, spec):
    """{name: facts[source]} for each "name" or "name=source" in spec."""
    return {
        name: facts.get(source or name) for name, _, source in (item.partition("=") for item in spec.split())
    }


def company_facts(domain):
    """A company, the same in every answer naming its domain: both CompanyInfo and Company read from it."""
    facts, number = dict(people.company_by_domain(domain)), stable_number("leadiq-company", domain)
    facts |= {"id": hex_id("company", domain), "domain": domain, "state": None, "areaLevel1": None}
    facts |= _shape(facts, "numberOfEmployees=employees employeeCount=employees countryCode2=country_iso")
    slug = domain.split(".")[0]  # people.py may keep another company's URL for a known domain
    facts |= {"linkedinUrl": f"https://www.linkedin.com/company/{slug}", "linkedinId": slug}
    facts["employeeRange"] = _employee_range(facts["employees"])
    facts["description"] = f"{facts['name']}: {facts['industry']}, based in {facts['city']}."
    facts["locationInfo"] = _shape(facts, "city areaLevel1 country countryCode2")
    funding = {"fundingTotalUsd": (number % 60 + 1) * 1_000_000, "lastFundingType": FUNDING[number % 4]}
    facts["fundingInfo"] = funding if number % 3 else None
    technologies = dict.fromkeys([TECHNOLOGIES[number % 6], TECHNOLOGIES[number // 6 % 6]])
    facts["technologies"] = [{"name": name, "category": category} for name, category in technologies]
    facts["foundedYear"] = 1980 + number % 44
    COMPANY_DOMAINS[facts["id"]] = domain
    return facts


def person_facts(seed, overrides):
    """A person as searchPeople's PersonRecord; `person_brief` makes the advanced-search Person. Some people
    have no email (or only a Suppressed one) or no phone, as in LeadIQ's data."""
    facts = {**people.person_for(seed), **overrides}
    if facts["email"] and "email" not in overrides:  # the email follows the names and company given
        email = f"{facts['first_name']}.{facts['last_name']}@{facts['company']['domain']}".lower()
        facts["email"] = re.sub(r"[^a-z0-9.@-]", "", email)
    facts["full_name"] = f"{facts['first_name']} {facts['last_name']}"
    seniority, role = TITLE_FACTS.get(facts["title"], ("Other", "Other"))
    facts = {"seniority": seniority, "role": role, **facts, "areaLevel1": None, "state": None}
    facts["id"] = overrides.get("id") or hex_id("person", seed, json.dumps(overrides, sort_keys=True))
    PERSON_SEEDS[facts["id"]] = (seed, overrides)
    company = company_facts(facts["company"]["domain"])
    facts |= {
        "company": company,
        "companyInfo": company,
        "companyId": company["id"],
        "function": facts["role"],
    }
    facts |= {"emails": [], "phones": [], "personalPhones": [], "personalEmails": []}
    number = stable_number("leadiq-contact", seed)
    if facts["email"]:
        status = "Suppressed" if number % 7 == 0 else ("Verified", "VerifiedLikely", "Unverified")[number % 3]
        facts["emails"].append({"value": facts["email"], "type": "WorkEmail", "status": status})
    if facts["phone"]:
        kind, verified = ("WorkPhone", "LikelyAccurate") if number % 2 else ("PersonalMobile", "None")
        phone = {
            "value": facts["phone"],
            "type": kind,
            "status": "LikelyAccurate",
            "verificationStatus": verified,
        }
        facts["phones" if number % 2 else "personalPhones"].append(phone)
    facts |= _shape(facts, "firstName=first_name lastName=last_name linkedinId=slug linkedinUrl=linkedin_url")
    facts["countryCode2"] = facts["country_iso"]
    facts["confidence"] = 60 + number % 40
    facts["currentPositions"] = [
        _shape(facts, "companyId title seniority function emails phones companyInfo")
    ]
    facts["linkedin"] = _shape(facts, "linkedinId linkedinUrl")
    facts["location"] = _shape(facts, "city areaLevel1 country countryCode2")
    facts["name"] = _shape(facts, "first=first_name last=last_name fullName=full_name middle")
    return facts


def person_brief(seed, overrides):
    """The advanced-search `Person`: a plain-string name, and no contact data (deprecated there) [E5]."""
    facts = person_facts(seed, overrides)
    hidden = stable_number("no-url", seed) % 6 == 0  # some profiles come without a LinkedIn URL
    return facts | {"name": facts["full_name"], "linkedinUrl": None if hidden else facts["linkedinUrl"]}


# --- Resolvers: (input, ctx) -> the root field's full value -----------------------------------------------


def account(_input, ctx):
    now = datetime.now(UTC)
    renews = (
        datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
        .isoformat()
        .replace("+00:00", "Z")
    )
    plan = {
        "name": "Sandbox Universal",
        "product": "Universal",
        "status": "Active",
        "nextBillingPeriod": renews,
    }
    used = ctx.state.billed_totals(ctx.provider, ctx.key).get("uc", 0)
    return {
        "plans": [plan],
        "dataHubPlan": None,
        "universalPlan": {**plan, "available": ctx.balance("uc"), "used": used},
    }


def _wanted_person(data):
    """(seed, overrides) of the person the identifiers name, None when LeadIQ would find nobody."""
    company = data.get("company") or {}
    domain = (company.get("domain") or company.get("emailDomain") or "").lower()
    if data.get("id"):
        known = PERSON_SEEDS.get(data["id"], (data["id"], {"id": data["id"]}))
        return known if HEX_ID.fullmatch(data["id"]) else None
    if data.get("linkedinUrl") or data.get("linkedinId"):
        seed, overrides = (
            f"https://www.linkedin.com/in/{people.slug_from(data.get('linkedinUrl') or data['linkedinId'])}",
            {},
        )
    elif data.get("email"):
        seed = data["email"].strip().lower()
        overrides = {"email": seed, "company": people.company_by_domain(seed.rsplit("@", 1)[-1])}
    elif (data.get("fullName") or (data.get("firstName") and data.get("lastName"))) and (
        domain or company.get("name")
    ):
        first, _, last = (
            (data.get("fullName") or f"{data['firstName']} {data['lastName']}").strip().partition(" ")
        )
        domain = domain or re.sub(r"[^a-z0-9]+", "", company["name"].lower()) + ".com"
        seed = f"{first} {last}|{domain}".lower()
        overrides = {
            "first_name": first,
            "last_name": last or first,
            "company": people.company_by_domain(domain),
        }
    else:
        raise GraphqlError(
            "Give an id, a linkedinUrl or linkedinId, an email, or a name with a company.",
            "InvalidParameters",
        )
    return None if stable_number("unknown", seed) % 8 == 0 else (seed, overrides)


def search_people(data, _ctx):
    wanted = _wanted_person(data)
    found = [person_facts(*wanted)] if wanted else []
    skip, limit = data.get("skip") or 0, data.get("limit") or 10
    page = found[skip : skip + limit]
    return {"totalResults": len(found), "hasMore": skip + len(page) < len(found), "results": page}


def _filters(data):
    seed = json.dumps(
        {k: v for k, v in data.items() if k not in ("skip", "limit", "limitPerCompany")}, sort_keys=True
    )
    return seed, data.get("contactFilter") or {}, data.get("companyFilter") or {}


def _overlay(contact_filter, index):
    """Make the i-th result match the contact filter's titles, seniorities and roles."""
    fixed = {}
    for key, field in (("titles", "title"), ("seniorities", "seniority"), ("roles", "role")):
        if contact_filter.get(key):
            fixed[field] = contact_filter[key][index % len(contact_filter[key])]
    fits = [
        t for t, (s, r) in TITLE_FACTS.items() if fixed.get("seniority", s) == s and fixed.get("role", r) == r
    ]
    if fits and "title" not in fixed:
        fixed["title"] = fits[index % len(fits)]
    return fixed


def flat_search(data, _ctx):
    seed, contacts, companies = _filters(data)
    skip, limit = data.get("skip") or 0, data.get("limit") or 25
    total, domains = 20 + stable_number("flat", seed) % 180, companies.get("domains") or []
    found = []
    for index in range(skip, min(skip + limit, total)):
        fixed = _overlay(contacts, index)
        if domains:
            fixed["company"] = people.company_by_domain(domains[index % len(domains)].lower())
        found.append(person_brief(f"{seed}#{index}", fixed))
    return {"totalPeople": total, "people": found}


def grouped_search(data, _ctx):
    seed, contacts, companies = _filters(data)
    skip, limit, per = data.get("skip") or 0, data.get("limit") or 25, data.get("limitPerCompany") or 5
    domains = [d.lower() for d in companies.get("domains") or []]
    if not domains:
        known, start = [domain for _, domain, _ in people.COMPANIES], stable_number("grouped", seed)
        domains = [known[(start + i) % len(known)] for i in range(3 + start % 6)]
    groups = []
    for domain in domains[skip : skip + limit]:
        contacts_in = 1 + stable_number("contacts", seed, domain) % 25
        found = [
            person_brief(
                f"{seed}@{domain}#{i}", {**_overlay(contacts, i), "company": people.company_by_domain(domain)}
            )
            for i in range(min(per, contacts_in))
        ]
        groups.append(
            {"totalContactsInCompany": contacts_in, "company": company_facts(domain), "people": found}
        )
    return {"totalCompanies": len(domains), "companies": groups}


def search_company(data, _ctx):
    known = {domain: name for name, domain, _ in people.COMPANIES}
    if data.get("id"):
        domain = COMPANY_DOMAINS.get(data["id"])
    elif data.get("domain"):
        domain = re.sub(r"^(https?://)?(www\.)?", "", data["domain"].strip().lower()).split("/")[0]
    elif data.get("linkedinId") or data.get("linkedinUrl"):
        found = re.search(r"/company/([^/?#]+)", data.get("linkedinUrl") or "")
        slug = data.get("linkedinId") or (found.group(1) if found else None)
        domain = next((d for d in known if d.split(".")[0] == slug), f"{slug}.com") if slug else None
    elif data.get("name"):
        name = data["name"].strip().lower()
        domain = next(
            (d for d, n in known.items() if n.lower() == name), re.sub(r"[^a-z0-9]+", "", name) + ".com"
        )
    else:
        raise GraphqlError("Give a company id, name, domain, linkedinId or linkedinUrl.", "InvalidParameters")
    if data.get("strict") and domain not in known:
        domain = None  # strict: every detail must match a company LeadIQ knows
    results = [company_facts(domain)] if domain else []
    return {"totalResults": len(results), "hasMore": False, "results": results}


ROOTS = {
    "account": (None, account),
    "searchPeople": ("SearchPeopleInput", search_people),
    "searchCompany": ("SearchCompanyInput", search_company),
    "flatAdvancedSearch": ("FlatSearchInput", flat_search),
    "groupedAdvancedSearch": ("GroupedSearchInput", grouped_search),
}


# --- Billing: the data points each result's selection asks for [S] ----------------------------------------
# "A query only charges for the data points you actually select" [S]: every person result is charged its
# profile information (any of its fields, the id included), and email, phone and company information when
# selected, found or not; a company result is charged company information when its firmographics are
# selected (id and name alone are profile tier [E4]).

FIRMOGRAPHICS = words(
    "domain industry numberOfEmployees employeeRange employeeCount linkedinUrl linkedinId description "
    "locationInfo fundingInfo technologies foundedYear city state country countryCode2"
)


def _has_firmographics(selection):
    return isinstance(selection, dict) and bool(FIRMOGRAPHICS & selection.keys())


def _person_points(selection):
    """{point: 1} one person result costs, from its selection."""
    positions = selection.get("currentPositions") or {}
    return {
        "profile": 1,
        "email": int("emails" in positions or "personalEmails" in selection),
        "phone": int("phones" in positions or "personalPhones" in selection),
        "company": int(
            _has_firmographics(positions.get("companyInfo")) or _has_firmographics(selection.get("company"))
        ),
    }


def data_points(root, answer, selection):
    """{point: count} a root's answer is charged for: each result, for what its selection asks."""
    counts = dict.fromkeys(UC, 0)

    def add(points, times):
        for point, count in points.items():
            counts[point] += count * times

    if root in ("searchPeople", "flatAdvancedSearch"):
        key = "results" if root == "searchPeople" else "people"
        add(_person_points(selection.get(key) or {}), len(answer.get(key) or []))
    elif root == "groupedAdvancedSearch":
        groups, chosen = answer.get("companies") or [], selection.get("companies") or {}
        add(_person_points(chosen.get("people") or {}), sum(len(g.get("people") or []) for g in groups))
        counts["company"] += len(groups) * _has_firmographics(chosen.get("company"))
    elif root == "searchCompany":
        counts["company"] += len(answer.get("results") or []) * _has_firmographics(selection.get("results"))
    return counts


# --- Handlers -------------------------------------------------------------------------------------------


def graphql(request, ctx):
    body = request.json
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        return graphql_error("Must provide query string.", "MISSING_QUERY_STRING")
    variables = body.get("variables") if isinstance(body.get("variables"), dict) else {}
    try:
        operation, roots, args = parse_query(body["query"])
        if operation != "query":
            raise GraphqlError(
                f"The sandbox simulates LeadIQ queries, not {operation}s.", "GRAPHQL_VALIDATION_FAILED"
            )
        checked_selection(roots, SCHEMA, "Query")
        data, price = {}, 0
        for root, selection in roots.items():
            input_type, resolve = ROOTS[root]
            value = resolve(root_input(root, input_type, args.get(root), variables), ctx)
            data[root] = pick(value, selection)
            price += sum(UC[point] * n for point, n in data_points(root, data[root], selection).items())
    except GraphqlError as error:
        return graphql_error(error.message, error.code, error.status)
    ctx.charge("uc", round(price, 4))  # once, for all roots: nothing is answered when it cannot be paid
    return reply(200, {"data": data})


def graphql_get(request, ctx):
    # An empty GET is what LeadIQ answers with MISSING_QUERY_STRING [E7]; the client only POSTs.
    return reply(
        400, {"errors": [{"message": "GET query missing.", "extensions": {"code": "MISSING_QUERY_STRING"}}]}
    )


def _decoded_key(request):
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


PROVIDER = SandboxProvider(
    slug="leadiq",
    prefix="/leadiq",
    key_from=_decoded_key,
    refuse=lambda: graphql_error("Unauthorized", "UNAUTHENTICATED", 401),
    rate_limited=lambda wait: graphql_error(
        "Too many requests", "RATE_LIMITED", 429, Retry_After=math.ceil(wait)
    ),
    out_of_credits=lambda: graphql_error("Insufficient credits", "InsufficientCredits", 402),
    routes=[Route("POST", r"/graphql/?", graphql), Route("GET", r"/graphql/?", graphql_get)],
    default_limits=[[60, 60]],
    default_balances={"uc": DEFAULT_BALANCE},
    not_found=lambda: reply(404, {"errors": [{"message": "Not Found", "extensions": {"code": "NOT_FOUND"}}]}),
)
