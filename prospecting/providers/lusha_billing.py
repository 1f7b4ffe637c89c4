"""Lusha's billing facts: what each call costs per data point, which billing.py applies.

Split from lusha.py (the client) to keep both files short; the sources are the same, providers.md
section 5: [S] the seed 003, [E10] the V2 OpenAPI spec, [E11] the V3 spec, [E12] docs.lusha.com,
[E21] (see providers.md).
"""

from prospecting.providers.lusha_records import COMPANY_SIGNALS, CONTACT_SIGNALS

# --- Billing facts (billing.py applies them) ------------------------------------------------------
# Lusha charges per successful result, never for no match or an error [E12], and per data point: on a
# Unified Credits plan an email and a phone are priced differently, the phone higher; without reveal
# flags both are returned and both charged [S][E12]. The plan's prices are the key's price table; the
# defaults are Lusha's own example (revealEmail 1, revealPhone 5 [E11]) and 1 for company data [E21].
# A record's `isCreditCharged` says whether it was charged (False: free), its data points say how much.
# Signals: each requested type that returns data costs a signal credit, and a signals answer states what
# it charged (`creditCharged`), which wins [S][E10]; signals inside a person or company answer state
# nothing, so they are priced by the same rule, as are a prospecting search's results' `signalTypes`
# (signal filters are premium, charged per signal type that returns results [E10]). Filter look-ups,
# searches without signals and usage are free.
CREDIT_TYPE = "credits"
DEFAULT_PRICES = {"email": 1, "phone": 5, "company": 1, "signal": 1}
CONTACT_ENDPOINTS = {"person": None, "bulk_people": "contacts", "enrich_contacts": "contact_ids"}
COMPANY_ENDPOINTS = {"company": None, "bulk_companies": "companies", "enrich_companies": "company_ids"}
SEARCH_ENDPOINTS = {"search_contacts": "contacts", "search_companies": "companies"}
SIGNAL_ENDPOINTS = {
    "contact_signals": ("contact_ids", CONTACT_SIGNALS),
    "search_contact_signals": ("contacts", CONTACT_SIGNALS),
    "company_signals": ("company_ids", COMPANY_SIGNALS),
    "search_company_signals": ("companies", COMPANY_SIGNALS),
}


def max_credits(endpoint, params, prices):
    if endpoint in CONTACT_ENDPOINTS or endpoint in COMPANY_ENDPOINTS:
        items = CONTACT_ENDPOINTS.get(endpoint) or COMPANY_ENDPOINTS.get(endpoint)
        count = _count(params.get(items)) if items else 1
        if endpoint in CONTACT_ENDPOINTS:
            each = sum(prices[point] for point in _revealed_points(params))
            signals = _signal_types(params.get("signals"), CONTACT_SIGNALS)
        else:
            each, signals = prices["company"], _signal_types(params.get("signals"), COMPANY_SIGNALS)
        return _amount(count * (each + signals * prices["signal"]))
    if endpoint in SIGNAL_ENDPOINTS:
        items, allowed = SIGNAL_ENDPOINTS[endpoint]
        return _amount(
            _count(params.get(items)) * _signal_types(params.get("signals"), allowed) * prices["signal"]
        )
    if endpoint in SEARCH_ENDPOINTS and "signal" in str(params.get("filters")):
        allowed = CONTACT_SIGNALS if endpoint == "search_contacts" else COMPANY_SIGNALS
        return _amount(params.get("size", 20) * (len(allowed) - 1) * prices["signal"])
    return {}


def credits_charged(call, params, data, prices):
    endpoint = call.endpoint
    if not isinstance(data, dict):
        return {}
    if endpoint in SIGNAL_ENDPOINTS:
        stated = data.get("credit_charged")
        if stated is not None:  # Lusha's own figure [S][E10]
            return _amount(stated)
        found = sum(_signals_found(record.get("signals")) for record in data.get("records", []))
        return _amount(found * prices["signal"])
    if endpoint in SEARCH_ENDPOINTS:
        listed = data.get(SEARCH_ENDPOINTS[endpoint])
        found = sum(len(row.get("signalTypes") or []) for row in listed or [] if isinstance(row, dict))
        return _amount(found * prices["signal"])
    if endpoint not in CONTACT_ENDPOINTS and endpoint not in COMPANY_ENDPOINTS:
        return {}
    total = 0
    for record in data.get("records", [data]):
        if record.get("credit_charged") is False or (
            record.get("credit_charged") is None and record.get("outcome") != "found"
        ):
            continue
        details = record.get("data") or {}
        if endpoint in CONTACT_ENDPOINTS:
            points = [p for p, keys in _CONTACT_POINTS.items() if any(details.get(k) for k in keys)]
            # Charged with no email or phone shown: which point Lusha billed is not said, so the higher
            # reading (never under-count; reconciliation corrects it from Lusha's usage figures).
            total += sum(prices[p] for p in points) or max(prices["email"], prices["phone"])
            total += _signals_found(details.get("signals")) * prices["signal"]
        else:
            total += prices["company"]
            total += (
                _signals_found({k: v for k, v in details.items() if k in COMPANY_SIGNALS}) * prices["signal"]
            )
    return _amount(total)


def credits_for_error(call, params, error, prices):
    return {}, {}  # no credit for API errors [E12]


_CONTACT_POINTS = {"email": ("emailAddresses", "emails"), "phone": ("phoneNumbers", "phones")}


def _revealed_points(params):
    """What a contact answer can charge: the reveal flags' data points, or both without flags [S][E12]."""
    flags = {"email": params.get("reveal_emails"), "phone": params.get("reveal_phones")}
    if all(flag is None for flag in flags.values()):
        return ["email", "phone"]
    return [point for point, flag in flags.items() if flag]


def _signal_types(signals, allowed):
    names = [signals] if isinstance(signals, str) else list(signals or [])
    types = {name for name in allowed if name != "allSignals"} if "allSignals" in names else set(names)
    return len(types)


def _signals_found(signals):
    return sum(1 for events in (signals or {}).values() if isinstance(events, list) and events)


def _count(items):
    return len(items) if isinstance(items, list | tuple) else 1


def _amount(total):
    return {CREDIT_TYPE: total} if total else {}
