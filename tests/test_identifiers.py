"""Identifier normalisation: properties (hypothesis) and the tricky forms providers and users give."""

import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from prospecting import identifiers

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-éèüöøçñåłß中文ąž"


def _canonical(slug):
    return unicodedata.normalize("NFC", slug.lower())


slugs = (
    st.text(alphabet=ALPHABET, min_size=3, max_size=40)
    .map(_canonical)
    .filter(lambda slug: not slug.startswith(("acoaa", "acwaa")))
)


@st.composite
def profile_urls(draw, slug):
    """One of the many ways a LinkedIn profile URL of `slug` is written."""
    scheme = draw(st.sampled_from(["https://", "http://", ""]))
    host = draw(
        st.sampled_from(
            [
                "www.linkedin.com",
                "linkedin.com",
                "fr.linkedin.com",
                "uk.linkedin.com",
                "m.linkedin.com",
                "WWW.LinkedIn.com",
            ]
        )
    )
    prefix = draw(st.sampled_from(["/in/", "/IN/", "/mwlite/in/", "/in//"]))
    written = slug
    if draw(st.booleans()):  # change the case of ASCII letters (non-ASCII case is not reversible)
        written = "".join(c.upper() if c.isascii() and draw(st.booleans()) else c for c in written)
    if draw(st.booleans()):
        written = quote(written, safe="")
    elif draw(st.booleans()):
        written = quote(written, safe="-")  # percent-encoded non-ASCII only
    suffix = draw(
        st.sampled_from(
            [
                "",
                "/",
                "/details/experience/",
                "/recent-activity/all/",
                "?trk=public_profile_browsemap",
                "/?originalSubdomain=fr",
                "#experience",
                "/?utm_source=share&utm_medium=member_desktop#about",
            ]
        )
    )
    padding = draw(st.sampled_from(["", " ", "\t", "\n"]))
    return f"{padding}{scheme}{host}{prefix}{written}{suffix}{padding}"


@given(st.data(), slugs)
def test_every_url_form_of_a_profile_maps_to_its_one_public_id(data, slug):
    url = data.draw(profile_urls(slug))
    assert identifiers.linkedin_public_id(url) == slug
    assert identifiers.linkedin_public_id(slug) == slug  # the bare slug, as LookC gives it


@given(st.data(), slugs, slugs)
def test_distinct_profiles_never_collide(data, first, second):
    assume(first != second)
    first_url, second_url = data.draw(profile_urls(first)), data.draw(profile_urls(second))
    assert identifiers.linkedin_public_id(first_url) != identifiers.linkedin_public_id(second_url)


@given(
    st.one_of(
        st.from_regex(identifiers._PLAIN_LINKEDIN_URL, fullmatch=True),
        st.builds(
            "".join,
            st.lists(
                st.sampled_from(
                    [
                        "https://",
                        "HTTP://",
                        "http",
                        "://",
                        "ftp://",
                        "www.",
                        "fr.",
                        "linkedin.com",
                        "LinkedIn.COM",
                        "/",
                        "in",
                        "IN",
                        "m",
                        "mwlite",
                        "sales",
                        "lead",
                        "ACwAAAXQSFkBI1hIhlJLnr04EL",
                        "jane-doe",
                        "%C3%A9",
                        "%2F",
                        "%",
                        "?x=1",
                        "#a",
                        ":443",
                        "@",
                        " ",
                        ".",
                        "-",
                        "_",
                        "~",
                        "\u212a",
                        "\u017f",
                        "é",
                    ]
                ),
                max_size=12,
            ),
        ),
    )
)
@example("https://www.linkedin.com/in/person-1/")
@example("linkedin.com")
@example("http\u017f://linkedin.com/in/x")  # a long s is an "s" to a case-blind match, not to urlsplit
@example("https://linkedin.com//in//m/x")
@example("https://www.linkedin.com/mwlite/in/jane-doe")
def test_a_plain_linkedin_url_splits_as_urlsplit_splits_it(text):
    """The fast path of _linkedin_path gives what the general one gives, for any text it takes."""
    text = text.strip()
    assert identifiers._linkedin_path(text) == identifiers._parsed_linkedin_path(text)


@given(
    st.one_of(
        st.text(max_size=60),
        st.builds(
            "".join,
            st.lists(
                st.sampled_from(
                    [
                        "https://",
                        "www.",
                        "linkedin.com",
                        "/",
                        "in/",
                        "sales/lead/",
                        "talent/profile/",
                        "urn:li:fs_salesProfile:",
                        "ACwAAAXQSFkBI1hIhlJLnr04EL",
                        "ACoAAAXQSFkBI1hIhlJLnr04EL",
                        "%41",
                        "%2C",
                        ",",
                        "jane-doe",
                        "é",
                        " ",
                        "?x=1",
                    ]
                ),
                max_size=10,
            ),
        ),
    )
)
@example("https://www.linkedin.com/in/ACwAAAXQSFkBI1hIhlJLnr04ELabcdef/")
@example("https://www.linkedin.com/in/ACwAAAXQSFkBI1hIhlJLnr04ELabcdef,NAME,undefined")
@example("%41CwAAAXQSFkBI1hIhlJLnr04ELabcdef")
def test_a_text_with_a_public_id_names_no_member_id(text):
    """person_keys does not look for a Sales Navigator id in a LinkedIn URL that has a public id."""
    assert not (identifiers.linkedin_public_id(text) and identifiers.sales_nav_id(text))


NORMALISERS = [
    identifiers.linkedin_public_id,
    identifiers.sales_nav_id,
    identifiers.company_linkedin_id,
    identifiers.email,
    identifiers.domain,
    identifiers.phone,
    identifiers.provider_id,
]


@pytest.mark.parametrize("normalise", NORMALISERS, ids=lambda f: f.__name__)
@given(text=st.text(max_size=80))
def test_every_normaliser_is_idempotent_on_any_text(normalise, text):
    once = normalise(text)
    assert normalise(once) == once


@pytest.mark.parametrize("normalise", NORMALISERS, ids=lambda f: f.__name__)
@given(st.data(), slugs)
def test_every_normaliser_is_idempotent_on_url_forms(normalise, data, slug):
    text = data.draw(
        st.sampled_from(
            [
                data.draw(profile_urls(slug)),
                f"https://www.linkedin.com/company/{slug}/about/",
                f"https://www.linkedin.com/sales/lead/ACwAAAXQSFkBI1hIhlJLnr04EL-{slug},NAME",
                f"{slug}@{slug}.example",
                f"https://www.{slug}.example/contact",
            ]
        )
    )
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20))
@example("00--0")  # hyphens in a label's 3rd and 4th places: refused by IDNA 2008, yet a working name
def test_a_domain_from_a_url_an_email_or_bare_is_the_same(name):
    assume(not name.startswith("-") and not name.endswith("-"))
    expected = f"{name}.example.com"
    assert identifiers.domain(expected) == expected
    assert identifiers.domain(f"https://www.{expected.upper()}/path?q=1#x") == expected
    assert identifiers.domain(f"Someone@{expected}") == expected


@pytest.mark.parametrize(
    "text, public_id",
    [
        ("https://www.linkedin.com/in/alfie-lambert", "alfie-lambert"),
        ("linkedin.com/in/alfie-lambert/", "alfie-lambert"),
        ("alfie-lambert", "alfie-lambert"),  # LookC's bare slug
        ("HTTPS://FR.LINKEDIN.COM/IN/Alfie-Lambert/details/experience/", "alfie-lambert"),
        ("https://m.linkedin.com/in/jane-doe-42?trk=x#top", "jane-doe-42"),
        ("https://www.linkedin.com/mwlite/in/jane-doe-42", "jane-doe-42"),
        ("https://de.linkedin.com/in/j%C3%B6rg-m%C3%BCller-1a2b3c", "jörg-müller-1a2b3c"),
        ("https://www.linkedin.com/in/J%C3%89R%C3%94ME-dupont", "jérôme-dupont"),
        ("https://www.linkedin.com/in/jérôme-dupont/", "jérôme-dupont"),
        ("https://www.linkedin.com/in/je%CC%81ro%CC%82me-dupont", "jérôme-dupont"),  # decomposed accents
        ("in/jane-doe", "jane-doe"),
        ("  https://www.linkedin.com/in/janesmith/  ", "janesmith"),
        # Not a public id: a member id, a company, a search, another site, free text.
        ("https://www.linkedin.com/in/ACoAADxnv0oB_dN-NfpvEBlsVPU_W1omM-Xu24o", ""),
        ("https://www.linkedin.com/company/lix", ""),
        ("https://www.linkedin.com/search/results/people/?keywords=lix", ""),
        ("https://www.notlinkedin.com/in/jane", ""),
        ("https://linkedin.com.evil.example/in/jane", ""),
        ("https://www.linkedin.com/in/", ""),
        # An old /pub/ URL's first segment is a name shared by many people: never an id.
        ("https://www.linkedin.com/pub/jane-doe/12/345/678", ""),
        ("jane doe", ""),
        ("jane@acme.test", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_linkedin_public_id_of_tricky_forms(text, public_id):
    assert identifiers.linkedin_public_id(text) == public_id


LEAD = "ACwAAAXQSFkBI1hIhlJLnr04EL-0FSqe1SIXTEM"
MEMBER = "ACoAAAXQSFkBYBAvJOtLzKQz7X0qXjByqI9m7Tg"


@pytest.mark.parametrize(
    "text, lead_id",
    [
        (f"https://www.linkedin.com/sales/lead/{LEAD},NAME_SEARCH,abcd", LEAD),
        (f"https://linkedin.com/sales/lead/{LEAD}", LEAD),
        (f"https://linkedin.com/sales/{LEAD},NAME,undefined", LEAD),  # LookC's salesNavUrl
        (f"https://www.linkedin.com/sales/people/{MEMBER},NAME", MEMBER),  # Lix's salesNavURL
        (f"https://www.linkedin.com/sales/people/{MEMBER}%2CNAME", MEMBER),
        (f"https://www.linkedin.com/talent/profile/{MEMBER}", MEMBER),
        (f"https://www.linkedin.com/in/{MEMBER}", MEMBER),
        (f"urn:li:fs_salesProfile:{LEAD}", LEAD),
        (f"  {LEAD}  ", LEAD),
        ("https://www.linkedin.com/sales/lead/short,NAME", ""),
        ("https://linkedin.com/sales/company/1670390", ""),
        ("https://www.linkedin.com/in/alfie-lambert", ""),
        ("alfie-lambert", ""),
    ],
)
def test_sales_nav_id_of_tricky_forms(text, lead_id):
    assert identifiers.sales_nav_id(text) == lead_id


@pytest.mark.parametrize(
    "text, company_id",
    [
        ("https://www.linkedin.com/company/Stripe/", "stripe"),
        ("linkedin.com/company/lix/about/?viewAsMember=true", "lix"),
        ("https://fr.linkedin.com/company/1337/", "1337"),
        ("https://linkedin.com/sales/company/1670390", "1670390"),
        ("https://www.linkedin.com/sales/accounts/insights?companyId=1337&trk=li_comp_page", "1337"),
        ("https://www.linkedin.com/showcase/acme-labs", "acme-labs"),
        ("company/acme", "acme"),
        ("acme", "acme"),
        ("https://www.linkedin.com/company/soci%C3%A9t%C3%A9-g%C3%A9n%C3%A9rale", "société-générale"),
        ("https://www.linkedin.com/in/jane", ""),
        ("acme.com", ""),
        ("https://linkedin.com/sales/company/", ""),
    ],
)
def test_company_linkedin_id_of_tricky_forms(text, company_id):
    assert identifiers.company_linkedin_id(text) == company_id


@pytest.mark.parametrize(
    "text, address",
    [
        ("  Jane.Doe@ACME.test ", "jane.doe@acme.test"),
        ("mailto:jane@acme.test", "jane@acme.test"),
        ("jane@www.acme.test", "jane@www.acme.test"),  # an address's domain is kept whole
        ("jane@bücher.example", "jane@xn--bcher-kva.example"),
        ("jane+tag@acme.test", "jane+tag@acme.test"),
        ("jane@acme", ""),
        ("jane@@acme.test", ""),
        ("jane", ""),
        ("@acme.test", ""),
        ("jane doe@acme.test", ""),
        ("jane@acme.test/path", ""),
        ("", ""),
    ],
)
def test_email_of_tricky_forms(text, address):
    assert identifiers.email(text) == address


def test_an_email_domain_strips_www_only_from_domains_not_addresses():
    assert identifiers.email_domain(identifiers.email("jane@acme.test")) == "acme.test"
    assert identifiers.email_domain("") == ""


@pytest.mark.parametrize(
    "text, host",
    [
        ("https://www.Acme.test/about?x=1", "acme.test"),
        ("www.acme.test", "acme.test"),
        ("acme.test.", "acme.test"),
        ("jane@Acme.Test", "acme.test"),
        ("http://acme.test:8080/", "acme.test"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("https://www.bücher.example/", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("www.com", "www.com"),  # "www" is the name here, not a prefix
        ("http://10.0.0.1/", ""),
        ("localhost", ""),
        ("not a domain", ""),
        ("-acme.test", ""),
        ("", ""),
    ],
)
def test_domain_of_tricky_forms(text, host):
    assert identifiers.domain(text) == host


@pytest.mark.parametrize(
    "text, number",
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 (20) 7946-0958", "+442079460958"),
        ("(415) 555-0100", "4155550100"),
        ("12", ""),
        ("", ""),
    ],
)
def test_phone_of_tricky_forms(text, number):
    assert identifiers.phone(text) == number


def _email_through_django(text):
    """identifiers.email as it was written first, with Django's whole validator."""
    import re

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = (text or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].split("?")[0].strip()
    if text.count("@") != 1 or len(text) > 254:
        return ""
    local, _, host = text.partition("@")
    host = identifiers._host_name(host) if not re.search(r"[/:?#\s\[\]]", host) else ""
    if not local or not host:
        return ""
    address = f"{local.lower()}@{host}"
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


LOCAL_PARTS = ["jane", "J", ".", "+tag", '"', "a b", "é", "_", "!#$%&'*", "a" * 64, "\u212a", "-", "@"]
LABELS = [
    "acme",
    "test",
    "t",
    "1",
    "-x",
    "xn--bcher-kva",
    "bücher",
    "localhost",
    "b" * 63,
    "b" * 64,
    "",
    "[127.0.0.1]",
]


@st.composite
def addresses(draw):
    """Text that is an email address often, and nearly one the rest of the time."""
    local = "".join(draw(st.lists(st.sampled_from(LOCAL_PARTS), min_size=1, max_size=4)))
    host = ".".join(draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4)))
    prefix = draw(st.sampled_from(["", " ", "mailto:", "MAILTO:"]))
    return f"{prefix}{local}@{host}{draw(st.sampled_from(['', ' ', '?subject=x', '.']))}"


@given(st.one_of(st.text(max_size=40), addresses()))
@settings(max_examples=500)
@example("jane@localhost.test")
@example('"jane doe"@acme.test')
@example("jane.@acme.test")
@example("jane@acme.t")
def test_email_gives_what_djangos_whole_validator_gives(text):
    assert identifiers.email(text) == _email_through_django(text)


@given(
    st.one_of(
        st.from_regex(identifiers._PLAIN_PROFILE_URL, fullmatch=True),
        st.from_regex(r"\A(https?://)?(www\.)?linkedin\.com/in/[a-zA-Z0-9_%-]{0,30}/?\s?\Z"),
        st.text(max_size=60),
    )
)
@example("https://www.linkedin.com/in/person-1/")
@example("https://www.linkedin.com/in/jane-doe\n")
@example("linkedin.com/in/m")
@example("https://linkedin.com/in/acoaaaxqsfkbi1hihljlnr04elabcdef")
def test_a_plain_profile_url_gives_what_the_general_path_gives(text):
    assert identifiers.linkedin_public_id(text) == identifiers._parsed_public_id(text)
