"""Lix's billing facts: the credit each call costs, which billing.py applies.

Split from lix.py (the client) to keep both files short; the sources are the same, providers.md
section 2: [S] the seeds 000/001, [E1] lix-it/api-docs, [E2] lix-it/api-examples.
"""

# --- Billing facts (billing.py applies them) ------------------------------------------------------
# Lix [E1]: "Std" endpoints cost a Standard credit, organisation enrichment and id cross-reference an
# Organisation credit, the email finder an Email credit only when the email is VALID [S]. Connections
# list the viewer's LinkedIn network, a LinkedIn call whose price Lix does not state: Standard, Lix's
# credit for LinkedIn calls, is the higher reading. Balances, the daily allowance (free [E1]) and the
# facets (free for customers with credits [E1]) cost nothing. Errors cost nothing: `queued` included,
# an error type that asks to repeat the request later [S], when the served lookup is billed.
CREDIT_TYPES = {
    **dict.fromkeys(
        (
            *("person_by_linkedin", "enrich_job", "enrich_post", "job_hirers", "connections"),
            *("search_people", "search_jobs", "search_posts", "search_orgs"),
            *("search_sales_people", "search_recruiter_people"),
        ),
        "standard",
    ),
    **dict.fromkeys(("person_ids", "organisation_ids", "organisation_by_linkedin"), "organisation"),
    "email_by_linkedin": "email",
}


def max_credits(endpoint, params, prices):
    kind = CREDIT_TYPES.get(endpoint)
    return {kind: 1} if kind else {}


def credits_charged(call, params, data, prices):
    if call.status is None or not 200 <= call.status < 300:
        return {}  # a check answered by an expected refusal
    if call.endpoint == "email_by_linkedin" and not (isinstance(data, dict) and data.get("valid")):
        return {}
    return max_credits(call.endpoint, params, prices)


def credits_for_error(call, params, error, prices):
    """(confirmed, unconfirmed) credits of an answered error."""
    return {}, {}
