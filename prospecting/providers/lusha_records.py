"""Lusha's answers normalised to records, and the checks on what Quarry sends to Lusha.

Split from lusha.py (the client) to keep both files short; the sources are the same, providers.md
section 5: [S] the seed 003, [E10] the V2 OpenAPI spec, [E11] the V3 spec, [E12] docs.lusha.com.

Every enrichment answer becomes records: {"id", "outcome": "found" | "not_found" | "error", "error",
"credit_charged": Lusha's isCreditCharged/creditCharged (None when it sent none), "data"} [E10].
"""

import math
import re
from datetime import date

from prospecting.providers.base import InvalidInput, MalformedResponse

# Re-exported: the Lusha mappers were long imported from here.
from prospecting.providers.lusha_facts import companies_from, people_from  # noqa: F401

MAX_BATCH = 100  # bulk person/company, prospecting enrich, signals: 1-100 items [S][E10]
CONTACT_SIGNALS = ("allSignals", "promotion", "companyChange")  # [E10]
COMPANY_SIGNALS = (  # [E10]
    *("allSignals", "websiteTrafficIncrease", "websiteTrafficDecrease", "itSpendIncrease", "itSpendDecrease"),
    *(f"headcount{way}{months}m" for months in (1, 3, 6, 12) for way in ("Increase", "Decrease")),
    *("surgeInHiring", "surgeInHiringByDepartment", "surgeInHiringByLocation", "riskNews", "peopleNews"),
    *("commercialActivityNews", "corporateStrategyNews", "financialEventsNews", "marketIntelligenceNews"),
    "productActivityNews",
)
NO_MATCH_WORDS = ("empty_data", "not found", "could not find", "no data")  # EMPTY_DATA, code 3 [E10]

# --- Answers -----------------------------------------------------------------------------


def _record(key, outcome, charged=None, error=None, data=None):
    data = data if isinstance(data, dict) else {}
    return {"id": key, "outcome": outcome, "credit_charged": charged, "error": error, "data": data}


def _charged(entry):
    for name in ("isCreditCharged", "creditCharged"):
        value = entry.get(name)
        if isinstance(value, bool):
            return value
        if not isinstance(value, str) and (number := as_number(value)) is not None:
            return number > 0
    return None


def _entry(key, entry, data_key=None):
    """One record from a contact entry (`{"error", "isCreditCharged", "data"}`, or `{"id", "isSuccess",
    "data"}`) or from a company object (data_key None)."""
    if entry is None or entry == {}:
        return _record(key, "not_found")
    if not isinstance(entry, dict):
        return _record(key, "error", error={"code": None, "name": "", "message": "An unreadable record."})
    charged, error = _charged(entry), entry.get("error") or entry.get("errors")
    data = (
        entry.get(data_key) if data_key else {k: v for k, v in entry.items() if k not in ("error", "errors")}
    )
    if error:
        error = error if isinstance(error, dict) else {"message": error}
        name, text = str(error.get("name") or ""), str(error.get("message") or error.get("name") or "")
        error = {"code": error.get("code"), "name": name, "message": text[:300]}
        no_match = error["code"] == 3 or any(word in f"{name} {text}".lower() for word in NO_MATCH_WORDS)
        return _record(key, "not_found" if no_match else "error", charged, error, data)
    found = entry.get("isSuccess") is not False and isinstance(data, dict) and bool(data)
    return _record(key, "found" if found else "not_found", charged, None, data)


def _records(records, **extra):
    return {"records": records, "charged_records": sum(1 for r in records if r["credit_charged"]), **extra}


def _person(data):
    return _entry(None, as_object(data).get("contact"), "data")


def _bulk_people(data):
    body = as_object(data)
    companies = body.get("companies") if isinstance(body.get("companies"), dict) else {}
    records = [_entry(str(key), entry, "data") for key, entry in _keyed(body.get("contacts"))]
    for record in records:  # Lusha de-duplicates companies into a top-level map [E10]
        company = companies.get(str(record["data"].get("companyId")))
        if isinstance(company, dict):
            record["data"].setdefault("company", company)
    return _records(records, companies=companies)


def _company(data):
    """`{"data", "errors": {"message"}, "meta"}` [E10]; data, when there is some, wins over `errors`."""
    body = as_object(data)
    if isinstance(body.get("data"), dict) and body["data"]:
        return _record(None, "found", _charged(body), None, body["data"])
    return _entry(None, {"data": body.get("data"), "errors": body.get("errors")}, "data")


def _bulk_companies(data):
    body = as_object(data)  # keyed by the request's ids [E10]; a `companies` wrapper is read too
    if set(body) == {"companies"} and isinstance(body["companies"], dict):
        body = body["companies"]
    return _records([_entry(str(key), entry) for key, entry in body.items()])


def _enriched(kind, data_key):
    def parse(data):
        body = as_object(data)
        items = _list(body.get(kind))
        keys = [str(item.get("id")) if isinstance(item, dict) else None for item in items]
        records = [_entry(key, item, data_key) for key, item in zip(keys, items, strict=True)]
        return _records(records, request_id=body.get("requestId"))

    return parse


def _signals_of(kind):
    def parse(data):
        body = as_object(data)
        records = []
        for key, entry in _keyed(body.get(kind)):
            if not isinstance(entry, dict):
                records.append({**_entry(str(key), entry), "signals": {}})
                continue
            signals = {name: value for name, value in entry.items() if isinstance(value, list)}
            outcome = "found" if any(signals.values()) else "not_found"
            records.append({**_record(str(key), outcome, data=entry), "signals": signals})
        # Each requested signal type that returns data is charged; the answer says how much [S][E10].
        dates = {"start_date": body.get("startDate"), "end_date": body.get("endDate")}
        return _records(records, **dates, credit_charged=as_number(body.get("creditCharged")))

    return parse


def _usage(data):
    """`{"usage": {"<creditType>": {"used", "total", "remaining"}}}` [E10]; an older docs page shows the
    figures flat under `usage`, V3 under `credits` [E11]: both are read."""
    body, fields = as_object(data), ("used", "total", "remaining")
    usage = body.get("usage", body.get("credits"))
    if isinstance(usage, dict) and any(name in usage for name in fields):
        usage = {"credits": usage}
    if not isinstance(usage, dict):
        raise MalformedResponse("Lusha's account usage had no `usage` figures.")
    kinds = {str(kind): figures for kind, figures in usage.items() if isinstance(figures, dict)}
    return {
        "usage": {
            kind: {field: as_number(figures.get(field)) for field in fields}
            for kind, figures in kinds.items()
        }
    }


def with_missing(result, ids, charged=False):
    """Requested records missing from Lusha's answer are "not_found": no match, no credit [E12]."""
    present = {record["id"] for record in result.data["records"]}
    result.data["records"] += [
        _record(str(key), "not_found", charged) for key in ids if str(key) not in present
    ]
    return result


def as_object(data):
    if not isinstance(data, dict):
        raise MalformedResponse("Lusha's answer was not a JSON object.")
    return data


def _list(value):
    if value is not None and not isinstance(value, list):
        raise MalformedResponse("Lusha's answer had an unexpected shape.")
    return value or []


def filter_values(data):
    if data is not None and not isinstance(data, list | dict):
        raise MalformedResponse("Lusha's filter values were not a JSON list.")
    return [] if data is None else data


def _keyed(value):
    """Records keyed by id (`{"<id>": {...}}`), or a list of records carrying their own id."""
    if isinstance(value, dict):
        return list(value.items())
    return [((i.get("contactId") or i.get("id")) if isinstance(i, dict) else None, i) for i in _list(value)]


PARSERS = {
    "person": _person,
    "bulk_people": _bulk_people,
    "company": _company,
    "bulk_companies": _bulk_companies,
    "enrich_contacts": _enriched("contacts", "data"),
    "enrich_companies": _enriched("companies", None),
    **dict.fromkeys(("contact_signals", "search_contact_signals"), _signals_of("contacts")),
    **dict.fromkeys(("company_signals", "search_company_signals"), _signals_of("companies")),
    **dict.fromkeys(("search_contacts", "search_companies", "signal_options"), as_object),
    **dict.fromkeys(("account_usage", "check", "balances"), _usage),
}


# --- Small readers and input checks ----------------------------------------------------------------


def as_number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if not math.isfinite(number) else int(number) if number.is_integer() else number


def checked_fields(values, allowed, signals=CONTACT_SIGNALS, *, query=False):
    """Lusha's camelCase fields from snake_case keywords, checked; None values are left out. Query
    booleans are sent as `true`/`false` as Lusha documents them [E10], not Python's `True`."""
    if unknown := sorted(set(values) - set(allowed)):
        raise InvalidInput(f"Lusha does not take {', '.join(unknown)} here (it takes {', '.join(allowed)}).")
    fields = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "signals":
            value = checked_signals(value, signals)
        elif name.endswith("date"):
            value = checked_date(value)
        elif name.endswith("filters"):
            value = checked_signal_filters(value)
        elif name == "filter_by" and value not in ("phoneNumbers", "emailAddresses"):
            raise InvalidInput("filter_by must be 'phoneNumbers' or 'emailAddresses'.")
        elif name == "max_results_per_signal" and not _whole(value, 1, 10**6):
            raise InvalidInput("max_results_per_signal must be a positive whole number.")
        elif query and isinstance(value, bool):
            value = "true" if value else "false"
        fields[re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)] = value
    return fields


def _whole(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def checked_text(value, what):
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Lusha needs a non-empty {what}.")
    return value.strip()


def checked_int_id(value):
    """Signals take Lusha's numeric ids (int[]) [E10]."""
    value = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if not _whole(value, 0, 2**63):
        raise InvalidInput(f"{value!r} is not a Lusha numeric id.")
    return value


def checked_batch(items):
    if not isinstance(items, list | tuple) or not 1 <= len(items) <= MAX_BATCH:
        raise InvalidInput(f"Lusha takes a list of 1 to {MAX_BATCH} items per request.")
    return list(items)


def unique_ids(ids):
    if len(set(ids)) != len(ids):
        raise InvalidInput("Each id must be unique in one request: Lusha keys its answer by it.")
    return ids


def checked_date(value):
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidInput(f"{value!r} is not a date in the YYYY-MM-DD form Lusha expects.")


def checked_signals(signals, allowed):
    signals = [signals] if isinstance(signals, str) else signals
    if not isinstance(signals, list | tuple) or not signals or any(name not in allowed for name in signals):
        raise InvalidInput(f"Lusha signals are a list among: {', '.join(allowed)}.")
    return list(signals)


def checked_pages(page, size):
    """page 0-1000, size 10-50 [E10]."""
    if not _whole(page, 0, 1000) or not _whole(size, 10, 50):
        raise InvalidInput("Lusha pages are numbered 0 to 1000 and hold 10 to 50 results.")
    return {"page": page, "size": size}


def checked_filters(filters, *keys):
    if not isinstance(filters, dict) or not any(
        isinstance(filters.get(k), dict) and filters[k] for k in keys
    ):
        raise InvalidInput(f"Give Lusha search filters under {' or '.join(keys)}.")
    return filters


def checked_signal_filters(filters):
    """`{"include": {newsEventTypes, hiringByDepartments, hiringByLocations}}`; a location's `state`
    without `country` gets a 400 [E10]."""
    include = filters.get("include") if isinstance(filters, dict) else None
    places = (include.get("hiringByLocations") or []) if isinstance(include, dict) else None
    if not isinstance(places, list) or not all(isinstance(p, dict) and p.get("country") for p in places):
        raise InvalidInput(
            'Signal filters are {"include": {...}}; each hiringByLocations entry needs a country.'
        )
    return filters


def checked_item(value, key, *identifiers):
    """A copy of one list item with its correlation `key` and at least one of `identifiers`."""
    if not isinstance(value, dict):
        raise InvalidInput("Each item of the list must be an object.")
    item = {**value, key: checked_text(value.get(key), f"{key} on each item")}
    if not any(item.get(name) for name in identifiers):
        raise InvalidInput(f"Item {item[key]} needs one of {', '.join(identifiers)}.")
    return item


def _named_with_company(item, name_key):
    """A full name needs a first and a last name (Lusha answers 412) [S], and a company to match on."""
    full_name, companies = item.get(name_key), item.get("companies")
    if full_name is not None and (not isinstance(full_name, str) or len(full_name.split()) < 2):
        raise InvalidInput(f"{full_name!r} is not a full name: Lusha needs a first and a last name.")
    if companies is not None and (
        not isinstance(companies, list) or not all(isinstance(c, dict) for c in companies)
    ):
        raise InvalidInput("A contact's companies must be a list of objects.")
    return bool(full_name) and any(c.get("name") or c.get("domain") for c in companies or [])


def bulk_contact(value):
    """An email, a LinkedIn URL, a person id, or a full name with a company [E10]."""
    contact = checked_item(value, "contactId", "email", "linkedinUrl", "personId", "fullName")
    direct = any(contact.get(key) for key in ("email", "linkedinUrl", "personId"))
    if not (_named_with_company(contact, "fullName") or direct):
        raise InvalidInput(f"Contact {contact['contactId']}'s full name needs a company name or domain.")
    if contact.get("companies"):
        contact["companies"] = [{"isCurrent": True, **c} for c in contact["companies"]]  # required [E10]
    return contact


def signal_contact(value):
    contact = checked_item(value, "id", "social_link", "email", "full_name")
    direct = contact.get("social_link") or contact.get("email")
    if not (_named_with_company(contact, "full_name") or direct):
        raise InvalidInput(f"Contact {contact['id']}'s full_name needs a company name or domain.")
    return contact
