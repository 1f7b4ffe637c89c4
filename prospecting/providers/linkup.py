"""LinkUp v1 (api.linkupapi.com/v1): LinkedIn automation driven by an end user's LinkedIn session.

Quirks (providers.md §4):
- Every call is billed whatever the status code, except HTTP 500 (seed 002 "Credits Usage Policy"), so every
  input is validated here and a bad one raises InvalidInput before any HTTP call.
- Two credentials: the team's API key in `x-api-key`, and the user's LinkedIn session `login_token` in
  the JSON body of every call except login/verify (§4.1). Every body also carries the proxy `country`.
- Errors are `{"status": "error", "message": ...}` or `{"status": "error", "data": "<text>"}` (§4.1 [E18]),
  and "V1 returned 200 for most errors" (LinkUp's v2 migration page), so a `status: "error"` body is an error
  whatever the HTTP status. Exact error strings are UNKNOWN (§7); the few the docs show ("Invalid or expired
  LinkedIn cookie", "Insufficient credits available", "Rate limit exceeded...") drive the classification.
"""

import math
import re
import urllib.parse

from django.views.decorators.debug import sensitive_variables

from prospecting.providers.base import (
    BaseClient,
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    ProviderUnavailable,
    RateLimited,
    Result,
    message_from,
    parse_retry_after,
)
from prospecting.providers.linkup_facts import companies_from, people_from

# Proxy countries: the seed lists US, UK, FR; newer docs pages list these eleven (providers.md §4.1 [E17]).
COUNTRIES = ("FR", "US", "UK", "DE", "NL", "IT", "IL", "CA", "BR", "ES", "IN")
# `reaction_type` vocabulary is UNKNOWN (§4.3): the node's default is `like`; the other five are LinkedIn's
# reaction types as seen in LinkUp's reaction lists [E20]. Sent in lower case like the documented default.
REACTIONS = ("like", "praise", "appreciation", "empathy", "interest", "entertainment")
# LinkUp documents no length limits; these are LinkedIn's own (invitation note, message, comment) [inferred],
# past which the call would fail and still be billed.
NOTE_MAX, MESSAGE_MAX, COMMENT_MAX = 300, 8000, 1250
MAX_TOTAL_RESULTS, MAX_PAGE, MAX_PAGES_PER_CALL = 1000, 1000, 100
SENT_INVITATION_TYPES = ("CONNECTION", "ORGANIZATION", "CONTENT_SERIES")  # docs "Get Sent Invitations" [E17]
MEDIA_EXTENSIONS = (".png", ".mp4", ".jpeg", ".jpg", ".pdf")  # docs "Send Message" [E17]
PROFILE_LIST_FILTERS = ("company_url", "location", "school_url", "industry", "past_company")  # `;`-joined
PROFILE_TEXT_FILTERS = ("keyword", "first_name", "last_name", "title", "connection_of", "follower_of")
COMPANY_FILTERS = ("keyword", "industry", "location", "employee_range", "founding_company")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9]{4,12}$")
URN_RE = re.compile(r"^(urn:li:fsd_profile:)?ACoA[A-Za-z0-9_-]+$")  # "profile URN" accepted by send-message
VERIFY_HINT = re.compile(r"verif|code|checkpoint|challenge|pin\b", re.I)
SESSION_HINT = re.compile(r"login[_ ]?token|cookie|li_at|session|linkedin (account|auth)|log ?in again", re.I)
CREDIT_HINT = re.compile(r"credit|quota|insufficient|balance|payment", re.I)
RATE_HINT = re.compile(r"rate limit|too many requests", re.I)
NOT_FOUND_HINT = re.compile(r"not found|does not exist|doesn't exist|no such", re.I)
API_KEY_HINT = re.compile(r"api[ _-]?key", re.I)


class LinkupClient(BaseClient):
    slug = "linkup"
    base_url_setting = "LINKUP_API_URL"
    default_rate_limits = "300/min"  # per API key [S]
    # The proxy country every body carries; FR is LinkUp's default [S][E17].
    countries = COUNTRIES
    default_options = {"country": "FR"}

    def auth_headers(self):
        return {"x-api-key": self.secret}

    # --- auth flow (providers.md §4.2; both answer shapes UNKNOWN) ------------------------------

    @sensitive_variables("password", "payload", "body")
    def login(self, email, password):
        """Start a LinkedIn session. `data` is {"response": <JSON as sent>, "login_token": str | None,
        "verification_required": bool}: no token means LinkedIn asked for a code, to pass to `verify_code`."""
        if not isinstance(password, str) or not password:
            raise InvalidInput("LinkUp login needs the LinkedIn password.")
        body = {"email": _email(email), "password": password}
        try:
            return self._post("/auth/login", "login", body, login_token=None)
        except (InvalidInput, KeyRejected) as exc:
            # How a code request is signalled is UNKNOWN; an "error" that asks for a code is the next step.
            if exc.status and exc.status < 500 and VERIFY_HINT.search(exc.message):
                response = {"status": "error", "message": exc.message}
                data = {"response": response, "login_token": None, "verification_required": True}
                return Result(data=data, call=exc.call)
            raise

    def verify_code(self, email, code):
        code = _text(code, "code")
        if not CODE_RE.match(code):
            raise InvalidInput("The LinkedIn verification code is 4 to 12 letters or digits.")
        return self._post(
            "/auth/verify", "verify_code", {"email": _email(email), "code": code}, login_token=None
        )

    # --- profiles and companies --------------------------------------------------------------

    def profile_info(self, linkedin_url, *, login_token):
        body = {"linkedin_url": _linkedin_url(linkedin_url, "linkedin_url", ("/in/",))}
        return self._post("/profile/info", "profile_info", body, login_token=login_token)

    def search_profiles(
        self,
        *,
        login_token,
        network=None,
        fetch_invitation_state=None,
        total_results=None,
        start_page=None,
        end_page=None,
        **filters,
    ):
        """Filters: keyword, first_name, last_name, title, connection_of, follower_of (text) and company_url,
        location, school_url, industry, past_company (text or list, sent `;`-separated, §4.1)."""
        body = {}
        for name, value in filters.items():
            if name in PROFILE_LIST_FILTERS:
                body[name] = _joined(value, name)
            elif name in PROFILE_TEXT_FILTERS:
                body[name] = _text(value, name)
            else:
                raise InvalidInput(f"LinkUp profile search has no filter {name!r}.")
        for name, prefixes in (("company_url", ("/company/", "/showcase/")), ("school_url", ("/school/",))):
            for item in body[name].split(";") if name in body else ():
                _linkedin_ref(item.strip(), name, prefixes)
        if network is not None:
            body["network"] = _network(network)
        if not body:
            raise InvalidInput(
                "Give at least one search filter: an open LinkedIn search is billed like any other."
            )
        if fetch_invitation_state is not None:
            body["fetch_invitation_state"] = _flag(fetch_invitation_state, "fetch_invitation_state")
        body.update(_paging(total_results, start_page, end_page))
        return self._post("/profile/search", "search_profiles", body, login_token=login_token)

    def search_companies(self, *, login_token, total_results=None, **filters):
        """The official node's route for company search (providers.md §4.3 "Companies", Data API [E18])."""
        body = {}
        for name, value in filters.items():
            if name not in COMPANY_FILTERS:
                raise InvalidInput(f"LinkUp company search has no filter {name!r}.")
            body[name] = _joined(value, name)
        if not body:
            raise InvalidInput("Give at least one company search filter.")
        body.update(_paging(total_results, None, None))
        return self._post("/data/search/companies", "search_companies", body, login_token=login_token)

    # --- network -----------------------------------------------------------------------------

    def connections(self, *, login_token, total_results=None, start_page=None, end_page=None):
        body = _paging(total_results, start_page, end_page)
        return self._post("/network/connections", "connections", body, login_token=login_token)

    def send_invitation(self, linkedin_url, *, login_token, message=None):
        body = {"linkedin_url": _linkedin_url(linkedin_url, "linkedin_url", ("/in/",))}
        if message is not None:
            body["message"] = _text(message, "message", NOTE_MAX)
        return self._post("/network/connect", "send_invitation", body, login_token=login_token)

    def list_invitations(
        self, *, login_token, invitation_type=None, total_results=None, start_page=None, end_page=None
    ):
        """Received invitations (the newer docs page says `invitation_type` also selects sent ones, §4.3)."""
        body = _paging(total_results, start_page, end_page)
        if invitation_type is not None:
            body["invitation_type"] = _text(invitation_type, "invitation_type")
        return self._post("/network/invitations", "list_invitations", body, login_token=login_token)

    def list_sent_invitations(
        self, *, login_token, invitation_type=None, total_results=None, start_page=None, end_page=None
    ):
        body = _paging(total_results, start_page, end_page)
        if invitation_type is not None:
            kind = _text(invitation_type, "invitation_type").upper()
            if kind not in SENT_INVITATION_TYPES:
                raise InvalidInput(f"invitation_type must be one of {', '.join(SENT_INVITATION_TYPES)}.")
            body["invitation_type"] = kind
        return self._post("/network/sent-invitations", "list_sent_invitations", body, login_token=login_token)

    def invitation_status(self, linkedin_url, *, login_token):
        body = {"linkedin_url": _linkedin_url(linkedin_url, "linkedin_url", ("/in/",))}
        return self._post("/network/invitation-status", "invitation_status", body, login_token=login_token)

    def withdraw_invitation(self, invitation_id, *, login_token):
        # Ids come back as big integers or strings (providers.md §4.3): always sent as a string of digits.
        if isinstance(invitation_id, int) and not isinstance(invitation_id, bool):
            invitation_id = str(invitation_id)
        invitation_id = _text(invitation_id, "invitation_id")
        if not invitation_id.isdigit():
            raise InvalidInput("invitation_id is the invitation's numeric id (from the invitations lists).")
        body = {"invitation_id": invitation_id}
        return self._post(
            "/network/withdraw-invitation", "withdraw_invitation", body, login_token=login_token
        )

    # --- messages ----------------------------------------------------------------------------

    def send_message(self, linkedin_url, message_text, *, login_token, media_link=None):
        """Costs 1 credit, 2 with media (docs "Send Message" [E17]). `linkedin_url` may be a profile URN."""
        recipient = _text(linkedin_url, "linkedin_url")
        if not URN_RE.match(recipient):
            recipient = _linkedin_url(recipient, "linkedin_url", ("/in/",))
        body = {"linkedin_url": recipient, "message_text": _text(message_text, "message_text", MESSAGE_MAX)}
        if media_link is not None:
            media = _url(media_link, "media_link")
            if not urllib.parse.urlsplit(media).path.lower().endswith(MEDIA_EXTENSIONS):
                raise InvalidInput(f"media_link must end with one of {', '.join(MEDIA_EXTENSIONS)}.")
            body["media_link"] = media
        return self._post("/messages/send-message", "send_message", body, login_token=login_token)

    def inbox(self, *, login_token, total_results=None, category=None, next_cursor=None):
        body = _paging(total_results, None, None)
        if category is not None:
            category = _text(category, "category").upper()
            if not re.fullmatch(r"[A-Z_]{1,40}", category):
                raise InvalidInput("category is a LinkedIn inbox category such as INBOX.")
            body["category"] = category
        if next_cursor is not None:
            body["next_cursor"] = _text(next_cursor, "next_cursor")
        return self._post("/messages/inbox", "inbox", body, login_token=login_token)

    def conversation(
        self,
        *,
        login_token,
        linkedin_url=None,
        conversation_id=None,
        total_results=None,
        start_page=None,
        end_page=None,
    ):
        if (linkedin_url is None) == (conversation_id is None):
            raise InvalidInput("Give either linkedin_url or conversation_id for a conversation.")
        if linkedin_url is not None:
            body = {"linkedin_url": _linkedin_url(linkedin_url, "linkedin_url", ("/in/",))}
        else:
            body = {"conversation_id": _text(conversation_id, "conversation_id")}
        body.update(_paging(total_results, start_page, end_page))
        return self._post("/messages/conversation", "conversation", body, login_token=login_token)

    # --- posts -------------------------------------------------------------------------------

    def react_to_post(self, post_url, *, login_token, reaction_type="like"):
        reaction = _text(reaction_type, "reaction_type").lower()
        if reaction not in REACTIONS:
            raise InvalidInput(f"reaction_type must be one of {', '.join(REACTIONS)}.")
        body = {"post_url": _post_url(post_url), "reaction_type": reaction}
        return self._post("/posts/react", "react_to_post", body, login_token=login_token)

    def comment_post(self, post_url, message, *, login_token):
        body = {"post_url": _post_url(post_url), "message": _text(message, "message", COMMENT_MAX)}
        return self._post("/posts/comment", "comment_post", body, login_token=login_token)

    # --- account -----------------------------------------------------------------------------

    def check(self):
        """`GET /v1/check`, the official n8n node's credential test (providers.md §4.1 [E18]); the only v1
        call that is not a POST and carries no body. Its answer shape is UNKNOWN and returned as is."""
        return self.request("GET", "/v1/check", endpoint="check")

    def balances(self):
        raise NotImplementedError(
            "LinkUp has no balance endpoint in its API: see your credits in the LinkUp dashboard."
        )

    # --- plumbing ----------------------------------------------------------------------------

    def _post(self, path, endpoint, body, *, login_token):
        country = str(self.options.get("country") or self.default_options["country"]).strip().upper()
        if country not in COUNTRIES:
            raise InvalidInput(f"LinkUp proxy country {country!r} is not one of {', '.join(COUNTRIES)}.")
        payload = dict(body)
        if endpoint not in ("login", "verify_code"):
            payload["login_token"] = _text(login_token, "login_token")
        payload["country"] = country
        return self.request("POST", f"/v1{path}", endpoint=endpoint, json_body=payload, units=_units(payload))

    def error_from(self, status, data, headers):
        failed = isinstance(data, dict) and data.get("status") == "error"
        if status < 400 and not failed:
            return None
        message = message_from(data)
        if status >= 500:
            # Only a 500 is free (seed 002); other 5xx may have been billed, so the caller should not hammer.
            return ProviderUnavailable(message, status=status)
        if status == 429 or RATE_HINT.search(message):
            return RateLimited(
                message, status=status, retry_after=parse_retry_after(headers.get("retry-after"))
            )
        if status == 402 or CREDIT_HINT.search(message):
            return OutOfCredits(message or "The LinkUp account is out of credits.", status=status)
        if SESSION_HINT.search(message):
            # The user's LinkedIn session expired or was refused, not the team's API key.
            return InvalidInput(message, status=status, provider_code="login_token_rejected")
        if status in (401, 403) or API_KEY_HINT.search(message):
            return KeyRejected(message, status=status)
        if status == 404 or NOT_FOUND_HINT.search(message):
            return NotFound(message, status=status)
        return InvalidInput(message, status=status)

    def parse(self, endpoint, data):
        if endpoint == "check":
            return data
        if not isinstance(data, dict):
            raise MalformedResponse("LinkUp's answer was not a JSON object.")
        if endpoint in ("login", "verify_code"):
            token = _find_token(data)
            return {"response": data, "login_token": token, "verification_required": token is None}
        inner = data.get("data")
        out = (
            dict(inner) if isinstance(inner, dict) else ({"items": inner} if isinstance(inner, list) else {})
        )
        if isinstance(data.get("message"), str):
            out.setdefault("message", data["message"])
        for key in ("invitations", "items"):
            if isinstance(out.get(key), list):
                out[key] = [_string_ids(item) for item in out[key]]
        return _string_ids(out)


def _text(value, name, max_len=None):
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"LinkUp needs a non-empty {name}.")
    value = value.strip()
    if max_len and len(value) > max_len:
        raise InvalidInput(f"{name} has {len(value)} characters; LinkedIn accepts at most {max_len}.")
    return value


def _email(value):
    value = _text(value, "email")
    if not EMAIL_RE.match(value):
        raise InvalidInput(f"{value!r} is not an email address.")
    return value


def _flag(value, name):
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.")
    return value


def _joined(value, name):
    """A filter value: text, or a list of texts sent `;`-separated (providers.md §4.1 [E17])."""
    if not isinstance(value, list | tuple):
        return _text(value, name)
    parts = [_text(item, name) for item in value]
    if not parts or any(";" in part for part in parts):
        raise InvalidInput(f"{name} needs at least one value, and no ';' inside a list item.")
    return ";".join(parts)


def _network(value):
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    codes = [str(item).strip().upper() for item in items]
    if not codes or any(code not in ("F", "S", "O") for code in codes):
        raise InvalidInput("network takes F (1st), S (2nd) and/or O (3rd+), e.g. 'F,S'.")
    return ",".join(dict.fromkeys(codes))


def _count(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}.")
    return value


def _units(payload):
    """Billable units of a request: LinkUp bills lists per page requested or per 10 results, and a
    message with media as two (providers.md §4.3, [E17])."""
    if "start_page" in payload:
        return payload["end_page"] - payload["start_page"] + 1
    if "total_results" in payload:
        return math.ceil(payload["total_results"] / 10)
    return 2 if payload.get("media_link") else 1


def _paging(total_results, start_page, end_page):
    """LinkUp's two list modes, "total results" or "pagination", billed differently (providers.md §4.1)."""
    if total_results is not None and (start_page is not None or end_page is not None):
        raise InvalidInput("Use either total_results or start_page/end_page, not both.")
    body = {}
    if total_results is not None:
        body["total_results"] = _count(total_results, "total_results", 1, MAX_TOTAL_RESULTS)
    if start_page is not None or end_page is not None:
        start = _count(1 if start_page is None else start_page, "start_page", 1, MAX_PAGE)
        end = _count(start if end_page is None else end_page, "end_page", start, MAX_PAGE)
        if end - start + 1 > MAX_PAGES_PER_CALL:
            raise InvalidInput(f"Fetch at most {MAX_PAGES_PER_CALL} pages in one call.")
        body.update(start_page=start, end_page=end)
    return body


def _url(value, name):
    value = _text(value, name)
    try:
        parts = urllib.parse.urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise InvalidInput(f"{name} is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput(f"{name} must be an http(s) URL.")
    return value


def _linkedin_url(value, name, prefixes):
    value = _url(value, name)
    parts = urllib.parse.urlsplit(value)
    host = (parts.hostname or "").lower()
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        raise InvalidInput(f"{name} must be a linkedin.com URL.")
    if not parts.path.lower().startswith(prefixes):
        raise InvalidInput(f"{name} must be a LinkedIn URL starting with {' or '.join(prefixes)}.")
    return value


def _linkedin_ref(value, name, prefixes):
    """Search filters take a LinkedIn URL or a bare identifier (docs "Search Profile" [E17])."""
    if "://" in value or "linkedin.com" in value.lower():
        return _linkedin_url(value, name, prefixes)
    if not re.fullmatch(r"[\w.%-]+", value):
        raise InvalidInput(f"{name} must be a LinkedIn URL or identifier.")
    return value


def _post_url(value):
    # Reactions docs: "supports feed/update and /posts/ formats" [E17].
    return _linkedin_url(value, "post_url", ("/posts/", "/feed/update/"))


def _find_token(data):
    for scope in (data, data.get("data")):
        if isinstance(scope, dict):
            for key in ("login_token", "loginToken", "token", "li_at"):
                if isinstance(scope.get(key), str) and scope[key].strip():
                    return scope[key].strip()
    return None


def _string_ids(item):
    if isinstance(item, dict) and isinstance(item.get("invitation_id"), int):
        return {**item, "invitation_id": str(item["invitation_id"])}
    return item


# --- Billing facts (billing.py applies them) ------------------------------------------------------
# LinkUp [S]: every call consumes credits whatever its status, except a 500; lists cost per page asked
# for or per block of 10 results, a message with media two (`_units`). What LinkUp cannot bill is not
# billed: a refused API key names no account to charge, and a 402 says there is nothing left to take.
CREDIT_TYPE = "credits"
FREE_STATUSES = {500}


def max_credits(endpoint, params, prices):
    if endpoint == "balances":
        return {}  # LinkUp has no balance endpoint: LinkupClient.balances sends nothing
    payload = {name: value for name, value in params.items() if value is not None}
    if "start_page" in payload or "end_page" in payload:
        start = payload.get("start_page") or 1
        payload |= {"start_page": start, "end_page": payload.get("end_page") or start}
    try:
        units = _units(payload)
    except (TypeError, ValueError):
        units = 1
    return {CREDIT_TYPE: max(units, 1)}


def credits_charged(call, params, data, prices):
    return {CREDIT_TYPE: call.units}


def credits_for_error(call, params, error, prices):
    api_key_refused = isinstance(error, KeyRejected) and (
        call.status == 401 or API_KEY_HINT.search(error.message)
    )
    if call.status in FREE_STATUSES or api_key_refused or isinstance(error, OutOfCredits):
        return {}, {}
    return {CREDIT_TYPE: call.units}, {}


LinkupClient.people_from = staticmethod(people_from)
LinkupClient.companies_from = staticmethod(companies_from)
