"""Lix's answers as plain facts: `people_from` and `companies_from`, which LixClient registers.

Split from lix.py (the client) to keep both files short; the sources are the same, providers.md
section 2: [S] the seeds 000/001, [E1] lix-it/api-docs, [E2] lix-it/api-examples.
"""

from prospecting.providers import plain
from prospecting.providers.facts import CompanyFacts, PersonFacts

# --- Plain facts (records.keep_people / keep_companies take these) -----------------------------------
# Lix's Person object: name, description (the headline), location, link, salesNavLink, and on enrichment
# experience[] whose `dateEnded` is "Present" for current roles [S]. Connections carry firstName,
# lastName, publicIdentifier, headline [S]; hirers name, headline, link [S].

# The email finder says VALID, or "Probable" in prose (exact string unknown) [S]; alternatives are guesses.
EMAIL_STATUSES = {"VALID": "valid", "PROBABLE": "probable"}
PEOPLE_ENDPOINTS = ("search_people", "search_sales_people", "search_recruiter_people", "connections")


def people_from(endpoint, data):
    """PersonFacts from a Lix answer as the client parsed it (`Result.data`); [] for other endpoints.
    email_by_linkedin's answer does not name the person: its facts carry only the email, and the
    caller adds the profile it asked about."""
    data = plain.record(data)
    if endpoint in PEOPLE_ENDPOINTS:
        return _people(data.get("items"))
    if endpoint == "job_hirers":
        return _people(data.get("people"))
    if endpoint in ("search_posts", "enrich_post"):
        posts = plain.records(data.get("items")) if endpoint == "search_posts" else [data]
        authors = [_person_facts(plain.record(post.get("author"))) for post in posts]
        return [author for author in authors if author and author.linkedin_url]  # a bare name matches no one
    if endpoint == "person_by_linkedin":
        person = _person_facts(data)
        return [person] if person else []
    if endpoint == "person_ids":
        links = plain.record(data.get("links"))
        person = PersonFacts(
            linkedin_url=plain.first(links.get("liProfileURL"), data.get("li_id")),
            sales_nav_id=plain.first(data.get("sales_nav_id"), links.get("salesNavURL")),
            lix_id=plain.text(data.get("lix_id")),
        )
        return [person] if person != PersonFacts() else []
    if endpoint == "email_by_linkedin":
        status = EMAIL_STATUSES.get(plain.text(data.get("status")).upper(), "unknown")
        emails = [(plain.text(data.get("email")), status)]
        emails += [(plain.text(alternative), "unknown") for alternative in data.get("alternatives") or ()]
        emails = plain.unique((address, kind) for address, kind in emails if _usable_email(address))
        return [PersonFacts(emails=emails)] if emails else []
    return []


def companies_from(endpoint, data):
    """CompanyFacts from a Lix answer as the client parsed it; [] for endpoints that return none."""
    data = plain.record(data)
    if endpoint == "search_orgs":
        companies = [_company_facts(item) for item in plain.records(data.get("items"))]
    elif endpoint == "organisation_by_linkedin":
        companies = [_company_facts(data)]
    elif endpoint == "organisation_ids":
        slug = plain.text(data.get("li_id"))
        companies = [
            CompanyFacts(
                name=plain.text(data.get("name")),
                linkedin_url=f"https://www.linkedin.com/company/{slug}" if slug else "",
                linkedin_id=plain.text(data.get("id")),
            )
        ]
    elif endpoint == "person_by_linkedin":  # the current employer, as the profile links it
        organisation = plain.record(_current_role(data).get("organisation"))
        companies = [
            CompanyFacts(
                name=plain.text(organisation.get("name")),
                linkedin_url=plain.text(organisation.get("salesNavLink")),
            )
        ]
    elif endpoint in ("search_jobs", "enrich_job"):
        jobs = plain.records(data.get("items")) if endpoint == "search_jobs" else [data]
        companies = [CompanyFacts(name=plain.first(job.get("companyName"))) for job in jobs]
    else:
        companies = []
    return [company for company in companies if company != CompanyFacts()]


def _people(items):
    return [facts for facts in map(_person_facts, plain.records(items)) if facts]


def _current_role(item):
    """The first experience still going on ("Present", no end date), or {}."""
    return next(
        (
            job
            for job in plain.records(item.get("experience"))
            if plain.text(job.get("dateEnded")).lower() in ("present", "")
            and not plain.dig(job, "timePeriod", "endedOn", "year")
        ),
        {},
    )


def _person_facts(item):
    """One Lix Person (or Connection, or hirer) as PersonFacts; None when it names no one."""
    current = _current_role(item)
    organisation = plain.record(current.get("organisation"))
    facts = PersonFacts(
        linkedin_url=plain.first(item.get("link"), item.get("publicIdentifier")),
        sales_nav_id=plain.first(item.get("salesNavLink")),
        full_name=plain.first(item.get("name"), plain.joined(item.get("firstName"), item.get("lastName"))),
        first_name=plain.text(item.get("firstName")),
        last_name=plain.text(item.get("lastName")),
        title=plain.first(current.get("title"), item.get("description"), item.get("headline")),
        location=plain.text(item.get("location")),
        company_name=plain.text(organisation.get("name")),
        company_linkedin_url=plain.text(organisation.get("salesNavLink")),
    )
    return facts if facts != PersonFacts() else None


def _company_facts(item):
    return CompanyFacts(
        name=plain.text(item.get("name")),
        domain=plain.text(item.get("website")),
        linkedin_url=plain.text(item.get("link")),
        industry=plain.text(item.get("industry")),
        size=plain.first(item.get("size"), item.get("liEmployeeCount")),
        location=plain.text(item.get("headquarters")),
    )


def _usable_email(address):
    # Lix's documented answers mask addresses ("*****@lix-it.com"): a masked address reaches no one.
    return "@" in address and "*" not in address
