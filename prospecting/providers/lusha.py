"""Lusha V2 (api.lusha.com): person and company enrichment, prospecting, signals and account usage.

Sources are providers.md section 5: [S] the seed 003, [E10] Lusha's V2 OpenAPI spec (archived by
api-evangelist/lusha), [E11] the V3 spec, [E12] docs.lusha.com pages, [E13] Lusha's MCP server.

- Auth is the `api_key` header, with an underscore [S][E10]: some proxies drop such headers.
- Optional fields are snake_case keywords sent as Lusha's camelCase (`refresh_job_info` ->
  `refreshJobInfo`); list items (bulk contacts, companies) are Lusha's own objects.
- Per-record failures come inside HTTP 200 (`contact.error`, `isCreditCharged`) [E10]. They are outcomes,
  not errors: enrichment answers become records, each with `id`, `outcome` ("found", "not_found" or
  "error"), `error`, `credit_charged` (Lusha's flag; None when it sent none) and `data`.
- Quotas live in response headers [S][E10]: `wait_hint` turns an exhausted window into the Call's
  `retry_after`, and `rate_limit_state` gives the figures to the limiter.
- 451 is Lusha's GDPR refusal: final, never retried [S].
"""

import math
import re
import time
from datetime import datetime

from prospecting.providers.base import (
    BaseClient,
    InvalidInput,
    KeyRejected,
    LegalRefusal,
    NotFound,
    OutOfCredits,
    ProviderUnavailable,
    RateLimited,
    Result,
    message_from,
    parse_retry_after,
)

# Re-exported: the billing facts were long read from here.
from prospecting.providers.lusha_billing import (  # noqa: F401
    CREDIT_TYPE,
    DEFAULT_PRICES,
    credits_charged,
    credits_for_error,
    max_credits,
)
from prospecting.providers.lusha_facts import companies_from, people_from
from prospecting.providers.lusha_records import (
    COMPANY_SIGNALS,
    CONTACT_SIGNALS,
    PARSERS,
    as_number,
    bulk_contact,
    checked_batch,
    checked_fields,
    checked_filters,
    checked_int_id,
    checked_item,
    checked_pages,
    checked_signals,
    checked_text,
    filter_values,
    signal_contact,
    unique_ids,
    with_missing,
)

PERSON_FIELDS = (  # GET /v2/person query; from refresh_job_info on, also POST /v2/person `metadata` [E10]
    *("person_id", "email", "linkedin_url", "first_name", "last_name", "company_name", "company_domain"),
    *("refresh_job_info", "filter_by", "reveal_emails", "reveal_phones", "signals", "signals_start_date"),
    "partial_profile",
)
# GET /v2/company query, bulk company and signals options [E10]; signal sub-filters are for companies only.
COMPANY_FIELDS = ("domain", "company", "company_id", "signals", "signals_start_date", "partial_company")
BULK_COMPANY_FIELDS = ("signals", "signals_start_date", "signals_filters", "partial_company")
SIGNAL_FIELDS = ("start_date", "max_results_per_signal", "filters")
# Bulk company: the spec's path key is POST /v2/company while its description says /bulk/company/v2;
# providers.md says to test both [E10][E13]. The default is the path key, which Lusha's own MCP server
# calls [E13]; an account that answers on the other sets the key option `bulk_company_path`.
BULK_COMPANY_PATHS = ("/v2/company", "/bulk/company/v2")
# Prospecting filter look-ups [S][E10]: method -> (path under /prospecting/filters/, takes a search text).
FILTER_LOOKUPS = {
    "contact_departments": ("contacts/departments", False),
    "contact_seniorities": ("contacts/seniority", False),  # searches take the ids, not the names
    "contact_data_points": ("contacts/existing_data_points", False),
    "contact_countries": ("contacts/all_countries", False),
    "contact_locations": ("contacts/locations", True),
    "company_names": ("companies/names", True),
    "company_industries": ("companies/industries_labels", False),
    "company_sizes": ("companies/sizes", False),
    "company_revenues": ("companies/revenues", False),
    "company_locations": ("companies/locations", True),
    "company_sics": ("companies/sics", False),
    "company_naics": ("companies/naics", False),
    "company_intent_topics": ("companies/intent_topics", False),
    "company_technologies": ("companies/technologies", True),
}
# Quota headers per window. x-rate-limit-daily, x-daily-requests-left, x-daily-usage (and hourly, minute)
# are the seed's and the spec's [S][E10]; X-RateLimit-{Remaining,Reset}-Daily and the per-second
# RateLimit-{Limit,Remaining,Reset} (reset in seconds) the spec's 429 headers [E10]; X-RateLimit-Limit-day
# and kin the newer V2 overview page's [E12].
WINDOWS = {
    "second": (1, "second"),
    "minute": (60, "minute"),
    "hour": (3600, "hourly"),
    "day": (86400, "daily"),
}
HEADERS = {
    "limit": ("x-rate-limit-{adj}", "x-ratelimit-limit-{window}"),
    "remaining": ("x-{adj}-requests-left", "x-ratelimit-remaining-{adj}", "x-ratelimit-remaining-{window}"),
    "used": ("x-{adj}-usage",),
    "reset": ("x-ratelimit-reset-{adj}", "x-ratelimit-reset-{window}"),
}
# No window is longer than a day: a bigger hint is nonsense (and would overflow the limiter).
MAX_WAIT = 86400.0
RESET_IN_MESSAGE = re.compile(r"reset in (\d+(?:\.\d+)?)\s*s", re.IGNORECASE)  # hourly 429 [S]
# 403 is either "account not active" or a plan restriction (reveal flags, DNC, Scale-only) [S][E10].
INACTIVE_WORDS = ("not active", "inactive", "suspended", "disabled")
PLAN_WORDS = ("plan", "pricing", "not supported", "not allowed", "upgrade", "reveal", "dnc", "scale")


class LushaClient(BaseClient):
    slug = "lusha"
    base_url_setting = "LUSHA_API_URL"
    default_rate_limits = "25/s"  # per endpoint, plus the plan's minute/hour/day quotas [S][E12]
    # /account/usage allows 5 requests a minute (providers.md §5.5); three methods call it.
    endpoint_rate_limits = {
        endpoint: ("usage", "5/min") for endpoint in ("account_usage", "check", "balances")
    }

    def auth_headers(self):
        return {"api_key": self.secret}

    # --- Person [S][E10] ---------------------------------------------------------------------------

    def person(self, **fields):
        """One contact by person_id, email, linkedin_url, or first_name + last_name + company_name or
        company_domain; options: PERSON_FIELDS. The reveal flags are sent only when given: plans other than
        Unified Credits answer 403 to them [S][E12]."""
        params = checked_fields(fields, PERSON_FIELDS, CONTACT_SIGNALS, query=True)
        named = params.get("firstName") and params.get("lastName")
        named = named and (params.get("companyName") or params.get("companyDomain"))
        if not (named or any(params.get(key) for key in ("personId", "email", "linkedinUrl"))):
            raise InvalidInput(
                "Give Lusha a person id, an email, a LinkedIn URL, or a full name and a company."
            )
        return self.request("GET", "/v2/person", endpoint="person", params=params)

    def bulk_people(self, *, contacts, **metadata):
        """Up to 100 Lusha contact objects, each with your `contactId` [E10]; options: PERSON_FIELDS[7:]."""
        contacts = [bulk_contact(item) for item in checked_batch(contacts)]
        ids = unique_ids([item["contactId"] for item in contacts])
        body = {"contacts": contacts}
        if metadata := checked_fields(metadata, PERSON_FIELDS[7:], CONTACT_SIGNALS):
            body["metadata"] = metadata
        return with_missing(self.request("POST", "/v2/person", endpoint="bulk_people", json_body=body), ids)

    # --- Company [E10] -----------------------------------------------------------------------------

    def company(self, **fields):
        """One company by domain, company (its name) or company_id; options: COMPANY_FIELDS."""
        params = checked_fields(fields, COMPANY_FIELDS, COMPANY_SIGNALS, query=True)
        if not any(params.get(key) for key in ("domain", "company", "companyId")):
            raise InvalidInput("Give Lusha a company domain, name or id.")
        return self.request("GET", "/v2/company", endpoint="company", params=params)

    def bulk_companies(self, *, companies, **options):
        """Up to 100 `{"id": your key, "domain" | "name" | "companyId" | "fqdn"}` [E10]; options:
        BULK_COMPANY_FIELDS."""
        path = self.options.get("bulk_company_path") or BULK_COMPANY_PATHS[0]
        if path not in BULK_COMPANY_PATHS:
            raise InvalidInput(f"The key option bulk_company_path must be one of {BULK_COMPANY_PATHS}.")
        identifiers = ("domain", "name", "companyId", "fqdn")
        companies = [checked_item(item, "id", *identifiers) for item in checked_batch(companies)]
        ids = unique_ids([item["id"] for item in companies])
        body = {"companies": companies, **checked_fields(options, BULK_COMPANY_FIELDS, COMPANY_SIGNALS)}
        try:
            result = self.request("POST", path, endpoint="bulk_companies", json_body=body)
        except NotFound as missing:
            # Lusha's 404 means "endpoint not found" [S]: here the path is wrong, not the companies.
            other = BULK_COMPANY_PATHS[1 - BULK_COMPANY_PATHS.index(path)]
            message = (
                f"Lusha has no bulk companies on {path}: set this key's option bulk_company_path to {other}."
            )
            raise InvalidInput(
                message, status=404, call=missing.call, provider_code="path_not_found"
            ) from None
        return with_missing(result, ids)

    # --- Prospecting: filters (FILTER_LOOKUPS, added below the class) -> search -> enrich [S][E10] --------

    def search_contacts(self, *, filters, page=0, size=20, **options):
        """`filters`: `{"contacts": {"include", "exclude"}, "companies": {...}}`; options
        include_partial_contact, exclude_dnc (Scale only, else 403) [E10]."""
        filters = checked_filters(filters, "contacts", "companies")
        body = {"pages": checked_pages(page, size), "filters": filters}
        body |= checked_fields(options, ("include_partial_contact", "exclude_dnc"))
        return self.request("POST", "/prospecting/contact/search", endpoint="search_contacts", json_body=body)

    def enrich_contacts(self, *, request_id, contact_ids, **options):
        """Contacts of a search by its requestId; options reveal_emails, reveal_phones (Unified Credits)."""
        ids = unique_ids([checked_text(i, "contact id") for i in checked_batch(contact_ids)])
        body = {"requestId": checked_text(request_id, "requestId"), "contactIds": ids}
        body |= checked_fields(options, ("reveal_emails", "reveal_phones"))
        path = "/prospecting/contact/enrich"
        return with_missing(self.request("POST", path, endpoint="enrich_contacts", json_body=body), ids)

    def search_companies(self, *, filters, page=0, size=20):
        body = {"pages": checked_pages(page, size), "filters": checked_filters(filters, "companies")}
        path = "/prospecting/company/search"
        return self.request("POST", path, endpoint="search_companies", json_body=body)

    def enrich_companies(self, *, request_id, company_ids):
        """1-100 ids per the spec [E10] (Lusha's MCP server stops at 50 [E13])."""
        ids = unique_ids([checked_text(i, "company id") for i in checked_batch(company_ids)])
        body = {"requestId": checked_text(request_id, "requestId"), "companiesIds": ids}
        path = "/prospecting/company/enrich"
        return with_missing(self.request("POST", path, endpoint="enrich_companies", json_body=body), ids)

    # --- Signals [S][E10]: options start_date, max_results_per_signal, filters (companies) -------------

    def signal_options(self, *, object_type):
        if object_type not in ("contact", "company"):
            raise InvalidInput("Lusha's signal options are for 'contact' or 'company'.")
        return self.request("GET", f"/api/signals/filters/{object_type}", endpoint="signal_options")

    def contact_signals(self, *, contact_ids, signals, **options):
        ids = unique_ids([checked_int_id(i) for i in checked_batch(contact_ids)])
        return self._signals("contact_signals", "", CONTACT_SIGNALS, signals, options, ids, contactIds=ids)

    def search_contact_signals(self, *, contacts, signals, **options):
        """Contacts `{"id", "social_link" | "email" | "full_name" + "companies"}`: snake_case here [E10]."""
        contacts = [signal_contact(item) for item in checked_batch(contacts)]
        ids = unique_ids([item["id"] for item in contacts])
        return self._signals(
            "search_contact_signals", "/search", CONTACT_SIGNALS, signals, options, ids, contacts=contacts
        )

    def company_signals(self, *, company_ids, signals, **options):
        ids = unique_ids([checked_int_id(i) for i in checked_batch(company_ids)])
        return self._signals("company_signals", "", COMPANY_SIGNALS, signals, options, ids, companyIds=ids)

    def search_company_signals(self, *, companies, signals, **options):
        companies = [checked_item(item, "id", "name", "domain") for item in checked_batch(companies)]
        ids = unique_ids([item["id"] for item in companies])
        return self._signals(
            "search_company_signals", "/search", COMPANY_SIGNALS, signals, options, ids, companies=companies
        )

    def _signals(self, endpoint, tail, allowed, signals, options, ids, **items):
        kind = "companies" if allowed is COMPANY_SIGNALS else "contacts"
        fields = SIGNAL_FIELDS if kind == "companies" else SIGNAL_FIELDS[:2]  # sub-filters: companies only
        body = items | checked_fields(options, fields) | {"signals": checked_signals(signals, allowed)}
        result = self.request("POST", f"/api/signals/{kind}{tail}", endpoint=endpoint, json_body=body)
        return with_missing(result, ids, charged=None)

    # --- Account [S][E10]: /account/usage allows 5 requests a minute ---------------------------------

    def account_usage(self):
        return self.request("GET", "/account/usage", endpoint="account_usage")

    def check(self):
        return self.request("GET", "/account/usage", endpoint="check")

    def balances(self):
        result = self.request("GET", "/account/usage", endpoint="balances")
        rows = [
            {"label": f"{_words(kind)} {field}", "value": figures[field]}
            for kind, figures in result.data["usage"].items()
            for field in ("remaining", "used", "total")
            if figures[field] is not None
        ]
        for window, figures in rate_limit_state(result.call.headers).items():
            if figures["remaining"] is not None:
                rows.append({"label": f"Requests left this {window}", "value": figures["remaining"]})
            if figures["limit"] is not None:
                rows.append({"label": f"Requests allowed per {window}", "value": figures["limit"]})
        return Result(data=rows, call=result.call)

    # --- Answers -----------------------------------------------------------------------------------

    @staticmethod
    def rate_limit_state(headers, now=None):
        """The quota figures of a response's headers, for the limiter (see the module function)."""
        return rate_limit_state(headers, now=now)

    def wait_hint(self, headers):
        explicit = parse_retry_after(headers.get("retry-after"))
        return _clamp(explicit, MAX_WAIT) if explicit is not None else quota_wait(headers)

    def error_from(self, status, data, headers):
        """Both error bodies are read: the seed's `{"error": {"code", "message"}}` and the spec's
        `{"statusCode", "message", "errors"}` [S][E10]."""
        if status < 400:
            return None
        message, kwargs = _error_message(data), {"status": status, "provider_code": _error_code(data)}
        if status == 401:
            return KeyRejected(message or "Lusha says the API key is invalid.", **kwargs)
        if status == 402:  # "Insufficient credits" [E12]
            return OutOfCredits(message or "Lusha says the account has no credits left.", **kwargs)
        if status == 403:
            return _forbidden(message, kwargs)
        if status == 404:  # "The requested endpoint was not found" [S]
            return NotFound(message or NotFound.default_message, **kwargs)
        if status == 429:
            return _too_many(message, headers, kwargs)
        if status == 451:  # GDPR: final [S]
            return LegalRefusal(message or "Lusha withholds this record under its GDPR rules.", **kwargs)
        if status == 499 or status >= 500:  # 499: Lusha's own request timeout [S]
            return ProviderUnavailable(message or ProviderUnavailable.default_message, **kwargs)
        # 400 bad format, 412 full name without first and last name [S], 422 [E12], other 4xx.
        return InvalidInput(message or InvalidInput.default_message, **kwargs)

    def parse(self, endpoint, data):
        parser = filter_values if endpoint in FILTER_LOOKUPS else PARSERS.get(endpoint)
        return parser(data) if parser else data


def _lookup_method(endpoint, path, searched):
    """One public filter look-up: a single call whose `endpoint` is the method's name."""
    if searched:

        def lookup(self, *, text):
            body = {"text": checked_text(text, "search text")}
            return self.request("POST", f"/prospecting/filters/{path}", endpoint=endpoint, json_body=body)
    else:

        def lookup(self):
            return self.request("GET", f"/prospecting/filters/{path}", endpoint=endpoint)

    lookup.__name__, lookup.__qualname__ = endpoint, f"LushaClient.{endpoint}"
    lookup.__doc__ = f"{'POST' if searched else 'GET'} /prospecting/filters/{path}"
    return lookup


for _name, (_path, _searched) in FILTER_LOOKUPS.items():
    setattr(LushaClient, _name, _lookup_method(_name, _path, _searched))


# --- Quotas and errors -------------------------------------------------------------------------------


def rate_limit_state(headers, *, now=None):
    """{window: {"limit", "remaining", "used", "reset_in", "window_seconds"}} for each of "second",
    "minute", "hour", "day" that the headers mention; figures are numbers or None."""
    lowered = {str(name).lower(): value for name, value in (headers or {}).items()}
    state = {}
    for window, (seconds, adj) in WINDOWS.items():
        names = {field: [p.format(adj=adj, window=window) for p in HEADERS[field]] for field in HEADERS}
        if window == "second":
            names = {field: [f"ratelimit-{field}", *names[field]] for field in names}
        figures = {field: _first_number(lowered, names[field]) for field in ("limit", "remaining", "used")}
        reset = next((lowered[name] for name in names["reset"] if lowered.get(name) not in (None, "")), None)
        if reset is None and all(value is None for value in figures.values()):
            continue
        if figures["remaining"] is None and None not in (figures["limit"], figures["used"]):
            figures["remaining"] = max(figures["limit"] - figures["used"], 0)
        figures["reset_in"] = _reset_seconds(reset, now)
        state[window] = {**figures, "window_seconds": seconds}
    return state


def quota_wait(headers, *, now=None):
    """Seconds until every exhausted window reopens: its reset header when sent, else its length."""
    waits = [
        figures["window_seconds"] if figures["reset_in"] is None else figures["reset_in"]
        for figures in rate_limit_state(headers, now=now).values()
        if figures["remaining"] is not None and figures["remaining"] <= 0
    ]
    return max(waits) if waits else None


def _reset_seconds(value, now):
    """A reset header as seconds from now: a delta, a Unix time (s or ms), or a date. Lusha only says "the
    time when your daily quota will reset" [E10], so each form is read."""
    if value is None:
        return None
    now = time.time() if now is None else now
    if (number := as_number(value)) is not None:
        return _clamp(
            number / 1000 - now if number > 1e12 else number - now if number > 1e9 else number, MAX_WAIT
        )
    if (seconds := parse_retry_after(value)) is None:
        try:
            when = datetime.fromisoformat(str(value).strip())
            seconds = when.timestamp() - now if when.tzinfo else None
        except (ValueError, OverflowError, OSError):
            return None
    return None if seconds is None else _clamp(seconds, MAX_WAIT)


def _too_many(message, headers, kwargs):
    """429 says which limit was hit: trial, daily quota, or hourly with "Reset in X seconds" [S]."""
    lowered = message.lower()
    if "trial" in lowered:  # waiting does not help: the account needs an upgrade
        return OutOfCredits(f"Lusha's trial limit is reached: {message}", **kwargs)
    wait = parse_retry_after(headers.get("retry-after"))
    if wait is None and (found := RESET_IN_MESSAGE.search(message)):
        wait = float(found.group(1))
    if wait is None:
        wait = quota_wait(headers)
    if wait is None:  # the message names the window: wait for its reset, else its whole length
        for window, (seconds, adj) in reversed(WINDOWS.items()):  # "hourly ... seconds" is the hour
            if adj in lowered or f"per {window}" in lowered:
                wait = (rate_limit_state(headers).get(window) or {}).get("reset_in") or seconds
                break
    wait = None if wait is None else _clamp(wait, MAX_WAIT)
    return RateLimited(message or RateLimited.default_message, retry_after=wait, **kwargs)


def _forbidden(message, kwargs):
    lowered = message.lower()
    if "credit" in lowered or "payment" in lowered:
        return OutOfCredits(message, **kwargs)
    if any(word in lowered for word in INACTIVE_WORDS):
        message = f"Lusha says the account is not active ({message}); contact support@lusha.com."
        return KeyRejected(message, **kwargs)
    # The key is fine: the request asked for more than the plan allows.
    if any(word in lowered for word in PLAN_WORDS):
        kwargs["provider_code"] = kwargs["provider_code"] or "plan_restricted"
        return InvalidInput(f"Your Lusha plan does not allow this request: {message}", **kwargs)
    message = message or "Lusha refused the key: the account may be inactive or lack API access."
    return KeyRejected(message, **kwargs)


def _error_message(data):
    if not isinstance(data, dict):
        return message_from(data)
    inner, parts = data.get("error"), []
    for value in (inner.get("message") if isinstance(inner, dict) else inner, data.get("message")):
        if isinstance(value, str) and value.strip() and value.strip() not in parts:
            parts.append(value.strip())
    details = data.get("errors")
    details = [details.get("message")] if isinstance(details, dict) else details
    if isinstance(details, list):
        parts += [
            str(item) for item in details[:5] if isinstance(item, str | int | float) and str(item).strip()
        ]
    return "; ".join(parts)[:300] or message_from(data)


def _error_code(data):
    inner = data.get("error") if isinstance(data, dict) else None
    code = (inner.get("name") or inner.get("code")) if isinstance(inner, dict) else None
    if code is None and isinstance(data, dict):
        code = data.get("statusCode")
    return str(code)[:50] if isinstance(code, str | int | float) and not isinstance(code, bool) else ""


def _first_number(headers, names):
    return next((number for name in names if (number := as_number(headers.get(name))) is not None), None)


def _clamp(seconds, ceiling):
    return None if seconds is None or math.isnan(seconds) else min(max(float(seconds), 0.0), float(ceiling))


def _words(name):
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize()


LushaClient.people_from = staticmethod(people_from)
LushaClient.companies_from = staticmethod(companies_from)
