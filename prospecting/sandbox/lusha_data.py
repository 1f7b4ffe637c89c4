"""Lusha's records in the sandbox: people, companies, search listings and signals in the shapes of
Lusha's V2 answers (providers.md §5, tests/fixtures/lusha/), derived from people.py so that the same
input always gives the same record. Split from lusha.py (the routes), as the client splits its records.
"""

import uuid
from datetime import date, timedelta
from functools import lru_cache

from prospecting.sandbox.core import stable_number
from prospecting.sandbox.people import CITIES, COMPANIES, company_by_domain, company_for, person_for

# Lusha's own words, from its documents, not from Quarry's client (which the sandbox exists to check):
# bulk person/company, prospecting enrich and signals take 1 to 100 items ("up to 100 contacts per
# request", seed 003; providers.md §5), and the signal types of providers.md §5.6 [E10].
MAX_BATCH = 100
CONTACT_SIGNALS = ("allSignals", "promotion", "companyChange")
COMPANY_SIGNALS = (
    "allSignals",
    "websiteTrafficIncrease",
    "websiteTrafficDecrease",
    "itSpendIncrease",
    "itSpendDecrease",
    "headcountIncrease1m",
    "headcountDecrease1m",
    "headcountIncrease3m",
    "headcountDecrease3m",
    "headcountIncrease6m",
    "headcountDecrease6m",
    "headcountIncrease12m",
    "headcountDecrease12m",
    "surgeInHiring",
    "surgeInHiringByDepartment",
    "surgeInHiringByLocation",
    "riskNews",
    "commercialActivityNews",
    "corporateStrategyNews",
    "financialEventsNews",
    "peopleNews",
    "marketIntelligenceNews",
    "productActivityNews",
)

EMPTY = {"code": 3, "name": "EMPTY_DATA", "message": "Could not find requested data"}  # [E10]
GDPR = "We are unable to process this contact request due to our GDPR regulations"  # the 451's words [S]
GDPR_RECORD = {"code": 451, "name": "COMPLIANCE_RESTRICTED", "message": GDPR}  # in bulk, per record
BAD_LINKEDIN = {"code": 7, "name": "INVALID_INPUT", "message": "Invalid LinkedIn URL"}  # [E10]
TITLES = {  # people.py's titles -> (seniority, its filter id, department)
    "VP of Sales": ("vice president", 8, "Sales"),
    "Head of Growth": ("director", 7, "Marketing"),
    "Sales Director": ("director", 7, "Sales"),
    "Account Executive": ("senior", 4, "Sales"),
    "CTO": ("c-suite", 9, "Engineering & Technical"),
    "Marketing Manager": ("manager", 5, "Marketing"),
    "Chief Revenue Officer": ("c-suite", 9, "Sales"),
    "Product Manager": ("manager", 5, "Product"),
    "Business Development Manager": ("manager", 5, "Business Development"),
    "Founder & CEO": ("founder", 10, "General Management"),
}
COUNTRIES = {  # people.py's countries -> (continent, Lusha's country grouping, in the EU)
    "US": ("North America", "na", False),
    "CA": ("North America", "na", False),
    "GB": ("Europe", "emea", False),
    "FR": ("Europe", "emea", True),
    "DE": ("Europe", "emea", True),
    "NL": ("Europe", "emea", True),
}
BANDS = ((1, 10), (11, 50), (51, 200), (201, 500), (501, 1000), (1001, 5000), (5001, 10000))
SUFFIXES = ("Labs", "Group", "Systems", "Partners", "Digital", "Works", "Holdings", "Networks")
NEWS = ("partnership", "product launch", "acquisition", "funding round", "new office", "leadership change")
KNOWN_DOMAINS = {domain: name for name, domain, _industry in COMPANIES}


def company_id(domain):
    return stable_number("company-id", domain) % 10_000_000


def logo(domain):
    return f"https://logo.lusha.co/{domain}.jpg"


PLACES = [(city, country, iso, *COUNTRIES[iso]) for city, country, iso in CITIES]
FILTERS = {  # GET (or, for SEARCHED, POST with a text) /prospecting/filters/<name> [S][E10]
    "contacts/departments": sorted({department for _s, _i, department in TITLES.values()}),
    "contacts/seniority": [
        {"id": i, "name": s} for i, s in sorted({i: s for s, i, _d in TITLES.values()}.items())
    ],
    "contacts/existing_data_points": ["phone", "work_email", "private_email", "mobile_phone", "direct_phone"],
    "contacts/all_countries": [{"name": country, "code": iso} for _c, country, iso, *_ in PLACES],
    "contacts/locations": [
        {"continent": continent, "country": country, "city": city, "state": city, "country_grouping": group}
        for city, country, _iso, continent, group, _eu in PLACES
    ],
    "companies/names": [
        {"companyId": company_id(domain), "name": name, "logoUrl": logo(domain), "fqdn": f"www.{domain}"}
        for domain, name in KNOWN_DOMAINS.items()
    ],
    "companies/industries_labels": [
        {
            "main_industry": industry,
            "main_industry_id": i + 1,
            "sub_industries": [{"value": "Other", "id": 700 + i}],
        }
        for i, (_name, _domain, industry) in enumerate(COMPANIES)
    ],
    "companies/sizes": [{"min": lo, "max": hi} for lo, hi in BANDS],
    "companies/revenues": [{"min": lo * 100_000, "max": hi * 200_000} for lo, hi in BANDS],
    "companies/locations": [
        {"country": country, "continent": continent, "country_grouping": group}
        for _city, country, _iso, continent, group, _eu in PLACES
    ],
    "companies/sics": [
        {"code": "7372", "label": "Prepackaged Software"},
        {"code": "6021", "label": "National Banks"},
    ],
    "companies/naics": [
        {"code": "51", "label": "Information"},
        {"code": "52", "label": "Finance and Insurance"},
    ],
    "companies/intent_topics": [
        "Android",
        "Accounting",
        "Zero Trust",
        "Digital Sales",
        "CRM",
        "Data Privacy",
    ],
    "companies/technologies": [
        {"name": n} for n in ("salesforce", "hubspot", "rss", "react", "stripe", "aws")
    ],
}
SEARCHED = ("contacts/locations", "companies/names", "companies/locations", "companies/technologies")


def day(*parts, start=date(2025, 1, 1), span=365):
    """A date derived from the parts, within `span` days from `start`."""
    return (start + timedelta(days=stable_number(*parts) % max(span, 1))).isoformat()


def reveal_of(options):
    """Without reveal flags Lusha returns both emails and phones; with them, only what they ask [S][E12]."""
    flags = {kind: options.get(f"reveal{kind.title()}") for kind in ("emails", "phones")}
    if all(value is None for value in flags.values()):
        return {"emails", "phones"}
    return {kind for kind, value in flags.items() if value is True or str(value).lower() == "true"}


# --- Companies -----------------------------------------------------------------------------------


def company_at(domain, name=None):
    # people.company_by_domain keeps its base company's id for unknown domains: each domain gets its own.
    company, slug = company_by_domain(domain), domain.split(".")[0]
    website, linkedin = f"https://www.{domain}", f"https://www.linkedin.com/company/{slug}"
    return {
        **company,
        "name": name or company["name"],
        "id": company_id(domain),
        "website": website,
        "linkedin_url": linkedin,
    }


def find_company(ident):
    """(found, company) for a domain, fqdn, name or Lusha id. Known companies are always found; unknown
    ones mostly, except example domains: Lusha has no data on everything."""
    domain = (ident.get("domain") or ident.get("fqdn") or "").lower().removeprefix("www.")
    name, lusha_id = ident.get("company") or ident.get("name"), ident.get("companyId")
    if lusha_id:
        company = {
            **company_for(f"id:{lusha_id}"),
            "id": int(lusha_id) if str(lusha_id).isdigit() else lusha_id,
        }
        return str(lusha_id).isdigit() and stable_number("lusha-company-miss", lusha_id) % 9 != 0, company
    known = next((d for d, n in KNOWN_DOMAINS.items() if n.lower() == str(name).lower()), None)
    domain = domain or known or f"{str(name).lower().replace(' ', '')}.com"
    missing = "example" in domain or (
        domain not in KNOWN_DOMAINS and stable_number("lusha-company-miss", name or domain) % 9 == 0
    )
    return not missing, company_at(domain, None if known else name)


def company_record(c, shape="single"):
    """A company as each endpoint shows it [E10]: single (GET /v2/company), person (in a contact, or the
    bulk people's companies map), bulk (POST /v2/company), enrich (prospecting)."""
    lo, hi = next((band for band in BANDS if c["employees"] <= band[1]), BANDS[-1])
    place = {"city": c["city"], "country": c["country"], "countryIso2": c["country_iso"]}
    body = {
        "id": c["id"],
        "name": c["name"],
        "fqdn": f"www.{c['domain']}",
        "logoUrl": logo(c["domain"]),
        "description": f"{c['name']} works in {c['industry'].lower()}.",
        "mainIndustry": c["industry"],
        "revenueRange": [lo * 100_000, hi * 200_000],
        "domains": {"homepage": c["domain"], "email": c["domain"]},
    }
    if shape == "single":
        size = {"min": lo, "max": hi, "employeesInLinkedin": c["employees"]}
        social = {"linkedin": {"url": c["linkedin_url"]}}
        return body | {
            "domain": c["domain"],
            "employees": f"{lo} - {hi}",
            "website": c["website"],
            "companySize": size,
            "location": place,
            "social": social,
        }
    if shape == "person":
        return body | {"companySize": [lo, hi], "location": place, "social": {"linkedin": c["linkedin_url"]}}
    size = [lo, hi] if shape == "bulk" else {"min": lo, "max": hi, "employees_in_linkedin": c["employees"]}
    lusha_id = str(stable_number("lusha-company", c["domain"]) % 10**8)
    return (
        body
        | place
        | {
            "companySize": size,
            "linkedin": c["linkedin_url"],
            "employees": f"{lo} - {hi}",
            "lushaCompanyId": lusha_id,
        }
    )


# --- People --------------------------------------------------------------------------------------


def find_person(ident):
    """(seed, person) for Lusha's identifiers: personId, email, linkedinUrl, or fullName with
    companyName/companyDomain. The person keeps the name, email and company asked for."""
    pid, email, url = ident.get("personId"), ident.get("email"), ident.get("linkedinUrl")
    name, domain, company = ident.get("fullName"), ident.get("companyDomain"), ident.get("companyName")
    seed = f"id:{pid}" if pid else email or url or f"{name}@{domain or company}".lower()
    person = person_for(seed)
    if pid:
        person["id"] = int(pid) if str(pid).isdigit() else pid
    if email:
        person["email"], domain = email.strip().lower(), domain or email.split("@")[-1].lower()
    if name:
        first, last = name.split(maxsplit=1)
        person.update(first_name=first, last_name=last, full_name=name)
    if domain or company:
        known = next((d for d, n in KNOWN_DOMAINS.items() if n.lower() == str(company).lower()), None)
        person["company"] = company_at(domain or known or f"{company.lower().replace(' ', '')}.com", company)
        if person["email"] and not email:
            person["email"] = (
                f"{person['first_name']}.{person['last_name']}@{person['company']['domain']}".lower()
            )
    return seed, person


def outcome_of(seed, person, ident):
    """ "found", "missing" (no match: one seed in eight, example domains), "gdpr" (people.py's legal hold)
    or "bad_url" (a LinkedIn URL that is not a profile's)."""
    if ident.get("linkedinUrl") and "linkedin.com/in/" not in ident["linkedinUrl"]:
        return "bad_url"
    if not str(ident.get("personId") or 0).isdigit():  # Lusha's person ids are numbers
        return "missing"
    if "example." in seed or stable_number("lusha-miss", seed) % 8 == 0:
        return "missing"
    return "gdpr" if person["legal_hold"] else "found"


def _location(person):
    iso, (continent, _group, in_eu) = person["country_iso"], COUNTRIES[person["country_iso"]]
    return {
        "city": person["city"],
        "country": person["country"],
        "countryIso2": iso,
        "continent": continent,
        "rawLocation": f"{person['city']}, {person['country']}",
        "isEuContact": in_eu,
    }


def contact_data(person, reveal, shape="person"):
    """A contact's `data` (GET/POST /v2/person), or a prospecting enrich contact's (shape "enrich")."""
    seniority, seniority_id, department = TITLES[person["title"]]
    email, phone, updated = person["email"], person["phone"], day("updated", person["id"])
    confidence = "A+" if person["email_status"] == "VALID" else "B"
    emails = [{"email": email, "emailType": "work", "emailConfidence": confidence, "updateDate": updated}]
    kind = "Mobile" if person["id"] % 2 else "Direct"
    phones = [
        {"number": phone, "phoneType": kind, "doNotCall": person["id"] % 11 == 0, "updateDate": updated}
    ]
    data = {
        "personId": person["id"],
        "firstName": person["first_name"],
        "lastName": person["last_name"],
        "fullName": person["full_name"],
        "companyId": person["company"]["id"],
        "companyName": person["company"]["name"],
        "socialLinks": {"linkedin": person["linkedin_url"]},
        "emailAddresses": emails if email and "emails" in reveal else [],
        "phoneNumbers": phones if phone and "phones" in reveal else [],
        "updateDate": updated,
    }
    if shape == "enrich":  # prospecting's contact has a plain job title and seniority ids [E10]
        location = {**_location(person), "country_iso2": person["country_iso"]}
        return data | {
            "isShown": False,
            "jobTitle": person["title"],
            "departments": [department],
            "seniority": [{"id": seniority_id, "value": seniority}],
            "location": location,
        }
    job = {"title": person["title"], "seniority": seniority.title(), "departments": [department]}
    return data | {"jobTitle": job, "location": _location(person), "jobStartDate": day("start", person["id"])}


def contact_entry(seed, person, ident, reveal, filter_by=None):
    """A contact entry `{"error", "isCreditCharged", "data"}` and whether it costs a credit: only a
    match with data does [E12]; filterBy keeps only contacts having that data [E10]."""
    outcome = outcome_of(seed, person, ident)
    if outcome == "bad_url":
        return {"error": BAD_LINKEDIN, "isCreditCharged": False}, False
    if outcome == "gdpr":
        return {"error": GDPR_RECORD, "isCreditCharged": False, "data": {}}, False
    data = contact_data(person, reveal) if outcome == "found" else {}
    if not data or (filter_by and not data[filter_by]):
        return {"error": EMPTY, "isCreditCharged": False, "data": {}}, False
    return {"error": None, "isCreditCharged": True, "data": data}, True


# --- Prospecting listings ---------------------------------------------------------------------------


def search_total(request_id):
    return 40 + stable_number("total", request_id) % 400


def contact_id(request_id, index):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{request_id}#{index}"))


@lru_cache(maxsize=64)
def contact_indexes(request_id):
    # Search contact ids are opaque per search [E10]: enrich finds them by regenerating the search's.
    return {contact_id(request_id, index): index for index in range(search_total(request_id))}


def listed_contact(request_id, index, p):
    phone, mobile = bool(p["phone"]), p["id"] % 2 == 1
    return {
        "contactId": contact_id(request_id, index),
        "isShown": False,
        "name": p["full_name"],
        "jobTitle": p["title"],
        "companyId": p["company"]["id"],
        "companyName": p["company"]["name"],
        "fqdn": p["company"]["domain"],
        "hasEmails": bool(p["email"]),
        "hasWorkEmail": bool(p["email"]),
        "hasPrivateEmail": False,
        "hasPhones": phone,
        "hasMobilePhone": phone and mobile,
        "hasDirectPhone": phone and not mobile,
        "hasSeniority": True,
        "hasDepartment": True,
        "signalTypes": [],
    }


def fits(person, wanted):
    """Whether a person meets a contact search's `include` filters on job title (a word of it), location,
    seniority and data."""
    iso = person["country_iso"]
    here = {
        "country": person["country"],
        "city": person["city"],
        "state": person["city"],  # the sandbox's cities stand for their states too (FILTERS above)
        "continent": COUNTRIES[iso][0],
        "country_grouping": COUNTRIES[iso][1],
    }
    titles = [str(title).lower() for title in wanted.get("jobTitles") or []]
    if titles and not any(title in person["title"].lower() for title in titles):
        return False
    places = [place for place in wanted.get("locations") or [] if isinstance(place, dict)]
    if places and not any(
        all(str(value).lower() == str(here.get(key, "")).lower() for key, value in place.items())
        for place in places
    ):
        return False
    seniority = wanted.get("seniority") or []
    if seniority and TITLES[person["title"]][1] not in seniority:
        return False
    has = {
        "phone": bool(person["phone"]),
        "mobile_phone": bool(person["phone"]) and person["id"] % 2 == 1,
        "direct_phone": bool(person["phone"]) and person["id"] % 2 == 0,
        "work_email": bool(person["email"]),
        "private_email": False,
    }
    return all(has.get(point, False) for point in wanted.get("existing_data_points") or [])


def company_fits(company, wanted):
    """Whether a company meets a company search's `include` filters on location and size."""
    iso = company["country_iso"]
    here = {
        "country": company["country"],
        "continent": COUNTRIES[iso][0],
        "country_grouping": COUNTRIES[iso][1],
    }
    places = [place for place in wanted.get("locations") or [] if isinstance(place, dict)]
    if places and not any(
        all(
            str(value).lower() == str(here.get(key, "")).lower()
            for key, value in place.items()
            if key in here
        )
        for place in places
    ):
        return False
    sizes = [band for band in wanted.get("sizes") or [] if isinstance(band, dict)]
    return not sizes or any(
        (band.get("min") or 0) <= company["employees"] <= (band.get("max") or company["employees"])
        for band in sizes
    )


def listed_company(request_id, index):
    base = company_for(f"{request_id}#{index}")["name"].split()[0]
    name = f"{base} {SUFFIXES[stable_number('suffix', request_id, index) % len(SUFFIXES)]}"
    return company_at(f"{name.lower().replace(' ', '-')}-{index}.com", name)


@lru_cache(maxsize=64)
def company_indexes(request_id):
    return {str(listed_company(request_id, index)["id"]): index for index in range(search_total(request_id))}


# --- Signals ---------------------------------------------------------------------------------------


def signal_dates(source, key):
    """(start, end): the requested start, by default six months back [S]; the end is today."""
    end = date.today()
    try:
        start = date.fromisoformat(str(source.get(key)))
    except ValueError:
        start = end - timedelta(days=182)
    return min(start, end), end


def signals_of(kind, subject, names, dates, limit=10):
    """{signal type: events} for a subject `{"seed", "person" | "company"}`; "allSignals" is every type.
    About two types in five have events, one or two, dated within the window; a decrease never comes
    with the increase of the same figure."""
    allowed = CONTACT_SIGNALS if kind == "contacts" else COMPANY_SIGNALS
    types = [name for name in allowed if name != "allSignals"] if "allSignals" in names else names
    found = {}
    for signal in dict.fromkeys(types):
        number = stable_number("signal", kind, subject["seed"], signal.replace("Decrease", "Increase"))
        count = ((0, 0, 1, 0, 0) if "Decrease" in signal else (0, 0, 0, 1, 2))[number % 5]
        span = (dates[1] - dates[0]).days
        dated = [day("signal-date", number, i, start=dates[0], span=span) for i in range(min(count, limit))]
        found[signal] = [
            _signal_item(kind, subject, signal, number + i, when) for i, when in enumerate(dated)
        ]
    return found


def _signal_item(kind, subject, signal, number, when):
    if kind == "contacts":  # promotion and companyChange events share their shape [E10]
        person, previous = subject["person"], company_for(f"previous:{subject['seed']}")
        company, (seniority, _id, department) = person["company"], TITLES[person["title"]]
        return {
            "personId": str(person["id"]),
            "currentCompanyId": company["id"],
            "currentTitle": person["title"],
            "currentCompanyName": company["name"],
            "currentDomain": company["domain"],
            "currentDepartments": department,
            "currentSeniorityLabel": seniority,
            "previousCompanyName": previous["name"],
            "previousDomain": previous["domain"],
            "signalDate": when,
        }
    c, rate = subject["company"], (5 + number % 60) * (-1 if "Decrease" in signal else 1)
    item = {
        "companyId": str(c["id"]),
        "companyName": c["name"],
        "domain": c["domain"],
        "signalId": str(number % 10**7),
        "signalDate": when,
    }
    if signal.startswith("websiteTraffic"):
        visits = 1000 + number % 90_000
        return item | {
            "historicalAvg": visits,
            "lastMonthVisits": visits * (100 + rate) // 100,
            "changeRatePercent": rate,
        }
    if signal.startswith("itSpend"):
        return item | {"estimatedAnnualItSpend": 100_000 + number % 9_000_000, "changeRatePercent": rate}
    if signal.startswith("headcount"):
        grown = c["employees"] * (100 + rate) // 100
        return item | {
            "baselineEmployeesCount": c["employees"],
            "newEmployeesCount": grown,
            "changeRatePercent": rate,
        }
    if signal.startswith("surgeInHiring"):
        return item | {"openPositions": 5 + number % 80, "department": "Sales", "location": c["country"]}
    event = NEWS[number % len(NEWS)]
    return item | {
        "eventType": event,
        "eventSummary": f"{c['name']} announced a {event}.",
        "articleTitle": f"{c['name']}: {event}",
        "articlePublishedDate": when,
        "eventEffectiveDate": when,
        "articleUrl": f"https://news.example.com/{c['domain']}/{number}",
    }
