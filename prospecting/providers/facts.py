"""Plain facts about people and companies, as a provider gave them.

Each provider module maps its own parsed answers to these with pure functions
(`people_from(endpoint, data)` and `companies_from(endpoint, data)`); the records service matches
and merges them. Identifiers stay raw here: records normalise them through identifiers.py.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonFacts:
    # identifiers (raw as the provider gave them; records normalise them through identifiers.py)
    linkedin_url: str = ""  # or a bare public-id slug (LookC)
    sales_nav_id: str = ""
    lix_id: str = ""
    lusha_id: str = ""
    leadiq_id: str = ""
    # values
    full_name: str = ""
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    location: str = ""
    company_name: str = ""
    company_domain: str = ""
    company_linkedin_url: str = ""
    emails: tuple[tuple[str, str], ...] = ()  # (address, status: valid|probable|invalid|unknown)
    phones: tuple[tuple[str, str], ...] = ()  # (number, type or "")


@dataclass(frozen=True)
class CompanyFacts:
    name: str = ""
    domain: str = ""
    linkedin_url: str = ""
    linkedin_id: str = ""
    industry: str = ""
    size: str = ""
    location: str = ""
    lusha_id: str = ""
    leadiq_id: str = ""
