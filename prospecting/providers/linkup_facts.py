"""LinkUp's answers as plain facts: `people_from` and `companies_from`, which LinkupClient registers.

Split from linkup.py (the client) to keep both files short; the sources are the same, providers.md
section 4.
"""

from prospecting.providers import plain
from prospecting.providers.facts import CompanyFacts, PersonFacts

# --- Plain facts (records.keep_people / keep_companies take these) -----------------------------------
# Profiles, connections and invitations carry name, job_title (or subtitle, a headline), location and
# profile_url; /profile/info public_id, first_name, last_name, headline, location, experience[] (read as
# most recent first [inferred]); company search name, company_url, industry, location [E17].
PEOPLE_LISTS = {
    "search_profiles": "profiles",
    "connections": "connections",
    "list_invitations": "invitations",
    "list_sent_invitations": "invitations",
}


def people_from(endpoint, data):
    """PersonFacts from a LinkUp answer as the client parsed it (`Result.data`); [] for other endpoints."""
    data = plain.record(data)
    if endpoint in PEOPLE_LISTS:
        people = [_person(item) for item in plain.records(data.get(PEOPLE_LISTS[endpoint]))]
    elif endpoint == "profile_info":
        people = [_person(data)]
    else:
        people = []
    return [person for person in people if person != PersonFacts()]


def companies_from(endpoint, data):
    """CompanyFacts from a LinkUp company search; [] for other endpoints."""
    if endpoint != "search_companies":
        return []
    companies = [
        CompanyFacts(
            name=plain.text(item.get("name")),
            linkedin_url=plain.first(item.get("company_url"), item.get("url")),
            industry=plain.first(item.get("industry"), item.get("sector")),
            size=plain.first(item.get("company_size"), item.get("employee_range")),
            location=plain.text(item.get("location")),
        )
        for item in plain.records(plain.record(data).get("companies"))
    ]
    return [company for company in companies if company != CompanyFacts()]


def _person(item):
    job = next(iter(plain.records(item.get("experience"))), {})
    first, last = plain.text(item.get("first_name")), plain.text(item.get("last_name"))
    return PersonFacts(
        linkedin_url=plain.first(item.get("profile_url"), item.get("public_id")),
        full_name=plain.first(item.get("name"), plain.joined(first, last)),
        first_name=first,
        last_name=last,
        title=plain.first(
            job.get("title"), item.get("job_title"), item.get("headline"), item.get("subtitle")
        ),
        location=plain.text(item.get("location")),
        company_name=plain.text(job.get("company")),
    )
