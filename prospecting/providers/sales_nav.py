"""Sales Navigator lead-search URLs, built from keywords and facet values (Lix's `sales_facet` typeahead),
so a search made in Quarry runs as a pasted Sales Navigator search would (LixClient.search_sales_people).

The facet type -> Sales Navigator filter type mapping and the URL's shape are inferred from the URLs
LinkedIn's own Sales Navigator puts in the browser, not from Lix's documents (which list the facet types
only): `query=(filters:List((type:REGION,values:List((id:103644278,text:United%20States,
selectionType:INCLUDED)))),keywords:sales%20director)`. In that notation `(`, `)`, `,` and `:` are the
structure, so every id and text is percent-encoded whole: a company called "Acme, Inc. (UK)" cannot end
a value or open a new one.

A chosen value travels through forms, GET links and saved searches as one string (`encode_selection`),
the facet type first and each part percent-encoded, so it survives confirmation, paging and re-runs.
"""

from dataclasses import dataclass
from urllib.parse import quote, unquote

SEARCH_URL = "https://www.linkedin.com/sales/search/people"


@dataclass(frozen=True)
class Facet:
    lix_type: str  # the `type` LixClient.sales_facet takes
    filter_type: str  # the filter's `type` in a Sales Navigator URL (inferred from LinkedIn's URLs)
    label: str
    excludable: bool  # Sales Navigator's filter panel offers "Exclude" for it


FACETS = {
    facet.lix_type: facet
    for facet in (
        Facet("BING_GEO", "REGION", "Geography", True),
        Facet("COMPANY_WITH_LIST", "CURRENT_COMPANY", "Current company", True),
        Facet("SENIORITY_V2", "SENIORITY_LEVEL", "Seniority level", True),
        Facet("TITLE", "CURRENT_TITLE", "Current job title", True),
        Facet("INDUSTRY", "INDUSTRY", "Industry", True),
        Facet("FUNCTION", "FUNCTION", "Function", True),
        Facet("COMPANY_SIZE", "COMPANY_HEADCOUNT", "Company headcount", False),
        Facet("SCHOOL", "SCHOOL", "School", True),
        Facet("COMPANY_TYPE", "COMPANY_TYPE", "Company type", False),
        Facet("TENURE", "YEARS_AT_CURRENT_COMPANY", "Years at current company", False),
        Facet("PROFILE_LANGUAGE", "PROFILE_LANGUAGE", "Profile language", False),
    )
}
MAX_TEXT = 200  # a facet value's id or text; LinkedIn's are far shorter


@dataclass(frozen=True)
class Selection:
    facet: str  # a key of FACETS
    id: str
    text: str
    excluded: bool = False

    @property
    def label(self):
        return FACETS[self.facet].label

    @property
    def same_value(self):
        """What identifies the value whichever way it is selected (picking it again replaces it)."""
        return (self.facet, self.id)

    @property
    def encoded(self):
        return encode_selection(self)


def _part(text):
    return quote(str(text), safe="")


def encode_selection(selection):
    mode = "exclude" if selection.excluded else "include"
    return "|".join((selection.facet, mode, _part(selection.id), _part(selection.text)))


def decode_selection(value):
    """The Selection an `encode_selection` string names; ValueError when it names none Quarry can build."""
    parts = str(value).split("|")
    if len(parts) != 4:
        raise ValueError("not a facet value")
    facet, mode, ident, text = parts[0], parts[1], unquote(parts[2]), unquote(parts[3])
    if facet not in FACETS or mode not in ("include", "exclude"):
        raise ValueError("unknown facet or selection type")
    if mode == "exclude" and not FACETS[facet].excludable:
        raise ValueError(f"Sales Navigator cannot exclude a {FACETS[facet].label.lower()}")
    if not ident.strip() or not text.strip() or len(ident) > MAX_TEXT or len(text) > MAX_TEXT:
        raise ValueError("a facet value needs an id and a text")
    if not (ident + text).isprintable():
        raise ValueError("a facet value cannot hold control characters")
    return Selection(facet, ident, text, mode == "exclude")


def with_selection(selections, added):
    """`selections` with `added` at its end; the same value selected before (included or excluded) is
    replaced, so picking "Exclude" on an included value switches it."""
    return [s for s in selections if s.same_value != added.same_value] + [added]


def _filter_id(selection):
    # LinkedIn's URLs name a current company by its URN; a bare numeric id is that URN's last part.
    if selection.facet == "COMPANY_WITH_LIST" and selection.id.isascii() and selection.id.isdigit():
        return f"urn:li:organization:{selection.id}"
    return selection.id


def lead_search_url(*, keywords="", selections=()):
    """The Sales Navigator lead-search URL for these keywords and selected values, filters in the order
    of FACETS and values in the order chosen. ValueError when there is nothing to search on."""
    keywords = " ".join(str(keywords or "").split())
    filters = []
    for facet in FACETS.values():
        chosen = [s for s in selections if s.facet == facet.lix_type]
        if not chosen:
            continue
        values = ",".join(
            f"(id:{_part(_filter_id(s))},text:{_part(s.text)},"
            f"selectionType:{'EXCLUDED' if s.excluded else 'INCLUDED'})"
            for s in chosen
        )
        filters.append(f"(type:{facet.filter_type},values:List({values}))")
    parts = [f"filters:List({','.join(filters)})"] if filters else []
    if keywords:
        parts.append(f"keywords:{_part(keywords)}")
    if not parts:
        raise ValueError("A Sales Navigator search needs keywords or at least one filter.")
    return f"{SEARCH_URL}?query=({','.join(parts)})"


# --- Recruiter skills (LixClient.recruiter_facet's values), in the same one-string form ----------------

SKILL_MODES = {"required": "Must have", "optional": "Nice to have", "excluded": "Exclude"}


@dataclass(frozen=True)
class Skill:
    entity: str  # urn:li:ts_skill:…
    text: str
    mode: str = "optional"  # a key of SKILL_MODES

    @property
    def mode_label(self):
        return SKILL_MODES[self.mode]

    @property
    def same_value(self):
        return ("skill", self.entity)

    @property
    def encoded(self):
        return encode_skill(self)

    def for_lix(self):
        """As LixClient.search_recruiter_people takes it."""
        return {
            "text": self.text,
            "entity": self.entity,
            "negated": self.mode == "excluded",
            "required": self.mode == "required",
            "selected": True,
        }


def encode_skill(skill):
    return "|".join((skill.mode, _part(skill.entity), _part(skill.text)))


def decode_skill(value):
    """The Skill an `encode_skill` string names; ValueError when it names none."""
    parts = str(value).split("|")
    if len(parts) != 3 or parts[0] not in SKILL_MODES:
        raise ValueError("not a skill")
    entity, text = unquote(parts[1]), unquote(parts[2])
    if not entity.strip() or not text.strip() or len(entity) > MAX_TEXT or len(text) > MAX_TEXT:
        raise ValueError("a skill needs an entity and a text")
    if not (entity + text).isprintable():
        raise ValueError("a skill cannot hold control characters")
    return Skill(entity, text, parts[0])
