"""LeadIQ's GraphQL schema as Quarry uses it, and the checks on what Quarry sends to LeadIQ: the account
query, OPERATIONS and the selection fragments each field group adds (SELECTIONS), the input allow-lists and
sort values copied from the live schema [E5], the Prospector `ProspectInput` keys [E6], the company fields
that count as paid firmographics (FIRMOGRAPHICS), and the helpers that check caller input against these and
turn fragments into a selection. Split from leadiq.py (the client) to keep both files short; the sources
are the same, providers.md section 6.
"""

import re

from prospecting.providers.base import InvalidInput

# Universal Credits per data point; a query is charged only for what it selects [S].

# The seed's free balance query [S][E4].
ACCOUNT_QUERY = (
    "query Account { account { plans { name product status nextBillingPeriod } "
    "dataHubPlan { name product status nextBillingPeriod available used } "
    "universalPlan { name product status nextBillingPeriod available used } } }"
)

# endpoint: (operation, root field, input type) [S][E5]
OPERATIONS = {
    "search_people": ("SearchPeople", "searchPeople", "SearchPeopleInput"),
    "flat_advanced_search": ("FlatAdvancedSearch", "flatAdvancedSearch", "FlatSearchInput"),
    "grouped_advanced_search": ("GroupedSearch", "groupedAdvancedSearch", "GroupedSearchInput"),
    "search_company": ("SearchCompany", "searchCompany", "SearchCompanyInput"),
}
# endpoint: {"": always selected, field group: what that group adds}. Company id/name sit in the free profile
# tier, firmographics unlock the paid company tier [E4]; contact data only comes from searchPeople, as the
# advanced-search `Person` email/phone fields are deprecated [E5].
_PERSON = (
    "name firstName lastName title role seniority linkedinUrl city state country "
    "companyId company { id name }"
)
_COMPANY = "company { id name domain industry employeeCount linkedinId city state country }"
_COMPANY_INFO = (
    "companyInfo { id name domain industry numberOfEmployees employeeRange linkedinUrl "
    "locationInfo { city areaLevel1 country } }"
)
SELECTIONS = {
    "search_people": {
        "": "totalResults hasMore results { id }",
        "profile": "results { name { fullName first last } linkedin { linkedinUrl } "
        "location { city areaLevel1 country } "
        "currentPositions { companyId title seniority function companyInfo { id name } } }",
        "email": "results { currentPositions { emails { value type status } } }",
        "phone": "results { currentPositions { phones { value type status verificationStatus } } "
        "personalPhones { value type status verificationStatus } }",
        "company": f"results {{ currentPositions {{ companyId {_COMPANY_INFO} }} }}",
    },
    "flat_advanced_search": {
        "": "totalPeople people { id }",
        "profile": f"people {{ {_PERSON} }}",
        "company": f"people {{ companyId {_COMPANY} }}",
    },
    "grouped_advanced_search": {
        "": "totalCompanies companies { totalContactsInCompany company { id name } people { id } }",
        "profile": f"companies {{ people {{ {_PERSON} }} }}",
        "company": f"companies {{ {_COMPANY} }}",
    },
    "search_company": {
        "": "totalResults hasMore results { id name }",
        "company": "results { domain industry numberOfEmployees employeeRange linkedinUrl description "
        "locationInfo { city areaLevel1 country } fundingInfo { fundingTotalUsd lastFundingType } "
        "technologies { name category } }",
    },
}


def _words(text):
    return frozenset(text.split())


# Input allow-lists, copied from the live schema [E5].
_CONTACT_KEYS = _words(
    "ids names titles linkedinIds linkedinUrls seniorities roles locations containsWorkEmails updatedAt "
    "newHireFrom newPromotionFrom"
)
_COMPANY_KEYS = _words(
    "ids names domains linkedinIds industries sizes locations technologies technologyCategories "
    "revenueRanges fundingInfoFilters naicsCodeFilters sicCodeFilters"
)
GROUPED_FILTERS = {"contactFilter": _CONTACT_KEYS, "contactExcludedFilter": _CONTACT_KEYS}
GROUPED_FILTERS |= {"companyFilter": _COMPANY_KEYS, "companyExcludedFilter": _COMPANY_KEYS}
FLAT_FILTERS = GROUPED_FILTERS | {  # these three are limited access, ignored unless enabled [E5]
    "jobChangeFilter": _words("jobChangeTypes startedAfter"),
    "previousPositionFilter": _words("titles"),
    "previousCompanyFilter": _words("ids names domains linkedinIds industries employeeCount locations"),
}
SENIORITIES = _words("VP Manager Director Executive SeniorIndividualContributor Other")
_SORTS = _words("Role Name Seniority Id Title MobilePhone UpdatedAt JobChangeStartedAt")
CONTACT_SORTS = {f"{key}{way}" for key in _SORTS for way in ("Asc", "Desc")}
COMPANY_SORTS = {f"{key}{way}" for key in ("Id", "Size", "Name", "Industry") for way in ("Asc", "Desc")}
PEOPLE_IDS = {
    "person_id": "id",
    "linkedin_url": "linkedinUrl",
    "linkedin_id": "linkedinId",
    "email": "email",
}
PEOPLE_NAMES = {"first_name": "firstName", "last_name": "lastName", "full_name": "fullName"}
PEOPLE_COMPANY = {"company_name": "name", "company_domain": "domain"}
PEOPLE_OPTIONS = _words(
    "workEmailStatusIn containsWorkContactInfo profileFilter includeInvalid qualityFilter minConfidence"
)
COMPANY_IDS = {
    "company_id": "id",
    "name": "name",
    "domain": "domain",
    "linkedin_id": "linkedinId",
    "linkedin_url": "linkedinUrl",
}
# Prospector `ProspectInput` forbids other properties [E6].
_PROSPECT_KEYS = _words(
    "firstName lastName workEmail phone title seniority function company companyDomain companyIndustry "
    "companyId linkedinUrl emailStatus location notes personId"
)
_LOCATION_KEYS = _words("streetLine1 streetLine2 city state zip country formatted")
FIRMOGRAPHICS = _words(
    "domain industry numberOfEmployees employeeRange employeeCount linkedinUrl linkedinId description "
    "locationInfo fundingInfo technologies city country"
)
_HEX_ID = re.compile(r"[0-9a-fA-F]{24}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def checked_fields(fields, endpoint):
    allowed = SELECTIONS[endpoint].keys() - {""}
    fields = (fields,) if isinstance(fields, str) else fields
    try:
        unknown = set(fields) - allowed
    except TypeError:
        raise InvalidInput("fields must be a list of field groups.") from None
    if unknown:
        hint = " Emails and phones come from search_people." if unknown & {"email", "phone"} else ""
        names = ", ".join(sorted(map(str, unknown)))
        raise InvalidInput(
            f"Unknown field group(s) {names} for {endpoint}: use {', '.join(sorted(allowed))}.{hint}"
        )
    return sorted(set(fields))


def checked_text(name, value, max_length=500, *, allow_empty=False):
    text = value.strip() if isinstance(value, str) else None
    if text is None or (not text and not allow_empty) or len(text) > max_length:
        raise InvalidInput(f"{name} must be a non-empty text of at most {max_length} characters.")
    return text


def checked_flag(name, value):
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.")
    return value


def checked_page(limit, skip):
    page = {}
    if limit is not None:
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            raise InvalidInput("limit must be a whole number from 1 to 100.")
        page["limit"] = limit
    if skip is not None:
        if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
            raise InvalidInput("skip must be a whole number, 0 or more.")
        page["skip"] = skip
    return page


def checked_keys(name, value, allowed):
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a mapping.")
    unknown = set(value) - set(allowed)
    if unknown:
        raise InvalidInput(f"Unknown key(s) for {name}: {', '.join(sorted(map(str, unknown)))}.")
    return value


def checked_filters(filters, allowed):
    chosen = {
        key: value for key, value in checked_keys("filters", filters, allowed).items() if value is not None
    }
    chosen = {key: value for key, value in chosen.items() if checked_keys(key, value, allowed[key])}
    if not chosen:
        raise InvalidInput("Give at least one search filter.")
    for key in ("contactFilter", "contactExcludedFilter"):
        if "seniorities" in chosen.get(key, {}):
            checked_choices(f"{key}.seniorities", chosen[key]["seniorities"], SENIORITIES)
    return chosen


def checked_choices(name, values, allowed):
    values = [values] if isinstance(values, str) else values
    if (
        not isinstance(values, list | tuple)
        or not values
        or not all(isinstance(v, str) and v in allowed for v in values)
    ):
        raise InvalidInput(f"{name} must be a list of: {', '.join(sorted(allowed))}.")
    return list(values)


def checked_hex_id(name, value):
    if not isinstance(value, str) or not _HEX_ID.fullmatch(value):
        raise InvalidInput(f"{name} must be a 24-character LeadIQ Prospector id.")
    return value


def checked_prospect(prospect):
    if not isinstance(prospect, dict):
        raise InvalidInput("A prospect must be a mapping of ProspectInput fields.")
    prospect = {key: value for key, value in prospect.items() if value is not None}
    if "mobilePhone" in prospect:
        raise InvalidInput("Prospector takes the phone as `phone`, not `mobilePhone`.")  # [E6] vs the samples
    checked_keys("prospect", prospect, _PROSPECT_KEYS)
    body = {
        key: checked_text(key, value, 5000 if key == "notes" else 500)
        for key, value in prospect.items()
        if key != "location"
    }
    if not {"firstName", "lastName"} <= body.keys():
        raise InvalidInput("A prospect needs firstName and lastName.")
    if "workEmail" in body and not EMAIL_PATTERN.fullmatch(body["workEmail"]):
        raise InvalidInput("workEmail is not an email address.")
    if not body.get("linkedinUrl", "https://").lower().startswith(("https://", "http://")):
        raise InvalidInput("linkedinUrl must be a full URL.")
    if body.get("seniority", "Other") not in SENIORITIES:
        raise InvalidInput(f"seniority must be one of {', '.join(sorted(SENIORITIES))}.")
    if body.get("emailStatus", "Verified") not in {"Unverified", "Verified", "VerifiedLikely"}:
        raise InvalidInput("emailStatus must be Unverified, Verified or VerifiedLikely (never Invalid).")
    if "location" in prospect:
        location = checked_keys("location", prospect["location"], _LOCATION_KEYS)
        body["location"] = {
            key: checked_text(key, value) for key, value in location.items() if value is not None
        }
    return body


def selection_tree(text, tree=None):
    """Parse one of this module's fixed selection fragments into nested dicts, merged into `tree`."""
    tree = {} if tree is None else tree
    stack, last = [tree], None
    for token in text.replace("{", " { ").replace("}", " } ").split():
        if token == "{":
            node = stack[-1][last] if isinstance(stack[-1][last], dict) else {}
            stack[-1][last] = node
            stack.append(node)
        elif token == "}":
            stack.pop()
        else:
            stack[-1].setdefault(token, None)
            last = token
    return tree


def render_selection(tree):
    return " ".join(
        key if sub is None else f"{key} {{ {render_selection(sub)} }}" for key, sub in tree.items()
    )
