"""Lix (api.lix-it.com): LinkedIn, Sales Navigator and Recruiter data, enrichment and email lookup.

Sources are providers.md section 2: [S] the seeds 000/001, [E1] lix-it/api-docs, [E2] lix-it/api-examples.
"""

import math
import re
import secrets
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from prospecting.providers.base import (
    BaseClient,
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    Pending,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    error_for_status,
    message_from,
    parse_retry_after,
)

# Re-exported: the billing facts were long read from here.
from prospecting.providers.lix_billing import (  # noqa: F401
    CREDIT_TYPES,
    credits_charged,
    credits_for_error,
    max_credits,
)
from prospecting.providers.lix_facts import companies_from, people_from

# `queued` says "try again in a few minutes", with no figure [S]; the default limit is 1 request per 3 s [S].
QUEUED_RETRY_SECONDS = 180.0
RATE_LIMIT_SECONDS = 3.0

# Where each paged answer keeps its items. Current docs first; then the seed's keys, which put jobs under
# `people` and orgs under `posts` [S][E1].
PAGE_ITEM_KEYS = {
    "search_people": ("people",),
    "search_jobs": ("jobPostings", "people"),
    "search_posts": ("posts",),
    "search_orgs": ("orgs", "organisations", "posts"),
    "search_sales_people": ("people",),
    "search_recruiter_people": ("people",),
    "connections": ("elements",),
}
# Results per search page. Sales Navigator and Recruiter pages hold 25 [S][E2]; a LinkedIn people search
# page 10, as Lix's own pagination example reckons `page` from `start` [E2] (the seed's sample answer shows
# count 25 there, the Sales Navigator sample's figure); job, post and organisation pages 10 [S].
PAGE_SIZES = {
    "search_people": 10,
    "search_jobs": 10,
    "search_posts": 10,
    "search_orgs": 10,
    "search_sales_people": 25,
    "search_recruiter_people": 25,
}
# A LinkedIn or Sales Navigator search URL's own page number: in its query, or (Sales Navigator puts
# its search after a `#`) in its fragment, where Lix's example appends `&page=N` [E2].
PAGE_IN_URL = re.compile(r"(?<=[?#&])page=(\d{1,6})(?=&|$)")
# Search pages come wrapped in `searchResponse` (seed), unwrapped (docs since 2026-08-20) [S][E1], or in
# `response` (a comment in Lix's LinkedIn pagination example [E2]); connections in `connections_response` [S].
PAGE_WRAPPERS = ("searchResponse", "response", "connections_response")

# The Recruiter facet's path: as Lix's docs fixed it (commit f9e112d, 2024-02-29, "incorrect facet URL"),
# then as the seed gives it [S][E1]. A key asks the first unless its option `recruiter_facet_path` names
# the other: trying both in turn would send two requests inside one slot of Lix's 1 call / 3 s (a 429).
RECRUITER_FACET_PATHS = ("/v1/li/recruiter/search/facet", "/v1/search/recruiter/facet")
# The 404s that answer "no such record" rather than "no such route" [S].
NO_RECORD_TYPES = ("unknown_record", "not_found")

BALANCE_LABELS = {"linkedInBalance": "Standard credits", "emailBalance": "Email credits"}

EXPLANATIONS = {
    "params_invalid": "Lix refused the request's parameters.",
    "unknown_record": "Lix has no record for this.",
    "not_found": "Lix has no record for this.",
    "unknown_route": "Lix does not know this endpoint (Lix may have changed its API).",
    "queued": "Lix queued the lookup; Quarry will ask again in a few minutes.",
    "rate_limit": "Lix's rate limit was reached; Quarry will wait before calling again.",
    "api_error": "Lix had an internal error; try again in a few minutes.",
    "viewer_invalid": "Lix does not accept this LinkedIn account (viewer_id): connect it to Lix, or fix the "
    "viewer_id in Provider keys.",
    "daily_limit": "Lix's daily limit for this endpoint is reached; it resets every day.",
}
KIND_CLASSES = {
    "params_invalid": InvalidInput,
    "unknown_record": NotFound,
    "not_found": NotFound,  # seen only in Lix's org-by-domain example, as a 400 [E2]
    "unknown_route": InvalidInput,
    "api_error": ProviderUnavailable,
    "viewer_invalid": KeyRejected,
}


def _unknown_route(error):
    """A 404 that is not a "no record" answer: Lix (or a proxy before it) does not know the path."""
    return error.status == 404 and error.provider_code not in NO_RECORD_TYPES


def new_sequence_id():
    """A random id keeping Lix's crawler settings stable across the pages of one search [S]."""
    return secrets.token_hex(12)


class LixClient(BaseClient):
    slug = "lix"
    base_url_setting = "LIX_API_URL"
    default_rate_limits = "1/3s"  # 429 beyond it [S]
    default_options = {"recruiter_facet_path": RECRUITER_FACET_PATHS[0]}

    @classmethod
    def balance_endpoints(cls):
        # Lix reports its daily allowance apart from its credit balances [E1].
        return (cls.balances, cls.daily_allowance)

    def auth_headers(self):
        # The raw key, no scheme; never the `api_key` query variant, which would put the key in URLs [S].
        return {"Authorization": self.secret}

    # --- Account -------------------------------------------------------------------------------

    def check(self):
        return self.balances()

    def balances(self):
        return self.request("GET", "/v1/account/balances", endpoint="balances")

    def daily_allowance(self):
        return self.request("GET", "/v1/account/allowances/daily", endpoint="daily_allowance")

    def connections(self, *, viewer_id=None, count=1000, start=0):
        params = {
            "viewer_id": self._viewer(viewer_id, required=True),
            "count": _count(count),
            "start": _start(start),
        }
        return self.request("GET", "/v1/connections", endpoint="connections", params=params)

    # --- Disambiguation --------------------------------------------------------------------------

    def person_ids(self, *, sales_nav_id="", li_flagship_id="", lix_id=""):
        params = _one_id(sales_nav_id=sales_nav_id, li_flagship_id=li_flagship_id, lix_id=lix_id)
        return self.request("GET", "/v1/person/ids", endpoint="person_ids", params=params)

    def organisation_ids(self, *, sales_nav_id="", li_flagship_id="", lix_id=""):
        params = _one_id(sales_nav_id=sales_nav_id, li_flagship_id=li_flagship_id, lix_id=lix_id)
        return self.request("GET", "/v1/organisation/ids", endpoint="organisation_ids", params=params)

    # --- Enrichment ------------------------------------------------------------------------------

    def person_by_linkedin(self, profile_link, *, viewer_id=None):
        params = {
            "profile_link": _linkedin_url(profile_link, "profile_link"),
            "viewer_id": self._viewer(viewer_id),
        }
        return self.request("GET", "/v1/person", endpoint="person_by_linkedin", params=params)

    def organisation_by_linkedin(self, *, linkedin_url="", sales_nav_url="", viewer_id=None):
        if bool(linkedin_url) == bool(sales_nav_url):
            raise InvalidInput("Give exactly one of linkedin_url or sales_nav_url.")
        name = "linkedin_url" if linkedin_url else "sales_nav_url"
        params = {
            name: _linkedin_url(linkedin_url or sales_nav_url, name),
            "viewer_id": self._viewer(viewer_id),
        }
        return self.request(
            "GET", "/v1/organisations/by-linkedin", endpoint="organisation_by_linkedin", params=params
        )

    def enrich_job(self, job_id, *, viewer_id=None):
        params = {"job_id": _job_id(job_id), "viewer_id": self._viewer(viewer_id)}
        return self.request("GET", "/v1/enrich/job", endpoint="enrich_job", params=params)

    def enrich_post(self, post_urn, *, viewer_id=None):
        params = {"post_urn": _post_urn(post_urn), "viewer_id": self._viewer(viewer_id)}
        return self.request("GET", "/v1/enrich/post", endpoint="enrich_post", params=params)

    def job_hirers(self, job_id, *, viewer_id=None):
        params = {"job_id": _job_id(job_id), "viewer_id": self._viewer(viewer_id)}
        return self.request("GET", "/v1/li/linkedin/jobs/hirers", endpoint="job_hirers", params=params)

    # --- Search (one page per call; keep the returned sequence_id for the next page) ------------------

    def search_people(self, url, *, start=None, sequence_id=None, viewer_id=None):
        return self._search(
            "search_people", "/v1/li/linkedin/search/people", url, start, sequence_id, viewer_id
        )

    def search_jobs(self, url, *, start=None, sequence_id=None, viewer_id=None):
        return self._search("search_jobs", "/v1/li/linkedin/search/jobs", url, start, sequence_id, viewer_id)

    def search_posts(self, url, *, start=None, sequence_id=None, viewer_id=None):
        return self._search(
            "search_posts", "/v1/li/linkedin/search/posts", url, start, sequence_id, viewer_id
        )

    def search_orgs(self, url, *, start=None, sequence_id=None, viewer_id=None):
        return self._search("search_orgs", "/v1/li/linkedin/search/orgs", url, start, sequence_id, viewer_id)

    def search_sales_people(self, url, *, start=None, sequence_id=None, viewer_id=None):
        return self._search(
            "search_sales_people", "/v1/li/sales/search/people", url, start, sequence_id, viewer_id
        )

    def search_recruiter_people(self, skills, *, start=0, sequence_id=None, viewer_id=None):
        """A GET with a JSON body [S]: some proxies drop GET bodies, so a 400 here may mean exactly that."""
        sequence_id = sequence_id or new_sequence_id()
        body = {"skills": _skills(skills), "start": _start(start)}
        endpoint = "search_recruiter_people"
        params = {"viewer_id": self._viewer(viewer_id), "sequence_id": str(sequence_id)}
        result = self.request(
            "GET",
            "/v1/li/recruiter/search/people",
            endpoint="search_recruiter_people",
            params=params,
            json_body=body,
        )
        return _fill_page(result, sequence_id, body["start"], PAGE_SIZES[endpoint])

    def sales_facet(self, query, facet_type, *, count=100, start=0, viewer_id=None):
        """facet_type: BING_GEO, BING_GEO_POSTAL_CODE, COMPANY_WITH_LIST, SENIORITY_V2, TITLE, INDUSTRY,
        GROUP, SCHOOL, COMPANY_TYPE, FUNCTION, COMPANY_SIZE, TENURE or PROFILE_LANGUAGE [E1]. Not enforced:
        the seed's own example sends SENIORITY, which is not in that list."""
        params = self._facet_params(query, facet_type, count, start, viewer_id)
        return self.request("GET", "/v1/search/sales/facet", endpoint="sales_facet", params=params)

    def recruiter_facet(self, query, *, facet_type="skill", count=100, start=0, viewer_id=None):
        """The parameter table says `q` but every example sends `type` [E1]. The path is the key's option
        `recruiter_facet_path`, by default the one Lix's docs fixed (commit f9e112d)."""
        params = self._facet_params(query, facet_type, count, start, viewer_id)
        path = self.options.get("recruiter_facet_path") or self.default_options["recruiter_facet_path"]
        if path not in RECRUITER_FACET_PATHS:
            raise InvalidInput(f"The key option recruiter_facet_path must be one of {RECRUITER_FACET_PATHS}.")
        try:
            return self.request("GET", path, endpoint="recruiter_facet", params=params)
        except ProviderError as error:
            if not _unknown_route(error):
                raise
            other = RECRUITER_FACET_PATHS[1 - RECRUITER_FACET_PATHS.index(path)]
            message = (
                f"Lix does not know the Recruiter facet path {path}: a team admin can set the Lix key's "
                f"option “Recruiter facet path” to {other} under Provider keys."
            )
            raise InvalidInput(
                message, status=404, call=error.call, provider_code=error.provider_code or "unknown_route"
            ) from None

    # --- Contact ---------------------------------------------------------------------------------

    def email_by_linkedin(self, url):
        params = {"url": _linkedin_url(url, "url")}
        return self.request(
            "GET", "/v1/contact/email/by-linkedin", endpoint="email_by_linkedin", params=params
        )

    # --- Plumbing --------------------------------------------------------------------------------

    def _search(self, endpoint, path, url, start, sequence_id, viewer_id):
        """One page of a pasted search. `start` is documented for posts search only [S]; Lix's examples
        page the others through `page=N` inside the search URL [E2]. So the two always agree: without a
        `start`, the URL's own page is the one asked for (page 3 of a people search starts at 20), and
        with one, the URL asks for the page that `start` falls on, whichever of the two Lix reads."""
        sequence_id = sequence_id or new_sequence_id()
        url, size = _linkedin_url(url, "url"), PAGE_SIZES[endpoint]
        if start is None:
            start = (_page_in(url) - 1) * size
        elif endpoint != "search_posts":  # posts: `start` is the documented way [S]
            url = _with_page(url, _start(start) // size + 1)
        params = {
            "url": url,
            "start": _start(start),
            "sequence_id": str(sequence_id),
            "viewer_id": self._viewer(viewer_id),
        }
        return _fill_page(
            self.request("GET", path, endpoint=endpoint, params=params), sequence_id, params["start"], size
        )

    def _facet_params(self, query, facet_type, count, start, viewer_id):
        return {
            "query": _text(query, "query"),
            "type": _text(facet_type, "facet_type"),
            "count": _count(count),
            "start": _start(start),
            "viewer_id": self._viewer(viewer_id),
        }

    def _viewer(self, viewer_id=None, *, required=False):
        viewer = viewer_id or self.options.get("viewer_id") or ""
        viewer = str(viewer).strip()
        if required and not viewer:
            raise InvalidInput(
                "This Lix call needs a viewer_id (the LinkedIn id of an account connected to Lix): "
                "set it in the Lix key's options."
            )
        return viewer or None

    def error_from(self, status, data, headers):
        error = data.get("error") if isinstance(data, dict) else None
        kind = error.get("type") if isinstance(error, dict) and isinstance(error.get("type"), str) else ""
        if status < 400 and not kind:
            return None
        said = message_from(error, "message") if isinstance(error, dict) else message_from(data)
        explanation = EXPLANATIONS.get(kind) or (EXPLANATIONS["viewer_invalid"] if status == 407 else "")
        message = f"{explanation} Lix said: {said}" if explanation and said else explanation or said
        wait = parse_retry_after(headers.get("retry-after"))
        common = {"status": status, "provider_code": kind}
        if kind == "queued":
            return Pending(message, retry_after=QUEUED_RETRY_SECONDS if wait is None else wait, **common)
        if kind == "rate_limit" or (status == 429 and kind != "daily_limit"):
            return RateLimited(message, retry_after=RATE_LIMIT_SECONDS if wait is None else wait, **common)
        if kind == "daily_limit":
            # A quota that refreshes daily (see daily_allowance's refreshesAt), not an empty account.
            return OutOfCredits(message, retry_after=wait, permanent=False, **common)
        if kind in KIND_CLASSES:
            return KIND_CLASSES[kind](message, **common)
        if status == 407:
            return KeyRejected(message, **common)
        if status < 400:
            return MalformedResponse(f"Lix answered with an unknown error type {kind[:50]!r}.", **common)
        return error_for_status(status, message, provider_code=kind)

    def parse(self, endpoint, data):
        if not isinstance(data, dict):
            raise MalformedResponse("Lix's answer was not a JSON object.")
        if endpoint in PAGE_ITEM_KEYS:
            return _page(data, PAGE_ITEM_KEYS[endpoint])
        parser = PARSERS.get(endpoint)
        return parser(data) if parser else data


# --- Input checks (Lix bills most calls, so refuse what cannot work before calling) ------------------


def _text(value, name):
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise InvalidInput(f"{name} is required.")
    return str(value).strip()


def _start(value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput("start must be a whole number, 0 or more.")
    return value


def _count(value):
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise InvalidInput("count must be a whole number between 1 and 10,000.")
    return value


def _linkedin_url(value, name):
    value = _text(value, name)
    if value.lower().startswith(("http%3a", "https%3a")):
        value = unquote(value)  # already encoded once: requests encodes it again, so undo it here
    if "://" not in value:
        value = f"https://{value}"
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        host, parts = "", None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not (host == "linkedin.com" or host.endswith(".linkedin.com"))
    ):
        raise InvalidInput(f"{name} must be a LinkedIn URL (https://www.linkedin.com/...).")
    return value


def _page_in(url):
    """The page number a search URL carries (1 when none, or when it reads 0)."""
    found = PAGE_IN_URL.search(url)
    return max(int(found.group(1)), 1) if found else 1


def _with_page(url, page):
    """The URL with its own page number set to `page`; a URL without one gets `&page=N` at its end, as
    Lix's examples add it [E2], unless the page is the first."""
    if PAGE_IN_URL.search(url):
        return PAGE_IN_URL.sub(f"page={page}", url)
    if page == 1:
        return url
    separator = "" if url.endswith(("?", "&", "#")) else "&" if ("?" in url or "#" in url) else "?"
    return f"{url}{separator}page={page}"


def _job_id(value):
    value = _text(value, "job_id")
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput("job_id must be the numeric LinkedIn job id.")
    return value


def _post_urn(value):
    value = _text(value, "post_urn")
    value = unquote(value) if "%3a" in value.lower() else value  # Lix shows URNs encoded; requests encodes
    if not value.startswith("urn:li:"):
        raise InvalidInput("post_urn must be a LinkedIn URN such as urn:li:activity:7019605025920286720.")
    return value


def _one_id(**ids):
    given = {name: str(value).strip() for name, value in ids.items() if value and str(value).strip()}
    if len(given) != 1:
        raise InvalidInput("Give exactly one of sales_nav_id, li_flagship_id or lix_id.")
    return given


def _skills(skills):
    if not isinstance(skills, list | tuple) or not skills:
        raise InvalidInput("skills must list at least one skill.")
    cleaned = []
    for skill in skills:
        if not isinstance(skill, dict) or not skill.get("text") or not skill.get("entity"):
            raise InvalidInput("Each skill needs `text` and `entity` (from recruiter_facet).")
        cleaned.append(
            {
                "text": str(skill["text"]),
                "entity": str(skill["entity"]),
                "negated": bool(skill.get("negated", False)),
                "required": bool(skill.get("required", False)),
                "selected": bool(skill.get("selected", True)),
            }
        )
    return cleaned


# --- Answer shapes ------------------------------------------------------------------------------------


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 20:
        return int(value)
    return None


def _id(value):
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _page(data, item_keys, wrappers=PAGE_WRAPPERS):
    """One page as {items, total, start, count, sequence_id, raw}, whatever the envelope."""
    body = next((data[key] for key in wrappers if isinstance(data.get(key), dict)), data)
    items = next((body[key] for key in item_keys if body.get(key) is not None), [])
    paging = body.get("paging") or data.get("paging") or {}
    meta = data.get("meta") or body.get("meta") or {}
    if not isinstance(items, list) or not isinstance(paging, dict) or not isinstance(meta, dict):
        raise MalformedResponse("Lix sent a page Quarry could not read.")
    count = _int(paging.get("count"))
    return {
        "items": items,
        "total": _int(paging.get("total")),
        "start": _int(paging.get("start")),
        "count": len(items) if count is None else count,
        "sequence_id": _id(meta.get("sequenceId") or data.get("sequenceId")),
        "raw": data,
    }


def _fill_page(result, sequence_id, start, size):
    """Keep the caller's sequence_id when Lix echoes none back, so the next page continues the same search,
    and say where this page sits: its number, and the `start` of the next page (None after the last)."""
    page = result.data
    page["sequence_id"] = page["sequence_id"] or str(sequence_id)
    if page["start"] is None:
        page["start"] = start
    following = page["start"] + (page["count"] or len(page["items"]))
    more = bool(page["items"]) and (page["total"] is None or following < page["total"])
    page.update(page_size=size, page=page["start"] // size + 1, next_start=following if more else None)
    return result


def _facet(data, wrappers, item_keys, id_key, text_key):
    page = _page(data, item_keys, wrappers)
    if not all(isinstance(item, dict) for item in page["items"]):
        raise MalformedResponse("Lix sent facet values Quarry could not read.")
    page["items"] = [{"id": _id(item.get(id_key)), "text": _id(item.get(text_key))} for item in page["items"]]
    return page


def _balances(data):
    rows = [{"label": label, "value": data[key]} for key, label in BALANCE_LABELS.items() if key in data]
    rows += [
        {"label": key, "value": value}
        for key, value in data.items()
        if key not in BALANCE_LABELS and isinstance(value, int | float) and not isinstance(value, bool)
    ]
    if not rows or any(_number(row["value"]) is None for row in rows):
        raise MalformedResponse("Lix sent balances Quarry could not read.")
    return [{"label": row["label"], "value": _number(row["value"])} for row in rows]


def _number(value):
    if isinstance(value, float) and math.isfinite(value):
        return value
    return _int(value)


def _daily_allowance(data):
    remaining = _number(data.get("requestsRemaining"))
    if remaining is None:
        raise MalformedResponse("Lix sent a daily allowance Quarry could not read.")
    rows = [{"label": "Requests remaining today", "value": remaining}]
    refreshes = _number(data.get("refreshesAt"))  # unix seconds [S]
    if refreshes is not None:
        try:
            when = f"{datetime.fromtimestamp(refreshes, UTC):%Y-%m-%d %H:%M} UTC"
        except (OverflowError, OSError, ValueError):
            raise MalformedResponse("Lix sent a refresh time Quarry could not read.") from None
        rows.append({"label": "Daily allowance refreshes at", "value": when})
    return rows


def _person_ids(data):
    # The example answer says `person_ids` with `lixID`, the object description `personIds` with `uuid` [S].
    ids = data.get("person_ids") or data.get("personIds")
    if not isinstance(ids, dict):
        raise MalformedResponse("Lix sent person ids Quarry could not read.")
    links = data.get("links") if isinstance(data.get("links"), dict) else {}
    return {
        "li_id": _id(ids.get("liID")),
        "sales_nav_id": _id(ids.get("salesNavID")),
        "lix_id": _id(ids.get("lixID") or ids.get("uuid")),
        "links": links,
        "raw": data,
    }


def _organisation_ids(data):
    # Wrapped in `organisationIds` in the example answer, bare in the object description [S].
    ids = data.get("organisationIds") or data.get("organisation_ids") or data
    if not isinstance(ids, dict) or not any(
        ids.get(key) for key in ("id", "liID", "salesNavID", "uuid", "lixID")
    ):
        raise MalformedResponse("Lix sent organisation ids Quarry could not read.")
    return {
        "id": _id(ids.get("id")),
        "name": _id(ids.get("name")),
        "li_id": _id(ids.get("liID")),
        "sales_nav_id": _id(ids.get("salesNavID")),
        "lix_id": _id(ids.get("uuid") or ids.get("lixID")),
        "raw": data,
    }


def _organisation(data):
    organisation = data.get("liOrganisation", data)
    if not isinstance(organisation, dict):
        raise MalformedResponse("Lix sent an organisation Quarry could not read.")
    return organisation


def _hirers(data):
    people = data.get("people") or []
    if not isinstance(people, list):
        raise MalformedResponse("Lix sent job hirers Quarry could not read.")
    return {"people": people}


def _email(data):
    # Only VALID costs an email credit [S]; "Probable" answers carry alternatives and are worth re-asking.
    status = data.get("status") if isinstance(data.get("status"), str) else ""
    alternatives = data.get("alternatives") or []
    if not isinstance(alternatives, list):
        raise MalformedResponse("Lix sent email alternatives Quarry could not read.")
    email = data.get("email") if isinstance(data.get("email"), str) else ""
    return {
        "email": email,
        "status": status.upper(),
        "valid": status.upper() == "VALID",
        "alternatives": [alt for alt in alternatives if isinstance(alt, str)],
        "raw": data,
    }


PARSERS = {
    "balances": _balances,
    "daily_allowance": _daily_allowance,
    "person_ids": _person_ids,
    "organisation_ids": _organisation_ids,
    "organisation_by_linkedin": _organisation,
    "job_hirers": _hirers,
    "email_by_linkedin": _email,
    "sales_facet": lambda data: _facet(data, ("data",), ("elements",), "id", "displayValue"),
    "recruiter_facet": lambda data: _facet(data, (), ("results",), "entity", "text"),
}


LixClient.people_from = staticmethod(people_from)
LixClient.companies_from = staticmethod(companies_from)
