"""The simulated Lix (providers.md section 2): LinkedIn, Sales Navigator and Recruiter data, and emails.

Answers take the documented shapes that prospecting/providers/lix.py parses (tests/fixtures/lix/), with
search pages in the current un-wrapped envelope. Billing follows Lix's documents [S][E1]: a Standard
credit per successful LinkedIn call (connections included: its price is not stated, and Standard is
Lix's credit for LinkedIn calls), an Organisation credit per id cross-reference or organisation, an
Email credit only for a VALID email; balances, the daily allowance and facets are free. Errors are
{"error": {"type", "message"}}, and nothing is billed for them.

Every record is derived from its LinkedIn slug, so a person found by a search, enriched by URL,
cross-referenced by id or looked up for an email is the same person.
"""

import base64
import binascii
import functools
import math
import re
import time
from urllib.parse import parse_qs, urlsplit

from prospecting.sandbox import people
from prospecting.sandbox.core import DEFAULT_BALANCE, Route, SandboxProvider, reply, stable_number
from prospecting.sandbox.people import CITIES, COMPANIES, TITLES, company_by_domain, people_page, person_for

DAILY_ALLOWANCE = 10_000
# LinkedIn shows at most 1,000 results of a search; Lix's Sales Navigator example stops at 2,500 [E2].
LINKEDIN_CAP, SALES_CAP = 1000, 2500
NAMES = {name.lower(): name for name in people.FIRST + people.LAST}  # McCarthy, not Mccarthy
PAGE_PARAM = re.compile(r"(^|&)page=\d+")
# Values for the facets' typeahead (the seniority ids are LinkedIn's), and for profiles and posts.
# fmt: off
SENIORITIES = list(enumerate(["Unpaid", "Training", "Entry", "Senior", "Manager", "Director", "VP", "CXO",
                              "Partner", "Owner"], 1))
FUNCTIONS = ["Sales", "Marketing", "Engineering", "Finance", "Operations", "Human Resources",
             "Business Development"]
SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1,000", "1,001-5,000", "5,001-10,000", "10,001+"]
SKILLS = ["JavaScript", "JavaScript Libraries", "TypeScript", "Python", "Django", "Java", "HTML", "AJAX",
          "JSON", "React.js", "Node.js", "SQL", "PostgreSQL", "Machine Learning", "Data Analysis",
          "Sales Management", "Lead Generation", "Negotiation", "B2B Marketing", "Account Management",
          "Cloud Computing", "Kubernetes", "Product Management", "Public Speaking"]
# Sales Navigator's fixed lists, with LinkedIn's ids as its search URLs show them.
TENURES = list(enumerate(["Less than 1 year", "1 to 2 years", "3 to 5 years", "6 to 10 years",
                          "More than 10 years"], 1))
COMPANY_TYPES = [("C", "Public Company"), ("P", "Privately Held"), ("N", "Non Profit"),
                 ("D", "Educational Institution"), ("G", "Government Agency"), ("S", "Self Employed"),
                 ("O", "Partnership")]
LANGUAGES = [("en", "English"), ("fr", "French"), ("de", "German"), ("es", "Spanish"), ("it", "Italian"),
             ("nl", "Dutch"), ("pt", "Portuguese")]
SCHOOLS = ["University of Cambridge", "Imperial College London", "Sciences Po", "TU Berlin",
           "University of Toronto", "New York University", "University of Amsterdam", "HEC Paris"]
POST_TEXTS = ["We are hiring! Join our growing team.", "Three lessons from a year of outbound sales.",
              "Proud to announce our Series B.", "What makes a great first call with a prospect?"]
# fmt: on


class Invalid(Exception):
    """The request's parameters are not valid: 400 params_invalid."""


class Unknown(Exception):
    """Lix has no record for this: 404 unknown_record."""


def error(status, kind, message, **headers):
    return reply(status, {"error": {"type": kind, "message": message}}, **headers)


def handler(function):
    """Answer Invalid/Unknown, raised while reading the input and before any charge, as Lix does."""

    @functools.wraps(function)
    def wrapper(request, ctx, **params):
        try:
            return function(request, ctx, **params)
        except Invalid as bad:
            return error(400, "params_invalid", str(bad))
        except Unknown as missing:
            return error(404, "unknown_record", str(missing))

    return wrapper


# --- Reading the input ---------------------------------------------------------------------------


def _text(request, name, *, required=True):
    value = (request.query.get(name) or "").strip()
    if required and not value:
        raise Invalid(f"{name} is required")
    return value


def _number(request, name, default, *, low=0, high=10**6):
    raw = request.query.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Invalid(f"{name} must be a whole number between {low} and {high}")
    return int(raw)


def _linkedin(request, name):
    value = _text(request, name)
    parts = urlsplit(value if "://" in value else f"https://{value}")
    host = (parts.hostname or "").lower()
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        raise Invalid(f"{name} must be a LinkedIn URL")
    return parts


def _profile_slug(parts):
    match = re.search(r"/in/([^/?#]+)", parts.path)
    if not match:
        raise Unknown("no LinkedIn profile at this URL")
    return match.group(1).lower()


def _job_id(request):
    job_id = _text(request, "job_id")
    if not (job_id.isascii() and job_id.isdigit()):
        raise Invalid("job_id must be a number")
    return job_id


def _one_id(request):
    names = ("sales_nav_id", "li_flagship_id", "lix_id")
    given = {name: request.query[name].strip() for name in names if request.query.get(name, "").strip()}
    if len(given) != 1:
        raise Invalid("exactly one of sales_nav_id, li_flagship_id or lix_id is required")
    return given.popitem()


def _encoded(prefix, slug):
    return base64.urlsafe_b64encode(f"{prefix}{slug}".encode()).decode()


def _decoded(text, prefix):
    """The slug inside an id this sandbox made, so the id leads back to the same record; else None."""
    try:
        value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    slug = value.removeprefix(prefix)
    return slug if value.startswith(prefix) and re.fullmatch(r"[\w.-]+", slug) else None


# --- Records -------------------------------------------------------------------------------------


def profile(slug):
    """The person at linkedin.com/in/<slug>."""
    person = dict(person_for(f"https://www.linkedin.com/in/{slug}"))
    words = [word for word in slug.split("-") if word.isalpha()]
    if 2 <= len(words) <= 3:  # a readable slug (alfie-lambert) is the person's name, as on LinkedIn
        first, last = (NAMES.get(word, word.title()) for word in (words[0], "-".join(words[1:])))
        person.update(first_name=first, last_name=last, full_name=f"{first} {last}")
        if person["email"]:
            person["email"] = f"{first}.{last}@{person['company']['domain']}".lower()
    sales_nav_id = "ACoAA" + _encoded("", slug).rstrip("=")
    link = f"https://www.linkedin.com/sales/lead/{sales_nav_id},NAME_SEARCH,undefined"
    person |= {"sales_nav_id": sales_nav_id, "lix_id": _encoded("person:", slug), "sales_nav_link": link}
    return person


def _headline(person):
    return f"{person['title']} at {person['company']['name']}"


def _person_item(person):
    place = f"{person['city']}, {person['country']}"
    return {"name": person["full_name"], "description": _headline(person), "location": place,
            "link": person["linkedin_url"], "salesNavLink": person["sales_nav_link"]}  # fmt: skip


def _people(seed, start, count, total=120):
    # A hashed seed, as people.py would make a slug of a seed that contains a LinkedIn URL.
    found, _total = people_page(f"lix-{stable_number(seed)}", start, count, total)
    return [profile(person["slug"]) for person in found]


def organisation(slug):
    """The company at linkedin.com/company/<slug>: one of people.py's when the slug is theirs."""
    slug = slug.lower()
    domain = next((d for _name, d, _industry in COMPANIES if d.split(".")[0] == slug), f"{slug}.com")
    # company_by_domain's website and LinkedIn URL may be another company's: set them from the slug.
    link = f"https://www.linkedin.com/company/{slug}"
    return {**company_by_domain(domain), "website": f"https://www.{domain}", "linkedin_url": link}


def _any_organisation(*seed):
    return organisation(COMPANIES[stable_number("org", *seed) % len(COMPANIES)][1].split(".")[0])


def _org_slug(company):
    return company["linkedin_url"].rstrip("/").rsplit("/", 1)[-1]


def _org_by_sales_nav_id(sales_nav_id):
    for _name, domain, _industry in COMPANIES:
        if str(company_by_domain(domain)["id"]) == sales_nav_id:
            return organisation(domain.split(".")[0])
    return {**organisation(f"company-{sales_nav_id}"), "id": sales_nav_id}


def _size(employees):
    return [size for size in SIZES if employees >= int(size.split("-")[0].strip("+").replace(",", ""))][-1]


def _job(job_id):
    company = _any_organisation("job", job_id)
    return {
        "title": TITLES[stable_number("job-title", job_id) % len(TITLES)],
        "link": f"https://www.linkedin.com/jobs/view/{job_id}",
        "companyName": company["name"],
        "companyLink": company["linkedin_url"],
        "location": f"{company['city']}, {company['country']}",
        "listedAt": 1_700_000_000_000 + stable_number("listed", job_id) % 10**10,
    }


def _post(urn):
    author = _people(f"post:{urn}", 0, 1)[0]
    return {
        "urn": urn,
        "text": POST_TEXTS[stable_number("post", urn) % len(POST_TEXTS)],
        "author": {"name": author["full_name"], "link": author["linkedin_url"]},
        "numLikes": stable_number("likes", urn) % 500,
        "numComments": stable_number("comments", urn) % 60,
    }


def _experience(title, org, city, since, until=None):
    ended = {"year": until} if until else {}
    return {
        "title": title, "description": f"{title} at {org['name']}.", "location": city,
        "dateStarted": str(since), "dateEnded": str(until) if until else "Present",
        "organisation": {"name": org["name"], "salesNavLink": f"https://linkedin.com/sales/company/{org['id']}"},
        "timePeriod": {"startedOn": {"year": since}, "endedOn": ended},
    }  # fmt: skip


# --- Account (free) ------------------------------------------------------------------------------


@handler
def balances(request, ctx):
    # What is left of the account, so the balances visibly go down as calls are billed.
    return reply(200, {"emailBalance": ctx.balance("email"), "linkedInBalance": ctx.balance("standard")})


@handler
def daily_allowance(request, ctx):
    midnight = (int(time.time()) // 86_400 + 1) * 86_400
    with ctx.state.lock:
        calls = [r for r in ctx.state.received if r["provider"] == "lix" and r["key"] == ctx.key]
        today = sum(1 for r in calls if r["at"] >= midnight - 86_400)
    # This call is recorded only after it is answered: count it too.
    return reply(200, {"requestsRemaining": max(0, DAILY_ALLOWANCE - today - 1), "refreshesAt": midnight})


@handler
def connections(request, ctx):
    viewer = _text(request, "viewer_id")
    count, start = _number(request, "count", 1000, low=1, high=10_000), _number(request, "start", 0)
    total = 40 + stable_number("connections", viewer) % 600
    elements = [
        {"firstName": p["first_name"], "lastName": p["last_name"], "publicIdentifier": p["slug"],
         "headline": _headline(p)}
        for p in _people(f"connections:{viewer}", start, count, total)
    ]  # fmt: skip
    paging = {"count": count, "start": start, "total": total}
    # A LinkedIn call whose price Lix does not state: a Standard credit, Lix's credit for LinkedIn calls [E1].
    ctx.charge("standard")
    return reply(200, {"connections_response": {"elements": elements, "paging": paging}})


# --- Disambiguation (an Organisation credit each [E1]) -------------------------------------------


@handler
def person_ids(request, ctx):
    name, value = _one_id(request)
    # The ids this sandbox hands out lead back to their person; any other id names someone new.
    slug = {"li_flagship_id": value.lower(), "sales_nav_id": _decoded(value.removeprefix("ACoAA"), ""),
            "lix_id": _decoded(value, "person:")}[name]  # fmt: skip
    p = profile(slug or person_for(value)["slug"])
    ctx.charge("organisation")
    ids = {"liID": p["slug"], "salesNavID": p["sales_nav_id"], "lixID": p["lix_id"]}
    return reply(200, {"person_ids": ids})


@handler
def organisation_ids(request, ctx):
    name, value = _one_id(request)
    if name == "sales_nav_id":
        company = _org_by_sales_nav_id(value)
    else:
        slug = value if name == "li_flagship_id" else _decoded(value, "organisation:")
        company = organisation(slug or f"company-{stable_number(value) % 100_000}")
    slug = _org_slug(company)
    ids = {"id": str(stable_number("org-id", slug) % 10**8), "name": company["name"], "liID": slug}
    ids |= {"salesNavID": str(company["id"]), "uuid": _encoded("organisation:", slug)}
    ctx.charge("organisation")
    return reply(200, {"organisationIds": ids})


# --- Enrichment ----------------------------------------------------------------------------------


@handler
def person_by_linkedin(request, ctx):
    p = profile(_profile_slug(_linkedin(request, "profile_link")))
    number, company, city = stable_number("career", p["slug"]), p["company"], p["city"]
    started, endorsed = 2016 + number % 8, number % 90
    title = TITLES[number // 7 % len(TITLES)]
    before = _experience(title, _any_organisation(number), city, started - 4, started)
    studied = {"startedOn": {"year": started - 7}, "endedOn": {"year": started - 5}}
    school = {"institutionName": SCHOOLS[number % len(SCHOOLS)], "degree": "Master's degree",
              "fieldOfStudy": "Business", "dateStarted": str(started - 7), "dateEnded": str(started - 5),
              "timePeriod": studied}  # fmt: skip
    # numOfEndorsement is a string in Lix's answers [S].
    skills = [{"name": SKILLS[(number + i * 5) % len(SKILLS)], "numOfEndorsement": str(endorsed // (i + 1))}
              for i in range(3)]  # fmt: skip
    ctx.charge("standard")
    return reply(200, {
        "name": p["full_name"], "description": _headline(p), "location": f"{city}, {p['country']}",
        "twitter": p["slug"].replace("-", "") if number % 4 else "",
        "aboutSummaryText": f"{_headline(p)}, working in {company['industry']}.",
        "salesNavLink": p["sales_nav_link"], "link": p["linkedin_url"],
        "experience": [_experience(p["title"], company, city, started), before],
        "education": [school], "skills": skills,
    })  # fmt: skip


@handler
def organisation_by_linkedin(request, ctx):
    given = [name for name in ("linkedin_url", "sales_nav_url") if request.query.get(name, "").strip()]
    if len(given) != 1:
        raise Invalid("exactly one of linkedin_url or sales_nav_url is required")
    found = re.search(r"/company/([^/?#]+)", _linkedin(request, given[0]).path)
    if not found:
        raise Unknown("no LinkedIn organisation at this URL")
    slug = found.group(1)
    company = _org_by_sales_nav_id(slug) if slug.isdigit() else organisation(slug)
    number, slug = stable_number("org", company["domain"]), _org_slug(company)
    employees = company["employees"]
    ctx.charge("organisation")
    # liEmployeeCount, followers and numberOfInvestmentRounds are strings in Lix's answers [S].
    return reply(200, {"liOrganisation": {
        "name": company["name"], "link": company["linkedin_url"], "industry": company["industry"],
        "website": company["website"], "description": f"{company['name']} works in {company['industry']}.",
        "headquarters": f"{company['city']}, {company['country_iso']}",
        "companyType": "Privately Held" if number % 4 else "Public Company",
        "liEmployeeCount": str(employees), "size": _size(employees), "specialities": company["industry"],
        "numberOfInvestmentRounds": str(number % 6), "followers": str(employees * (5 + number % 40)),
        "crunchbaseId": slug, "salesNavLink": f"https://www.linkedin.com/sales/company/{company['id']}",
        "logoUrl": f"https://media.licdn.com/dms/image/sandbox/company-logo_{slug}",
    }})  # fmt: skip


@handler
def enrich_job(request, ctx):
    job = _job(_job_id(request))
    ctx.charge("standard")
    return reply(200, {**job, "description": f"{job['companyName']} is hiring a {job['title']}."})


@handler
def enrich_post(request, ctx):
    urn = _text(request, "post_urn")
    if not urn.startswith("urn:li:"):
        raise Invalid("post_urn must be a LinkedIn URN")
    ctx.charge("standard")
    return reply(200, _post(urn))


@handler
def job_hirers(request, ctx):
    job_id = _job_id(request)
    hirers = _people(f"hirers:{job_id}", 0, 1 + stable_number("hirers", job_id) % 3)
    ctx.charge("standard")
    return reply(200, {"people": [
        {"name": p["full_name"], "img": f"https://media.licdn.com/dms/image/sandbox/{p['slug']}",
         "headline": _headline(p), "link": p["linkedin_url"]}
        for p in hirers
    ]})  # fmt: skip


# --- Search (a Standard credit per page [S]) -----------------------------------------------------


def _items(kind, seed, start, size, total):
    indexes = range(start, min(start + size, total))
    if kind == "people":
        return [_person_item(p) for p in _people(seed, start, size, total)]
    if kind == "jobPostings":
        return [_job(str(3_500_000_000 + stable_number(seed, i) % 10**8)) for i in indexes]
    if kind == "posts":
        return [_post(f"urn:li:activity:{7 * 10**18 + stable_number(seed, i) % 10**18}") for i in indexes]
    companies = [_any_organisation(seed, i) for i in indexes]
    return [{"name": c["name"], "link": c["linkedin_url"], "industry": c["industry"]} for c in companies]


def _page(kind, seed, start, size, cap, sequence_id):
    total = min(cap, 30 + stable_number("total", seed) % (cap * 2))
    # sequence_id keeps one search's pages together [S]; Lix sends it back as meta.sequenceId.
    meta = {"sequenceId": sequence_id or f"sandbox-{stable_number('sequence', seed) % 10**12}"}
    paging = {"count": size, "start": start, "total": total}
    return {kind: _items(kind, seed, start, size, total), "paging": paging, "meta": meta}


def _searcher(name, kind, size, cap):
    def search(request, ctx):
        url = _linkedin(request, "url")
        start = _number(request, "start", 0)
        # Lix's examples page with &page=N inside the search URL [E2], the client with `start` [S]; a Sales
        # Navigator URL keeps its search after a `#`, where the example appends its `&page=N` [E2].
        page = (parse_qs(url.query).get("page") or parse_qs(url.fragment).get("page") or ["1"])[0]
        if start == 0 and page.isdigit() and int(page) > 1:
            start = (int(page) - 1) * size
        unpaged = url._replace(
            query=re.sub(PAGE_PARAM, "", url.query), fragment=re.sub(PAGE_PARAM, "", url.fragment)
        )
        seed = f"{kind}:{unpaged.geturl()}"
        answer = _page(kind, seed, start, size, cap, _text(request, "sequence_id", required=False))
        ctx.charge("standard")
        return reply(200, answer)

    search.__name__ = search.__qualname__ = name  # the endpoint the sandbox records
    return handler(search)


# A LinkedIn people search page holds 10, as Lix's pagination example reckons `page` from `start` [E2].
search_people = _searcher("search_people", "people", 10, LINKEDIN_CAP)
search_jobs = _searcher("search_jobs", "jobPostings", 10, LINKEDIN_CAP)
search_posts = _searcher("search_posts", "posts", 10, LINKEDIN_CAP)
search_orgs = _searcher("search_orgs", "orgs", 10, LINKEDIN_CAP)
search_sales_people = _searcher("search_sales_people", "people", 25, SALES_CAP)


@handler
def search_recruiter_people(request, ctx):
    # A GET with a JSON body [S]: a proxy that drops the body leaves Lix without skills, hence a 400.
    body = request.json if isinstance(request.json, dict) else {}
    skills, start = body.get("skills"), body.get("start", 0)
    if not isinstance(skills, list) or not skills:
        raise Invalid("skills is required")
    if not all(isinstance(skill, dict) and skill.get("text") and skill.get("entity") for skill in skills):
        raise Invalid("each skill needs text and entity")
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise Invalid("start must be a whole number")
    seed = "recruiter:" + ",".join(sorted(f"{'not ' * bool(s.get('negated'))}{s['entity']}" for s in skills))
    answer = _page("people", seed, start, 25, SALES_CAP, _text(request, "sequence_id", required=False))
    ctx.charge("standard")
    return reply(200, answer)


# --- Facets (free for customers with credits [E1]) ------------------------------------------------


def _facet_values(kind, query):
    fixed = {"SENIORITY_V2": SENIORITIES, "FUNCTION": list(enumerate(FUNCTIONS, 1))}
    fixed["COMPANY_SIZE"] = [("ABCDEFGHI"[i], size) for i, size in enumerate(SIZES, 1)]
    fixed |= {"TENURE": TENURES, "COMPANY_TYPE": COMPANY_TYPES, "PROFILE_LANGUAGE": LANGUAGES}
    named = {"BING_GEO": [c for city in CITIES for c in city[:2]], "TITLE": TITLES, "SCHOOL": SCHOOLS}
    named |= {"INDUSTRY": [c[2] for c in COMPANIES], "COMPANY_WITH_LIST": [c[0] for c in COMPANIES]}
    if kind in fixed:
        values = fixed[kind]
    else:
        # Free-text facets (groups...) offer the query itself, as LinkedIn's typeahead does.
        names = list(dict.fromkeys(named.get(kind, []))) or [query.title(), f"{query.title()} Group"]
        values = [(stable_number(kind, name) % 10**9, name) for name in names]
    return [(str(i), text) for i, text in values if query.lower() in text.lower()]


def _facet_input(request):
    query, kind = _text(request, "query"), _text(request, "type")
    return query, kind, _number(request, "count", 100, low=1, high=10_000), _number(request, "start", 0)


@handler
def sales_facet(request, ctx):
    query, kind, count, start = _facet_input(request)
    values = _facet_values(kind.upper(), query)
    elements = [{"displayValue": text, "id": i} for i, text in values[start : start + count]]
    paging = {"count": count, "start": start, "total": len(values)}
    return reply(200, {"data": {"elements": elements, "paging": paging}})


@handler
def recruiter_facet(request, ctx):
    query, _kind, count, start = _facet_input(request)
    skills = [skill for skill in SKILLS if query.lower() in skill.lower()] or [query.title()]
    results = [
        {"entity": f"urn:li:ts_skill:{stable_number('skill', s) % 100_000}", "text": s} for s in skills
    ]
    meta = {"sequenceId": f"sandbox-{stable_number('facet', query) % 10**12}"}
    paging = {"count": count, "start": start, "total": len(skills)}
    return reply(200, {"meta": meta, "paging": paging, "results": results[start : start + count]})


# --- Contact -------------------------------------------------------------------------------------


@handler
def email_by_linkedin(request, ctx):
    p = profile(_profile_slug(_linkedin(request, "url")))
    if not p["email"]:
        raise Unknown("no email found for this profile")
    domain, first, last = p["email"].split("@")[1], p["first_name"].lower(), p["last_name"].lower()
    if p["email_status"] == "VALID":
        ctx.charge("email")  # only a VALID email costs an Email credit [S]
        return reply(200, {"email": p["email"], "status": "VALID", "alternatives": [p["email"]]})
    # A "probable" answer: Lix's best guess and the other patterns it considered.
    guesses = [f"{first}@{domain}", p["email"], f"{first[0]}.{last}@{domain}", f"{first}{last}@{domain}"]
    return reply(200, {"email": guesses[0], "status": "PROBABLE", "alternatives": guesses[1:]})


# --- The provider --------------------------------------------------------------------------------


def rate_limited(wait):
    return error(429, "rate_limit", "rate limit exceeded", Retry_After=max(1, math.ceil(wait)))


PROVIDER = SandboxProvider(
    slug="lix",
    prefix="/lix",
    key_from=lambda request: request.headers.get("authorization"),  # the raw key, no scheme [S]
    refuse=lambda: error(401, "unauthorised", "API key not authorised"),
    rate_limited=rate_limited,
    # Lix documents 402 "over plan quota" without an error type; daily_limit would mean a daily reset.
    out_of_credits=lambda: error(402, "insufficient_credits", "not enough credits: top up your plan"),
    not_found=lambda: error(404, "unknown_route", "URL not valid"),
    routes=[
        Route("GET", "/v1/account/balances", balances),
        Route("GET", "/v1/account/allowances/daily", daily_allowance),
        Route("GET", "/v1/connections", connections),
        Route("GET", "/v1/person/ids", person_ids),
        Route("GET", "/v1/organisation/ids", organisation_ids),
        Route("GET", "/v1/person", person_by_linkedin),
        Route("GET", "/v1/organisations/by-linkedin", organisation_by_linkedin),
        Route("GET", "/v1/enrich/job", enrich_job),
        Route("GET", "/v1/enrich/post", enrich_post),
        Route("GET", "/v1/li/linkedin/jobs/hirers", job_hirers),
        Route("GET", "/v1/li/linkedin/search/people", search_people),
        Route("GET", "/v1/li/linkedin/search/jobs", search_jobs),
        Route("GET", "/v1/li/linkedin/search/posts", search_posts),
        Route("GET", "/v1/li/linkedin/search/orgs", search_orgs),
        Route("GET", "/v1/li/sales/search/people", search_sales_people),
        Route("GET", "/v1/li/recruiter/search/people", search_recruiter_people),
        Route("GET", "/v1/search/sales/facet", sales_facet),
        Route("GET", "/v1/li/recruiter/search/facet", recruiter_facet),
        Route("GET", "/v1/contact/email/by-linkedin", email_by_linkedin),
    ],
    default_limits=[[1, 3]],
    default_balances={"standard": DEFAULT_BALANCE, "organisation": DEFAULT_BALANCE, "email": DEFAULT_BALANCE},
)
