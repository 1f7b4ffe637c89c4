"""Normalising the identifiers people and companies are matched on: one home for records, CSV import
and suppression (DESIGN.md, Layout).

Every function takes whatever a provider or a user gave (a URL in any of its forms, a bare id, an
address with stray spaces) and returns the one normalised value, or "" when the text is not one.
Each is idempotent: a normalised value normalises to itself.
"""

import functools
import re
import unicodedata
from urllib.parse import parse_qs, unquote, urlsplit

import idna
from django.core.validators import validate_email

# LinkedIn member ids (Sales Navigator, Recruiter, and /in/ URLs built from the member URN) are
# case-sensitive base64-like strings starting with "AC": ACoAA... (member) or ACwAA... (Sales Navigator).
_MEMBER_ID = re.compile(r"^AC[ow]AA[A-Za-z0-9_-]{20,60}$")
# A public id (the /in/<slug> of a profile): letters of any script, digits, hyphens, underscores.
_PUBLIC_ID = re.compile(r"^[\w-]{1,200}$")
_COMPANY_ID = re.compile(r"^[\w-]{1,200}$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# An http(s) LinkedIn URL, or one without a scheme, with no port, user, query or fragment, and only
# these characters in its path.
_PLAIN_LINKEDIN_URL = re.compile(
    r"^(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com((?:/[a-z0-9_.~%-]*)*)$", re.IGNORECASE | re.ASCII
)

# A profile URL as LinkedIn writes it: a lower-case slug of ASCII letters, digits and hyphens (\Z: "$"
# would take a trailing newline too).
_PLAIN_PROFILE_URL = re.compile(r"^(?:https?://)?(?:www\.)?linkedin\.com/in/([a-z0-9-]{1,200})/?\Z", re.ASCII)

# The normalisers are pure and one import calls them several times for each cell (checking the row,
# matching, keeping its values and contact points): the recent answers are remembered. A few
# thousand entries hold a batch of rows; bounded, so a worker's memory does not grow with the file.
_remembered = functools.lru_cache(maxsize=8192)


def _linkedin_path(text):
    """The decoded path segments and query of a LinkedIn URL (with or without scheme or www, any
    locale or mobile subdomain), or None when the text is not a LinkedIn URL."""
    text = text.strip()
    plain = _PLAIN_LINKEDIN_URL.match(text)
    if plain:
        # The form nearly every file holds, split without urlsplit (a third of the time of checking an
        # imported row): the same answer as _parsed_linkedin_path, tested.
        return _mobile_path_dropped([unquote(segment) for segment in plain[1].split("/") if segment]), ""
    return _parsed_linkedin_path(text)


def _parsed_linkedin_path(text):
    """_linkedin_path for any text (stripped), through urlsplit."""
    if not _SCHEME.match(text):
        if not re.match(r"^([\w-]+\.)*linkedin\.com([/:?#]|$)", text, re.IGNORECASE):
            return None
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not (
        host == "linkedin.com" or host.endswith(".linkedin.com")
    ):
        return None
    return _mobile_path_dropped(
        [unquote(segment) for segment in parts.path.split("/") if segment]
    ), parts.query


def _mobile_path_dropped(segments):
    # The mobile site's paths: /mwlite/in/<slug>, /m/in/<slug>.
    while segments and segments[0].lower() in ("mwlite", "m"):
        segments = segments[1:]
    return segments


def _clean_slug(slug):
    slug = unicodedata.normalize("NFC", unquote(slug).strip().lower())
    return slug if _PUBLIC_ID.match(slug) else ""


@_remembered
def linkedin_public_id(text):
    """The public id of a LinkedIn profile from its URL in any form, or from a bare slug (as LookC
    returns it): "https://fr.linkedin.com/in/J%C3%A9r%C3%B4me-Dupont/details/" -> "jérôme-dupont".

    A member id in an /in/ URL (/in/ACoAA...) is not a public id: see `sales_nav_id`."""
    plain = _PLAIN_PROFILE_URL.match(text or "")
    if plain:
        # The form nearly every file holds: its slug is already the public id (lower case, ASCII, so
        # neither a member id nor anything to decode). The same answer as _parsed_public_id, tested.
        return plain[1]
    return _parsed_public_id(text)


def _parsed_public_id(text):
    """linkedin_public_id for any text."""
    text = (text or "").strip()
    if not text:
        return ""
    found = _linkedin_path(text)
    if found is not None:
        segments, _query = found
        if len(segments) < 2 or segments[0].lower() != "in":
            return ""
        slug = segments[1]
    elif text.lower().startswith(("in/", "/in/")):
        slug = text.split("in/", 1)[1].split("/")[0].split("?")[0].split("#")[0]
    elif "/" in text or "@" in text or " " in text:
        return ""
    else:
        slug = text
    if _MEMBER_ID.match(unquote(slug).strip()):
        return ""
    return _clean_slug(slug)


@_remembered
def sales_nav_id(text):
    """A LinkedIn member id as Sales Navigator and Recruiter use it, from /sales/lead/<id>,...,
    /sales/people/<id>,..., /sales/<id>,..., /talent/profile/<id>, /in/<member id>, a URN, or bare.
    Case-sensitive: returned as given."""
    text = (text or "").strip()
    if not text:
        return ""
    found = _linkedin_path(text)
    candidate = ""
    if found is not None:
        segments, _query = found
        head = [segment.lower() for segment in segments[:2]]
        if head[:1] == ["sales"] and len(segments) >= 3 and head[1] in ("lead", "people", "person"):
            candidate = segments[2]
        elif (
            head[:1] == ["sales"] and len(segments) >= 2 and head[1] not in ("company", "search", "accounts")
        ):
            candidate = segments[1]
        elif head == ["talent", "profile"] and len(segments) >= 3:
            candidate = segments[2]
        elif head[:1] == ["in"] and len(segments) >= 2:
            candidate = segments[1]
    elif text.lower().startswith("urn:li:"):
        candidate = text.rsplit(":", 1)[-1]
    elif "/" not in text:
        candidate = unquote(text)
    # "ACwAA...,NAME,undefined": the id ends at the first comma.
    candidate = candidate.split(",")[0].strip()
    return candidate if _MEMBER_ID.match(candidate) else ""


@_remembered
def company_linkedin_id(text):
    """A LinkedIn company's slug or numeric id from /company/<slug-or-id>/..., /showcase/<slug>,
    /school/<slug>, /sales/company/<id>, a Sales Navigator insights URL's companyId, or bare."""
    text = (text or "").strip()
    if not text:
        return ""
    found = _linkedin_path(text)
    if found is not None:
        segments, query = found
        head = [segment.lower() for segment in segments[:2]]
        if head[:1] in (["company"], ["showcase"], ["school"]) and len(segments) >= 2:
            candidate = segments[1]
        elif head == ["sales", "company"] and len(segments) >= 3:
            candidate = segments[2]
        elif head[:1] == ["sales"]:
            candidate = (parse_qs(query).get("companyId") or [""])[0]
        else:
            return ""
    elif text.lower().startswith(("company/", "/company/")):
        candidate = text.split("company/", 1)[1].split("/")[0].split("?")[0].split("#")[0]
    elif "/" in text or "@" in text or " " in text or "." in text:
        return ""
    else:
        candidate = text
    candidate = unicodedata.normalize("NFC", unquote(candidate).split(",")[0].strip().lower())
    return candidate if _COMPANY_ID.match(candidate) else ""


@_remembered
def domain(text):
    """A domain from a URL, an email address or a bare domain: lower case, without "www.", port or
    trailing dot, in its ASCII (IDNA) form: "https://www.Bücher.example/x" -> "xn--bcher-kva.example"."""
    text = (text or "").strip()
    if not text:
        return ""
    if "@" in text and not _SCHEME.match(text):
        text = text.rsplit("@", 1)[1]
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        host = _host_name(urlsplit(text).hostname or "")
    except ValueError:
        return ""
    while host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host


@_remembered  # a file's addresses share a few thousand domains
def _host_name(host):
    """A host name in its lower-case ASCII (IDNA) form, or "" when it is not a domain name."""
    host = host.strip().rstrip(".")
    if host.isascii():
        # Already ASCII: IDNA 2008's extra rules (no "--" in a label's 3rd and 4th places) would refuse
        # names that resolve today, so only letters, digits and hyphens are checked below.
        host = host.lower()
    else:
        try:
            host = idna.encode(host, uts46=True).decode("ascii").lower()
        except (idna.IDNAError, UnicodeError, ValueError):
            return ""
    labels = host.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return ""
    tld = labels[-1]
    if not (tld.isalpha() or tld.startswith("xn--")):
        return ""  # an IP address, or not a domain
    return host


@_remembered
def email(text):
    """An email address trimmed and lower-cased, its domain in ASCII form; "" when it is not one."""
    text = (text or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].split("?")[0].strip()
    if text.count("@") != 1 or len(text) > 254:
        return ""
    local, _, host = text.partition("@")
    host = _host_name(host) if not re.search(r"[/:?#\s\[\]]", host) else ""
    if not local or not host:
        return ""
    address = f"{local.lower()}@{host}"
    # validate_email's checks, its domain part's remembered for each domain: the whole validator was
    # half of this function's time (tested to give the same answers).
    if len(address) > 320 or not validate_email.user_regex.match(local.lower()):
        return ""
    return address if _email_domain_valid(host) else ""


@_remembered
def _email_domain_valid(host):
    return host in validate_email.domain_allowlist or validate_email.validate_domain_part(host)


def email_domain(address):
    """The domain of a normalised email address ("" for anything else)."""
    return address.rsplit("@", 1)[1] if "@" in (address or "") else ""


@_remembered
def phone(text):
    """A phone number as digits with its leading "+" kept ("00" read as "+"); "" when too short to be
    one. Without the country we cannot do better than this; the number as written stays in the facts."""
    text = (text or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    else:
        number = digits
    return number if 5 <= len(number.lstrip("+")) <= 20 else ""


def provider_id(text):
    """A provider's own record id (Lix, Lusha, LeadIQ): trimmed, kept as given; "" if blank or spaced."""
    text = (text or "").strip()
    return text if text and len(text) <= 200 and not re.search(r"\s", text) else ""
