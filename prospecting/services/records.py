"""Keeping what providers return as one canonical record per real person or company per team.

`keep_people` and `keep_companies` match facts to existing records on their normalised identifiers
(prospecting/identifiers.py), create the records that do not exist yet, merge records that turn out
to be one (never losing a value, a contact point or a list entry), and record every value with its
source, date and the call that bought it. A batch of any size takes a constant number of queries.

Keeping a search result is allowed for suppressed people: suppression stops spending, exporting and
contacting (PersonQuerySet.contactable), not knowing.
"""

import datetime
import re
import time
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from prospecting import identifiers
from prospecting.models import (
    STATUS_RANK,
    Company,
    ContactKind,
    ContactPoint,
    ContactStatus,
    FactValue,
    Identifier,
    IdentifierKind,
    ListEntry,
    Merge,
    Person,
)
from prospecting.providers.facts import CompanyFacts, PersonFacts

# The values of a person kept as facts, and the Person display fields they feed.
PERSON_VALUE_FIELDS = ("full_name", "first_name", "last_name", "title", "location", "company_name")
COMPANY_VALUE_FIELDS = ("name", "industry", "size", "location")
# Facts worth keeping about a company that are identifiers too (shown, and kept when they conflict).
COMPANY_KEY_FIELDS = ("domain", "linkedin_id")


def person_keys(facts: PersonFacts):
    """The normalised identifiers of one person's facts, as (kind, value) pairs."""
    public_id = identifiers.linkedin_public_id(facts.linkedin_url)
    keys = [
        (IdentifierKind.LINKEDIN, public_id),
        # A profile URL built from the member id (/in/ACoAA...) names the member, not a public id. A URL
        # with a public id names no member id (tested): not parsed again.
        (IdentifierKind.SALES_NAV, "" if public_id else identifiers.sales_nav_id(facts.linkedin_url)),
        (IdentifierKind.SALES_NAV, identifiers.sales_nav_id(facts.sales_nav_id)),
        (IdentifierKind.LIX, identifiers.provider_id(facts.lix_id)),
        (IdentifierKind.LUSHA, identifiers.provider_id(facts.lusha_id)),
        (IdentifierKind.LEADIQ, identifiers.provider_id(facts.leadiq_id)),
    ]
    keys += [(IdentifierKind.EMAIL, identifiers.email(address)) for address, _status in facts.emails]
    return list(dict.fromkeys((kind, value) for kind, value in keys if value))


def company_keys(facts: CompanyFacts):
    keys = [
        (IdentifierKind.DOMAIN, identifiers.domain(facts.domain)),
        (IdentifierKind.COMPANY_LINKEDIN, identifiers.company_linkedin_id(facts.linkedin_url)),
        (IdentifierKind.COMPANY_LINKEDIN, identifiers.company_linkedin_id(facts.linkedin_id)),
        (IdentifierKind.LUSHA, identifiers.provider_id(facts.lusha_id)),
        (IdentifierKind.LEADIQ, identifiers.provider_id(facts.leadiq_id)),
    ]
    return list(dict.fromkeys((kind, value) for kind, value in keys if value))


def keep_people(
    *, team, user, facts: list[PersonFacts], source, call=None, created=None, keys=None, as_ids=False
) -> list[Person]:
    """One Person per item of `facts` (in order; two items about one person give the same Person).
    `created`, a set, receives the ids of the people made new; `keys`, when the caller has them, are
    person_keys of each item. With `as_ids`, the people's ids instead of Person objects (an import
    needs no objects for the people it creates: building them was a twentieth of its time)."""
    if not facts:
        return []
    now = timezone.now()
    with transaction.atomic():
        company_facts = [_company_of(item) for item in facts]
        wanted = [(i, f) for i, f in enumerate(company_facts) if f is not None]
        kept = keep_companies(team=team, user=user, facts=[f for _, f in wanted], source=source, call=call)
        companies = dict(zip((i for i, _ in wanted), kept, strict=True))

        keys = keys if keys is not None else [person_keys(item) for item in facts]
        values = [_person_values(item) for item in facts]

        def shown(indices):
            fields = _fresh_display(Person, [values[index] for index in indices])
            # The company of the last item that has one, as _refresh_display would set it.
            for index in indices:
                if index in companies:
                    fields["company_id"] = companies[index].pk
            return fields

        ids, people, fresh, added, known = _keep_records(
            Person,
            team=team,
            user=user,
            keys=keys,
            values=values,
            source=source,
            call=call,
            now=now,
            shown=shown,
            build_fresh=not as_ids,
        )
        if created is not None:
            created.update(fresh)
        _add_contact_points(
            team=team,
            rows=[(pk, item) for pk, item in zip(ids, facts, strict=True)],
            source=source,
            call=call,
            now=now,
            fresh=fresh,
        )
        company_of = {
            pk: companies[index] for index, pk in enumerate(ids) if index in companies and pk in people
        }
        for pk in fresh & company_of.keys():
            people[pk].company = company_of[pk]
        # People just created have their display fields already (_create).
        older = [person for pk, person in people.items() if pk not in fresh]
        _refresh_display(
            Person,
            older,
            sandbox=call is not None and call.sandbox,
            added=added,
            known=known,
            companies=company_of,
        )
        return ids if as_ids else [people[pk] for pk in ids]


def keep_companies(*, team, user, facts: list[CompanyFacts], source, call=None) -> list[Company]:
    """One Company per item of `facts` (in order), matched on domain, LinkedIn id, Lusha or LeadIQ id."""
    if not facts:
        return []
    now = timezone.now()
    with transaction.atomic():
        keys = [company_keys(item) for item in facts]
        values = [_company_values(item) for item in facts]
        ids, companies, fresh, added, known = _keep_records(
            Company,
            team=team,
            user=user,
            keys=keys,
            values=values,
            source=source,
            call=call,
            now=now,
            shown=lambda indices: _fresh_display(Company, [values[index] for index in indices]),
        )
        older = [company for pk, company in companies.items() if pk not in fresh]
        _refresh_display(Company, older, sandbox=call is not None and call.sandbox, added=added, known=known)
        return [companies[pk] for pk in ids]


def _keep_records(model, *, team, user, keys, values, source, call, now, shown, build_fresh=True):
    """What keeping people and keeping companies share: each item resolved to its record (made new when
    nothing matches, with the display fields `shown` gives), and its values added with provenance.
    Returns (ids in item order, {id: record}, ids made new, values added, values already known); the
    records made new are in the dict only with `build_fresh`."""
    made, fields = set(), {}
    ids = _resolve(
        model,
        team=team,
        user=user,
        keys=keys,
        call=call,
        source=source,
        now=now,
        created=made,
        shown=shown,
        fields=fields,
    )
    fresh = made & set(ids)
    sandbox = call is not None and call.sandbox
    records = _records(
        model, ids, fresh, team=team, sandbox=sandbox, now=now, fields=fields, build=build_fresh
    )
    added, known = _add_values(
        model,
        team=team,
        rows=list(zip(ids, values, strict=True)),
        source=source,
        call=call,
        now=now,
        fresh=fresh,
    )
    return ids, records, fresh, added, known


def _records(model, ids, fresh, *, team, sandbox, now, fields, build=True):
    """pk -> record: the existing ones read, the ones just created (`fresh`, with the display `fields`
    they were created with) built when `build` is set. Without `build` the caller wants ids only, so
    the existing records are read as _Shown, their display fields only."""
    existing = set(ids) - fresh
    if not build:
        names = ["pk", *_display_fields(model), "is_sandbox", *(["company_id"] if model is Person else [])]
        rows = model.objects.filter(pk__in=existing).values_list(*names) if existing else ()
        return {row[0]: _Shown(**dict(zip(names, row, strict=True))) for row in rows}
    records = model.objects.in_bulk(existing)
    for pk in fresh:
        records[pk] = model(
            pk=pk, team=team, is_sandbox=sandbox, created_at=now, updated_at=now, **fields.get(pk, {})
        )
    return records


class _Shown:
    """What _refresh_display reads and sets of a record whose object nobody wants (an import keeps
    people as ids): its display fields as plain attributes. A model instance for each of an import's
    matched people, even with the other fields deferred, was a tenth of its Python time."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    @property
    def company(self):
        raise AttributeError("a _Shown record has its company's id only")

    @company.setter
    def company(self, company):
        # As a model instance does: the foreign key takes the company's id.
        self.company_id = company.pk


def _display_fields(model):
    return PERSON_VALUE_FIELDS if model is Person else COMPANY_VALUE_FIELDS + COMPANY_KEY_FIELDS


def _fresh_display(model, values):
    """The display fields of a record created for these items' values (one list per item, in order):
    what _refresh_display gives a record whose only values are these, so it is created with them
    instead of blank and then updated."""
    wanted = _display_fields(model)
    seen, newest = set(), {}
    for item_values in values:
        for field, value, detail in item_values:
            # _add_values adds a value once per record: a repeat does not make it the newest again.
            if (field, value, detail) in seen:
                continue
            seen.add((field, value, detail))
            if field in wanted:
                newest[field] = value
    shown = {field: value[: model._meta.get_field(field).max_length] for field, value in newest.items()}
    if model is Person and not shown.get("full_name"):
        full_name = f"{shown.get('first_name', '')} {shown.get('last_name', '')}".strip()
        if full_name:
            shown["full_name"] = full_name
    return shown


def _company_of(facts: PersonFacts):
    """The person's company as company facts, when it can be matched (a domain or a LinkedIn id)."""
    if not (
        identifiers.domain(facts.company_domain)
        or identifiers.company_linkedin_id(facts.company_linkedin_url)
    ):
        return None
    return CompanyFacts(
        name=facts.company_name, domain=facts.company_domain, linkedin_url=facts.company_linkedin_url
    )


def _person_values(facts: PersonFacts):
    values = [(field, getattr(facts, field).strip(), "") for field in PERSON_VALUE_FIELDS]
    values.append(("company_domain", identifiers.domain(facts.company_domain), ""))
    values.append(("company_linkedin_id", identifiers.company_linkedin_id(facts.company_linkedin_url), ""))
    for address, status in facts.emails:
        values.append(("email", identifiers.email(address), _status(status)))
    for number, kind in facts.phones:
        values.append(("phone", identifiers.phone(number), (kind or "").strip()[:30]))
    return [(field, value, detail) for field, value, detail in values if value]


def _company_values(facts: CompanyFacts):
    values = [(field, getattr(facts, field).strip(), "") for field in COMPANY_VALUE_FIELDS]
    values.append(("domain", identifiers.domain(facts.domain), ""))
    linkedin_id = identifiers.company_linkedin_id(facts.linkedin_url)
    values.append(("linkedin_id", linkedin_id or identifiers.company_linkedin_id(facts.linkedin_id), ""))
    return [(field, value, detail) for field, value, detail in values if value]


# ContactStatus.values builds a new list at each call: once here, for the call per value kept.
STATUSES = frozenset(ContactStatus.values)


def _status(status):
    status = (status or "").strip().lower()
    return status if status in STATUSES else ContactStatus.UNKNOWN


# --- matching, creating and merging --------------------------------------------------------------


def _resolve(model, *, team, user, keys, call, source, now, created=None, shown=None, fields=None):
    """The record id for each item's keys: found by any identifier, created when none matches, and
    merged when the identifiers of one item (or of items naming each other) lead to several records.
    A record is created with `shown(indices of its items)` (field attname -> value), which `fields`
    (a dict) receives by the new record's id."""
    target = "person" if model is Person else "company"
    known = _lookup(model, team, keys)

    # Items and records that share an identifier are one: group them (union-find).
    parent = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a, b):
        parent[find(a)] = find(b)

    first_item_with_key = {}
    for index, item_keys in enumerate(keys):
        find(("item", index))
        for key in item_keys:
            if key in known:
                union(("item", index), ("record", known[key]))
            if key in first_item_with_key:
                union(("item", index), ("item", first_item_with_key[key]))
            first_item_with_key.setdefault(key, index)

    groups = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node)

    merges = {}  # loser id -> (survivor id, reason)
    group_record = {}
    new_groups = []
    for root, nodes in groups.items():
        records = sorted(pk for kind, pk in nodes if kind == "record")
        if records:
            survivor = records[0]  # the oldest record stays
            for loser in records[1:]:
                merges[loser] = (survivor, _reason(nodes, keys, known, loser, survivor))
            group_record[root] = survivor
        else:
            new_groups.append(root)

    new_fields = [
        shown(sorted(index for kind, index in groups[root] if kind == "item")) if shown else {}
        for root in new_groups
    ]
    made = _create(model, team=team, sandbox=call is not None and call.sandbox, rows=new_fields, now=now)
    group_record.update(dict(zip(new_groups, made, strict=True)))
    if fields is not None:
        fields.update(zip(made, new_fields, strict=True))
    if created is not None:
        created.update(made)
    if merges:
        _merge(model, team=team, user=user, merges=merges)

    ids = [group_record[find(("item", index))] for index in range(len(keys))]
    new_identifiers = {}
    for pk, item_keys in zip(ids, keys, strict=True):
        for kind, value in item_keys:
            if (kind, value) not in known:
                new_identifiers.setdefault((kind, value), pk)
    created_at = _db_value(Identifier, "created_at", now)
    inserted = insert_new_rows(
        Identifier,
        ("team", "kind", "value", "source", "created_at", target),
        [(team.pk, kind, value, source, created_at, pk) for (kind, value), pk in new_identifiers.items()],
    )
    # Every identifier went in: no other worker kept one of them first.
    if inserted < len(new_identifiers):
        ids = _settle_races(model, team=team, user=user, ids=ids, wanted=new_identifiers)
    return ids


def _create(model, *, team, sandbox, rows, now):
    """The ids of new records, one per item of `rows` (field attname -> value; the other fields take
    their defaults)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    special = {"team_id": team.pk, "is_sandbox": sandbox}
    special["created_at"] = special["updated_at"] = _db_value(model, "created_at", now)
    base = {f.attname: special[f.attname] if f.attname in special else f.get_default() for f in fields}
    names = [field.attname for field in fields]
    values = [tuple({**base, **row}[name] for name in names) for row in rows]
    if not values:
        return []
    # RETURNING gives the new ids in the order of the rows, as Django's bulk_create relies on too.
    return insert_rows(model, names, values, returning=True)


def _lookup(model, team, keys):
    """(kind, value) -> record id, for every identifier of these keys the team already has."""
    target = "person" if model is Person else "company"
    if connection.vendor == "postgresql":
        return _lookup_joined(target, team, keys)
    return _lookup_listed(target, team, keys)


def _lookup_listed(target, team, keys):
    by_kind = defaultdict(set)
    for item_keys in keys:
        for kind, value in item_keys:
            by_kind[kind].add(value)
    if not by_kind:
        return {}
    match = Q()
    for kind, values in by_kind.items():
        match |= Q(kind=kind, value__in=values)
    rows = (
        Identifier.objects.for_team(team)
        .filter(match, **{f"{target}__isnull": False})
        .values_list("kind", "value", f"{target}_id")
    )
    return {(kind, value): pk for kind, value, pk in rows}


def _rows_of(model, parent, ids, names, order=()):
    """[(the `names` columns)] of the model's rows whose `parent` (a foreign key) is one of `ids`, in
    `order` (column names). On PostgreSQL each parent's rows are read through the index on that key,
    one probe per id: the plain `IN` chooses a scan of the whole table when the table has no statistics
    yet (a new table, or rows added by this same transaction, as a large import adds them batch after
    batch), and each batch then scans all the rows the batches before it wrote."""
    if connection.vendor == "postgresql":
        return _rows_joined(model, parent, ids, names, order)
    return _rows_listed(model, parent, ids, names, order)


def _rows_listed(model, parent, ids, names, order):
    return list(model.objects.filter(**{f"{parent}_id__in": ids}).order_by(*order).values_list(*names))


def _rows_joined(model, parent, ids, names, order):
    quote = connection.ops.quote_name
    key = quote(model._meta.get_field(parent).column)
    inner = ", ".join(quote(name) for name in dict.fromkeys((*names, *order)))
    # The ORDER BY keeps the subquery from being merged into a join PostgreSQL would plan as a scan.
    inner_order = ", ".join(quote(name) for name in order) or "1"
    outer_order = ", ".join(f"r.{quote(name)}" for name in order)
    statement = (
        # The table and columns come from the model and the caller's code; the ids are a parameter.
        f"SELECT {', '.join(f'r.{quote(name)}' for name in names)} FROM unnest(%s::bigint[]) AS p (id) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT {inner} FROM {quote(model._meta.db_table)} WHERE {key} = p.id "
        f"ORDER BY {inner_order}) AS r" + (f" ORDER BY {outer_order}" if order else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [array_literal(sorted(ids))])
        return cursor.fetchall()


def _lookup_joined(target, team, keys):
    """_lookup on PostgreSQL: the keys as two arrays joined to the identifiers (one index probe per
    key) instead of an OR of `IN (...)` lists, whose thousands of parameters psycopg converts one by
    one and PostgreSQL plans one by one. Finds the same records (tested against the other path)."""
    pairs = list(dict.fromkeys(key for item_keys in keys for key in item_keys))
    if not pairs:
        return {}
    table = connection.ops.quote_name(Identifier._meta.db_table)
    column = connection.ops.quote_name(Identifier._meta.get_field(target).column)
    with connection.cursor() as cursor:
        cursor.execute(
            # The table and column come from the model; every value is a parameter.
            f"SELECT i.kind, i.value, i.{column} FROM {table} i "  # noqa: S608
            "JOIN unnest(%s::text[], %s::text[]) AS k (kind, value) "
            "ON i.kind = k.kind AND i.value = k.value "
            f"WHERE i.team_id = %s AND i.{column} IS NOT NULL",
            [array_literal(kind for kind, _ in pairs), array_literal(value for _, value in pairs), team.pk],
        )
        return {(kind, value): pk for kind, value, pk in cursor.fetchall()}


def _settle_races(model, *, team, user, ids, wanted):
    """Another worker may have kept the same person at the same time and won an identifier (the
    unique constraint kept one): fold our record into the one that owns it."""
    owners = _lookup(model, team, [list(wanted)])
    merges = {}
    for key, pk in wanted.items():
        owner = owners.get(key)
        if owner is not None and owner != pk:
            merges[pk] = (owner, f"{key[0]}:{key[1]} was kept by another worker at the same time")
    if not merges:
        return ids
    _merge(model, team=team, user=user, merges=merges)
    return [merges[pk][0] if pk in merges else pk for pk in ids]


def _reason(nodes, keys, known, loser, survivor):
    """Which identifiers joined the two records, in words."""
    named = set()
    for kind, index in nodes:
        if kind == "item":
            named.update(keys[index])
    joined = sorted(f"{k}:{v}" for (k, v) in named if known.get((k, v)) in (loser, survivor))
    return ("matched on " + ", ".join(joined))[:300]


def _merge(model, *, team, user, merges):
    """Fold each loser into its survivor: every row pointing at the loser (values, contact points,
    identifiers, list entries, and whatever other parts add) moves to the survivor; rows that would
    then be duplicates keep the best one. Then the losers go, and a Merge row says what happened."""
    # A survivor may itself have been merged away in the same batch: follow the chain.
    for loser, (survivor, reason) in list(merges.items()):
        while survivor in merges:
            survivor = merges[survivor][0]
        merges[loser] = (survivor, reason)
    losers = list(merges)
    target = "person" if model is Person else "company"
    records = model.objects.in_bulk(losers + [s for s, _ in merges.values()])

    if model is Person:
        _merge_contact_points(merges)
    _drop_duplicate_list_entries(target, merges)

    for relation in model._meta.related_objects:
        if not relation.one_to_many:
            continue
        column = relation.field.name
        survivor_case = Case(*[When(**{column: loser}, then=Value(s)) for loser, (s, _) in merges.items()])
        relation.related_model._base_manager.filter(**{f"{column}__in": losers}).update(
            **{column: survivor_case}
        )

    Merge.objects.bulk_create(
        [
            Merge(
                team=team,
                merged_id=loser,
                merged_name=str(records[loser])[:300] if loser in records else "",
                reason=reason,
                user=user,
                **{target: records[survivor]},
            )
            for loser, (survivor, reason) in merges.items()
        ]
    )
    if model is Person:
        # A survivor without a company takes the company the loser had.
        for loser, (survivor, _) in merges.items():
            if records[survivor].company_id is None and records[loser].company_id is not None:
                records[survivor].company_id = records[loser].company_id
                records[survivor].save(update_fields=["company"])
    model.objects.filter(pk__in=losers).delete()


def _merge_contact_points(merges):
    """Two records holding the same address become one contact point with the best status."""
    survivor_of = {loser: s for loser, (s, _) in merges.items()}
    ids = set(survivor_of) | set(survivor_of.values())
    groups = defaultdict(list)
    for point in ContactPoint.objects.filter(person_id__in=ids):
        groups[(survivor_of.get(point.person_id, point.person_id), point.kind, point.value)].append(point)
    keep, drop = [], []
    for (survivor, _kind, _value), points in groups.items():
        if len(points) < 2:
            continue
        best = max(points, key=lambda p: (STATUS_RANK[p.status], p.obtained_at))
        stays = next((p for p in points if p.person_id == survivor), points[0])
        stays.status, stays.source, stays.obtained_at, stays.call_id = (
            best.status,
            best.source,
            best.obtained_at,
            best.call_id,
        )
        stays.phone_type = stays.phone_type or best.phone_type
        keep.append(stays)
        drop += [p.pk for p in points if p is not stays]
    if drop:
        ContactPoint.objects.filter(pk__in=drop).delete()
        ContactPoint.objects.bulk_update(keep, ["status", "source", "obtained_at", "call", "phone_type"])


def _drop_duplicate_list_entries(target, merges):
    """Both records in one list: the list keeps the earlier entry, now about the survivor."""
    survivor_of = {loser: s for loser, (s, _) in merges.items()}
    ids = set(survivor_of) | set(survivor_of.values())
    seen, drop = {}, []
    entries = ListEntry.objects.filter(**{f"{target}_id__in": ids}).order_by("added_at", "id")
    for entry in entries:
        record = getattr(entry, f"{target}_id")
        key = (entry.prospect_list_id, survivor_of.get(record, record))
        if key in seen:
            # Keep the survivor's own entry when both exist, else the earliest.
            if record not in survivor_of and seen[key][1] in survivor_of:
                drop.append(seen[key][0])
                seen[key] = (entry.pk, record)
            else:
                drop.append(entry.pk)
        else:
            seen[key] = (entry.pk, record)
    if drop:
        ListEntry.objects.filter(pk__in=drop).delete()


# --- values, contact points and display fields ---------------------------------------------------


def _add_values(model, *, team, rows, source, call, now, fresh=frozenset()):
    """A FactValue per value, unless the same source already gave the same value in the same call.
    `rows` are (record pk, values). Returns (record pk -> [(field, value)] of the values added, in
    order; the values the records had, oldest first, for _refresh_display). Records just created
    (`fresh`) have no values to read."""
    target = "person" if model is Person else "company"
    records = {pk for pk, _ in rows} - fresh
    known = []
    if records:
        known = _rows_of(
            FactValue,
            target,
            records,
            (f"{target}_id", "field", "value", "detail", "source", "call_id"),
            order=("obtained_at", "id"),
        )
    have = set(known)
    call_id = call.pk if call is not None else None
    obtained_at = _db_value(FactValue, "obtained_at", now)
    new, added = [], defaultdict(list)
    for pk, values in rows:
        for field, value, detail in values:
            key = (pk, field, value, detail, source, call_id)
            if key in have:
                continue
            have.add(key)
            new.append((team.pk, pk, field, value, detail, source, obtained_at, call_id))
            added[pk].append((field, value))
    columns = ("team", target, "field", "value", "detail", "source", "obtained_at", "call")
    insert_rows(FactValue, columns, new)
    return added, known


def _add_contact_points(*, team, rows, source, call, now, fresh=frozenset()):
    """Emails and phones, one ContactPoint per (person, kind, normalised value), keeping the best
    status and the provenance of the answer that gave it. People just created (`fresh`) have none
    to read."""
    people = {pk for pk, _ in rows} - fresh
    existing = {}
    if people:
        existing = {
            (person, kind, value): (pk, status)
            for pk, person, kind, value, status in _rows_of(
                ContactPoint, "person", people, ("id", "person_id", "kind", "value", "status")
            )
        }
    call_id = call.pk if call is not None else None
    obtained_at = _db_value(ContactPoint, "obtained_at", now)
    new, changed = {}, {}
    for pk, facts in rows:
        found = [(ContactKind.EMAIL, identifiers.email(a), _status(s), "") for a, s in facts.emails]
        found += [
            (ContactKind.PHONE, identifiers.phone(n), ContactStatus.UNKNOWN, t) for n, t in facts.phones
        ]
        for kind, value, status, phone_type in found:
            if not value:
                continue
            key = (pk, kind, value)
            if key in new:
                if STATUS_RANK[status] > STATUS_RANK[new[key][5]]:
                    new[key] = new[key][:5] + (status,) + new[key][6:]
            elif key in existing:
                point_pk, known = existing[key]
                if STATUS_RANK[status] > STATUS_RANK[known]:
                    existing[key] = (point_pk, status)
                    changed[key] = (point_pk, status, source, obtained_at, call_id)
            else:
                domain = identifiers.email_domain(value) if kind == ContactKind.EMAIL else ""
                phone_type = (phone_type or "").strip()[:30]
                new[key] = (
                    team.pk,
                    pk,
                    kind,
                    value,
                    domain,
                    status,
                    phone_type,
                    source,
                    obtained_at,
                    call_id,
                )
    columns = ("team", "person", "kind", "value", "domain", "status", "phone_type", "source")
    insert_rows(ContactPoint, (*columns, "obtained_at", "call"), list(new.values()))
    update_rows(ContactPoint, ("status", "source", "obtained_at", "call"), list(changed.values()))


def _refresh_display(model, records, *, sandbox, added, known, companies=None):
    """Each record's display fields take the newest value known (FactValue keeps them all): the values
    just added (`added`, from _add_values) are the newest, after the ones the records had (`known`,
    oldest first, from _add_values). A person takes their company from `companies` (pk -> Company)."""
    records = list(records)
    fields = _display_fields(model)
    newest = defaultdict(dict)
    for pk, field, value, *_rest in known:
        if field in fields:
            newest[pk][field] = value
    for pk, values in added.items():
        for field, value in values:
            if field in fields:
                newest[pk][field] = value
    lengths = {field: model._meta.get_field(field).max_length for field in fields}
    shown = [*fields, "is_sandbox", *(["company_id"] if model is Person else [])]
    before = {record.pk: tuple(getattr(record, name) for name in shown) for record in records}
    for record in records:
        if companies and record.pk in companies:
            record.company = companies[record.pk]
        for field, value in newest[record.pk].items():
            setattr(record, field, value[: lengths[field]])
        if model is Person and not record.full_name:
            record.full_name = f"{record.first_name} {record.last_name}".strip()
        # Real data about a sandbox record makes it real; sandbox data never makes a real one sandbox.
        record.is_sandbox = record.is_sandbox and sandbox
    # Only the records whose display changed are written (`updated_at` says when it last changed): an
    # import of people the team has already, with the same names, rewrote every row and all its indexes.
    records = [
        record for record in records if tuple(getattr(record, name) for name in shown) != before[record.pk]
    ]
    now = timezone.now()
    updated_at = _db_value(model, "updated_at", now)
    extra = ["company"] if model is Person else []
    rows = []
    for record in records:
        record.updated_at = now
        rows.append(
            (
                record.pk,
                *(getattr(record, field) for field in fields),
                record.is_sandbox,
                updated_at,
                *((record.company_id,) if model is Person else ()),
            )
        )
    update_rows(model, [*fields, "is_sandbox", "updated_at", *extra], rows)


# --- plain SQL for many rows at once --------------------------------------------------------------
# An import keeps tens of thousands of rows: Django's bulk_update builds one CASE per field over the
# batch (most of an import's time went there), and bulk_create an object per row. These take tuples of
# values ready for the database and write them in a few statements.

CHUNK = 2000  # rows per statement: under PostgreSQL's and SQLite's limits on parameters


def _db_value(model, name, value):
    return model._meta.get_field(name).get_db_prep_value(value, connection)


def _columns(model, names):
    return [connection.ops.quote_name(model._meta.get_field(name).column) for name in names]


def _copy_types(model, names):
    """The PostgreSQL type of each column, as a binary COPY needs them ("varchar(40)" -> "varchar")."""
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in names]
    return [re.sub(r"\(.*\)$", "", field.db_type(connection)) for field in fields]


def _placeholders(rows, width):
    one = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([one] * len(rows)), [value for row in rows for value in row]


def _arrays(model, names, rows):
    """PostgreSQL: one array parameter per column (unnest turns them back into rows), so a statement of
    thousands of rows has a handful of parameters to convert instead of tens of thousands. Each is
    sent as the text of an array literal: psycopg converts a Python list element by element in Python
    (about 2 us a value, a third of an import's SQL time), and a string in C."""
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in names]
    types = [field.db_type(connection) for field in fields]
    columns = [array_literal(column) for column in zip(*rows, strict=True)]
    return ", ".join(f"%s::{kind}[]" for kind in types), columns


def array_literal(values):
    """The text of a PostgreSQL array of these values (None, bool, int, str, datetime, date): each
    non-null element double-quoted with its backslashes and double quotes escaped, so no value can
    end an element or the array early."""
    values = list(values)
    kinds = set(map(type, values))
    if kinds == {str}:  # a text column: joined at once, escaped only when it has to be
        text = '","'.join(values)
        if "\\" not in text and '"' not in text:
            return '{"' + text + '"}'
    elif kinds == {int}:
        return "{" + ",".join(map(str, values)) + "}"
    parts, written = [], {}
    for value in values:
        if type(value) is str:
            parts.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif value is None:
            parts.append("NULL")
        elif value is True or value is False:
            parts.append("t" if value else "f")
        elif isinstance(value, int):
            parts.append(str(int(value)))
        elif value in written:  # the same time on every row of a batch: written once
            parts.append(written[value])
        else:
            text = value.isoformat() if isinstance(value, datetime.date) else str(value)
            written[value] = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
            parts.append(written[value])
    return "{" + ",".join(parts) + "}"


def insert_rows(model, names, rows, *, ignore_conflicts=False, returning=False):
    """INSERT the rows (tuples in the order of `names`, model field names); with `ignore_conflicts`,
    rows a unique constraint refuses are left out. Returns how many rows were inserted, or with
    `returning` the new primary keys."""
    if not rows:
        return [] if returning else 0
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, names))
    postgres = connection.vendor == "postgresql"
    verb = "INSERT OR IGNORE INTO" if ignore_conflicts and not postgres else "INSERT INTO"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts and postgres else ""
    if returning:
        suffix += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    inserted, keys = 0, []
    with connection.cursor() as cursor:
        if postgres and not ignore_conflicts and not returning:
            # COPY: the fastest way in, in the binary format: psycopg then writes each row in C instead
            # of formatting its values as text in Python (0.18 -> 0.03 s for an import's 125,000 values).
            statement = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
            started = time.monotonic()
            # Django's errors (IntegrityError...), as execute() raises them: psycopg's cursor is used bare.
            with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
                copy.set_types(_copy_types(model, names))
                for row in rows:
                    copy.write_row(row)
            if connection.queries_logged:
                # Django logs what goes through execute(); COPY does not, so say it was sent.
                elapsed = f"{time.monotonic() - started:.3f}"
                connection.queries_log.append({"sql": f"{statement} ({len(rows)} rows)", "time": elapsed})
            return len(rows)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            if postgres:
                arrays, params = _arrays(model, names, chunk)
                source = f"SELECT * FROM unnest({arrays})"  # noqa: S608 (parameters only)
            else:
                values, params = _placeholders(chunk, len(names))
                source = f"VALUES {values}"
            cursor.execute(f"{verb} {table} ({columns}) {source}{suffix}", params)
            if returning:
                keys += [row[0] for row in cursor.fetchall()]
            inserted += cursor.rowcount
    return keys if returning else inserted


def insert_new_rows(model, names, rows):
    """insert_rows for rows that should not be there yet (the caller looked), leaving out those that
    are (another worker kept them meanwhile): returns how many went in. The rows go in plainly (COPY on
    PostgreSQL) in a savepoint, and again with ignore_conflicts only when a unique constraint refuses
    them: ON CONFLICT costs a speculative insertion per row, twice the time of a plain insert of an
    import's identifiers (measured), to guard against a race that seldom happens."""
    try:
        with transaction.atomic():
            return insert_rows(model, names, rows)
    except IntegrityError:
        return insert_rows(model, names, rows, ignore_conflicts=True)


def update_rows(model, names, rows):
    """UPDATE ... FROM (VALUES ...): each row is (pk, *values in the order of `names`)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = _columns(model, names)
    postgres = connection.vendor == "postgresql"
    # The rows' columns are column1 (the pk), column2, ...
    sets = [f"{column} = v.column{i}" for i, column in enumerate(columns, start=2)]
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            if postgres:
                arrays, params = _arrays(model, ["pk", *names], chunk)
                aliases = ", ".join(f"column{i}" for i in range(1, len(names) + 2))
                source = f"unnest({arrays}) AS v ({aliases})"
            else:
                values, params = _placeholders(chunk, len(names) + 1)
                source = f"(VALUES {values}) AS v"
            cursor.execute(
                # Table and column names come from the model; every value is a parameter.
                f"UPDATE {table} SET {', '.join(sets)} FROM {source} "  # noqa: S608
                f"WHERE {table}.{pk} = v.column1",
                params,
            )
