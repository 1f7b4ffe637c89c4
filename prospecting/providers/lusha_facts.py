"""Lusha's answers as plain facts: `people_from` and `companies_from`, which LushaClient registers.

Split from lusha_records.py to keep both files short; the sources are the same, providers.md
section 5: [S] the seed 003, [E10] the V2 OpenAPI spec, [E11] the V3 spec, [E12] docs.lusha.com.
"""

from prospecting.providers import plain
from prospecting.providers.facts import CompanyFacts, PersonFacts

# --- Plain facts (records.keep_people / keep_companies take these; lusha.py registers them) ------------
# Contacts carry personId (Lusha's stable id; a prospecting search's contactId is made per search and is
# not one [E10]), names, jobTitle ({title} or text), location ({rawLocation, city, state, country}),
# socialLinks.linkedin, emailAddresses[{email|address, emailType, emailConfidence}], phoneNumbers[{number,
# phoneType}] (the deprecated emails/phones lists as a fallback), and a company object or companyName/fqdn.
# Lusha grades emails A+, A, B... without defining the grades [E10]: only A+ is taken as valid, the
# other A and B grades as probable, anything else as unknown [inferred].
EMAIL_GRADES = {"A+": "valid", "A": "probable", "A-": "probable", "B+": "probable", "B": "probable"}
PEOPLE_ENDPOINTS = ("person", "bulk_people", "enrich_contacts", "contact_signals", "search_contact_signals")
COMPANY_ENDPOINTS = ("company", "bulk_companies", "enrich_companies")


def people_from(endpoint, data):
    """PersonFacts from a Lusha answer as the client parsed it (`Result.data`); [] for other endpoints."""
    data = plain.record(data)
    if endpoint == "search_contacts":
        people = [_contact(item) for item in plain.records(data.get("contacts"))]
    elif endpoint in PEOPLE_ENDPOINTS:
        people = [_contact(_signal_contact(record) or record.get("data")) for record in _found_records(data)]
    else:
        people = []
    return [person for person in people if person != PersonFacts()]


def companies_from(endpoint, data):
    """CompanyFacts from a Lusha answer: companies looked up, searched or enriched, and the company of
    each contact enriched."""
    data = plain.record(data)
    if endpoint == "search_companies":
        companies = [_company_facts(item) for item in plain.records(data.get("companies"))]
    elif endpoint in COMPANY_ENDPOINTS:
        companies = [_company_facts(plain.record(record.get("data"))) for record in _found_records(data)]
    elif endpoint in ("person", "bulk_people", "enrich_contacts"):
        companies = [_contact_company(plain.record(record.get("data"))) for record in _found_records(data)]
    else:
        companies = []
    return [company for company in companies if company != CompanyFacts()]


def _found_records(data):
    """The found records of a parsed answer: one (`person`, `company`) or a list under `records`."""
    records = plain.records(data.get("records")) if "records" in data else [data]
    return [record for record in records if record.get("outcome") == "found"]


def _signal_contact(record):
    """A contact signal's newest facts: its personId and current title, company and domain."""
    signals = [
        item for value in plain.record(record.get("signals")).values() for item in plain.records(value)
    ]
    if not signals:
        return None
    latest = max(signals, key=lambda item: plain.text(item.get("signalDate")))
    return {
        "personId": plain.first(latest.get("personId"), plain.dig(record, "data", "personId")),
        "jobTitle": latest.get("currentTitle"),
        "companyName": latest.get("currentCompanyName"),
        "fqdn": latest.get("currentDomain"),
    }


def _contact(item):
    item = plain.record(item)
    company = plain.record(item.get("company"))
    job = item.get("jobTitle")
    location = item.get("location")
    first, last = plain.text(item.get("firstName")), plain.text(item.get("lastName"))
    return PersonFacts(
        linkedin_url=plain.text(plain.dig(item, "socialLinks", "linkedin")),
        lusha_id=plain.text(item.get("personId")),
        full_name=plain.first(item.get("fullName"), item.get("name"), plain.joined(first, last)),
        first_name=first,
        last_name=last,
        title=plain.text(plain.dig(job, "title") if isinstance(job, dict) else job),
        location=_location(location) if isinstance(location, dict) else plain.text(location),
        company_name=plain.first(company.get("name"), item.get("companyName")),
        company_domain=_domain(company) or plain.text(item.get("fqdn")),
        company_linkedin_url=_social(company.get("social")),
        emails=_emails(item),
        phones=_phones(item),
    )


def _emails(item):
    found = [
        (plain.first(entry.get("email"), entry.get("address")), _email_status(entry.get("emailConfidence")))
        for entry in plain.records(item.get("emailAddresses"))
    ]
    found += [(plain.text(address), "unknown") for address in _strings(item.get("emails"))]
    return plain.unique(found)


def _email_status(grade):
    return EMAIL_GRADES.get(plain.text(grade).upper(), "unknown")


def _phones(item):
    found = [
        (plain.text(entry.get("number")), plain.text(entry.get("phoneType")))
        for entry in plain.records(item.get("phoneNumbers"))
    ]
    found += [(plain.text(number), "") for number in _strings(item.get("phones"))]
    return plain.unique(found)


def _strings(value):
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _contact_company(item):
    company = plain.record(item.get("company"))
    facts = _company_facts({**company, "id": item.get("companyId")}) if company else CompanyFacts()
    return facts if facts.name or facts.domain else CompanyFacts()


def _company_facts(item):
    size = item.get("companySize")
    if isinstance(size, dict):
        size = [size.get("min"), size.get("max")]
    low, high = (
        plain.text(value) for value in (size if isinstance(size, list) and len(size) == 2 else ("", ""))
    )
    location = item.get("location")
    return CompanyFacts(
        name=plain.text(item.get("name")),
        domain=_domain(item),
        linkedin_url=plain.first(_social(item.get("social")), item.get("linkedin")),
        industry=plain.first(item.get("mainIndustry"), plain.dig(item, "industry", "mainIndustry")),
        size=f"{low}-{high}" if low and high else plain.text(item.get("employees")),
        location=_location(location if isinstance(location, dict) else item),
        lusha_id=plain.first(item.get("id"), item.get("lushaCompanyId")),
    )


def _domain(company):
    domains = plain.record(company.get("domains"))
    return plain.first(
        company.get("domain"), domains.get("homepage"), company.get("fqdn"), domains.get("email")
    )


def _social(social):
    """A company's LinkedIn page: a URL, or {"url"} in the company lookup's answer [E10]."""
    linkedin = plain.record(social).get("linkedin")
    return plain.text(linkedin.get("url") if isinstance(linkedin, dict) else linkedin)


def _location(place):
    return plain.first(
        place.get("rawLocation"),
        plain.joined(place.get("city"), place.get("state"), place.get("country"), separator=", "),
    )
