"""Sales Navigator lead-search URLs built from facet values: LinkedIn's notation, values encoded so that
no text can break its structure, and the one-string form a chosen value travels in."""

from urllib.parse import unquote, urlsplit

import pytest

from prospecting.providers.sales_nav import (
    FACETS,
    Selection,
    Skill,
    decode_selection,
    decode_skill,
    encode_selection,
    encode_skill,
    lead_search_url,
    with_selection,
)

US = Selection("BING_GEO", "103644278", "United States")
NASTY = ["Acme, Inc. (UK): Ltd", "a)b(c,d:e", "100%", "L'Oréal", "x|y", "  spaced  ", "%2C", "日本"]


def parse(text):
    """LinkedIn's notation read back: `(k:v,...)` -> dict, `List(a,b)` -> list, anything else a string
    decoded once. Structure characters inside a value would make this fail or read differently."""
    value, rest = _value(text)
    assert rest == "", f"trailing {rest!r}"
    return value


def _value(text):
    if text.startswith("List("):
        items, text = [], text[5:]
        while not text.startswith(")"):
            item, text = _value(text)
            items.append(item)
            text = text[1:] if text.startswith(",") else text
        return items, text[1:]
    if text.startswith("("):
        record, text = {}, text[1:]
        while not text.startswith(")"):
            name, _, text = text.partition(":")
            record[name], text = _value(text)
            text = text[1:] if text.startswith(",") else text
        return record, text[1:]
    end = min((text.index(c) for c in ",)" if c in text), default=len(text))
    return unquote(text[:end]), text[end:]


def query_of(url):
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/sales/search/people")
    name, _, value = parts.query.partition("=")
    assert name == "query"
    return parse(value)


def test_the_url_is_linkedins_lead_search_with_its_filter_types():
    url = lead_search_url(keywords="sales director", selections=[US])
    assert url == (
        "https://www.linkedin.com/sales/search/people?query=(filters:List((type:REGION,values:List("
        "(id:103644278,text:United%20States,selectionType:INCLUDED)))),keywords:sales%20director)"
    )


def test_each_facet_maps_to_its_sales_navigator_filter():
    assert {t: f.filter_type for t, f in FACETS.items()} == {
        "BING_GEO": "REGION",
        "COMPANY_WITH_LIST": "CURRENT_COMPANY",
        "SENIORITY_V2": "SENIORITY_LEVEL",
        "TITLE": "CURRENT_TITLE",
        "INDUSTRY": "INDUSTRY",
        "FUNCTION": "FUNCTION",
        "COMPANY_SIZE": "COMPANY_HEADCOUNT",
        "SCHOOL": "SCHOOL",
        "COMPANY_TYPE": "COMPANY_TYPE",
        "TENURE": "YEARS_AT_CURRENT_COMPANY",
        "PROFILE_LANGUAGE": "PROFILE_LANGUAGE",
    }


@pytest.mark.parametrize("text", NASTY)
def test_no_text_can_break_the_structure(text):
    chosen = [
        Selection("COMPANY_WITH_LIST", f"urn:li:organization:{len(text)}", text),
        Selection("TITLE", text, text, excluded=True),
    ]
    query = query_of(lead_search_url(keywords=text, selections=chosen))
    assert query["keywords"] == " ".join(text.split())
    company, title = query["filters"]
    assert company == {
        "type": "CURRENT_COMPANY",
        "values": [{"id": f"urn:li:organization:{len(text)}", "text": text, "selectionType": "INCLUDED"}],
    }
    assert title["values"] == [{"id": text, "text": text, "selectionType": "EXCLUDED"}]
    assert all(c not in lead_search_url(keywords=text).split("keywords:")[1][:-1] for c in "(),: ")


def test_values_of_one_facet_share_a_filter_and_filters_follow_the_facet_order():
    chosen = [
        Selection("FUNCTION", "25", "Sales"),
        US,
        Selection("FUNCTION", "8", "Engineering", excluded=True),
    ]
    filters = query_of(lead_search_url(selections=chosen))["filters"]
    assert [f["type"] for f in filters] == ["REGION", "FUNCTION"]
    assert [(v["text"], v["selectionType"]) for v in filters[1]["values"]] == [
        ("Sales", "INCLUDED"),
        ("Engineering", "EXCLUDED"),
    ]
    assert "keywords" not in query_of(lead_search_url(selections=chosen))


def test_a_bare_company_id_is_named_by_its_urn():
    url = lead_search_url(selections=[Selection("COMPANY_WITH_LIST", "1441", "Google")])
    assert query_of(url)["filters"][0]["values"][0]["id"] == "urn:li:organization:1441"
    assert "id:urn%3Ali%3Aorganization%3A1441" in url


def test_keywords_alone_make_a_search_and_nothing_makes_none():
    assert query_of(lead_search_url(keywords="  cto   london ")) == {"keywords": "cto london"}
    with pytest.raises(ValueError, match="keywords or at least one filter"):
        lead_search_url(keywords="   ")


@pytest.mark.parametrize("text", NASTY)
def test_a_selection_survives_its_one_string_form(text):
    for selection in (Selection("SCHOOL", text.strip() or "1", text.strip() or "x", excluded=True), US):
        encoded = encode_selection(selection)
        assert decode_selection(encoded) == selection
        assert encoded.count("|") == 3


@pytest.mark.parametrize(
    "value",
    [
        "",
        "BING_GEO|include|1",  # a part missing
        "NOPE|include|1|x",  # not a facet Quarry knows
        "BING_GEO|maybe|1|x",
        "COMPANY_SIZE|exclude|B|11-50",  # Sales Navigator cannot exclude a headcount
        "BING_GEO|include||x",
        "BING_GEO|include|1|%20",
        "BING_GEO|include|1|a%1Bb",  # a control character
        "BING_GEO|include|1|" + "x" * 201,
    ],
)
def test_a_string_that_names_no_selection_is_refused(value):
    with pytest.raises(ValueError):
        decode_selection(value)


def test_picking_a_value_again_replaces_it():
    excluded = Selection("BING_GEO", "103644278", "United States", excluded=True)
    other = Selection("BING_GEO", "101165590", "United Kingdom")
    assert with_selection([US, other], excluded) == [other, excluded]
    assert with_selection([], US) == [US]


@pytest.mark.parametrize("mode", ["required", "optional", "excluded"])
def test_a_skill_survives_its_one_string_form_and_says_how_lix_takes_it(mode):
    skill = Skill("urn:li:ts_skill:218", "C++ (lang), 100%|x", mode)
    assert decode_skill(encode_skill(skill)) == skill
    sent = skill.for_lix()
    assert sent["negated"] is (mode == "excluded") and sent["required"] is (mode == "required")
    assert sent["selected"] is True and sent["text"] == "C++ (lang), 100%|x"


@pytest.mark.parametrize("value", ["", "must|urn|x", "required|urn", "required||x", "optional|u|a%00b"])
def test_a_string_that_names_no_skill_is_refused(value):
    with pytest.raises(ValueError):
        decode_skill(value)
