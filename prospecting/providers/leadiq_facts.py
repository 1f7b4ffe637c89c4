"""LeadIQ's answers as plain facts: `people_from` and `companies_from`, which LeadiqClient registers.

Split from leadiq.py (the client) to keep both files short; the sources are the same, providers.md
section 6.
"""

from prospecting.providers import plain
from prospecting.providers.facts import CompanyFacts, PersonFacts

# --- Plain facts (records.keep_people / keep_companies take these) -----------------------------------
# GraphQL people [E5]: id, name ({fullName, first, last} from searchPeople, text with firstName/lastName in
# advanced search), linkedin.linkedinUrl or linkedinUrl, location or city/state/country, currentPositions
# [{title, companyInfo, emails, phones}] or title/company, personalPhones, personalEmails. Prospector
# prospects [E6]: their own id, the LeadIQ person as personId, workEmail + emailStatus, personalEmails,
# mobilePhones, company. Email statuses Verified|VerifiedLikely|Unverified|Invalid|Suppressed [E5]: a
# suppressed address must not be used, so it reads as invalid. Phones LeadIQ marks Suppressed or Invalid
# are left out.
EMAIL_STATUSES = {
    "verified": "valid",
    "verifiedlikely": "probable",
    "unverified": "unknown",
    "invalid": "invalid",
    "suppressed": "invalid",
}
UNUSABLE_PHONES = ("suppressed", "invalid")
PROSPECT_ENDPOINTS = ("add_prospect", "list_prospects", "add_prospects")


def people_from(endpoint, data):
    """PersonFacts from a LeadIQ answer as the client parsed it (`Result.data`); [] for other endpoints."""
    data = plain.record(data)
    if endpoint in ("search_people", "flat_advanced_search", "grouped_advanced_search"):
        people = [_person(one, company) for one, company in _people_of(endpoint, data)]
    elif endpoint in PROSPECT_ENDPOINTS:
        prospects = {
            "add_prospect": [data],
            "list_prospects": data.get("items"),
            "add_prospects": data.get("succeeded"),
        }
        people = [_prospect(one) for one in plain.records(prospects[endpoint])]
    else:
        people = []
    return [person for person in people if person != PersonFacts()]


def companies_from(endpoint, data):
    """CompanyFacts from a LeadIQ answer: companies searched, and the companies of the people found."""
    data = plain.record(data)
    if endpoint == "search_company":
        found = plain.records(data.get("results"))
    elif endpoint == "grouped_advanced_search":
        found = [plain.record(group.get("company")) for group in plain.records(data.get("companies"))]
    elif endpoint in ("search_people", "flat_advanced_search"):
        found = [_company_of(one, {}) for one, _ in _people_of(endpoint, data)]
    elif endpoint in ("add_prospect", "list_prospects"):
        prospects = [data] if endpoint == "add_prospect" else plain.records(data.get("items"))
        found = [plain.record(one.get("company")) for one in prospects]
    else:
        found = []
    companies, seen = [], set()
    for company in map(_company, found):
        key = company.leadiq_id or company
        if company != CompanyFacts() and key not in seen:
            seen.add(key)
            companies.append(company)
    return companies


def _people_of(endpoint, data):
    """(person, the company its group names) for every person of a search answer."""
    if endpoint == "grouped_advanced_search":
        return [
            (one, plain.record(group.get("company")))
            for group in plain.records(data.get("companies"))
            for one in plain.records(group.get("people"))
        ]
    people = data.get("results") if endpoint == "search_people" else data.get("people")
    return [(one, {}) for one in plain.records(people)]


def _current(one):
    return next(iter(plain.records(one.get("currentPositions"))), {})


def _company_of(one, group_company):
    return plain.record(_current(one).get("companyInfo")) or plain.record(one.get("company")) or group_company


def _person(one, group_company):
    position, name = _current(one), one.get("name")
    company = _company_of(one, group_company)
    first = plain.first(plain.dig(name, "first"), one.get("firstName"))
    last = plain.first(plain.dig(name, "last"), one.get("lastName"))
    emails = [
        (plain.text(email.get("value")), _email_status(email.get("status")))
        for source in (position.get("emails"), one.get("personalEmails"))
        for email in plain.records(source)
    ]
    return PersonFacts(
        linkedin_url=plain.first(plain.dig(one, "linkedin", "linkedinUrl"), one.get("linkedinUrl")),
        leadiq_id=plain.text(one.get("id")),
        full_name=plain.first(plain.dig(name, "fullName"), name, plain.joined(first, last)),
        first_name=first,
        last_name=last,
        title=plain.first(position.get("title"), one.get("title")),
        location=_place(plain.record(one.get("location")) or one),
        company_name=plain.text(company.get("name")),
        company_domain=plain.text(company.get("domain")),
        company_linkedin_url=plain.text(company.get("linkedinUrl")),
        emails=plain.unique(emails),
        phones=_phones(position.get("phones"), one.get("personalPhones")),
    )


def _prospect(one):
    company = plain.record(one.get("company"))
    emails = [(plain.text(one.get("workEmail")), _email_status(one.get("emailStatus")))]
    emails += [
        (plain.first(email.get("value")), _email_status(email.get("status")))
        for email in plain.records(one.get("personalEmails"))
    ]
    personal = one.get("personalEmails")
    emails += [
        (plain.text(email), "unknown")
        for email in (personal if isinstance(personal, list) else ())
        if isinstance(email, str)
    ]
    return PersonFacts(
        linkedin_url=plain.text(one.get("linkedinUrl")),
        leadiq_id=plain.text(one.get("personId")),  # `id` is the prospect's, in Prospector only
        full_name=plain.first(one.get("name"), plain.joined(one.get("firstName"), one.get("lastName"))),
        first_name=plain.text(one.get("firstName")),
        last_name=plain.text(one.get("lastName")),
        title=plain.text(one.get("title")),
        location=_place(plain.record(one.get("location"))),
        company_name=plain.text(company.get("name")),
        company_domain=plain.text(company.get("domain")),
        emails=plain.unique(emails),
        phones=_phones(one.get("mobilePhones"), one.get("phones")),
    )


def _company(company):
    return CompanyFacts(
        name=plain.text(company.get("name")),
        domain=plain.text(company.get("domain")),
        linkedin_url=plain.text(company.get("linkedinUrl")),
        linkedin_id=plain.text(company.get("linkedinId")),
        industry=plain.text(company.get("industry")),
        size=plain.first(
            company.get("employeeRange"),
            company.get("numberOfEmployees"),
            company.get("employeeCount"),
            company.get("employees"),
        ),
        location=_place(plain.record(company.get("locationInfo"))),
        leadiq_id=plain.text(company.get("id")),
    )


def _email_status(status):
    return EMAIL_STATUSES.get(plain.text(status).lower(), "unknown")


def _phones(*sources):
    return plain.unique(
        (plain.text(phone.get("value")), plain.text(phone.get("type")))
        for source in sources
        for phone in plain.records(source)
        if plain.text(phone.get("status")).lower() not in UNUSABLE_PHONES
    )


def _place(place):
    state = plain.first(place.get("areaLevel1"), place.get("state"))
    return plain.joined(place.get("city"), state, place.get("country"), separator=", ")
