"""LeadIQ: a GraphQL API (account, people and company search) and the Prospector REST API (lists), one key.

This module holds the client (`LeadiqClient`), the classification of LeadIQ's errors and its billing facts;
the GraphQL query text, the selections and the checks on what Quarry sends live in leadiq_schema.py.

Quirks, with their providers.md section 6 sources:
- GraphQL reports errors in an `errors` array with HTTP 200 [S][E4]: `error_from` reads it before the status.
- GraphQL wants `Authorization: Basic <key>`, the "Secret Base64" key as issued, no password; Prospector
  wants `X-API-Key: <base64-decoded key>` and `/v1` paths (the seed's `/lists`, `/export` do not exist)
  [S][E4][E6].
- LeadIQ bills per selected data point (email 1, phone 10, company 3, profile 0.1 UC) [S], so each search
  takes the field groups to select and builds the selection from fixed fragments; caller input only goes in
  variables.
- Prospector creates (`create_list`, `add_prospect`, `add_prospects`) are not idempotent [E6]: when their
  outcome is unknown (5xx, unreadable success) the error carries `maybe_billed=True`, so nobody repeats them
  blindly.
"""

import base64
import binascii
import re

from prospecting.providers.base import (
    BaseClient,
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    error_for_status,
    message_from,
)
from prospecting.providers.leadiq_facts import companies_from, people_from
from prospecting.providers.leadiq_schema import (
    ACCOUNT_QUERY,
    COMPANY_IDS,
    COMPANY_SORTS,
    CONTACT_SORTS,
    EMAIL_PATTERN,
    FIRMOGRAPHICS,
    FLAT_FILTERS,
    GROUPED_FILTERS,
    OPERATIONS,
    PEOPLE_COMPANY,
    PEOPLE_IDS,
    PEOPLE_NAMES,
    PEOPLE_OPTIONS,
    SELECTIONS,
    checked_choices,
    checked_fields,
    checked_filters,
    checked_flag,
    checked_hex_id,
    checked_keys,
    checked_page,
    checked_prospect,
    checked_text,
    render_selection,
    selection_tree,
)

GRAPHQL, PROSPECTOR = "graphql", "prospector"

_ROOTS = {"check": "account", "balances": "account", **{name: op[1] for name, op in OPERATIONS.items()}}

# GraphQL error classification: `extensions.response.status` (what the samples read) [E4], else words in
# `extensions.code` (observed MISSING_QUERY_STRING [E7]; the schema's ErrorCode enum [E5]), else the message.
_CODE_WORDS = (
    (ProviderUnavailable, ("UNEXPECTED", "INTERNAL", "UNAVAILABLE", "TIMEOUT")),
    (KeyRejected, ("AUTH", "APIKEY", "FORBIDDEN")),
    (OutOfCredits, ("CREDIT", "QUOTA", "PAYMENT")),
    (RateLimited, ("RATELIMIT", "TOOMANY", "THROTTL")),
    (NotFound, ("NOTFOUND",)),
    (InvalidInput, ("VALIDAT", "INVALID", "BADREQUEST", "BADUSERINPUT", "PARSE", "MISSING")),
)
_MESSAGE_WORDS = (
    (KeyRejected, ("api key", "unauthori", "unauthentic")),
    (OutOfCredits, ("insufficient credit", "out of credit", "quota")),
    (RateLimited, ("rate limit", "too many requests")),
)
_PRIORITY = (KeyRejected, OutOfCredits, RateLimited, ProviderUnavailable, NotFound)

_NOT_BASE64 = (
    "This LeadIQ key does not decode from base64, so the Prospector API cannot use it: paste the "
    "'Secret Base64' key from LeadIQ Settings > API Keys."
)


def _decoded_key(key):
    """The base64-decoded key Prospector takes, or "" when `key` is not base64 of printable ASCII."""
    try:
        raw = base64.b64decode(key, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    return raw if raw.isascii() and raw.isprintable() and raw == raw.strip() else ""


class LeadiqClient(BaseClient):
    slug = "leadiq"
    base_url_setting = "LEADIQ_GRAPHQL_URL"
    default_rate_limits = "60/min"  # "Standard" plan, secondhand [E7][3P]
    # Each call creates a new record even with an identical body [E6]. Nothing is billed [E4], but an unknown
    # outcome is flagged `maybe_billed` because a repeat may duplicate.
    NOT_IDEMPOTENT = frozenset({"create_list", "add_prospect", "add_prospects"})

    @classmethod
    def key_format_error(cls, secret):
        # LeadIQ issues the "Secret Base64" key: base64 text whose decoded form Prospector takes [S][E4].
        return super().key_format_error(secret) or ("" if _decoded_key(secret) else _NOT_BASE64)

    @staticmethod
    def issued_key(token):
        return base64.b64encode(token.encode()).decode()

    @property
    def prospector_url(self):
        return self.urls["LEADIQ_PROSPECTOR_URL"].rstrip("/")

    def auth_headers(self, api=GRAPHQL):
        key = str(self.secret).strip()
        if not key.isprintable() or any(char.isspace() for char in key):
            raise KeyRejected("The LeadIQ key contains spaces or control characters: paste it again.")
        if api != PROSPECTOR:
            return {"Authorization": f"Basic {key}"}
        raw = _decoded_key(key)
        if not raw:
            raise KeyRejected(_NOT_BASE64)
        return {"X-API-Key": raw}

    def handle(self, response, call):
        try:
            return super().handle(response, call)
        except ProviderError as error:
            if call.endpoint in self.NOT_IDEMPOTENT and (error.status or 500) not in range(400, 500):
                error.maybe_billed = True
            raise

    # --- GraphQL -------------------------------------------------------------------------------

    def check(self):
        """The free `account` query [S][E4]; a null account is taken as an unknown key [inferred]."""
        return self._graphql("check", ACCOUNT_QUERY)

    def balances(self):
        """The free `account` query as rows: `available` is what is left, `used` is this period's use [E4]."""
        return self._graphql("balances", ACCOUNT_QUERY)

    def search_people(self, *, fields, limit=None, skip=None, options=None, **identifiers):
        """`searchPeople`: enrich one person by identifiers; an empty `results` list means no match.

        identifiers: person_id, linkedin_url, linkedin_id or email, or a name (full_name, or first_name and
        last_name) with company_name or company_domain [S][E5]; one person id per call [E4].
        options: other SearchPeopleInput keys, e.g. {"minConfidence": 80} [E5].
        """
        groups = checked_fields(fields, "search_people")
        checked_keys(
            "search_people", identifiers, PEOPLE_IDS.keys() | PEOPLE_NAMES.keys() | PEOPLE_COMPANY.keys()
        )
        given = {key: checked_text(key, value) for key, value in identifiers.items() if value is not None}
        if "linkedin.com/" not in given.get("linkedin_url", "linkedin.com/").lower():
            raise InvalidInput("linkedin_url must be a LinkedIn profile URL.")
        if not EMAIL_PATTERN.fullmatch(given.get("email", "a@b.c")):
            raise InvalidInput("email is not an email address.")
        data = {graphql: given[key] for key, graphql in (PEOPLE_IDS | PEOPLE_NAMES).items() if key in given}
        company = {graphql: given[key] for key, graphql in PEOPLE_COMPANY.items() if key in given}
        named = "fullName" in data or {"firstName", "lastName"} <= data.keys()
        if not PEOPLE_IDS.values() & data.keys() and not (named and company):
            raise InvalidInput("Give a LeadIQ id, a LinkedIn URL or id, an email, or a name with a company.")
        if company:
            data["company"] = company
        data |= checked_keys("options", options or {}, PEOPLE_OPTIONS) | checked_page(limit, skip)
        return self._search("search_people", groups, data)

    def flat_advanced_search(self, *, fields, filters, sort_contacts_by=None, limit=25, skip=0):
        """`flatAdvancedSearch`: people matching FlatSearchInput filters, keyed as in the schema, e.g.
        {"contactFilter": {"roles": ["Sales"], "seniorities": ["VP"]}}; page with skip + limit [E4][E5]."""
        groups = checked_fields(fields, "flat_advanced_search")
        data = checked_filters(filters, FLAT_FILTERS) | checked_page(limit, skip)
        if sort_contacts_by is not None:
            data["sortContactsBy"] = checked_choices("sort_contacts_by", sort_contacts_by, CONTACT_SORTS)
        return self._search("flat_advanced_search", groups, data)

    def grouped_advanced_search(
        self, *, fields, filters, sort_by=None, limit=25, skip=0, limit_per_company=None
    ):
        """`groupedAdvancedSearch`: the flat filters but the limited-access ones, people grouped by company
        [S][E5]. sort_by: {"sortCompaniesBy": [...], "sortContactsBy": [...]}."""
        groups = checked_fields(fields, "grouped_advanced_search")
        data = checked_filters(filters, GROUPED_FILTERS) | checked_page(limit, skip)
        if limit_per_company is not None:
            data["limitPerCompany"] = checked_page(limit_per_company, None)["limit"]
        sorts = {"sortCompaniesBy": COMPANY_SORTS, "sortContactsBy": CONTACT_SORTS}
        for key, value in checked_keys("sort_by", sort_by or {}, sorts.keys()).items():
            data[key] = checked_choices(key, value, sorts[key])
        return self._search("grouped_advanced_search", groups, data)

    def search_company(self, *, fields, strict=None, **identifiers):
        """`searchCompany` by company_id, name, domain, linkedin_id or linkedin_url [S][E5]; fields=() selects
        only id and name (free profile tier [E4])."""
        groups = checked_fields(fields, "search_company")
        checked_keys("search_company", identifiers, COMPANY_IDS.keys())
        data = {
            COMPANY_IDS[key]: checked_text(key, value)
            for key, value in identifiers.items()
            if value is not None
        }
        if not data:
            raise InvalidInput("Give a company id, name, domain, LinkedIn id or LinkedIn URL.")
        if strict is not None:
            data["strict"] = checked_flag("strict", strict)
        return self._search("search_company", groups, data)

    def _search(self, endpoint, groups, data):
        operation, root, input_type = OPERATIONS[endpoint]
        tree = selection_tree(SELECTIONS[endpoint][""])
        for group in groups:
            selection_tree(SELECTIONS[endpoint][group], tree)
        selection = render_selection(tree)
        query = f"query {operation}($input: {input_type}!) {{ {root}(input: $input) {{ {selection} }} }}"
        return self._graphql(endpoint, query, {"input": data})

    def _graphql(self, endpoint, query, variables=None):
        body = {"query": query} if variables is None else {"query": query, "variables": variables}
        return self.request("POST", "", endpoint=endpoint, json_body=body)

    # --- Prospector REST [E6] ------------------------------------------------------------------

    def create_list(self, *, name, description=None):
        """POST /v1/lists. Not idempotent (see NOT_IDEMPOTENT); a name already used answers 409."""
        body = {"name": checked_text("name", name, 200)}
        if description is not None:
            body["description"] = checked_text("description", description, 2000, allow_empty=True)
        return self._rest("POST", "/v1/lists", endpoint="create_list", json_body=body)

    def add_prospect(self, list_id, prospect):
        """POST /v1/lists/{listId}/prospects: create one prospect in the list. Not idempotent, no dedup."""
        path = f"/v1/lists/{checked_hex_id('list_id', list_id)}/prospects"
        return self._rest("POST", path, endpoint="add_prospect", json_body=checked_prospect(prospect))

    def add_prospects(self, list_id, prospects):
        """POST /v1/lists/{listId}/prospects/batch: 1-100 prospects. Not idempotent; a 200 may carry
        `failed: [{index, reason}]` beside `succeeded` (partial success)."""
        if not isinstance(prospects, list | tuple) or not 1 <= len(prospects) <= 100:
            raise InvalidInput("Send between 1 and 100 prospects in one batch.")
        body = []
        for index, prospect in enumerate(prospects):
            try:
                body.append(checked_prospect(prospect))
            except InvalidInput as error:
                raise InvalidInput(f"Prospect {index}: {error.message}") from None
        path = f"/v1/lists/{checked_hex_id('list_id', list_id)}/prospects/batch"
        return self._rest("POST", path, endpoint="add_prospects", json_body=body)

    def list_prospects(self, list_id, *, limit=25, cursor=None):
        """GET /v1/lists/{listId}/prospects: a page of `items`; pass `nextCursor` back until null [E4]."""
        params = {"limit": checked_page(limit, None)["limit"]}
        if cursor is not None:
            params["cursor"] = checked_hex_id("cursor", cursor)
        path = f"/v1/lists/{checked_hex_id('list_id', list_id)}/prospects"
        return self._rest("GET", path, endpoint="list_prospects", params=params)

    def whoami(self):
        """GET /v1/whoami: the key's user and team; tests the decoded key."""
        return self._rest("GET", "/v1/whoami", endpoint="whoami")

    def _rest(self, method, path, *, endpoint, params=None, json_body=None):
        # requests drops None-valued headers: this removes the GraphQL Basic header that base.request adds.
        headers = {"Authorization": None, **self.auth_headers(PROSPECTOR)}
        url = f"{self.prospector_url}{path}"
        return self.request(
            method, path, endpoint=endpoint, params=params, json_body=json_body, headers=headers, url=url
        )

    # --- Answers -------------------------------------------------------------------------------

    def error_from(self, status, data, headers):
        if isinstance(data, dict) and data.get("errors"):
            return _graphql_error(status, data)
        if status < 400:
            return None
        # Prospector: {code, message, details}; 400/409/413/422 end as InvalidInput and 502 as a retryable
        # ProviderUnavailable [E6]; the guide's 401/402/429/500 hold for both APIs [S].
        code = data.get("code") if isinstance(data, dict) else ""
        message = message_from(data, "message", "error", "code")
        return error_for_status(status, message, provider_code=str(code or "")[:100])

    def parse(self, endpoint, data):
        root = _ROOTS.get(endpoint)
        if root is None:
            lists = ("items", "succeeded", "failed")
            if not isinstance(data, dict) or not all(isinstance(data.get(key, []), list) for key in lists):
                raise MalformedResponse("LeadIQ Prospector sent an unexpected answer.")
            return data
        body = data.get("data") if isinstance(data, dict) else None
        value = body.get(root) if isinstance(body, dict) else None
        if root == "account" and value is None:
            raise KeyRejected("LeadIQ returned no account for this key.")
        if not isinstance(value, dict):
            raise MalformedResponse(f"LeadIQ's answer had no readable {root}.")
        return _balance_rows(value) if endpoint == "balances" else value


# --- Billing facts (billing.py applies them) ------------------------------------------------------
# LeadIQ [S]: Universal Credits per data point, "a query only charges for the data points you actually
# select": each result is charged for every data point its selection asks for, found or not. A person
# result always carries profile information (its id is one), and email, phone and company information
# when those groups are selected; a company result (searchCompany, a grouped search's company) is
# charged for company information when its firmographics are selected (id and name alone stay in the
# profile tier [E4]). The plan's prices are the key's price table, with the seed's as defaults. The
# account query and Prospector are free [S][E4]. A call without `limit` is taken to return at most
# 100 results (the largest page LeadIQ takes), for the most an unreadable answer could have cost.
CREDIT_TYPE = "uc"
DEFAULT_PRICES = {"email": 1, "phone": 10, "company": 3, "profile": 0.1}
MAX_RESULTS = 100


def max_credits(endpoint, params, prices):
    if endpoint not in OPERATIONS:
        return {}
    limit = params.get("limit") or (25 if "advanced" in endpoint else MAX_RESULTS)
    people = limit * (params.get("limit_per_company") or MAX_RESULTS) if "grouped" in endpoint else limit
    companies = limit if endpoint in ("grouped_advanced_search", "search_company") else 0
    counts = _selected(endpoint, _fields(params.get("fields")), people, companies)
    return _priced(counts, prices)


def credits_charged(call, params, data, prices):
    if call.endpoint not in OPERATIONS or not isinstance(data, dict):
        return {}
    fields = _fields(params.get("fields")) if "fields" in params else _fields_in(call.endpoint, data)
    people, companies = _results(call.endpoint, data)
    return _priced(_selected(call.endpoint, fields, len(people), len(companies)), prices)


def credits_for_error(call, params, error, prices):
    # GraphQL errors beside a partial answer may have been charged (maybe_billed): billing.py keeps the
    # most the call could cost as unconfirmed. Other errors cost nothing [S].
    return {}, {}


def selected_data_points(endpoint, fields, data):
    """{data point: count} a search answer is charged for, given the field groups it selected."""
    people, companies = _results(endpoint, data if isinstance(data, dict) else {})
    return _selected(endpoint, _fields(fields), len(people), len(companies))


def _selected(endpoint, fields, people, companies):
    counts = {"profile": people, "email": 0, "phone": 0, "company": 0}
    if endpoint == "search_people":
        counts |= {point: people for point in ("email", "phone", "company") if point in fields}
    elif endpoint == "flat_advanced_search" and "company" in fields:
        counts["company"] = people
    elif "company" in fields:  # grouped search and company search: per company result
        counts["company"] = companies
    return counts


def _results(endpoint, data):
    """(person results, company results) of a parsed search answer."""
    if endpoint == "search_people":
        return _dicts(data.get("results")), []
    if endpoint == "flat_advanced_search":
        return _dicts(data.get("people")), []
    if endpoint == "grouped_advanced_search":
        groups = _dicts(data.get("companies"))
        return [one for group in groups for one in _dicts(group.get("people"))], groups
    if endpoint == "search_company":
        return [], _dicts(data.get("results"))
    return [], []


def _fields(fields):
    fields = (fields,) if isinstance(fields, str) else fields
    return set(fields or ()) & {"profile", "email", "phone", "company"}


def _fields_in(endpoint, data):
    """The field groups an answer shows it selected, when the request is not at hand."""
    people, companies = _results(endpoint, data)
    positions = [p for one in people for p in _dicts(one.get("currentPositions"))]
    company_info = [p.get("companyInfo") for p in positions] + [one.get("company") for one in people]
    company_info += [group.get("company") for group in companies] + companies
    fields = set()
    if any("emails" in p for p in positions):
        fields.add("email")
    if any("phones" in p for p in positions) or any("personalPhones" in one for one in people):
        fields.add("phone")
    if any(isinstance(c, dict) and FIRMOGRAPHICS & c.keys() for c in company_info):
        fields.add("company")
    return fields


def _priced(counts, prices):
    total = round(sum(prices[point] * count for point, count in counts.items()), 4)
    return {CREDIT_TYPE: total} if total else {}


# --- Helpers -------------------------------------------------------------------------------------


def _graphql_error(status, data):
    errors = data["errors"] if isinstance(data["errors"], list) else [data["errors"]]
    found = [(cls, error) for error in errors if (cls := _classify(error)) is not None]
    rank = {cls: index for index, cls in enumerate(_PRIORITY)}
    cls, error = min(found, key=lambda pair: rank.get(pair[0], 99)) if found else (None, errors[0])
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else ""
    message = message_from(error, "message") if isinstance(error, dict) else str(error)[:300]
    # A partial answer beside errors may already have been charged.
    partial = isinstance(data.get("data"), dict) and any(value is not None for value in data["data"].values())
    kwargs = {"provider_code": str(code or "")[:100], "maybe_billed": partial}
    if cls is not None:
        return cls(message, **kwargs)
    if status >= 400:
        return error_for_status(status, message, **kwargs)
    # Unrecognised: a deterministic refusal of a query built here, which a repeat cannot fix [inferred].
    return InvalidInput(message, **kwargs)


def _classify(error):
    if not isinstance(error, dict):
        return None
    extensions = error.get("extensions") if isinstance(error.get("extensions"), dict) else {}
    response = extensions.get("response") if isinstance(extensions.get("response"), dict) else {}
    for status in (response.get("status"), extensions.get("status"), extensions.get("statusCode")):
        if isinstance(status, int) and not isinstance(status, bool) and 400 <= status <= 599:
            return type(error_for_status(status))
    code = re.sub(r"[^A-Z]", "", str(extensions.get("code") or "").upper())
    message = str(error.get("message") or "").lower()
    for table, text in ((_CODE_WORDS, code), (_MESSAGE_WORDS, message)):
        for cls, words in table:
            if text and any(word in text for word in words):
                return cls
    return None


def _balance_rows(account):
    def row(label, raw):
        value = raw if isinstance(raw, int | float | str) and not isinstance(raw, bool) else str(raw)
        return {"label": label, "value": value}

    rows = []
    for key, label in (("universalPlan", "Universal credits"), ("dataHubPlan", "DataHub credits")):
        plan = account.get(key)
        if isinstance(plan, dict):
            rows += [row(f"{label} available", plan.get("available")), row(f"{label} used", plan.get("used"))]
            if plan.get("nextBillingPeriod"):
                # An ISO timestamp; the day is what a reader needs.
                rows.append(row(f"{label} renew on", str(plan["nextBillingPeriod"])[:10]))
    for plan in _dicts(account.get("plans")):
        rows.append(row(f"Plan {plan.get('name')} ({plan.get('product')})", plan.get("status")))
    return rows


def _dicts(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


LeadiqClient.people_from = staticmethod(people_from)
LeadiqClient.companies_from = staticmethod(companies_from)
