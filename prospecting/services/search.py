"""Searching providers for people and companies, and keeping what a member selects.

`run_search` makes one page of one provider search through `call_provider` (so it is rate-limited,
logged and costed) and returns the rows as plain facts, each marked with what the team already knows:
whether it has that person or company, in which lists, whether they are suppressed, and the emails and
phones already known with their status. The marks take a constant number of queries whatever the page
size. `search_cost` says what a page would cost before it is run; `keep_results` turns selected rows
into records with the search's call as their provenance.

A search is named by (provider, kind) in SEARCHES; its `query` is the form's values (a pasted URL, or
filters), stored as they are in a SavedSearch.
"""

import hashlib
import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from django.db.models import Q
from django.utils import timezone

from prospecting import identifiers
from prospecting.models import (
    ContactKind,
    ContactPoint,
    Identifier,
    ListEntry,
    ProviderCall,
    SavedSearch,
)
from prospecting.models.calls import describe_credits
from prospecting.providers import PROVIDERS
from prospecting.providers.base import (
    InvalidInput,
    KeyRejected,
    OutOfCredits,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from prospecting.providers.billing import max_credits, prices_for
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.lix import PAGE_SIZES as LIX_PAGE_SIZES
from prospecting.providers.lix import LixClient
from prospecting.providers.lusha import LushaClient
from prospecting.providers.sales_nav import decode_skill
from prospecting.services.ledger import BudgetExceeded
from prospecting.services.lusha_filters import lusha_search_filters
from prospecting.services.provider_calls import active_key, call_provider
from prospecting.services.records import company_keys, keep_companies, keep_people, person_keys
from prospecting.services.suppression import Purpose, ensure_contactable, suppressed_flags

LUSHA_PAGE_SIZE = 25
LEADIQ_PAGE_SIZE = 25
LEADIQ_GROUPS_PAGE_SIZE = 10  # companies per page of a grouped search
LEADIQ_PEOPLE_PER_COMPANY = 3  # the form's default
LEADIQ_MAX_PEOPLE_PER_COMPANY = 10
LIX_CONNECTIONS_PAGE_SIZE = 100
# Lix searches that need the LinkedIn account connected to Lix (the key's viewer_id): refused, with
# advice, before their price is asked.
VIEWER_ID_SEARCHES = ("connections", "recruiter_people")


@dataclass(frozen=True)
class SearchKind:
    provider: str
    kind: str
    label: str
    endpoint: object  # the client's method, as call_provider takes it
    finds: str  # "people" or "companies"


SEARCHES = {
    ("lix", "linkedin_people"): SearchKind(
        "lix", "linkedin_people", "LinkedIn people search", LixClient.search_people, "people"
    ),
    ("lix", "linkedin_companies"): SearchKind(
        "lix", "linkedin_companies", "LinkedIn companies search", LixClient.search_orgs, "companies"
    ),
    ("lix", "linkedin_jobs"): SearchKind(
        "lix", "linkedin_jobs", "LinkedIn jobs search (hiring companies)", LixClient.search_jobs, "companies"
    ),
    ("lix", "linkedin_posts"): SearchKind(
        "lix", "linkedin_posts", "LinkedIn posts search (authors)", LixClient.search_posts, "people"
    ),
    ("lix", "sales_nav_people"): SearchKind(
        "lix", "sales_nav_people", "Sales Navigator lead search", LixClient.search_sales_people, "people"
    ),
    ("lix", "job_hirers"): SearchKind(
        "lix", "job_hirers", "Hirers of a LinkedIn job posting", LixClient.job_hirers, "people"
    ),
    ("lix", "connections"): SearchKind(
        "lix", "connections", "Connections of the connected LinkedIn account", LixClient.connections, "people"
    ),
    ("lix", "recruiter_people"): SearchKind(
        "lix", "recruiter_people", "Recruiter search by skills", LixClient.search_recruiter_people, "people"
    ),
    ("lusha", "contacts"): SearchKind(
        "lusha", "contacts", "Lusha contact search", LushaClient.search_contacts, "people"
    ),
    ("lusha", "companies"): SearchKind(
        "lusha", "companies", "Lusha company search", LushaClient.search_companies, "companies"
    ),
    ("leadiq", "people"): SearchKind(
        "leadiq", "people", "LeadIQ advanced people search", LeadiqClient.flat_advanced_search, "people"
    ),
    ("leadiq", "company"): SearchKind(
        "leadiq", "company", "LeadIQ company search", LeadiqClient.search_company, "companies"
    ),
    # Its rows are people, each under the heading of its company (Row.group); people are what is kept.
    ("leadiq", "grouped"): SearchKind(
        "leadiq",
        "grouped",
        "LeadIQ people search, grouped by company",
        LeadiqClient.grouped_advanced_search,
        "people",
    ),
}


def search_kind(provider, kind):
    try:
        return SEARCHES[(provider, kind)]
    except KeyError:
        raise ValueError(f"Quarry has no {provider} search called {kind!r}.") from None


def lix_kind_for(url):
    """Which Lix search a pasted LinkedIn or Sales Navigator URL is, or "" when it is none of them."""
    text = (url or "").strip()
    if job_id_in(text):
        return "job_hirers"
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    host, path = (parts.hostname or "").lower(), parts.path.lower().rstrip("/") + "/"
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return ""
    if path.startswith("/sales/search/people"):
        return "sales_nav_people"
    if path.startswith("/search/results/people/"):
        return "linkedin_people"
    if path.startswith("/search/results/companies/"):
        return "linkedin_companies"
    if path.startswith("/search/results/content/"):
        return "linkedin_posts"
    if path.startswith("/jobs/search"):
        return "linkedin_jobs"
    return ""


def job_id_in(text):
    """The numeric job id of a LinkedIn job posting's URL (linkedin.com/jobs/view/<id>, or a search's
    currentJobId=<id>), or of a bare id; "" when there is none."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit():
        return text
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return ""
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments[:2] == ["jobs", "view"] and len(segments) > 2:
        found = segments[2].rsplit("-", 1)[-1]  # /jobs/view/title-at-company-4012345678/ ends in the id
        return found if found.isascii() and found.isdigit() else ""
    return ""


def url_page(url):
    """The `page=N` of a pasted LinkedIn URL (1 when absent or unreadable)."""
    for name, value in parse_qsl(urlsplit(url or "").query):
        if name == "page" and value.isdigit() and int(value) >= 1:
            return int(value)
    return 1


def with_page(url, page):
    """The LinkedIn URL asking for page `page`: LinkedIn and Lix page searches through `page=N` in the
    URL itself, so the page travels in the URL whichever way the client reads it. The other parameters
    are kept as they are: a Sales Navigator `query=(…)` holds percent-encoded values inside its own
    notation, which decoding and encoding again would turn into structure (a comma in a company name)."""
    parts = urlsplit(url)
    query = [part for part in parts.query.split("&") if part and part.split("=", 1)[0] != "page"]
    if page > 1:
        query.append(f"page={page}")
    return urlunsplit(parts._replace(query="&".join(query)))


def _words(text):
    return [word.strip() for word in (text or "").split(",") if word.strip()]


def search_params(*, provider, kind, query, page, sequence_id=""):
    """The endpoint's arguments for one page (`page` counts from 1) of a search."""
    if kind == "recruiter_people":
        return recruiter_params(query, page, sequence_id)
    if kind == "connections":
        # The viewer_id is the Lix key's own option (the LinkedIn account connected to Lix).
        return {"count": LIX_CONNECTIONS_PAGE_SIZE, "start": (page - 1) * LIX_CONNECTIONS_PAGE_SIZE}
    if kind == "job_hirers":
        # One answer, no pages; the viewer_id (if any) comes from the Lix key's options.
        return {"job_id": job_id_in(query.get("url", ""))}
    if provider == "lix":
        params = {"url": with_page(query.get("url", ""), page)}
        if sequence_id:
            params["sequence_id"] = sequence_id
        return params
    if provider == "lusha":
        filters = lusha_search_filters(kind, query)
        return {"filters": filters, "page": page - 1, "size": LUSHA_PAGE_SIZE}
    if (provider, kind) == ("leadiq", "company"):
        return {"fields": ["company"], **leadiq_company_identifier(query.get("company", ""))}
    if (provider, kind) == ("leadiq", "grouped"):
        return {
            "fields": leadiq_fields(query),
            "filters": leadiq_filters(query),
            "limit": LEADIQ_GROUPS_PAGE_SIZE,
            "skip": (page - 1) * LEADIQ_GROUPS_PAGE_SIZE,
            "limit_per_company": people_per_company(query),
        }
    if provider == "leadiq":
        return {
            "fields": leadiq_fields(query),
            "filters": leadiq_filters(query),
            "limit": LEADIQ_PAGE_SIZE,
            "skip": (page - 1) * LEADIQ_PAGE_SIZE,
        }
    raise ValueError(f"Quarry cannot search {provider} yet.")


def recruiter_params(query, page, sequence_id=""):
    """A Recruiter search's page: its skills as Lix takes them, paged by `start` (25 a page) with the
    sequence_id that keeps Lix's crawler settings across the pages."""
    skills = [decode_skill(value).for_lix() for value in query.get("skills") or []]
    params = {"skills": skills, "start": (page - 1) * LIX_PAGE_SIZES["search_recruiter_people"]}
    if sequence_id:
        params["sequence_id"] = sequence_id
    return params


def leadiq_filters(query):
    """The contact and company filters of a LeadIQ advanced search (flat or grouped) from the form."""
    contact, company = {}, {}
    for name, key in (("titles", "titles"), ("roles", "roles"), ("locations", "locations")):
        if _words(query.get(name)):
            contact[key] = _words(query.get(name))
    if query.get("seniorities"):
        contact["seniorities"] = list(query["seniorities"])
    for name, key in (("company_names", "names"), ("company_domains", "domains")):
        if _words(query.get(name)):
            company[key] = _words(query.get(name))
    filters = {}
    if contact:
        filters["contactFilter"] = contact
    if company:
        filters["companyFilter"] = company
    return filters


def leadiq_fields(query):
    """The field groups an advanced search selects. LeadIQ charges its profile price for every person a
    search returns, ids alone or not (billing rule in providers/leadiq.py): so the names, titles and
    profiles that price pays for are always taken. Company data (domain, industry, size) is the member's
    choice: it costs LeadIQ's company price per person (flat) or per company (grouped)."""
    return ["profile", "company"] if query.get("take") == "company" else ["profile"]


def people_per_company(query):
    try:
        wanted = int(query.get("people_per_company") or LEADIQ_PEOPLE_PER_COMPANY)
    except (TypeError, ValueError):
        wanted = LEADIQ_PEOPLE_PER_COMPANY
    return min(max(wanted, 1), LEADIQ_MAX_PEOPLE_PER_COMPANY)


def leadiq_selection_prices():
    """What a page of each LeadIQ advanced search costs at most with the documented prices, for each
    selection the form offers, in words: said beside the choice, before anything runs."""
    lines = []
    for kind, what in (("people", "A people page (25 people)"), ("grouped", "A grouped page")):
        if kind == "grouped":
            what = (
                f"A grouped page ({LEADIQ_GROUPS_PAGE_SIZE} companies, {LEADIQ_PEOPLE_PER_COMPANY} people "
                "each)"
            )
        prices = []
        for take in ("profile", "company"):
            params = search_params(provider="leadiq", kind=kind, query={"take": take}, page=1)
            prices.append(
                describe_credits(max_credits("leadiq", SEARCHES[("leadiq", kind)].endpoint.__name__, params))
            )
        lines.append(f"{what}: up to {prices[0]}, or {prices[1]} with company data.")
    return " ".join(lines)


def leadiq_company_identifier(text):
    """What LeadIQ's company search is given for the text typed: a LinkedIn company URL, a domain (a URL
    or a bare host name), or else a name."""
    text = (text or "").strip()
    if identifiers.company_linkedin_id(text) and "linkedin." in text.lower():
        return {"linkedin_url": text}
    if " " not in text and "." in text and identifiers.domain(text):
        return {"domain": identifiers.domain(text)}
    return {"name": text}


def search_cost(*, team, provider, kind, query, page):
    """The most one page of this search can cost with the team's key, by credit type ({} when free).
    Raises SearchFailed when the team has no key for the provider."""
    search = search_kind(provider, kind)
    try:
        key = active_key(team=team, provider=provider)
    except ProviderError as error:
        raise failure_in_words(provider, error) from None
    if kind in VIEWER_ID_SEARCHES and not str((key.options or {}).get("viewer_id") or "").strip():
        # Said before the price is asked: Lix would refuse the call anyway.
        raise SearchFailed(
            "Quarry does not know which LinkedIn account is connected to Lix: the Lix key has no viewer_id.",
            advice="A team admin can set the viewer_id in the Lix key's options under Provider keys.",
        )
    params = search_params(provider=provider, kind=kind, query=query, page=page)
    return max_credits(provider, search.endpoint.__name__, params, prices_for(key))


def page_price_text(provider):
    """What one page of this provider's searches costs at most with the documented prices, in words, for
    the search button ("" when free); the confirmation then gives the price with the team's key."""
    texts = {
        describe_credits(max_credits(provider, search.endpoint.__name__, {"limit": LEADIQ_PAGE_SIZE}))
        for (slug, kind), search in SEARCHES.items()
        if slug == provider and (slug, kind) not in PRICED_APART
    }
    texts.discard("")
    return " or ".join(sorted(texts))


# Searches whose price the page states apart from the search button's (they are not paged).
PRICED_APART = {
    ("leadiq", "company"): {"fields": ["company"]},
    ("leadiq", "grouped"): {
        "fields": ["profile"],
        "limit": LEADIQ_GROUPS_PAGE_SIZE,
        "limit_per_company": LEADIQ_PEOPLE_PER_COMPANY,
    },
}


def search_price_text(provider, kind):
    """What one run of a search priced apart costs at most with the documented prices, in words."""
    search = search_kind(provider, kind)
    return describe_credits(max_credits(provider, search.endpoint.__name__, PRICED_APART[(provider, kind)]))


def cost_text(credits):
    return describe_credits(credits)


class SearchFailed(Exception):
    """A search that gave no results page, in words: what happened and what to do."""

    def __init__(self, message, *, advice="", rate_limited=False, retry_after=None):
        super().__init__(message)
        self.message, self.advice = message, advice
        self.rate_limited, self.retry_after = rate_limited, retry_after


def failure_in_words(provider, error):
    """A provider's refusal as a SearchFailed saying what happened and what to do about it."""
    name = PROVIDERS[provider].__name__.removesuffix("Client")
    message = error.message
    if isinstance(error, RateLimited):
        wait = math.ceil(error.retry_after) if error.retry_after else None
        when = f"in {wait} second{'s' if wait != 1 else ''}" if wait else "in a moment"
        return SearchFailed(
            message,
            advice=f"{name} is limiting how fast Quarry may search: nothing was charged; try again {when}.",
            rate_limited=True,
            retry_after=wait,
        )
    if isinstance(error, KeyRejected):
        advice = f"A team admin can add or fix the {name} key under Provider keys."
    elif isinstance(error, OutOfCredits):
        advice = f"Top up the {name} account, or wait until its allowance resets, then search again."
    elif isinstance(error, InvalidInput):
        advice = "Check the search (the URL or the filters) and try again."
    elif isinstance(error, ProviderUnavailable):
        advice = f"{name} did not answer properly: try again in a few minutes."
    elif isinstance(error, BudgetExceeded):
        advice = f"Nothing was sent to {name} and nothing was charged."  # the message says who can help
    else:
        advice = "Try again later; the call log shows what the provider answered."
    return SearchFailed(message, advice=advice)


# --- Results and their marks -----------------------------------------------------------------------------


@dataclass
class Row:
    person: PersonFacts | None = None
    company: CompanyFacts | None = None
    key: str = ""  # stable across runs: the first normalised identifier, or a digest of the facts
    record_id: int | None = None  # the team's Person or Company, when it has it
    lists: list = field(default_factory=list)  # names of the team's lists holding that record
    suppressed: bool = False
    emails: list = field(default_factory=list)  # (address, status) the team already knows
    phones: list = field(default_factory=list)  # (number, status)
    is_new: bool | None = None  # new since the saved search last ran (None: not a saved search's run)
    # Kept records are matched on identifiers: a row with none (a Lusha prospect before enrichment, a job's
    # company name) would make a new record at every keep, so it cannot be kept.
    keepable: bool = True
    # The provider's own id of the result when it is needed later and no identifier carries it: a Lusha
    # search's contactId, which its enrichment takes (the facts' lusha_id is the person's id, not this).
    ref: str = ""
    # The company heading a grouped search shows the row under (LeadIQ grouped search): its name, domain,
    # industry, size and how many people LeadIQ has there; None for other searches.
    group: dict | None = None

    @property
    def facts(self):
        return self.person or self.company

    @property
    def link(self):
        """The LinkedIn page of the row, rebuilt from its normalised id: a provider's own URL is never put
        in a link as it came (it could be a javascript: URL)."""
        if self.person:
            public_id = identifiers.linkedin_public_id(self.person.linkedin_url)
            return f"https://www.linkedin.com/in/{quote(public_id)}/" if public_id else ""
        slug = identifiers.company_linkedin_id(self.company.linkedin_url)
        return f"https://www.linkedin.com/company/{quote(slug)}/" if slug else ""

    @property
    def name(self):
        if self.person:
            return self.person.full_name or f"{self.person.first_name} {self.person.last_name}".strip()
        return self.company.name or self.company.domain


@dataclass
class Results:
    provider: str
    kind: str
    query: dict
    page: int
    rows: list
    finds: str
    total: int | None = None
    has_next: bool = False
    sequence_id: str = ""
    call_id: int | None = None
    credits: dict = field(default_factory=dict)
    request_id: str = ""  # Lusha's requestId of the search, which its enrichment takes

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def cost_text(self):
        return describe_credits(self.credits) or "free"


def run_search(*, team, user, provider, kind, query, page=1, sequence_id="", saved=None, continue_run=False):
    """One page of a search, its rows marked. Raises SearchFailed, in words, when there is no page: no
    key, a refusal, a rate limit. With `saved`, this page starts a new run of it (the run before becomes
    its previous one) or, with `continue_run` (a paging link of a run), adds to the run in progress;
    either way rows not among the previous run's results are marked new."""
    search = search_kind(provider, kind)
    params = search_params(provider=provider, kind=kind, query=query, page=page, sequence_id=sequence_id)
    # A saved search's run: its spend names it (the ledger's purpose and belongs_to).
    part_of = {}
    if saved is not None:
        part_of = {"purpose": f"Saved search “{saved.name}”", "belongs_to": f"saved_search:{saved.pk}"}
    try:
        result = call_provider(
            team=team, user=user, provider=provider, endpoint=search.endpoint, **part_of, **params
        )
    except ProviderError as error:
        raise failure_in_words(provider, error) from None
    call = result.log
    client = PROVIDERS[provider]
    data = result.data
    if (provider, kind) == ("lusha", "contacts"):
        rows = _lusha_contact_rows(data)
    elif (provider, kind) == ("leadiq", "grouped"):
        rows = _leadiq_grouped_rows(data)
    elif search.finds == "people":
        rows = [Row(person=facts) for facts in client.people_from(search.endpoint.__name__, data)]
    else:
        rows = [Row(company=facts) for facts in client.companies_from(search.endpoint.__name__, data)]
    results = Results(
        provider=provider,
        kind=kind,
        query=query,
        page=page,
        rows=rows,
        finds=search.finds,
        call_id=call.pk if call else None,
        credits=dict(call.credits) if call else {},
        **_paging(provider, data, page, len(rows), kind),
    )
    if saved is not None and not continue_run:
        start_run(saved)
    mark_rows(team=team, rows=rows, previous_keys=saved.previous_result_keys if saved else None)
    if saved is not None:
        record_run(saved=saved, user=user, results=results)
    return results


def _lusha_contact_rows(data):
    """A Lusha contact search's rows, each with its contactId (enrichment asks for contacts by it)."""
    rows = []
    items = data.get("contacts") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        for facts in LushaClient.people_from("search_contacts", {"contacts": [item]}):
            contact_id = item.get("contactId") if isinstance(item, dict) else None
            rows.append(Row(person=facts, ref=contact_id if isinstance(contact_id, str) else ""))
    return rows


def _leadiq_grouped_rows(data):
    """A grouped search's people, each with its group's company: the person's own company facts are
    completed from the group's (a kept person keeps its company's domain), and the row carries the
    heading the page shows."""
    rows = []
    groups = data.get("companies") if isinstance(data, dict) else None
    for group in groups if isinstance(groups, list) else []:
        one = {"companies": [group]}
        company = next(iter(LeadiqClient.companies_from("grouped_advanced_search", one)), CompanyFacts())
        total = group.get("totalContactsInCompany") if isinstance(group, dict) else None
        heading = {
            "key": company.leadiq_id or company.domain or company.name,
            "name": company.name or company.domain,
            "domain": company.domain,
            "industry": company.industry,
            "size": company.size,
            "total": total if isinstance(total, int) else None,
        }
        for person in LeadiqClient.people_from("grouped_advanced_search", one):
            person = replace(
                person,
                company_name=person.company_name or company.name,
                company_domain=person.company_domain or company.domain,
                company_linkedin_url=person.company_linkedin_url or company.linkedin_url,
            )
            rows.append(Row(person=person, group=heading))
    return rows


def _paging(provider, data, page, count, kind=""):
    data = data if isinstance(data, dict) else {}
    if kind == "job_hirers":  # one answer, no pages
        return {"total": count, "has_next": False}
    if kind == "connections":  # paged by start and count, without a total
        return {"total": None, "has_next": count >= LIX_CONNECTIONS_PAGE_SIZE}
    if provider == "lix":
        total, start, size = data.get("total"), data.get("start") or 0, data.get("count") or count
        has_next = count > 0 and (total is None or start + max(size, count) < total)
        return {"total": total, "has_next": has_next, "sequence_id": data.get("sequence_id") or ""}
    if provider == "lusha":
        total = data.get("totalResults") if isinstance(data.get("totalResults"), int) else None
        has_next = count > 0 and (total is None or page * LUSHA_PAGE_SIZE < total)
        request_id = data.get("requestId") if isinstance(data.get("requestId"), str) else ""
        return {"total": total, "has_next": has_next, "request_id": request_id}
    if kind == "grouped":  # paged by companies
        total = data.get("totalCompanies") if isinstance(data.get("totalCompanies"), int) else None
        companies = len(data.get("companies") or []) if isinstance(data.get("companies"), list) else 0
        has_next = companies > 0 and (total is None or page * LEADIQ_GROUPS_PAGE_SIZE < total)
        return {"total": total, "has_next": has_next}
    if "totalResults" in data:  # a company search: one answer of every match, no pages
        total = data.get("totalResults") if isinstance(data.get("totalResults"), int) else None
        return {"total": total, "has_next": False}
    total = data.get("totalPeople") if isinstance(data.get("totalPeople"), int) else None
    has_next = count > 0 and (total is None or page * LEADIQ_PAGE_SIZE < total)
    return {"total": total, "has_next": has_next}


def row_keys(row):
    return person_keys(row.person) if row.person else company_keys(row.company)


def mark_rows(*, team, rows, previous_keys=None):
    """Mark each row with what the team knows, in six queries whatever the number of rows: identifiers,
    contact points, list entries, and the three of `suppressed_flags`."""
    if not rows:
        return rows
    keys = [row_keys(row) for row in rows]
    for row, found in zip(rows, keys, strict=True):
        row.key = f"{found[0][0]}:{found[0][1]}" if found else _digest(row.facts)
        row.keepable = bool(found)
        if previous_keys is not None:
            row.is_new = row.key not in set(previous_keys)
    target = "person" if rows[0].person else "company"

    wanted = defaultdict(set)
    for found in keys:
        for kind, value in found:
            wanted[kind].add(value)
    known = {}
    if wanted:
        match = Q()
        for kind, values in wanted.items():
            match |= Q(kind=kind, value__in=values)
        known = {
            (kind, value): pk
            for kind, value, pk in Identifier.objects.for_team(team)
            .filter(match, **{f"{target}__isnull": False})
            .values_list("kind", "value", f"{target}_id")
        }
    for row, found in zip(rows, keys, strict=True):
        row.record_id = next((known[key] for key in found if key in known), None)
    records = {row.record_id for row in rows if row.record_id}

    points = defaultdict(list)
    if target == "person" and records:
        for pk, kind, value, status in (
            ContactPoint.objects.for_team(team)
            .filter(person_id__in=records)
            .order_by("kind", "value")
            .values_list("person_id", "kind", "value", "status")
        ):
            points[pk].append((kind, value, status))
    lists = defaultdict(list)
    if records:
        for pk, name in (
            ListEntry.objects.for_team(team)
            .filter(**{f"{target}_id__in": records})
            .values_list(f"{target}_id", "prospect_list__name")
        ):
            lists[pk].append(name)

    for row in rows:
        row.emails = [(v, s) for k, v, s in points.get(row.record_id, ()) if k == ContactKind.EMAIL]
        row.phones = [(v, s) for k, v, s in points.get(row.record_id, ()) if k == ContactKind.PHONE]
        row.lists = sorted(set(lists.get(row.record_id, ())))
    # The one suppression rule (services/suppression.py), so a search row is marked exactly as the enrich,
    # export and push paths refuse it. A company row is asked about as a person at that company.
    flags = suppressed_flags(team=team, facts=[_suppression_facts(row) for row in rows])
    for row, flag in zip(rows, flags, strict=True):
        row.suppressed = flag
    return rows


def _suppression_facts(row):
    if row.person:
        return row.person
    return PersonFacts(
        company_domain=row.company.domain,
        company_linkedin_url=row.company.linkedin_url or row.company.linkedin_id,
    )


def _digest(facts):
    text = "|".join(str(value) for value in asdict(facts).values())
    return "facts:" + hashlib.sha256(text.encode()).hexdigest()[:16]


# --- Carrying a page of results between requests (the form holds them, signed) ----------------------------


def results_state(results):
    """What a results page needs to be shown again or kept without calling the provider again."""
    return {
        "provider": results.provider,
        "kind": results.kind,
        "query": results.query,
        "page": results.page,
        "total": results.total,
        "has_next": results.has_next,
        "sequence_id": results.sequence_id,
        "call_id": results.call_id,
        "credits": results.credits,
        "request_id": results.request_id,
        "rows": [asdict(row.facts) for row in results.rows],
        "refs": [row.ref for row in results.rows],
        "groups": [row.group for row in results.rows],
    }


def results_from_state(*, team, state, previous_keys=None):
    """A results page rebuilt from `results_state`, marked afresh (no provider call)."""
    search = search_kind(state["provider"], state["kind"])
    facts = PersonFacts if search.finds == "people" else CompanyFacts
    rows = []
    for item in state.get("rows", []):
        item = {name: value for name, value in item.items() if name in facts.__dataclass_fields__}
        for name in ("emails", "phones"):
            if name in item:
                item[name] = tuple(tuple(pair) for pair in item[name])
        made = facts(**item)
        rows.append(Row(person=made) if search.finds == "people" else Row(company=made))
    refs = state.get("refs") or []
    for row, ref in zip(rows, refs, strict=False):
        row.ref = ref if isinstance(ref, str) else ""
    for row, group in zip(rows, state.get("groups") or [], strict=False):
        row.group = group if isinstance(group, dict) else None
    results = Results(
        provider=state["provider"],
        kind=state["kind"],
        query=state.get("query") or {},
        page=state.get("page") or 1,
        rows=rows,
        finds=search.finds,
        total=state.get("total"),
        has_next=bool(state.get("has_next")),
        sequence_id=state.get("sequence_id") or "",
        call_id=state.get("call_id"),
        credits=state.get("credits") or {},
        request_id=state.get("request_id") or "",
    )
    mark_rows(team=team, rows=rows, previous_keys=previous_keys)
    return results


def keep_results(*, team, user, results, selected):
    """Keep the rows at the `selected` indexes as the team's records, with the search's call as their
    provenance; rows nothing identifies are skipped. Returns the people or companies kept."""
    rows = [results.rows[i] for i in sorted(set(selected)) if 0 <= i < len(results.rows)]
    rows = [row for row in rows if row.keepable]
    call = ProviderCall.objects.for_team(team).filter(pk=results.call_id).first() if results.call_id else None
    if results.finds == "people":
        return keep_people(
            team=team, user=user, facts=[row.person for row in rows], source=results.provider, call=call
        )
    return keep_companies(
        team=team, user=user, facts=[row.company for row in rows], source=results.provider, call=call
    )


# --- Enriching selected Lusha contacts (spends credits) --------------------------------------------------


@dataclass
class Enrichment:
    rows: list  # the selected rows that may be enriched
    refused: int  # selected rows on the do-not-contact list: never enriched


def plan_enrichment(*, team, results, selected):
    """Which selected rows of a Lusha contact search may be enriched: suppressed people (by the one rule,
    and `ensure_contactable` for those the team keeps) are left out. What it costs is the quote's
    (services/quotes.py, `quote_lusha_enrichment`)."""
    if (results.provider, results.kind) != ("lusha", "contacts"):
        raise ValueError("Only a Lusha contact search's results can be enriched.")
    chosen = [results.rows[i] for i in sorted(set(selected)) if 0 <= i < len(results.rows)]
    chosen = [row for row in chosen if row.ref]
    kept = {row.record_id for row in chosen if row.record_id}
    cleared = set()
    if kept:
        clearance = ensure_contactable(team=team, people=kept, purpose=Purpose.ENRICH)
        cleared = set(clearance.people.values_list("pk", flat=True))
    allowed = [
        row for row in chosen if not row.suppressed and (not row.record_id or row.record_id in cleared)
    ]
    return Enrichment(rows=allowed, refused=len(chosen) - len(allowed))


def _enrich_params(results, rows):
    return {"request_id": results.request_id, "contact_ids": [row.ref for row in rows]}


def enrich_contacts(*, team, user, results, selected):
    """Enrich the selected rows of a Lusha contact search (suppressed people left out, as planned), and
    keep the people it reveals with the enrichment call as their provenance. Returns (plan, people kept).
    Raises SearchFailed, in words, when Lusha refuses."""
    plan = plan_enrichment(team=team, results=results, selected=selected)
    if not plan.rows:
        return plan, []
    try:
        result = call_provider(
            team=team,
            user=user,
            provider="lusha",
            endpoint=LushaClient.enrich_contacts,
            **_enrich_params(results, plan.rows),
        )
    except ProviderError as error:
        raise failure_in_words("lusha", error) from None
    call = result.log
    facts = LushaClient.people_from("enrich_contacts", result.data)
    return plan, keep_people(team=team, user=user, facts=facts, source="lusha", call=call)


# --- Saved searches ----------------------------------------------------------------------------------------


def save_search(*, team, user, name, shared, results):
    """Save the search these results came from, this run counting as its last run."""
    saved = SavedSearch.objects.create(
        team=team,
        owner=user,
        name=name,
        provider=results.provider,
        kind=results.kind,
        query=results.query,
        shared=shared,
    )
    record_run(saved=saved, user=user, results=results)
    return saved


def start_run(saved):
    """A new run of a saved search: the run so far becomes the one its pages are compared with."""
    saved.previous_result_keys = saved.last_result_keys
    saved.last_result_keys = []


def record_run(*, saved, user, results):
    """Adds a page's results to the saved search's run in progress (`start_run` begins one)."""
    saved.last_run_at = timezone.now()
    saved.last_run_by = user
    saved.last_result_count = results.total if results.total is not None else len(results.rows)
    seen = set(saved.last_result_keys)
    saved.last_result_keys = saved.last_result_keys + [
        key for key in dict.fromkeys(row.key for row in results.rows) if key not in seen
    ]
    saved.save(
        update_fields=[
            "last_run_at",
            "last_run_by",
            "last_result_count",
            "last_result_keys",
            "previous_result_keys",
        ]
    )
