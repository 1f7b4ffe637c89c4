"""What each provider charges for a call, by its documented billing rule (providers.md), in one place.

`credits_for(call, data, error=)` returns {credit type: amount} for the call log; an empty dict is free.
Errors cost nothing, except where a provider documents that it bills them (LinkUp).
"""

from prospecting.providers.leadiq import count_data_points

# Lix [S][E1]: "Std" endpoints cost a Standard credit, org enrichment and id cross-reference an
# Organisation credit, the email finder an Email credit only when the email is VALID. Endpoints not
# listed (balances, daily allowance, facets, connections) have no documented price.
LIX_CREDIT_TYPES = {
    "person_by_linkedin": "standard",
    "enrich_job": "standard",
    "enrich_post": "standard",
    "job_hirers": "standard",
    "search_people": "standard",
    "search_jobs": "standard",
    "search_posts": "standard",
    "search_orgs": "standard",
    "search_sales_people": "standard",
    "search_recruiter_people": "standard",
    "person_ids": "organisation",
    "organisation_ids": "organisation",
    "organisation_by_linkedin": "organisation",
    "email_by_linkedin": "email",
}

# LookC [E1]: an email lookup uses one Org credit, whether answered at once or asynchronously.
LOOKC_CREDIT_TYPES = {"person_by_email": "organisation"}

# LinkUp [S]: every call costs credits whatever its status, except HTTP 500; lists cost per page or
# per 10 results, a message with media two (the client counts the units it asked for).
LINKUP_FREE_STATUSES = {500}

# Providers that bill a call whatever its outcome; the others charge only for an answer.
BILLS_ERRORS = {"linkup"}

# LeadIQ [S]: Universal Credits per data point returned.
LEADIQ_UC = {"email": 1, "phone": 10, "company": 3, "profile": 0.1}

# Lusha [S][E10][E12]: a credit only for a successful match; Lusha's own isCreditCharged/creditCharged
# says so when present. Look-ups, usage and searches without signal filters are free.
LUSHA_RECORD_ENDPOINTS = {
    "person",
    "bulk_people",
    "company",
    "bulk_companies",
    "enrich_contacts",
    "enrich_companies",
}
LUSHA_SIGNAL_ENDPOINTS = {
    "contact_signals",
    "search_contact_signals",
    "company_signals",
    "search_company_signals",
}


def credits_for(call, data, error=None):
    rule = _RULES.get(call.provider)
    if rule is None or (error is not None and call.provider not in BILLS_ERRORS):
        return {}
    amounts = rule(call, data)
    return {kind: round(amount, 4) for kind, amount in amounts.items() if amount}


def _succeeded(call):
    return call.status is not None and 200 <= call.status < 300


def _lix(call, data):
    kind = LIX_CREDIT_TYPES.get(call.endpoint)
    if kind is None or not _succeeded(call):
        return {}
    if kind == "email" and not (isinstance(data, dict) and data.get("valid")):
        return {}
    return {kind: 1}


def _lookc(call, data):
    kind = LOOKC_CREDIT_TYPES.get(call.endpoint)
    return {kind: 1} if kind and _succeeded(call) else {}


def _linkup(call, data):
    if call.status is None or call.status in LINKUP_FREE_STATUSES:
        return {}
    return {"credits": call.units}


def _lusha(call, data):
    if not _succeeded(call) or not isinstance(data, dict):
        return {}
    if call.endpoint in LUSHA_SIGNAL_ENDPOINTS:
        return {"credits": data.get("credit_charged") or 0}
    if call.endpoint not in LUSHA_RECORD_ENDPOINTS:
        return {}
    records = data.get("records", [data])
    charged = sum(
        1
        for record in records
        if record.get("credit_charged")
        or (record.get("credit_charged") is None and record.get("outcome") == "found")
    )
    return {"credits": charged}


def _leadiq(call, data):
    if call.status is None or not isinstance(data, dict):
        return {}
    counts = count_data_points(call.endpoint, data)
    return {"uc": sum(LEADIQ_UC[point] * count for point, count in counts.items())}


_RULES = {"lix": _lix, "lookc": _lookc, "linkup": _linkup, "lusha": _lusha, "leadiq": _leadiq}
