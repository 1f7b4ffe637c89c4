"""The GraphQL the LeadIQ sandbox reads: a small parser of the query text (fields, nested selections,
arguments; no aliases, fragments or directives, which Quarry never sends), the output schema the sandbox
answers, and LeadIQ's input types [E5], so that a query LeadIQ would refuse is refused here too. Split from
leadiq.py to keep both short.
"""

import json
import re

from prospecting.sandbox.core import reply
from prospecting.sandbox.leadiq_prospector import SENIORITIES, names

_CONTACT_SORTS = names("Role Name Seniority Id Title MobilePhone UpdatedAt JobChangeStartedAt")
CONTACT_SORTS = {f"{key}{way}" for key in _CONTACT_SORTS for way in ("Asc", "Desc")}
COMPANY_SORTS = {f"{key}{way}" for key in ("Id", "Size", "Name", "Industry") for way in ("Asc", "Desc")}


class GraphqlError(Exception):
    def __init__(self, message, code, status=None):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def graphql_error(message, code, status=None, **headers):
    extensions = {"code": code, **({"response": {"status": status}} if status else {})}
    return reply(200, {"errors": [{"message": message, "extensions": extensions}], "data": None}, **headers)


# --- The query language: enough GraphQL to read what clients send --------------------------------------

_TOKEN = re.compile(
    r'\s*(?:#[^\n]*|,|(?P<name>[A-Za-z_]\w*)|(?P<brace>[{}])|(?P<args>\((?:[^()"]|"(?:[^"\\]|\\.)*")*\))|(?P<other>\S))'
)


def _tokens(text):
    return [(m.lastgroup, m.group(m.lastgroup)) for m in _TOKEN.finditer(text) if m.lastgroup]


def _selection(tokens, pos, args):
    """Parse `{ field(args) { ... } ... }` from tokens[pos] into {name: subselection or None}."""
    fields = {}
    if pos >= len(tokens) or tokens[pos] != ("brace", "{"):
        raise GraphqlError(f"Syntax Error: Expected {{, found {_shown(tokens, pos)}.", "GRAPHQL_PARSE_FAILED")
    pos += 1
    while pos >= len(tokens) or tokens[pos] != ("brace", "}"):
        # Aliases, fragments and directives are not simulated: they end here as syntax errors.
        if pos >= len(tokens) or tokens[pos][0] != "name":
            raise GraphqlError(
                f"Syntax Error: Expected Name, found {_shown(tokens, pos)}.", "GRAPHQL_PARSE_FAILED"
            )
        name, pos, sub = tokens[pos][1], pos + 1, None
        if pos < len(tokens) and tokens[pos][0] == "args":
            args[name], pos = tokens[pos][1], pos + 1
        if pos < len(tokens) and tokens[pos] == ("brace", "{"):
            sub, pos = _selection(tokens, pos, {})
        fields[name] = _merged(fields.get(name), sub) if name in fields else sub
    if not fields:
        raise GraphqlError('Syntax Error: Expected Name, found "}".', "GRAPHQL_PARSE_FAILED")
    return fields, pos + 1


def _shown(tokens, pos):
    return f'"{tokens[pos][1]}"' if pos < len(tokens) else "<EOF>"


def _merged(one, other):
    if not isinstance(one, dict) or not isinstance(other, dict):
        return one if isinstance(one, dict) else other
    for key, sub in other.items():
        one[key] = _merged(one[key], sub) if key in one else sub
    return one


def parse_query(text):
    """(operation type, {root field: selection}, {root field: argument text})."""
    tokens, pos, operation = _tokens(text), 0, "query"
    if tokens and tokens[0][0] == "name" and tokens[0][1] in ("query", "mutation", "subscription"):
        operation, pos = tokens[0][1], 1
        pos += pos < len(tokens) and tokens[pos][0] == "name"
        pos += pos < len(tokens) and tokens[pos][0] == "args"
    args = {}
    roots, pos = _selection(tokens, pos, args)
    if pos < len(tokens):
        raise GraphqlError(f"Syntax Error: Unexpected {_shown(tokens, pos)}.", "GRAPHQL_PARSE_FAILED")
    return operation, roots, args


def checked_selection(selection, schema, where):
    for name, sub in selection.items():
        if name not in schema:
            raise GraphqlError(f'Cannot query field "{name}" on type "{where}".', "GRAPHQL_VALIDATION_FAILED")
        if (schema[name] is None) != (sub is None):
            need = "must not have a selection" if sub else "must have a selection of subfields"
            raise GraphqlError(f'Field "{where}.{name}" {need}.', "GRAPHQL_VALIDATION_FAILED")
        if sub:
            checked_selection(sub, schema[name], f"{where}.{name}")


# The output types as far as the sandbox answers them [E5]; a selection outside this is refused.
_PLAN = "name product status nextBillingPeriod available used"
_LOCATION = "locationInfo { city areaLevel1 country countryCode2 }"
_COMPANY_INFO = (
    f"id name domain industry numberOfEmployees employeeRange linkedinUrl linkedinId description {_LOCATION} "
    "fundingInfo { fundingTotalUsd lastFundingType } technologies { name category } foundedYear"
)
_COMPANY = "id name domain industry employeeCount linkedinId city state country countryCode2 description"
_PERSON = (
    "id companyId name firstName lastName title role seniority linkedinUrl linkedinId city state country "
    f"countryCode2 company {{ {_COMPANY} }}"
)
_PHONE = "{ value type status verificationStatus }"
_PERSON_RECORD = (
    "id name { first last fullName middle } linkedin { linkedinId linkedinUrl } "
    "location { city areaLevel1 country countryCode2 } confidence "
    f"currentPositions {{ companyId title seniority function emails {{ value type status }} phones {_PHONE} "
    f"companyInfo {{ {_COMPANY_INFO} }} }} personalPhones {_PHONE} personalEmails {{ value type status }}"
)
_ROOTS = (
    f"account {{ plans {{ name product status nextBillingPeriod }} dataHubPlan {{ {_PLAN} }} "
    f"universalPlan {{ {_PLAN} }} }} "
    f"searchPeople {{ totalResults hasMore results {{ {_PERSON_RECORD} }} }} "
    f"searchCompany {{ totalResults hasMore results {{ {_COMPANY_INFO} }} }} "
    f"flatAdvancedSearch {{ totalPeople people {{ {_PERSON} }} }} "
    "groupedAdvancedSearch { totalCompanies companies { totalContactsInCompany "
    f"company {{ {_COMPANY} }} people {{ {_PERSON} }} }} }}"
)
SCHEMA = _selection(_tokens(f"{{ {_ROOTS} }}"), 0, {})[0]

# Input types [E5]: "key" or "key:NestedType".
_FILTERS = (
    "companyFilter:CompanyFilter companyExcludedFilter:CompanyFilter contactFilter:ContactFilter "
    "contactExcludedFilter:ContactFilter skip limit sortContactsBy "
)
INPUT_TYPES = {
    "SearchPeopleInput": "skip limit id firstName lastName middleName fullName company:CompanyDetails "
    "linkedinId linkedinUrl email hashedEmail phone workEmailStatusIn containsWorkContactInfo profileFilter "
    "includeInvalid sfdcExtraDetails qualityFilter minConfidence",
    "CompanyDetails": "companyId name domain emailDomain linkedinId country searchInPastCompanies strict",
    "SearchCompanyInput": "id name domain linkedinId linkedinUrl sfdcExtraDetails strict",
    "FlatSearchInput": _FILTERS + "previousCompanyFilter:PreviousCompanyFilter "
    "previousPositionFilter:PreviousPositionFilter jobChangeFilter:JobChangeFilter",
    "GroupedSearchInput": _FILTERS + "limitPerCompany sortCompaniesBy",
    "ContactFilter": "ids names titles linkedinIds linkedinUrls seniorities roles locations "
    "containsWorkEmails updatedAt newHireFrom newPromotionFrom",
    "CompanyFilter": "ids names domains linkedinIds industries sizes locations technologies "
    "technologyCategories revenueRanges fundingInfoFilters naicsCodeFilters sicCodeFilters",
    "PreviousCompanyFilter": "ids names domains linkedinIds industries employeeCount locations",
    "PreviousPositionFilter": "titles",
    "JobChangeFilter": "jobChangeTypes startedAfter",
}
ENUMS = {
    "seniorities": ("Seniority", SENIORITIES),
    "sortContactsBy": ("ContactSortingOption", CONTACT_SORTS),
    "sortCompaniesBy": ("CompanySortingOption", COMPANY_SORTS),
}


def checked_input(value, type_name):
    def refuse(problem):
        return GraphqlError(f'Variable "$input" got invalid value; {problem}', "BAD_USER_INPUT")

    if not isinstance(value, dict):
        raise refuse(f'Expected type "{type_name}" to be an object.')
    spec = dict(item.partition(":")[::2] for item in INPUT_TYPES[type_name].split())
    for key, sub in value.items():
        if key not in spec:
            raise refuse(f'Field "{key}" is not defined by type "{type_name}".')
        if spec[key] and sub is not None:
            checked_input(sub, spec[key])
        if key in ENUMS and sub is not None:
            enum, allowed = ENUMS[key]
            for one in sub if isinstance(sub, list) else [sub]:
                if one not in allowed:
                    raise refuse(f'Value "{one}" does not exist in "{enum}" enum.')
        if (
            key in ("skip", "limit", "limitPerCompany")
            and sub is not None
            and (not isinstance(sub, int) or isinstance(sub, bool))
        ):
            raise refuse(f'Field "{key}": Int cannot represent non-integer value: {json.dumps(sub)}')
    return value


def pick(value, selection):
    """Only what the query selected, as GraphQL answers."""
    if selection is None or value is None:
        return value
    if isinstance(value, list):
        return [pick(one, selection) for one in value]
    return {key: pick(value.get(key), sub) for key, sub in selection.items()}


def root_input(root, input_type, arguments, variables):
    if input_type is None:
        return None
    variable = re.search(r"\binput\s*:\s*\$(\w+)", arguments or "")
    if not variable:
        raise GraphqlError(
            f'Field "{root}" argument "input" of type "{input_type}!" is required (the sandbox '
            "reads it from variables).",
            "GRAPHQL_VALIDATION_FAILED",
        )
    if variables.get(variable.group(1)) is None:
        raise GraphqlError(
            f'Variable "${variable.group(1)}" of required type "{input_type}!" was not provided.',
            "BAD_USER_INPUT",
        )
    return checked_input(variables[variable.group(1)], input_type)
