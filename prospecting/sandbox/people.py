"""Deterministic, plausible people and companies for the sandbox.

Everything is derived from the input: the same LinkedIn URL, email or domain always gives the same
person or company, so tests and demos are repeatable. Some people have no email or phone, some Lix
emails are only "probable", and some Lusha records are refused for legal reasons, as in real data.
"""

import re
from urllib.parse import urlsplit

from prospecting.sandbox.core import stable_number

FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Tim",
    "Barbara",
    "Ken",
    "Frances",
    "Dennis",
    "Radia",
    "Edsger",
    "Katherine",
    "John",
    "Hedy",
    "Donald",
    "Shafi",
    "Leslie",
    "Sophie",
    "Claude",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Berners-Lee",
    "Liskov",
    "Thompson",
    "Allen",
    "Ritchie",
    "Perlman",
    "Dijkstra",
    "Johnson",
    "McCarthy",
    "Lamarr",
    "Knuth",
    "Goldwasser",
    "Lamport",
    "Wilson",
    "Shannon",
]
COMPANIES = [
    ("Northwind Analytics", "northwind.io", "Computer Software"),
    ("Acme Robotics", "acme-robotics.com", "Industrial Automation"),
    ("Blue Harbor Bank", "blueharbor.com", "Banking"),
    ("Globex Health", "globexhealth.com", "Hospital & Health Care"),
    ("Initech Cloud", "initech.cloud", "Information Technology & Services"),
    ("Umbrella Logistics", "umbrella-logistics.com", "Logistics & Supply Chain"),
    ("Stark Energy", "starkenergy.com", "Renewables & Environment"),
    ("Wayne Media", "waynemedia.com", "Online Media"),
]
TITLES = [
    "VP of Sales",
    "Head of Growth",
    "Sales Director",
    "Account Executive",
    "CTO",
    "Marketing Manager",
    "Chief Revenue Officer",
    "Business Development Manager",
    "Product Manager",
    "Founder & CEO",
]
CITIES = [
    ("Paris", "France", "FR"),
    ("London", "United Kingdom", "GB"),
    ("New York", "United States", "US"),
    ("Berlin", "Germany", "DE"),
    ("Amsterdam", "Netherlands", "NL"),
    ("Toronto", "Canada", "CA"),
]


def slug_from(value):
    """The LinkedIn public id of a profile URL, or a slug of any other text."""
    text = str(value or "").strip()
    path = urlsplit(text).path if "://" in text else text
    match = re.search(r"/in/([^/?#]+)", path)
    return (match.group(1) if match else re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")) or "someone"


def company_for(seed):
    name, domain, industry = COMPANIES[stable_number("company", seed) % len(COMPANIES)]
    city, country, iso = CITIES[stable_number("city", seed) % len(CITIES)]
    return {
        "name": name,
        "domain": domain,
        "industry": industry,
        "website": f"https://www.{domain}",
        "linkedin_url": f"https://www.linkedin.com/company/{domain.split('.')[0]}",
        "employees": 50 + stable_number("size", seed) % 5000,
        "city": city,
        "country": country,
        "country_iso": iso,
        "id": stable_number("company-id", domain) % 10_000_000,
    }


def company_by_domain(domain):
    name, industry = domain.split(".")[0].replace("-", " ").title(), None
    for known_name, known, known_industry in COMPANIES:
        if known == domain:
            name, industry = known_name, known_industry
    company = company_for(domain)
    return {
        **company,
        "name": name,
        "domain": domain,
        "industry": industry or company["industry"],
        "website": f"https://www.{domain}",
        "linkedin_url": f"https://www.linkedin.com/company/{domain.split('.')[0]}",
    }


def person_for(seed):
    """The person behind a LinkedIn URL, email or name; `email`/`phone` are None for some people."""
    seed = str(seed).lower().strip()
    number = stable_number("person", seed)
    first, last = FIRST[number % len(FIRST)], LAST[(number // 7) % len(LAST)]
    company = company_for(seed)
    city, country, iso = CITIES[(number // 11) % len(CITIES)]
    slug = slug_from(seed) if "linkedin.com" in seed else f"{first}-{last}-{number % 9973}".lower()
    has_email, has_phone = number % 5 != 0, number % 5 in (1, 2, 3)
    return {
        "id": number % 1_000_000_000,
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "title": TITLES[(number // 13) % len(TITLES)],
        "company": company,
        "city": city,
        "country": country,
        "country_iso": iso,
        "linkedin_url": f"https://www.linkedin.com/in/{slug}",
        "slug": slug,
        "email": f"{first}.{last}@{company['domain']}".lower().replace(" ", "") if has_email else None,
        # Lix finds some emails only as "probable"; Lusha may not share some people (GDPR, 451).
        "email_status": "VALID" if number % 3 else "PROBABLE",
        "phone": f"+1 555 {number % 900 + 100:03d} {number % 9000 + 1000:04d}" if has_phone else None,
        "legal_hold": number % 17 == 0,
    }


def people_page(seed, start, count, total=120):
    """A page of a deterministic result list of `total` people for a search."""
    stop = min(start + count, total)
    return [person_for(f"{seed}#{index}") for index in range(start, stop)], total
