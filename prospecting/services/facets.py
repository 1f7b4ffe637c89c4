"""Facet values for the Lix search builders' typeahead: Sales Navigator's (geography, company, title…)
through `LixClient.sales_facet`, Recruiter's skills through `LixClient.recruiter_facet`.

They are free but Lix answers one call every 3 seconds, so each answer is cached a day per key
(`cached_lookup`) and a typeahead waits at most TYPEAHEAD_MAX_WAIT for the limiter: a member typing
while Lix is held back is told "busy, try again in a moment" rather than kept waiting.
"""

from dataclasses import dataclass

from prospecting.providers.base import ProviderError, RateLimited
from prospecting.providers.lix import LixClient
from prospecting.providers.sales_nav import (
    FACETS,
    SKILL_MODES,
    Selection,
    Skill,
    decode_selection,
    decode_skill,
    with_selection,
)
from prospecting.services.lookups import cached_lookup
from prospecting.services.search import SearchFailed, failure_in_words

# One slot of Lix's 1 call / 3 s: a look-up typed just after another still answers; a longer wait means
# a search or another member's look-up is ahead, and the member is told so rather than kept waiting.
TYPEAHEAD_MAX_WAIT = 3.0  # seconds
FACET_VALUES_SHOWN = 10
SKILL = "skill"  # the Recruiter facet's type (Sales Navigator's are FACETS' keys)


@dataclass(frozen=True)
class FacetValue:
    id: str
    text: str


def find_facet_values(*, team, user, facet_type, query):
    """The values of `facet_type` matching `query`, from the team's Lix key. Raises SearchFailed, in
    words with what to do, when Lix is busy, refuses, or the team has no Lix key."""
    if facet_type == SKILL:
        endpoint, params = LixClient.recruiter_facet, {"facet_type": SKILL}
    elif facet_type in FACETS:
        endpoint, params = LixClient.sales_facet, {"facet_type": facet_type}
    else:
        raise ValueError(f"Lix has no facet {facet_type!r}.")
    try:
        data = cached_lookup(
            team=team,
            user=user,
            provider="lix",
            endpoint=endpoint,
            max_wait=TYPEAHEAD_MAX_WAIT,
            query=query,
            count=FACET_VALUES_SHOWN,
            **params,
        )
    except RateLimited as error:
        failure = failure_in_words("lix", error)
        raise SearchFailed(
            "Lix is busy: it answers one call every 3 seconds, and another call is using it.",
            advice="Type again or press Find in a moment; looking values up is free.",
            rate_limited=True,
            retry_after=failure.retry_after,
        ) from None
    except ProviderError as error:
        raise failure_in_words("lix", error) from None
    return [FacetValue(item["id"], item["text"]) for item in data["items"] if item["id"] and item["text"]]


def facet_offers(facet_type, values):
    """Each value found with its pick buttons: {"text", "picks": [(label, the value as picked that way)]}.
    Sales Navigator values are included or, where its filter panel allows, excluded; a skill is a must
    have, a nice to have, or excluded."""
    if facet_type in FACETS:
        ways = [("Include", False)] + ([("Exclude", True)] if FACETS[facet_type].excludable else [])
        made = [[(label, Selection(facet_type, v.id, v.text, out)) for label, out in ways] for v in values]
    else:
        made = [[(label, Skill(v.id, v.text, mode)) for mode, label in SKILL_MODES.items()] for v in values]
    return [
        {"text": value.text, "picks": [(label, pick.encoded) for label, pick in picks]}
        for value, picks in zip(values, made, strict=True)
    ]


def with_pick(*, builder, chosen, picked):
    """The chosen values (one-string forms) with those `picked` added: a value picked again replaces its
    earlier pick, so "Exclude" switches an included value. Unreadable values are left out."""
    decode = decode_skill if builder == "recruiter" else decode_selection
    found = []
    for value in [*chosen, *picked]:
        try:
            found = with_selection(found, decode(value))
        except ValueError:
            continue
    return [value.encoded for value in found]
