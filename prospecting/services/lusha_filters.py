"""Lusha's prospecting filters: the values its search form offers, its typeahead look-ups, and the filters
of a search built from the form's query (providers.md §5.4).

Every look-up is free and goes through `cached_lookup` (a day per key), so a form render or a keystroke
asks Lusha once. A look-up that fails leaves the form usable: the values are typed instead, and the form
says so in words. Values picked from a look-up are carried as Lusha returned them (a location object, a
size range) encoded as JSON, so the search sends back exactly what Lusha offered.
"""

import json
from dataclasses import dataclass

from prospecting.providers.base import KeyRejected, ProviderError, RateLimited
from prospecting.providers.lusha import LushaClient
from prospecting.services.lookups import cached_lookup

FORM_WAIT = 3.0  # seconds a form render waits for the rate limiter, per look-up
TYPEAHEAD_WAIT = 1.0  # a keystroke answers "busy" rather than wait
MIN_TEXT = 2  # letters before a typeahead asks Lusha
MAX_SUGGESTIONS = 20
LOCATION_KEYS = ("continent", "country", "city", "state", "country_grouping")


# --- Values offered as choices ------------------------------------------------------------------------

# form field -> (look-up, what it offers in words)
CHOICE_LOOKUPS = {
    "department_choices": (LushaClient.contact_departments, "departments"),
    "seniority": (LushaClient.contact_seniorities, "seniorities"),
    "data_points": (LushaClient.contact_data_points, "existing data points"),
    "industries": (LushaClient.company_industries, "industries"),
    "sizes": (LushaClient.company_sizes, "company sizes"),
    "revenues": (LushaClient.company_revenues, "revenues"),
}
DATA_POINT_WORDS = {
    "phone": "Has a phone",
    "work_email": "Has a work email",
    "private_email": "Has a private email",
    "mobile_phone": "Has a mobile phone",
    "direct_phone": "Has a direct phone",
}


@dataclass
class FilterChoices:
    choices: dict  # form field -> Django choices (industries grouped by main industry)
    unavailable: str = ""  # what could not be fetched and what to do instead, in words ("" when all came)


def lusha_filter_choices(*, team, user):
    """Lusha's own values for the form's choice filters, each look-up cached a day per key. Look-ups that
    fail are left out and said in words; the form then offers what can be typed."""
    choices, failures, stopped = {}, {}, None
    for field, (endpoint, what) in CHOICE_LOOKUPS.items():
        try:
            if stopped:
                raise stopped
            data = cached_lookup(
                team=team, user=user, provider="lusha", endpoint=endpoint, max_wait=FORM_WAIT
            )
        except ProviderError as error:
            failures.setdefault(_reason(error), []).append(what)
            # No key, or Lusha busy: the other look-ups would fail alike, and each would wait first.
            stopped = error if isinstance(error, (KeyRejected, RateLimited)) else None
            continue
        made = CHOICE_MAKERS[field](data)
        if made:
            choices[field] = made
    return FilterChoices(choices=choices, unavailable=_unavailable_words(failures))


def _reason(error):
    if isinstance(error, KeyRejected):
        return "the team has no working Lusha key: a team admin adds it under Provider keys"
    if isinstance(error, RateLimited):
        return "Lusha is busy right now"
    return f"Lusha answered: {error.message}"


def _unavailable_words(failures):
    if not failures:
        return ""
    parts = [f"{', '.join(whats)} ({reason})" for reason, whats in failures.items()]
    return (
        f"Quarry could not fetch Lusha's {'; '.join(parts)}. Departments can be typed instead; the other "
        "missing choices come back when the look-up works: reload the page to try again (look-ups are free)."
    )


def _departments(data):
    return [(name.strip(), name.strip()) for name in _list(data) if isinstance(name, str) and name.strip()]


def _seniorities(data):
    return [
        (str(item["id"]), str(item.get("name") or item["id"]))
        for item in _list(data)
        if isinstance(item, dict) and isinstance(item.get("id"), int)
    ]


def _data_points(data):
    return [
        (name, DATA_POINT_WORDS.get(name, "Has " + name.replace("_", " ")))
        for name in _list(data)
        if isinstance(name, str) and name
    ]


def _industries(data):
    """Grouped choices: each main industry ("main:<id>", the whole of it) with its sub-industries."""
    groups = []
    for item in _list(data):
        if not isinstance(item, dict) or not isinstance(item.get("main_industry_id"), int):
            continue
        main = str(item.get("main_industry") or item["main_industry_id"])
        options = [(f"main:{item['main_industry_id']}", f"All of {main}")]
        options += [
            (f"sub:{sub['id']}", str(sub.get("value") or sub["id"]))
            for sub in _list(item.get("sub_industries"))
            if isinstance(sub, dict) and isinstance(sub.get("id"), int)
        ]
        groups.append((main, options))
    return groups


def _ranges(unit):
    def made(data):
        return [(encoded(item), range_words(item, unit)) for item in _list(data) if valid_range(item)]

    return made


CHOICE_MAKERS = {
    "department_choices": _departments,
    "seniority": _seniorities,
    "data_points": _data_points,
    "industries": _industries,
    "sizes": _ranges("employees"),
    "revenues": _ranges("revenue"),
}


def valid_range(item):
    return (
        isinstance(item, dict)
        and bool(item)
        and set(item) <= {"min", "max"}
        and all(
            value is None or (isinstance(value, int) and not isinstance(value, bool))
            for value in item.values()
        )
    )


def range_words(item, unit):
    low, high = item.get("min"), item.get("max")
    money = _money if unit == "revenue" else "{:,}".format
    text = f"{money(low or 0)}+" if high is None else f"{money(low or 0)}–{money(high)}"
    return text if unit == "revenue" else f"{text} employees"


def _money(amount):
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if amount >= size:
            return f"${amount / size:g}{suffix}"
    return f"${amount}"


# --- Typeahead look-ups ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picker:
    field: str  # the form field carrying the picked values
    text_field: str  # the form field the search text is typed in
    endpoint: object
    what: str  # in words, plural
    kind: str  # "location", or "name" (a picked value is Lusha's name for it)


PICKERS = {
    picker.field: picker
    for picker in (
        Picker(
            "contact_locations",
            "contact_location_text",
            LushaClient.contact_locations,
            "locations",
            "location",
        ),
        Picker("company_name_choices", "company_names", LushaClient.company_names, "company names", "name"),
        Picker("technologies", "technology_text", LushaClient.company_technologies, "technologies", "name"),
        Picker(
            "company_locations",
            "company_location_text",
            LushaClient.company_locations,
            "company locations",
            "location",
        ),
    )
}


@dataclass
class Suggestions:
    values: list  # (value, label) of Lusha's matches
    note: str = ""  # what happened, in words, when there are none to show


def lusha_suggestions(*, team, user, field, text):
    """Lusha's matches for `text` in the look-up behind the picker `field`, cached a day per key; a
    failure is a note in words, never an exception, as typing goes on."""
    picker = PICKERS[field]
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        return Suggestions([], f"Type at least {MIN_TEXT} letters to look up Lusha's {picker.what} (free).")
    try:
        data = cached_lookup(
            team=team,
            user=user,
            provider="lusha",
            endpoint=picker.endpoint,
            max_wait=TYPEAHEAD_WAIT,
            text=text[:100],
        )
    except RateLimited:
        return Suggestions([], f"Lusha is busy right now: try again in a moment. {_as_typed(picker)}")
    except KeyRejected:
        return Suggestions(
            [],
            f"Looking up {picker.what} needs a Lusha key (a team admin adds it under Provider keys). "
            + _as_typed(picker),
        )
    except ProviderError as error:
        return Suggestions([], f"Lusha could not look up {picker.what}: {error.message} {_as_typed(picker)}")
    values = []
    for item in _list(data):
        value = pick_value(picker, item)
        if value and value not in (found for found, _ in values):
            values.append((value, pick_label(picker, value)))
    if not values:
        return Suggestions([], f"Lusha knows no {picker.what} matching “{text}”. {_as_typed(picker)}")
    return Suggestions(values[:MAX_SUGGESTIONS])


def _as_typed(picker):
    if picker.kind == "location":
        return "Without a pick, what you typed is searched as a country name."
    return "Without a pick, what you typed is searched as it is."


def pick_value(picker, item):
    """The form value of one look-up answer: a location object as JSON, else Lusha's name for it."""
    if picker.kind == "location":
        if not isinstance(item, dict):
            return ""
        place = {key: item[key] for key in LOCATION_KEYS if isinstance(item.get(key), str) and item[key]}
        return encoded(place) if place else ""
    name = item.get("name") if isinstance(item, dict) else item
    return name.strip() if isinstance(name, str) and 0 < len(name.strip()) <= 200 else ""


def pick_label(picker, value):
    if picker.kind != "location":
        return value
    place = decoded(value) or {}
    city, state, country = place.get("city"), place.get("state"), place.get("country")
    parts = [city, state if state != city else None, country]
    text = ", ".join(part for part in parts if part)
    return text or place.get("continent") or place.get("country_grouping") or value


def valid_pick(field, value):
    """Whether a submitted value is one a picker could have made (any value Lusha might offer)."""
    picker = PICKERS[field]
    if picker.kind == "location":
        place = decoded(value)
        return (
            bool(place)
            and set(place) <= set(LOCATION_KEYS)
            and all(isinstance(v, str) for v in place.values())
        )
    return 0 < len(value.strip()) <= 200


def encoded(item):
    return json.dumps(item, sort_keys=True, separators=(",", ":"))


def decoded(value):
    if not isinstance(value, str) or len(value) > 1000:
        return None
    try:
        found = json.loads(value)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _list(data):
    return data if isinstance(data, list) else []


# --- The search's filters -------------------------------------------------------------------------------


def lusha_search_filters(kind, query):
    """`filters` of a Lusha contact (`kind` "contacts") or company search, in the shape of providers.md
    §5.4: contact filters go in a contact search only; picked values are sent as Lusha gave them."""
    contacts, companies = {}, {}
    if kind == "contacts":
        _put(contacts, "jobTitles", _words(query.get("job_titles")))
        departments = list(query.get("department_choices") or []) + _words(query.get("departments"))
        _put(contacts, "departments", list(dict.fromkeys(departments)))
        _put(contacts, "seniority", [int(v) for v in query.get("seniority") or [] if str(v).isdigit()])
        _put(
            contacts,
            "existing_data_points",
            [v for v in query.get("data_points") or [] if isinstance(v, str)],
        )
        typed = [{"country": country} for country in _words(query.get("countries"))]
        _put(contacts, "locations", typed + _picked(query, "contact_locations"))
    _put(companies, "names", list(dict.fromkeys(_picked(query, "company_name_choices"))))
    _put(companies, "domains", _words(query.get("company_domains")))
    locations = _picked(query, "company_locations")
    if kind == "companies":  # typed countries are where the company is
        locations = [{"country": country} for country in _words(query.get("countries"))] + locations
    _put(companies, "locations", locations)
    _put(companies, "technologies", [{"name": name} for name in _picked(query, "technologies")])
    industries = [str(value) for value in query.get("industries") or []]
    _put(companies, "mainIndustriesIds", _ids(industries, "main:"))
    _put(companies, "subIndustriesIds", _ids(industries, "sub:"))
    for name in ("sizes", "revenues"):
        _put(companies, name, [item for item in map(decoded, query.get(name) or []) if valid_range(item)])
    filters = {}
    if contacts:
        filters["contacts"] = {"include": contacts}
    if companies:
        filters["companies"] = {"include": companies}
    return filters


def _picked(query, field):
    """The values picked for `field`, or, when none was picked, what was typed in its search box."""
    picker = PICKERS[field]
    picked = [
        value for value in query.get(field) or [] if isinstance(value, str) and valid_pick(field, value)
    ]
    if picker.kind == "location":
        if picked:
            return [decoded(value) for value in picked]
        return [{"country": word} for word in _words(query.get(picker.text_field))]
    return picked or _words(query.get(picker.text_field))


def _ids(values, prefix):
    return [
        int(value[len(prefix) :])
        for value in values
        if value.startswith(prefix) and value[len(prefix) :].isdigit()
    ]


def _put(where, key, values):
    if values:
        where[key] = values


def _words(text):
    return [word.strip() for word in (text or "").split(",") if word.strip()] if isinstance(text, str) else []
