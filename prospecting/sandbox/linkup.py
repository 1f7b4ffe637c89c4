"""The LinkUp v1 sandbox: LinkedIn login (with a verification code for some emails), profiles, company
search, network, invitations, messages and post actions, every one a POST with JSON but `GET /v1/check`.

LinkUp bills every call whatever its status except HTTP 500 (providers.md §4.1), so each handler charges the
units the request asked for BEFORE it validates anything: a 400 costs as much as a success. Answers are
`{"status": "success", "data" | "message"}`, errors `{"status": "error", "message"}`. Login: emails whose
number is even need a code; any 4-12 letters or digits verify except "000000" (a wrong code, for tests).
"""

import base64
import binascii
import json
import math
import re

from prospecting.sandbox.core import DEFAULT_BALANCE, Route, SandboxProvider, reply, stable_number
from prospecting.sandbox.people import COMPANIES, FIRST, company_for, people_page, person_for, slug_from

COUNTRIES = ("FR", "US", "UK", "DE", "NL", "IT", "IL", "CA", "BR", "ES", "IN")
PER_PAGE = 10  # LinkUp's results per page (docs "Get Connections" [E17])
WRONG_CODE = "000000"
NOW_MS = 1_767_225_600_000  # a fixed "now" (2026-01-01) so that message times are deterministic
LEVELS = ("1st degree", "2nd degree", "3rd+ degree")
NOT_FILTERS = {"login_token", "country", "total_results", "start_page", "end_page", "fetch_invitation_state"}


class Refused(Exception):
    """A 4xx answer in LinkUp's error shape, after the call was billed."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message, self.status = message, status


def error(status, message):
    return reply(status, {"status": "error", "message": message})


def success(data=None, message=None):
    body = {"status": "success"}
    if message:
        body["message"] = message
    if data is not None:
        body["data"] = data
    return reply(200, body)


def units(body):
    """What the client asked for, as it counts it (providers.linkup._units): pages, blocks of 10 results,
    or 2 for a message with media. Anything unreadable is one unit, as a plain call."""
    try:
        if "start_page" in body:
            return max(1, int(body.get("end_page", body["start_page"])) - int(body["start_page"]) + 1)
        if "total_results" in body:
            return max(1, math.ceil(int(body["total_results"]) / PER_PAGE))
    except (TypeError, ValueError):
        return 1
    return 2 if body.get("media_link") else 1


ROUTES = []


def endpoint(path, needs_token=True):
    """Serve a handler `(body, ctx) -> Reply` at POST `path`: bill first, then check the JSON body, the
    LinkedIn session token and the proxy country, as LinkUp does (4xx answers are billed)."""

    def wrap(handler):
        def handle(request, ctx):
            body = request.json
            body = body if isinstance(body, dict) else {}
            ctx.charge("credits", units(body))
            try:
                if not isinstance(request.json, dict):
                    raise Refused("The request body must be a JSON object")
                if needs_token:
                    required(body, "login_token")
                country = required(body, "country").upper()
                if country not in COUNTRIES:
                    raise Refused(f"Invalid country: {country}. Use one of {', '.join(COUNTRIES)}")
                return handler(body, ctx)
            except Refused as refused:
                return error(refused.status, refused.message)

        handle.__name__ = handler.__name__
        ROUTES.append(Route("POST", re.escape(path), handle))
        return handle

    return wrap


def required(body, name):
    value = body.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise Refused(f"Missing required parameter: {name}")
    return value.strip()


def linkedin(body, name, part="/in/"):
    value = required(body, name)
    if "linkedin.com" not in value or part not in value:
        raise Refused(f"Invalid LinkedIn URL in {name}")
    return value


def page_window(body):
    """(first index, count, pagination or None) of LinkUp's two list modes: pages or total_results."""
    try:
        if "start_page" in body:
            start = int(body["start_page"])
            end = int(body.get("end_page", start))
            if not 1 <= start <= end:
                raise ValueError
            pages = end - start + 1
            paging = {
                "start_page": start,
                "end_page": end,
                "results_per_page": PER_PAGE,
                "pages_fetched": pages,
            }
            return (start - 1) * PER_PAGE, pages * PER_PAGE, paging
        total = int(body.get("total_results", PER_PAGE))
        if not 1 <= total <= 1000:
            raise ValueError
        return 0, total, None
    except (TypeError, ValueError):
        raise Refused("Invalid pagination: start_page/end_page or total_results (1-1000)") from None


def listing(key, items, total, paging, **extra):
    data = {"total_results": len(items), "total_available_results": total, key: items, **extra}
    if paging is not None:
        data["pagination"] = {**paging, "has_next_page": paging["end_page"] * PER_PAGE < total}
    return data


def query_of(body):
    """A search's filters, whatever the paging: the same query gives the same results on every page."""
    return json.dumps({k: v for k, v in body.items() if k not in NOT_FILTERS}, sort_keys=True)


def card(person, url_suffix="", **extra):
    """A member as LinkUp lists them; some have no photo, as on LinkedIn."""
    photo = None if person["id"] % 4 == 0 else f"https://media.licdn.com/dms/image/v2/{person['slug']}.jpg"
    url = person["linkedin_url"] + url_suffix
    return {"name": person["full_name"], **extra, "profile_url": url, "profile_picture": photo}


def job(person):
    return f"{person['title']} at {person['company']['name']}"


def person_at(url):
    """The person behind a profile URL; a generated "first-last-1234" slug (search results, lists) keeps
    its name, so a profile opened from a list is the same person."""
    url = url.split("?")[0].rstrip("/")
    person = person_for(url)
    named = re.fullmatch(r"([a-z]+)-([a-z-]+)-\d+", slug_from(url))
    if named and named[1].title() in FIRST:
        first, last = named[1].title(), "-".join(part.title() for part in named[2].split("-"))
        person.update(first_name=first, last_name=last, full_name=f"{first} {last}")
    return person


def invitation_id(*parts):
    return 7_300_000_000_000_000_000 + stable_number("invitation", *parts) % 10**17


# --- auth ----------------------------------------------------------------------------------------


def token_for(email):
    return f"AQEDAR-sandbox-{stable_number('li_at', email.lower()):012x}"


def needs_code(email):
    return stable_number("checkpoint", email.lower()) % 2 == 0


@endpoint("/v1/auth/login", needs_token=False)
def login(body, ctx):
    email = required(body, "email")
    required(body, "password")
    if needs_code(email):
        return success(message="A verification code was sent to your email")
    return success({"login_token": token_for(email)})


@endpoint("/v1/auth/verify", needs_token=False)
def verify(body, ctx):
    email, code = required(body, "email"), required(body, "code")
    if code == WRONG_CODE:
        raise Refused("Invalid verification code")
    return success({"login_token": token_for(email)})


def check(request, ctx):
    ctx.charge("credits", 1)  # even the credential test is a call, and LinkUp bills calls
    return success(message="API key is valid")


# --- profiles and companies ----------------------------------------------------------------------


@endpoint("/v1/profile/info")
def profile_info(body, ctx):
    url = linkedin(body, "linkedin_url")
    person = person_at(url)
    company = person["company"]
    started = f"{2024 - person['id'] % 8}-{1 + person['id'] % 12:02d}"
    role = {"title": person["title"], "company": company["name"], "start_date": started}
    return success(
        {
            "public_id": person["slug"],
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "headline": f"{person['title']} at {company['name']}",
            "location": f"{person['city']}, {person['country']}",
            "summary": f"{person['title']} helping {company['industry'].lower()} teams grow.",
            "industry": company["industry"],
            "profile_url": person["linkedin_url"],
            "profile_picture": card(person)["profile_picture"],
            "experience": [role],
        }
    )


@endpoint("/v1/profile/search")
def search_profiles(body, ctx):
    start, count, paging = page_window(body)
    seed = query_of(body)
    people, total = people_page(seed, start, count, total=30 + stable_number("total", seed) % 900)
    profiles = []
    for person in people:
        place = f"{person['city']}, {person['country']}"
        profile = card(
            person, "/", job_title=job(person), connection_level=LEVELS[person["id"] % 3], location=place
        )
        if body.get("fetch_invitation_state"):
            profile["invitation_state"] = "INVITATION_SENT" if person["id"] % 6 == 0 else "CAN_INVITE"
        profiles.append(profile)
    return success(listing("profiles", profiles, total, paging))


@endpoint("/v1/data/search/companies")
def search_companies(body, ctx):
    _, count, _ = page_window(body)
    seed = query_of(body)
    # Only people.py's few companies exist, in an order that depends on the query.
    shift = stable_number("companies", seed) % len(COMPANIES)
    companies = []
    for name, domain, industry in (COMPANIES[shift:] + COMPANIES[:shift])[:count]:
        company = company_for(domain)
        companies.append(
            {
                "name": name,
                "company_url": f"{company['linkedin_url']}/",
                "industry": industry,
                "location": company["city"],
                "website": company["website"],
                "employee_count": company["employees"],
            }
        )
    return success({"total_results": len(companies), "companies": companies})


# --- network -------------------------------------------------------------------------------------


@endpoint("/v1/network/connections")
def connections(body, ctx):
    start, count, paging = page_window(body)
    token = required(body, "login_token")
    people, total = people_page(f"connections:{token}", start, count, total=40 + stable_number(token) % 500)
    items = [card(p, "/", job_title=job(p)) for p in people]
    return success(listing("connections", items, total, paging))


@endpoint("/v1/network/connect")
def send_invitation(body, ctx):
    linkedin(body, "linkedin_url")
    if len(str(body.get("message") or "")) > 300:
        raise Refused("The invitation note is limited to 300 characters")
    return success(message="Invitation sent successfully")


def invitations_of(body, kind, sent):
    start, count, paging = page_window(body)
    token = required(body, "login_token")
    seed = f"{kind}:{token}:{body.get('invitation_type') or ''}"
    people, total = people_page(seed, start, count, total=5 + stable_number(seed) % 60)
    items = []
    for index, p in enumerate(people, start):
        number = invitation_id(seed, index)
        item = card(p, subtitle=job(p), sent_time=f"{1 + index % 3} week{'s' if index % 3 else ''} ago")
        item.update(message=None, invitation_id=number, invitation_state="PENDING")
        item["entity_urn"] = f"urn:li:fsd_invitation:{number}"
        if sent:
            item["invitation_type"] = body.get("invitation_type") or "CONNECTION"
        else:
            item.update(
                shared_secret=f"{stable_number('secret', number):x}"[:8],
                shared_connections=f"{p['id'] % 40} mutual connections",
            )
        items.append(item)
    return success(listing("invitations", items, total, paging))


@endpoint("/v1/network/invitations")
def list_invitations(body, ctx):
    return invitations_of(body, "received", sent=False)


@endpoint("/v1/network/sent-invitations")
def list_sent_invitations(body, ctx):
    kind = str(body.get("invitation_type") or "CONNECTION").upper()
    if kind not in ("CONNECTION", "ORGANIZATION", "CONTENT_SERIES"):
        raise Refused(f"Invalid invitation_type: {kind}")
    return invitations_of(body, "sent", sent=True)


@endpoint("/v1/network/invitation-status")
def invitation_status(body, ctx):
    url = linkedin(body, "linkedin_url")
    token = required(body, "login_token")
    number = stable_number("status", token, url)
    states = [
        ("ACCEPTED", "CONNECTED", None, 1, "You are connected with this person"),
        ("PENDING", "SENT", invitation_id(token, url), 2, "Invitation pending"),
        ("NONE", "NOT_CONNECTED", None, 2 + number % 2, "No invitation with this person"),
    ]
    fields = ("invitation_state", "invitation_type", "invitation_id", "member_distance", "message")
    return success(dict(zip(fields, states[number % 3], strict=True)))


@endpoint("/v1/network/withdraw-invitation")
def withdraw_invitation(body, ctx):
    if not required(body, "invitation_id").isdigit():
        raise Refused("Invalid invitation_id")
    return success(message="Connection invitation withdrawn successfully")


# --- messages ------------------------------------------------------------------------------------


def conversation_id(token, recipient):
    # The "2-..." part is base64 like LinkedIn's, and carries the recipient so an id alone finds the thread.
    thread = base64.urlsafe_b64encode(recipient.encode()).decode()
    return f"urn:li:msg_conversation:(urn:li:fsd_profile:ACoAA{stable_number(token) % 10**8},2-{thread})"


def recipient_of(conv):
    try:
        return base64.urlsafe_b64decode(conv.rsplit(",2-", 1)[1].rstrip(")")).decode()
    except (IndexError, binascii.Error, ValueError):
        return None


@endpoint("/v1/messages/send-message")
def send_message(body, ctx):
    recipient = required(body, "linkedin_url")
    if "linkedin.com/in/" not in recipient and not recipient.startswith(("ACoA", "urn:li:fsd_profile:")):
        raise Refused("Invalid LinkedIn URL or profile URN in linkedin_url")
    text = required(body, "message_text")
    token = required(body, "login_token")
    media = body.get("media_link")
    if media is not None and not str(media).lower().endswith((".png", ".mp4", ".jpeg", ".jpg", ".pdf")):
        raise Refused("media_link must point to a .png, .mp4, .jpeg or .pdf file")
    number = stable_number("message", token, recipient, text, media)
    return success(
        {
            "entityUrn": f"urn:li:msg_message:(urn:li:fsd_profile:ACoAA,2-{number:x})",
            "conversation_id": conversation_id(token, recipient),
            "deliveredAt": NOW_MS + number % 86_400_000,
        },
        message="Message sent successfully",
    )


def cursor_offset(cursor):
    try:
        return int(base64.b64decode(cursor, validate=True).decode().split("&")[1])
    except (binascii.Error, ValueError, IndexError, UnicodeDecodeError):
        raise Refused("Invalid next_cursor") from None


@endpoint("/v1/messages/inbox")
def inbox(body, ctx):
    _, count, _ = page_window(body)
    token = required(body, "login_token")
    category = str(body.get("category") or "INBOX").upper()
    start = cursor_offset(body["next_cursor"]) if body.get("next_cursor") else 0
    seed = f"inbox:{token}:{category}"
    people, total = people_page(seed, start, count, total=12 + stable_number(seed) % 60)
    conversations = []
    for index, p in enumerate(people, start):
        participant = card(p, headline=p["title"])
        mine = index % 2 == 0
        conversations.append(
            {
                "conversation_id": conversation_id(token, p["linkedin_url"]),
                "participant": participant,
                "last_message": {
                    "text": f"Thanks {p['first_name']}, talk soon!" if mine else "Sounds good to me.",
                    "time": NOW_MS - index * 3_600_000,
                    "sender": {"name": "You"} if mine else participant,
                },
                "unread": 0 if mine or index % 3 else 1,
                "type": "normal",
            }
        )
    end = start + len(people)
    cursor = base64.b64encode(f"DESCENDING&{end}".encode()).decode() if end < total else None
    return success(
        {"conversations": conversations, "total_results": len(conversations), "next_cursor": cursor}
    )


@endpoint("/v1/messages/conversation")
def conversation(body, ctx):
    token = required(body, "login_token")
    if body.get("conversation_id"):
        conv = required(body, "conversation_id")
        profile = recipient_of(conv)
    else:
        profile = linkedin(body, "linkedin_url")
        conv = conversation_id(token, profile)
    start, count, _ = page_window(body)
    other = person_at(profile) if profile else person_for(conv)
    total = 2 + stable_number("thread", conv) % 30
    messages = []
    for index in range(start, min(start + count, total)):
        theirs = index % 2 == 1
        sender = other if theirs else {"first_name": "You", "last_name": ""}
        messages.append(
            {
                "text": f"Message {index + 1} of our conversation",
                "timestamp": NOW_MS - (total - index) * 600_000,
                "sender": f"{sender['first_name']} {sender['last_name']}".strip(),
                "sender_info": {"first_name": sender["first_name"], "last_name": sender["last_name"]},
                "message_type": "TEXT",
                "entity_urn": f"urn:li:msg_message:({conv},{index})",
            }
        )
    return success(
        {
            "conversation_id": conv,
            "profile_url": profile or other["linkedin_url"],
            "total_results": len(messages),
            "total_other_member_message_count": total // 2,
            "unread_count": 0,
            "last_seen_message": True,
            "last_seen_at": NOW_MS,
            "messages": messages,
        }
    )


# --- posts ---------------------------------------------------------------------------------------


def post_url(body):
    url = required(body, "post_url")
    if "linkedin.com/posts/" not in url and "linkedin.com/feed/update/" not in url:
        raise Refused("Invalid post_url: use a /posts/ or /feed/update/ LinkedIn URL")
    return url


@endpoint("/v1/posts/react")
def react_to_post(body, ctx):
    post_url(body)
    reaction = str(body.get("reaction_type") or "like").lower()
    if reaction not in ("like", "praise", "appreciation", "empathy", "interest", "entertainment"):
        raise Refused(f"Invalid reaction_type: {reaction}")
    return success(message="Reaction added successfully")


@endpoint("/v1/posts/comment")
def comment_post(body, ctx):
    post_url(body)
    required(body, "message")
    return success(message="Comment posted successfully")


# --- the provider --------------------------------------------------------------------------------


def rate_limited(wait):
    return reply(
        429,
        {"status": "error", "message": "Rate limit exceeded. Please try again later"},
        Retry_After=max(1, math.ceil(wait)),
    )


PROVIDER = SandboxProvider(
    slug="linkup",
    prefix="/linkup",
    key_from=lambda request: request.headers.get("x-api-key"),
    refuse=lambda: error(401, "Invalid API key"),
    rate_limited=rate_limited,
    out_of_credits=lambda: error(402, "Insufficient credits available"),
    not_found=lambda: error(404, "Endpoint not found"),
    routes=[Route("GET", r"/v1/check", check), *ROUTES],
    default_limits=[[300, 60]],
    default_balances={"credits": DEFAULT_BALANCE},
    # LinkUp bills every answer but a 500, its 429s included (providers.md §4.1).
    billed_when_limited=lambda request: {
        "credits": units(request.json if isinstance(request.json, dict) else {})
    },
)
