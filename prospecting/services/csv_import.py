"""Importing a CSV file of people into a list.

Reading the upload (`read_upload`, through the shared reader services/csv_read.py) and guessing which
column is which (`guess_mapping`) come first; `import_rows` then checks every row, and keeps the valid
ones as people (`keep_people(source="import")`, so they are matched to the team's existing records
instead of duplicated) added to the list, all in one transaction: an import completes or leaves
nothing. Large files run in the background (services/import_jobs.py); this module does the work.
"""

import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from prospecting import identifiers
from prospecting.models import ListEntry, Person
from prospecting.providers.facts import PersonFacts
from prospecting.services import csv_read
from prospecting.services.records import insert_new_rows, keep_people, person_keys

# The file is kept compressed on its ImportJob row until the import ends.
MAX_IMPORT_BYTES = 50_000_000
MAX_IMPORT_ROWS = 1_000_000
PREVIEW_ROWS = 5
BATCH = 1000
LIST_SLICE = 10_000

# The fields a column can fill, in the order the mapping form offers them.
FIELDS = {
    "full_name": "Full name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "email_status": "Email status (valid, probable, invalid, unknown)",
    "linkedin_url": "LinkedIn URL",
    "phone": "Phone",
    "title": "Title",
    "company_name": "Company",
    "company_domain": "Company domain",
    "location": "Location",
}

# Common headers, squashed (lower case, letters and digits only) -> field.
GUESSES = {
    "fullname": "full_name",
    "name": "full_name",
    "firstname": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "workemail": "email",
    "emailstatus": "email_status",
    "linkedin": "linkedin_url",
    "linkedinurl": "linkedin_url",
    "linkedinprofile": "linkedin_url",
    "linkedinprofileurl": "linkedin_url",
    "profileurl": "linkedin_url",
    "phone": "phone",
    "phonenumber": "phone",
    "mobile": "phone",
    "mobilephone": "phone",
    "title": "title",
    "jobtitle": "title",
    "position": "title",
    "company": "company_name",
    "companyname": "company_name",
    "organization": "company_name",
    "organisation": "company_name",
    "companydomain": "company_domain",
    "domain": "company_domain",
    "website": "company_domain",
    "companywebsite": "company_domain",
    "location": "location",
}


@dataclass
class Upload:
    text: str
    delimiter: str
    headers: list
    preview: list  # the first PREVIEW_ROWS rows' cells
    total: int  # rows, the header left out


@dataclass
class ImportResult:
    imported: int = 0  # rows kept
    people: int = 0  # distinct people they are
    created: int = 0  # of them, people the team did not have
    added: int = 0  # people new to the list
    errors: list = field(default_factory=list)  # (row number, reason)

    @property
    def matched(self):
        return self.people - self.created


def read_upload(data: bytes) -> Upload:
    """The header, the first rows and the count of an uploaded file; CsvFileError says what is wrong."""
    text = csv_read.open_csv(data, max_bytes=MAX_IMPORT_BYTES)
    headers, preview, total = None, [], 0
    for _number, cells in text.rows():
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        total += 1
        csv_read.check_row_count(total, max_rows=MAX_IMPORT_ROWS)
        if total <= PREVIEW_ROWS:
            preview.append(cells)
    if not total:
        raise csv_read.CsvFileError("The file has a header row but no people.")
    return Upload(text=text.text, delimiter=text.delimiter, headers=headers, preview=preview, total=total)


def data_rows(text: str, delimiter: str):
    """(row number, cells) of every row after the header."""
    rows = csv_read.CsvText(text=text, delimiter=delimiter).rows()
    next(rows, None)
    return rows


def guess_mapping(headers) -> dict[int, str]:
    """column index -> field, for the headers we recognise (each field once, the first column wins)."""
    guesses, taken = {}, set()
    for index, header in enumerate(headers):
        guess = GUESSES.get(re.sub(r"[^a-z0-9]", "", header.lower()))
        if guess and guess not in taken:
            guesses[index] = guess
            taken.add(guess)
    return guesses


def _facts(cells):
    """The PersonFacts of a valid row's `_cells`."""
    cell = cells.get
    email, phone, status = cell("email", ""), cell("phone", ""), cell("email_status", "").lower()
    first, last = cell("first_name", ""), cell("last_name", "")
    return PersonFacts(
        linkedin_url=cell("linkedin_url", ""),
        full_name=cell("full_name") or " ".join(part for part in (first, last) if part),
        first_name=first,
        last_name=last,
        title=cell("title", ""),
        location=cell("location", ""),
        company_name=cell("company_name", ""),
        company_domain=cell("company_domain", ""),
        emails=((email, status or "unknown"),) if email else (),
        phones=((phone, ""),) if phone else (),
    )


def _cells(row, mapping):
    """field -> the row's cell for it, stripped (a field without a cell is left out)."""
    width = len(row)
    return {name: row[index].strip() for name, index in mapping.items() if index < width}


def _problem(cells):
    """Why a row (its `_cells`) cannot be imported, or None."""
    cell = cells.get
    email, linkedin, phone = cell("email"), cell("linkedin_url"), cell("phone")
    if email and not identifiers.email(email):
        return f"“{email}” is not an email address"
    if linkedin and not (identifiers.linkedin_public_id(linkedin) or identifiers.sales_nav_id(linkedin)):
        return f"“{linkedin}” is not a LinkedIn profile URL"
    if phone and not identifiers.phone(phone):
        return f"“{phone}” is not a phone number"
    status = cell("email_status", "").lower()
    if status and status not in ("valid", "probable", "invalid", "unknown"):
        return f"“{cell('email_status')}” is not an email status (valid, probable, invalid or unknown)"
    if not (email or linkedin or cell("full_name") or cell("first_name") or cell("last_name")):
        return "no name, email or LinkedIn URL"
    return None


class FileRows:
    """The data rows of a kept file, read afresh each time they are iterated: an import reads them
    twice (to check every row, then to keep them batch by batch) and never holds them all."""

    def __init__(self, text, delimiter):
        self.text, self.delimiter = text, delimiter

    def __iter__(self):
        return data_rows(self.text, self.delimiter)


def invalid_rows(rows, mapping):
    """([(row number, reason)] of the invalid rows, how many rows are valid)."""
    errors, valid = [], 0
    for number, row in rows:
        reason = _problem(_cells(row, mapping))
        if reason:
            errors.append((number, reason))
        else:
            valid += 1
    return errors, valid


def import_rows(*, prospect_list, user, rows, mapping, skip_invalid=False, progress=None) -> ImportResult:
    """Imports (row number, cells) rows into the list, or nothing: when a row is invalid (and
    `skip_invalid` is not set), or when anything fails on the way. `rows` is read twice (a list, or
    FileRows). `progress(done, of)` is called after each batch of valid rows."""
    errors, valid = invalid_rows(rows, mapping)
    result = ImportResult(errors=errors)
    if errors and not skip_invalid:
        return result
    team = prospect_list.team
    with transaction.atomic():
        people, created, batch = [], set(), []
        # The check pass found the invalid rows: the others are not checked again (the normalisers'
        # memory holds the last few thousand answers only, so a second check of every row of a large
        # file normalised each of its identifiers once more).
        invalid = {number for number, _reason in errors}
        for number, row in rows:
            if number not in invalid:
                batch.append(_facts(_cells(row, mapping)))
            if len(batch) == BATCH:
                people += _keep(team=team, user=user, facts=batch, created=created)
                batch = []
                if progress is not None:
                    progress(len(people), valid)
        if batch:
            people += _keep(team=team, user=user, facts=batch, created=created)
            if progress is not None:
                progress(len(people), valid)
        ids = set(people)
        result.imported = valid
        result.people = len(ids)
        # A person created by an early batch and merged away by a later one is not counted.
        result.created = len(created & ids)
        result.added = _add_to_list(prospect_list, ids, user)
    return result


def _add_to_list(prospect_list, people, user):
    """Add the people (ids of the list's team, just kept) to the list; those already in it stay. The
    list's unique constraint decides, in one statement per few thousand people (add_to_list checks
    and builds an entry object per person: seconds for an import of 50,000). Returns how many joined."""
    added_at = ListEntry._meta.get_field("added_at").get_db_prep_value(timezone.now(), connection)
    user_id = user.pk if user is not None else None
    people, added = sorted(people), 0
    # The rows are built a slice at a time: a million people would be a million tuples at once.
    for start in range(0, len(people), LIST_SLICE):
        # Often all new to the list (an import's list is often new): a plain COPY, and an insert leaving
        # out those already in it only when the unique constraint refuses one.
        added += insert_new_rows(
            ListEntry,
            ("prospect_list", "person", "added_by", "added_at"),
            [(prospect_list.pk, pk, user_id, added_at) for pk in people[start : start + LIST_SLICE]],
        )
    return added


def _keep(*, team, user, facts, created):
    """keep_people for rows with an identifier; a row with only a name (and company) is the team's
    person of that name at that company if there is one, so that importing a file twice duplicates
    no one."""
    keys = [person_keys(item) for item in facts]
    names = {item.full_name for item, item_keys in zip(facts, keys, strict=True) if not item_keys}
    known = {}
    if names:
        for pk, full_name, company_name in (
            Person.objects.for_team(team)
            .filter(full_name__in=names)
            .order_by("full_name", "id")
            .values_list("pk", "full_name", "company_name")
        ):
            known.setdefault((full_name.lower(), company_name.lower()), pk)
    people, new, new_keys, targets, pending = [None] * len(facts), [], [], [], {}
    for index, (item, item_keys) in enumerate(zip(facts, keys, strict=True)):
        if item_keys:
            new.append(item)
            new_keys.append(item_keys)
            targets.append((index, len(new) - 1))
            continue
        key = (item.full_name.lower(), item.company_name.lower())
        if key in known:
            people[index] = known[key]
            continue
        # Two rows of one new name-only person in one file are one person too.
        if key not in pending:
            new.append(item)
            new_keys.append(item_keys)
            pending[key] = len(new) - 1
        targets.append((index, pending[key]))
    kept = keep_people(
        team=team, user=user, facts=new, source="import", created=created, keys=new_keys, as_ids=True
    )
    for index, position in targets:
        people[index] = kept[position]
    return people
