"""People and companies: suppression (`contactable`), keeping search results, and their pages."""

import re
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from prospecting.models import (
    Company,
    ContactPoint,
    FactValue,
    Identifier,
    IdentifierKind,
    ListEntry,
    Merge,
    Person,
    ProspectList,
    ProviderCall,
    Suppression,
    SuppressionKind,
)
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.services import records
from prospecting.services.records import keep_companies, keep_people


def _person(team, name, *, email="", linkedin="", company=None):
    person = Person.objects.create(team=team, full_name=name, company=company)
    if email:
        ContactPoint.objects.create(
            team=team,
            person=person,
            kind="email",
            value=email,
            domain=email.split("@")[1],
            source="lusha",
            obtained_at=timezone.now(),
        )
    if linkedin:
        Identifier.objects.create(team=team, person=person, kind=IdentifierKind.LINKEDIN, value=linkedin)
    return person


def _company(team, name, *, domain="", linkedin_id=""):
    company = Company.objects.create(team=team, name=name, domain=domain, linkedin_id=linkedin_id)
    if domain:
        Identifier.objects.create(team=team, company=company, kind=IdentifierKind.DOMAIN, value=domain)
    if linkedin_id:
        Identifier.objects.create(
            team=team, company=company, kind=IdentifierKind.COMPANY_LINKEDIN, value=linkedin_id
        )
    return company


def _suppress(team, kind, value):
    Suppression.objects.create(team=team, kind=kind, value=value)


def _contactable_names(team):
    return set(Person.objects.for_team(team).contactable().values_list("full_name", flat=True))


def test_unsuppressed_people_are_contactable(team_a):
    _person(team_a, "Jane", email="jane@acme.test", linkedin="jane-doe")
    _person(team_a, "Nobody")
    assert _contactable_names(team_a) == {"Jane", "Nobody"}


def test_a_suppressed_email_makes_its_person_not_contactable(team_a):
    _person(team_a, "Jane", email="jane@acme.test")
    _person(team_a, "John", email="john@acme.test")
    _suppress(team_a, SuppressionKind.EMAIL, "jane@acme.test")
    assert _contactable_names(team_a) == {"John"}


def test_a_suppressed_email_domain_covers_every_address_at_it(team_a):
    _person(team_a, "Jane", email="jane@acme.test")
    _person(team_a, "John", email="john@acme.test")
    _person(team_a, "Ann", email="ann@other.test")
    _suppress(team_a, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == {"Ann"}


def test_a_suppressed_linkedin_profile_makes_its_person_not_contactable(team_a):
    _person(team_a, "Jane", linkedin="jane-doe")
    _person(team_a, "John", linkedin="john-doe")
    _suppress(team_a, SuppressionKind.LINKEDIN, "jane-doe")
    assert _contactable_names(team_a) == {"John"}


def test_a_suppressed_company_covers_its_people_by_domain_or_linkedin_id(team_a):
    acme = _company(team_a, "Acme", domain="acme.test")
    globex = _company(team_a, "Globex", linkedin_id="globex")
    initech = _company(team_a, "Initech", domain="initech.test")
    _person(team_a, "Jane", company=acme)
    _person(team_a, "John", company=globex)
    _person(team_a, "Ann", company=initech)
    _person(team_a, "Free agent")
    _suppress(team_a, SuppressionKind.COMPANY, "acme.test")
    _suppress(team_a, SuppressionKind.COMPANY, "globex")
    assert _contactable_names(team_a) == {"Ann", "Free agent"}


def test_a_suppressed_domain_also_covers_the_company_of_that_domain(team_a):
    acme = _company(team_a, "Acme", domain="acme.test")
    _person(team_a, "Jane", company=acme)  # no email known yet
    _suppress(team_a, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == set()


def test_another_teams_suppression_list_does_not_apply(team_a, team_b):
    _person(team_a, "Jane", email="jane@acme.test", linkedin="jane-doe")
    _suppress(team_b, SuppressionKind.EMAIL, "jane@acme.test")
    _suppress(team_b, SuppressionKind.LINKEDIN, "jane-doe")
    _suppress(team_b, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == {"Jane"}


def test_suppressed_and_with_suppressed_agree_with_contactable(team_a):
    _person(team_a, "Jane", email="jane@acme.test")
    _person(team_a, "John", email="john@other.test")
    _suppress(team_a, SuppressionKind.EMAIL, "jane@acme.test")
    people = Person.objects.for_team(team_a)
    assert set(people.suppressed().values_list("full_name", flat=True)) == {"Jane"}
    assert {p.full_name: p.is_suppressed for p in people.with_suppressed()} == {"Jane": True, "John": False}


def test_a_person_with_several_matches_is_listed_once(team_a):
    _person(team_a, "Jane", email="jane@acme.test", linkedin="jane-doe")
    assert Person.objects.for_team(team_a).with_suppressed().count() == 1
    _suppress(team_a, SuppressionKind.EMAIL, "jane@acme.test")
    _suppress(team_a, SuppressionKind.LINKEDIN, "jane-doe")
    assert Person.objects.for_team(team_a).suppressed().count() == 1


# --- keep_people / keep_companies ----------------------------------------------------------------


def _call(team, provider="lusha", credits=None, sandbox=False):
    return ProviderCall.objects.create(
        team=team,
        provider=provider,
        endpoint="person",
        method="GET",
        outcome="ok",
        credits=credits if credits is not None else {"credits": 1},
        sandbox=sandbox,
    )


def _keep(team, user, *facts, source="lusha", call=None):
    return keep_people(team=team, user=user, facts=list(facts), source=source, call=call)


def test_keeping_a_new_person_records_every_value_with_its_provenance(team_a, alice):
    call = _call(team_a)
    [jane] = _keep(
        team_a,
        alice,
        PersonFacts(
            linkedin_url="https://www.linkedin.com/in/jane-doe/",
            lusha_id="L-1",
            full_name="Jane Doe",
            title="CTO",
            company_name="Acme",
            company_domain="https://www.acme.test",
            emails=(("Jane@Acme.test", "valid"),),
            phones=(("+44 20 7946 0958", "mobile"),),
        ),
        call=call,
    )
    jane.refresh_from_db()
    assert (jane.full_name, jane.title, jane.company_name) == ("Jane Doe", "CTO", "Acme")
    assert jane.company.domain == "acme.test" and jane.company.name == "Acme"
    assert set(jane.identifiers.values_list("kind", "value")) == {
        ("linkedin", "jane-doe"),
        ("lusha", "L-1"),
        ("email", "jane@acme.test"),
    }
    facts = {(f.field, f.value): f for f in jane.facts.all()}
    assert facts[("title", "CTO")].source == "lusha" and facts[("title", "CTO")].call == call
    assert facts[("email", "jane@acme.test")].detail == "valid"
    assert facts[("phone", "+442079460958")].detail == "mobile"
    [email] = jane.contact_points.filter(kind="email")
    assert (email.value, email.domain, email.status, email.call) == (
        "jane@acme.test",
        "acme.test",
        "valid",
        call,
    )
    [phone] = jane.contact_points.filter(kind="phone")
    assert (phone.value, phone.phone_type) == ("+442079460958", "mobile")


def test_any_url_form_or_bare_slug_of_a_profile_finds_the_same_person(team_a, alice):
    [first] = _keep(team_a, alice, PersonFacts(linkedin_url="https://www.linkedin.com/in/jane-doe"))
    for form in (
        "jane-doe",
        "http://fr.linkedin.com/in/Jane-Doe/details/experience/?x=1",
        "linkedin.com/in/jane-doe#a",
    ):
        [again] = _keep(team_a, alice, PersonFacts(linkedin_url=form, title="CTO"), source="lookc")
        assert again.pk == first.pk
    assert Person.objects.for_team(team_a).count() == 1


def test_a_person_is_found_by_any_of_their_identifiers(team_a, alice):
    [jane] = _keep(
        team_a,
        alice,
        PersonFacts(
            linkedin_url="jane-doe",
            sales_nav_id="https://linkedin.com/sales/lead/ACwAAAXQSFkBI1hIhlJLnr04EL-0FSqe1SIXTEM,NAME",
            lix_id="lix-1",
            leadiq_id="iq-1",
            emails=(("jane@acme.test", "unknown"),),
        ),
    )
    for facts in (
        PersonFacts(sales_nav_id="ACwAAAXQSFkBI1hIhlJLnr04EL-0FSqe1SIXTEM"),
        PersonFacts(lix_id="lix-1"),
        PersonFacts(leadiq_id="iq-1"),
        PersonFacts(emails=((" JANE@acme.test", "valid"),)),
    ):
        assert _keep(team_a, alice, facts)[0].pk == jane.pk
    assert Person.objects.for_team(team_a).count() == 1


def test_another_teams_records_are_never_matched(team_a, team_b, alice, carol):
    [mine] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe"))
    [theirs] = _keep(team_b, carol, PersonFacts(linkedin_url="jane-doe"))
    assert mine.pk != theirs.pk and theirs.team == team_b


def test_two_results_about_one_person_in_a_batch_give_one_person(team_a, alice):
    people = _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", title="CTO"),
        PersonFacts(full_name="Someone else"),
        PersonFacts(linkedin_url="https://www.linkedin.com/in/JANE-DOE/", lusha_id="L-1"),
    )
    assert people[0].pk == people[2].pk != people[1].pk
    assert set(people[0].identifiers.values_list("kind", flat=True)) == {"linkedin", "lusha"}


def test_conflicting_values_all_stay_and_the_display_takes_the_newest(team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", title="CTO"), call=_call(team_a))
    [jane] = _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", title="Chief Technology Officer"),
        source="leadiq",
        call=_call(team_a, "leadiq"),
    )
    jane.refresh_from_db()
    assert jane.title == "Chief Technology Officer"
    titles = set(jane.facts.filter(field="title").values_list("value", "source"))
    assert titles == {("CTO", "lusha"), ("Chief Technology Officer", "leadiq")}


def test_keeping_the_same_answer_twice_adds_no_duplicate_values(team_a, alice):
    call = _call(team_a)
    facts = PersonFacts(linkedin_url="jane-doe", title="CTO", emails=(("jane@acme.test", "valid"),))
    _keep(team_a, alice, facts, call=call)
    [jane] = _keep(team_a, alice, facts, call=call)
    assert jane.facts.count() == 2 and jane.contact_points.count() == 1


def test_a_person_is_written_again_only_when_their_display_changes(team_a, alice):
    facts = PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe", title="CTO")
    [jane] = _keep(team_a, alice, facts, call=_call(team_a))
    first = Person.objects.get(pk=jane.pk).updated_at
    _keep(team_a, alice, facts, call=_call(team_a))
    assert Person.objects.get(pk=jane.pk).updated_at == first
    _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", title="CEO"), call=_call(team_a))
    jane = Person.objects.get(pk=jane.pk)
    assert jane.title == "CEO" and jane.updated_at > first
    # A company found for someone the team already has is written too, with nothing else changed.
    _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", title="CEO", company_domain="acme.test"))
    jane = Person.objects.select_related("company").get(pk=jane.pk)
    assert jane.company.domain == "acme.test"


def test_a_contact_point_keeps_its_best_status_and_where_it_came_from(team_a, alice):
    first, second, third = _call(team_a), _call(team_a, "leadiq"), _call(team_a, "lix")
    _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", emails=(("jane@acme.test", "probable"),)),
        call=first,
    )
    _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", emails=(("JANE@ACME.TEST", "valid"),)),
        source="leadiq",
        call=second,
    )
    [jane] = _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", emails=(("jane@acme.test", "unknown"),)),
        source="lix",
        call=third,
    )
    [email] = jane.contact_points.all()
    assert (email.status, email.source, email.call) == ("valid", "leadiq", second)
    # Every source's word on it stays as a fact.
    assert set(jane.facts.filter(field="email").values_list("source", "detail")) == {
        ("lusha", "probable"),
        ("leadiq", "valid"),
        ("lix", "unknown"),
    }


def test_a_result_naming_two_records_merges_them_and_loses_nothing(team_a, alice, bob):
    [by_profile] = _keep(
        team_a, alice, PersonFacts(linkedin_url="jane-doe", title="CTO", phones=(("+1 415 555 0100", ""),))
    )
    [by_email] = _keep(
        team_a,
        alice,
        PersonFacts(lusha_id="L-1", full_name="J. Doe", emails=(("jane@acme.test", "valid"),)),
        source="leadiq",
    )
    both = ProspectList.objects.create(team=team_a, name="Both")
    only_second = ProspectList.objects.create(team=team_a, name="Second")
    ListEntry.objects.create(prospect_list=both, person=by_profile, added_by=alice)
    ListEntry.objects.create(prospect_list=both, person=by_email, added_by=bob)
    ListEntry.objects.create(prospect_list=only_second, person=by_email, added_by=bob)

    [merged] = _keep(
        team_a,
        bob,
        PersonFacts(linkedin_url="linkedin.com/in/jane-doe", emails=(("jane@acme.test", "probable"),)),
        source="lix",
    )

    assert merged.pk == by_profile.pk  # the older record stays
    assert not Person.objects.filter(pk=by_email.pk).exists()
    assert set(merged.identifiers.values_list("kind", "value")) == {
        ("linkedin", "jane-doe"),
        ("lusha", "L-1"),
        ("email", "jane@acme.test"),
    }
    assert {("title", "CTO"), ("full_name", "J. Doe")} <= set(merged.facts.values_list("field", "value"))
    points = {(p.kind, p.value): p.status for p in merged.contact_points.all()}
    assert points == {("email", "jane@acme.test"): "valid", ("phone", "+14155550100"): "unknown"}
    assert set(merged.list_entries.values_list("prospect_list__name", flat=True)) == {"Both", "Second"}
    assert merged.list_entries.count() == 2
    [merge] = Merge.objects.for_team(team_a)
    assert (merge.person, merge.merged_id, merge.user) == (merged, by_email.pk, bob)
    assert "linkedin:jane-doe" in merge.reason and "email:jane@acme.test" in merge.reason


def test_merging_moves_company_and_keeps_a_survivor_without_one_whole(team_a, alice):
    [first] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe"))
    [second] = _keep(
        team_a, alice, PersonFacts(lix_id="lix-1", company_domain="acme.test", company_name="Acme")
    )
    [merged] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", lix_id="lix-1"))
    merged.refresh_from_db()
    assert merged.pk == first.pk and merged.company.domain == "acme.test"
    assert merged.company_name == "Acme"


def test_companies_are_matched_on_domain_or_linkedin_id(team_a, alice):
    [acme] = keep_companies(
        team=team_a,
        user=alice,
        facts=[CompanyFacts(name="Acme", domain="https://www.acme.test/")],
        source="lusha",
    )
    [same] = keep_companies(
        team=team_a,
        user=alice,
        facts=[
            CompanyFacts(
                name="ACME Inc", domain="acme.test", linkedin_url="https://www.linkedin.com/company/acme/"
            )
        ],
        source="leadiq",
    )
    [by_linkedin] = keep_companies(
        team=team_a, user=alice, facts=[CompanyFacts(linkedin_id="acme", industry="Software")], source="lix"
    )
    assert acme.pk == same.pk == by_linkedin.pk
    acme.refresh_from_db()
    assert (acme.name, acme.domain, acme.linkedin_id, acme.industry) == (
        "ACME Inc",
        "acme.test",
        "acme",
        "Software",
    )
    assert set(acme.facts.filter(field="name").values_list("value", flat=True)) == {"Acme", "ACME Inc"}


def test_people_of_one_company_share_its_record(team_a, alice):
    people = _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", company_domain="acme.test"),
        PersonFacts(linkedin_url="john-doe", company_linkedin_url="https://www.linkedin.com/company/acme"),
        PersonFacts(
            linkedin_url="ann-doe",
            company_domain="www.acme.test",
            company_linkedin_url="linkedin.com/company/acme",
        ),
    )
    assert len({person.company_id for person in people}) == 1
    assert Company.objects.for_team(team_a).count() == 1


def test_a_suppressed_person_can_still_be_kept(team_a, alice):
    Suppression.objects.create(team=team_a, kind="linkedin", value="jane-doe")
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="https://www.linkedin.com/in/jane-doe"))
    assert Person.objects.for_team(team_a).suppressed().get() == jane


def test_records_from_the_sandbox_are_marked_until_real_data_arrives(team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe"), call=_call(team_a, sandbox=True))
    assert jane.is_sandbox
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe"), call=_call(team_a))
    assert not jane.is_sandbox


def _results(count, offset=0):
    return [
        PersonFacts(
            linkedin_url=f"https://www.linkedin.com/in/person-{offset + n}",
            lusha_id=f"L-{offset + n}",
            full_name=f"Person {offset + n}",
            title="Engineer",
            company_name=f"Company {offset}-{n % 7}",
            company_domain=f"company-{offset}-{n % 7}.test",
            emails=((f"person{offset + n}@company-{offset}-{n % 7}.test", "valid"),),
            phones=((f"+44 20 7946 {offset + n:04d}", "work"),),
        )
        for n in range(count)
    ]


def _statements(queries):
    """The statements sent, with consecutive batches of one bulk insert or update counted once: the
    database's own parameter limit (999 on SQLite) splits a large bulk_create into several."""
    shapes = [query["sql"].split(" VALUES ")[0].split(" SET ")[0][:120] for query in queries]
    shapes = [re.sub(r'SAVEPOINT "\w+"', "SAVEPOINT", shape) for shape in shapes]
    # A COPY is logged with the number of rows it sent (insert_rows): the same statement all the same.
    shapes = [re.sub(r" \(\d+ rows\)$", "", shape) for shape in shapes]
    return [shape for i, shape in enumerate(shapes) if i == 0 or shape != shapes[i - 1]]


def test_keeping_100_results_takes_a_bounded_number_of_queries(team_a, alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        people = _keep(team_a, alice, *_results(100), call=_call(team_a))
    assert len({p.pk for p in people}) == 100
    # Again, now that they all exist (and 100 new ones beside them).
    with django_assert_max_num_queries(50):
        _keep(team_a, alice, *_results(200), call=_call(team_a))
    assert Person.objects.for_team(team_a).count() == 200
    assert ContactPoint.objects.for_team(team_a).count() == 400


def test_keeping_10_or_100_results_sends_the_same_statements(team_a, alice):
    with CaptureQueriesContext(connection) as ten:
        _keep(team_a, alice, *_results(10))
    with CaptureQueriesContext(connection) as hundred:
        _keep(team_a, alice, *_results(100, offset=10))
    with CaptureQueriesContext(connection) as known:
        _keep(team_a, alice, *_results(100, offset=10))
    assert _statements(ten.captured_queries) == _statements(hundred.captured_queries)
    assert len(_statements(known.captured_queries)) <= len(_statements(hundred.captured_queries))


def test_one_result_naming_three_records_merges_all_into_the_oldest(team_a, alice):
    [first] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", title="CTO"))
    [second] = _keep(team_a, alice, PersonFacts(lix_id="lix-1", location="London"))
    [third] = _keep(team_a, alice, PersonFacts(emails=(("jane@acme.test", "valid"),)))
    people = _keep(
        team_a,
        alice,
        PersonFacts(lix_id="lix-1", emails=(("jane@acme.test", "valid"),)),
        PersonFacts(linkedin_url="jane-doe", lix_id="lix-1"),
    )
    assert {p.pk for p in people} == {first.pk}
    assert list(Person.objects.for_team(team_a).values_list("pk", flat=True)) == [first.pk]
    assert set(Merge.objects.for_team(team_a).values_list("merged_id", flat=True)) == {second.pk, third.pk}
    first.refresh_from_db()
    assert (first.title, first.location) == ("CTO", "London")
    assert first.contact_points.get().value == "jane@acme.test"


def test_a_person_kept_by_another_worker_at_the_same_time_is_merged_not_duplicated(
    team_a, alice, monkeypatch
):
    from prospecting.services import records

    [theirs] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", title="CTO"))
    real_lookup = records._lookup
    calls = []

    def lookup_before_the_other_worker_committed(*args):
        calls.append(args)
        return {} if len(calls) == 1 else real_lookup(*args)

    monkeypatch.setattr(records, "_lookup", lookup_before_the_other_worker_committed)
    [mine] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", lusha_id="L-1", location="Paris"))
    assert mine.pk == theirs.pk
    assert Person.objects.for_team(team_a).count() == 1
    mine.refresh_from_db()
    assert mine.location == "Paris" and mine.title == "CTO"
    assert set(mine.identifiers.values_list("kind", flat=True)) == {"linkedin", "lusha"}


# --- PostgreSQL's ways of sending many values ------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own statements (SQLite has one way only)"
)
# Provider ids are kept as given (no spaces): the characters an array literal must escape included.
ODD_IDS = ['say"hi"', "back\\slash", "end\\", "{braces}", "a,b", "NULL", "it's", "é€", "%_"]


@postgres_only
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12), max_size=8
    )
)
def test_array_literals_read_back_as_the_values_written(db, texts):
    now = timezone.now()
    columns = [
        ("text", [*texts, *ODD_IDS, None, ""]),
        ("text", [*texts, *ODD_IDS]),  # text only: written at once, escaped
        ("text", [*texts, "plain"]),
        ("bigint", [1, None, -5, 2**40]),
        ("bigint", [3, 2, 1]),
        ("boolean", [True, False, None]),
        ("timestamptz", [now, None, now]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"%s::{kind}[]" for kind, _ in columns),
            [records.array_literal(values) for _, values in columns],
        )
        assert cursor.fetchone() == tuple(values for _, values in columns)


@postgres_only
def test_rows_copied_in_binary_read_back_as_the_values_written(team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe"))
    now = timezone.now()
    odd = [*ODD_IDS, "tab\there", "line\nbreak", "\\N", "", "x" * 5000]
    rows = [(team_a.pk, jane.pk, "title", value, "d", "import", now, None) for value in odd]
    columns = ("team", "person", "field", "value", "detail", "source", "obtained_at", "call")
    assert records.insert_rows(FactValue, columns, rows) == len(odd)
    kept = FactValue.objects.filter(person=jane, field="title").values_list(
        "value", "detail", "source", "obtained_at", "call"
    )
    assert sorted(kept) == sorted((value, "d", "import", now, None) for value in odd)


@postgres_only
def test_matching_by_joined_arrays_finds_what_in_lists_find(team_a, team_b, alice, carol):
    people = [
        PersonFacts(linkedin_url=f"https://www.linkedin.com/in/jane-{n}/", lusha_id=odd, leadiq_id=f"Q{n}")
        for n, odd in enumerate(ODD_IDS)
    ]
    people.append(PersonFacts(emails=(("Jane@Example.com", "valid"),), lix_id="lix-1"))
    _keep(team_a, alice, *people)
    _keep(team_b, carol, PersonFacts(linkedin_url="jane-0", lusha_id="only-b"))
    keep_companies(
        team=team_a, user=alice, facts=[CompanyFacts(domain="acme.test", lusha_id='"acme"')], source="lusha"
    )
    keys = [records.person_keys(facts) for facts in people]
    keys.append([(IdentifierKind.LINKEDIN, "nobody"), (IdentifierKind.LUSHA, "only-b")])
    keys.append([(IdentifierKind.DOMAIN, "acme.test"), (IdentifierKind.LUSHA, '"acme"')])

    for target in ("person", "company"):
        joined = records._lookup_joined(target, team_a, keys)
        assert joined == records._lookup_listed(target, team_a, keys)
        assert joined  # something to compare
    assert len(records._lookup_joined("person", team_a, keys)) == 3 * len(ODD_IDS) + 2
    assert records._lookup_joined("person", team_b, keys) == records._lookup_listed("person", team_b, keys)


@postgres_only
def test_reading_rows_by_parent_through_the_index_finds_what_in_lists_find(team_a, team_b, alice, carol):
    mine = _keep(team_a, alice, *_results(5))
    _keep(team_a, alice, *_results(3), source="lix")  # more values, later
    [theirs] = _keep(team_b, carol, *_results(1))
    ids = {person.pk for person in mine} | {theirs.pk, 10**9}
    names = ("person_id", "field", "value", "detail", "source", "call_id")
    order = ("obtained_at", "id")
    joined = records._rows_joined(FactValue, "person", ids, names, order)
    assert joined == records._rows_listed(FactValue, "person", ids, names, order)
    assert len(joined) == FactValue.objects.filter(person__in=ids).count() > 0
    names = ("id", "person_id", "kind", "value", "status")
    joined = records._rows_joined(ContactPoint, "person", ids, names, ())
    assert sorted(joined) == sorted(records._rows_listed(ContactPoint, "person", ids, names, ()))
    assert len(joined) == ContactPoint.objects.filter(person__in=ids).count() > 0


# --- pages ---------------------------------------------------------------------------------------


def _jane_with_history(team, alice, bob):
    lusha = _call(team, "lusha", credits={"uc": 2})
    leadiq = _call(team, "leadiq", credits={"credits": 1})
    _keep(
        team,
        alice,
        PersonFacts(
            linkedin_url="jane-doe",
            full_name="Jane Doe",
            title="CTO",
            company_name="Acme",
            company_domain="acme.test",
            emails=(("jane@acme.test", "probable"),),
        ),
        call=lusha,
    )
    [jane] = _keep(
        team,
        bob,
        PersonFacts(
            linkedin_url="jane-doe",
            title="Chief Technology Officer",
            emails=(("jane@acme.test", "valid"),),
            phones=(("+44 20 7946 0958", "mobile"),),
        ),
        source="leadiq",
        call=leadiq,
    )
    return jane


def test_the_person_page_shows_every_value_with_its_provenance_and_cost(alice_client, team_a, alice, bob):
    jane = _jane_with_history(team_a, alice, bob)
    leads = ProspectList.objects.create(team=team_a, name="Q3 leads")
    ListEntry.objects.create(prospect_list=leads, person=jane, added_by=alice)
    html = alice_client.get(reverse("person_detail", args=[jane.pk])).content.decode()
    assert "Jane Doe" in html and "Chief Technology Officer" in html and "CTO" in html
    assert "Conflicting values" in html
    assert "2 universal credits" in html and "1 credit" in html  # each call's cost, in words
    assert "jane@acme.test" in html and "Valid" in html and "Reported by" in html
    assert "+442079460958" in html and "mobile" in html
    assert "Q3 leads" in html
    assert "jane-doe" in html  # the identifier
    assert reverse("company_detail", args=[jane.company_id]) in html
    assert "Suppressed" not in html


def test_the_person_page_marks_a_suppressed_person(alice_client, team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", emails=(("jane@acme.test", "valid"),)))
    Suppression.objects.create(team=team_a, kind="domain", value="acme.test")
    html = alice_client.get(reverse("person_detail", args=[jane.pk])).content.decode()
    assert "Suppressed" in html and "do-not-contact" in html


def test_the_person_page_shows_where_a_merged_record_went(alice_client, team_a, alice):
    _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe"))
    _keep(team_a, alice, PersonFacts(lix_id="lix-1", full_name="J. Doe"))
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", lix_id="lix-1"))
    html = alice_client.get(reverse("person_detail", args=[jane.pk])).content.decode()
    assert "Merged records" in html and "J. Doe" in html and "lix:lix-1" in html


def test_the_company_page_shows_its_people_values_and_suppression(alice_client, team_a, alice, bob):
    jane = _jane_with_history(team_a, alice, bob)
    url = reverse("company_detail", args=[jane.company_id])
    html = alice_client.get(url).content.decode()
    assert "Acme" in html and "acme.test" in html and "Jane Doe" in html
    assert reverse("person_detail", args=[jane.pk]) in html
    assert "Suppressed" not in html
    Suppression.objects.create(team=team_a, kind="company", value="acme.test")
    html = alice_client.get(url).content.decode()
    assert html.count("Suppressed") >= 2  # the company, and Jane in its people


def test_the_people_page_searches_by_name_or_company(alice_client, team_a, alice):
    _keep(
        team_a,
        alice,
        PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe", company_name="Acme"),
        PersonFacts(linkedin_url="john-roe", full_name="John Roe", company_name="Globex"),
    )
    html = alice_client.get(reverse("people")).content.decode()
    assert "Jane Doe" in html and "John Roe" in html and "2 people" in html
    html = alice_client.get(reverse("people"), {"q": "globex"}).content.decode()
    assert "John Roe" in html and "Jane Doe" not in html
    html = alice_client.get(reverse("people"), {"q": "jane"}).content.decode()
    assert "Jane Doe" in html and "John Roe" not in html
    html = alice_client.get(reverse("people"), {"q": "nobody"}).content.decode()
    assert "Nobody matches" in html


def test_the_people_page_pages_and_keeps_the_search(alice_client, team_a, alice):
    _keep(team_a, alice, *[PersonFacts(lix_id=f"x{n}", full_name=f"Ann {n:03d}") for n in range(60)])
    html = alice_client.get(reverse("people"), {"q": "ann"}).content.decode()
    assert "Page 1 of 2" in html and "?q=ann&amp;page=2" in html
    html = alice_client.get(reverse("people"), {"q": "ann", "page": 2}).content.decode()
    assert "Ann 059" in html and "Ann 000" not in html


def test_the_people_page_shows_only_the_teams_people_and_is_in_the_nav(
    alice_client, team_a, team_b, alice, carol
):
    _keep(team_b, carol, PersonFacts(linkedin_url="bea", full_name="Bea from B"))
    html = alice_client.get(reverse("people")).content.decode()
    assert "Bea from B" not in html and "No people yet" in html
    assert f'href="{reverse("people")}"' in alice_client.get(reverse("home")).content.decode()


def test_record_pages_take_a_constant_number_of_queries(
    alice_client, team_a, alice, bob, django_assert_max_num_queries
):
    jane = _jane_with_history(team_a, alice, bob)
    with django_assert_max_num_queries(20):
        assert alice_client.get(reverse("person_detail", args=[jane.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert alice_client.get(reverse("company_detail", args=[jane.company_id])).status_code == 200
    with django_assert_max_num_queries(15):
        assert alice_client.get(reverse("people")).status_code == 200


def test_a_suppressed_company_covers_its_people_even_without_identifier_rows(team_a):
    acme = Company.objects.create(team=team_a, name="Acme", domain="acme.test")
    globex = Company.objects.create(team=team_a, name="Globex", linkedin_id="globex")
    _person(team_a, "Jane", company=acme)
    _person(team_a, "John", company=globex)
    _person(team_a, "Free agent")
    _suppress(team_a, SuppressionKind.COMPANY, "acme.test")
    _suppress(team_a, SuppressionKind.COMPANY, "globex")
    assert _contactable_names(team_a) == {"Free agent"}


def test_an_email_contact_point_saved_without_its_domain_gets_it(team_a):
    person = Person.objects.create(team=team_a, full_name="Jane")
    point = ContactPoint.objects.create(
        team=team_a,
        person=person,
        kind="email",
        value="jane@acme.test",
        source="import",
        obtained_at=timezone.now(),
    )
    assert point.domain == "acme.test"
    _suppress(team_a, SuppressionKind.DOMAIN, "acme.test")
    assert _contactable_names(team_a) == set()


def test_companies_are_suppressed_by_domain_or_linkedin_id(team_a, team_b):
    acme = _company(team_a, "Acme", domain="acme.test")
    globex = _company(team_a, "Globex", linkedin_id="globex")
    Company.objects.create(team=team_a, name="Initech", domain="initech.test")  # no identifier rows
    _company(team_a, "Umbrella", domain="umbrella.test")
    _suppress(team_a, SuppressionKind.DOMAIN, "acme.test")
    _suppress(team_a, SuppressionKind.COMPANY, "globex")
    _suppress(team_a, SuppressionKind.COMPANY, "initech.test")
    _suppress(team_b, SuppressionKind.COMPANY, "umbrella.test")
    companies = Company.objects.for_team(team_a)
    assert set(companies.contactable().values_list("name", flat=True)) == {"Umbrella"}
    assert set(companies.suppressed().values_list("name", flat=True)) == {"Acme", "Globex", "Initech"}
    assert {c.name: c.is_suppressed for c in companies.with_suppressed()}[acme.name]
    assert globex in companies.suppressed()


KINDS = ("linkedin", "lix", "email")


def _observation_facts(person, kinds, title):
    return PersonFacts(
        linkedin_url=f"https://www.linkedin.com/in/p{person}" if "linkedin" in kinds else "",
        lix_id=f"x{person}" if "lix" in kinds else "",
        emails=((f"p{person}@a.test", "valid"),) if "email" in kinds else (),
        title=title,
    )


observations = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.sets(st.sampled_from(KINDS), min_size=1),
        st.sampled_from(["CEO", "CTO", "VP"]),
        st.integers(0, 2),  # which batch it arrives in
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(observations)
@example([(0, {"linkedin"}, "CEO", 0), (0, {"lix"}, "CTO", 0), (0, {"linkedin", "lix"}, "VP", 1)])
@example(
    [(0, {"email"}, "CEO", 0), (1, {"lix"}, "CTO", 1), (0, {"linkedin"}, "VP", 1), (0, set(KINDS), "VP", 2)]
)
def test_keeping_in_any_order_and_batches_never_mixes_people_nor_loses_a_value(team_a, alice, seen):
    Person.objects.for_team(team_a).delete()
    Company.objects.for_team(team_a).delete()
    for batch in range(3):
        facts = [_observation_facts(p, kinds, title) for p, kinds, title, b in seen if b == batch]
        _keep(team_a, alice, *facts, source=f"batch{batch}")

    owners = defaultdict(set)  # true person -> records holding their identifiers
    for identifier in Identifier.objects.for_team(team_a).filter(person__isnull=False):
        true_person = int(identifier.value.removeprefix("p").removeprefix("x").split("@")[0])
        owners[true_person].add(identifier.person_id)
    # No record holds two real people's identifiers.
    records = [record for held in owners.values() for record in held]
    assert len(records) == len(set(records))
    for person in {p for p, *_ in seen}:
        kinds_seen = [kinds for p, kinds, *_ in seen if p == person]
        if any(kinds == set(KINDS) for kinds in kinds_seen):
            assert len(owners[person]) == 1  # one full observation ties them all together
        # Every title each source gave survives on the person's records.
        titles = set(
            FactValue.objects.filter(person_id__in=owners[person], field="title").values_list(
                "value", "source"
            )
        )
        assert titles == {(title, f"batch{b}") for p, _k, title, b in seen if p == person}
    assert Person.objects.for_team(team_a).count() == len(set(records))


def test_the_person_page_links_each_list_and_offers_only_the_other_lists(alice_client, team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe"))
    leads = ProspectList.objects.create(team=team_a, name="Q3 leads")
    other = ProspectList.objects.create(team=team_a, name="Q4 targets")
    ListEntry.objects.create(prospect_list=leads, person=jane, added_by=alice)
    html = alice_client.get(reverse("person_detail", args=[jane.pk])).content.decode()
    assert f'href="{reverse("list_detail", args=[leads.pk])}"' in html
    assert f'action="{reverse("list_remove", args=[leads.pk])}"' in html and "Remove from this list" in html
    assert f'<option value="{other.pk}">Q4 targets</option>' in html
    assert f'<option value="{leads.pk}">' not in html  # already in it


def test_a_member_adds_a_person_to_an_existing_list_from_their_page(bob_client, team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe"))
    leads = ProspectList.objects.create(team=team_a, name="Q3 leads")
    url = reverse("person_add_to_list", args=[jane.pk])
    response = bob_client.post(url, {"list": leads.pk, "new_list": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("person_detail", args=[jane.pk])
    assert "Added to “Q3 leads”" in response.content.decode()
    assert list(leads.entries.values_list("person", flat=True)) == [jane.pk]
    bob_client.post(url, {"list": leads.pk})
    assert leads.entries.count() == 1  # never twice


def test_a_member_adds_a_person_to_a_new_list_from_their_page(bob_client, team_a, alice, bob):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe"))
    bob_client.post(reverse("person_add_to_list", args=[jane.pk]), {"new_list": "  Follow up "})
    new = ProspectList.objects.get(team=team_a)
    assert new.name == "Follow up" and new.created_by == bob
    assert list(new.entries.values_list("person", flat=True)) == [jane.pk]


def test_adding_to_a_list_needs_a_list_and_refuses_another_teams(alice_client, team_a, team_b, alice, carol):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe"))
    theirs = ProspectList.objects.create(team=team_b, name="B's list")
    url = reverse("person_add_to_list", args=[jane.pk])
    response = alice_client.post(url, {"list": "", "new_list": "  "}, follow=True)
    assert "Choose a list, or name a new one." in response.content.decode()
    assert alice_client.post(url, {"list": theirs.pk}).status_code == 404
    assert not ListEntry.objects.exists() and not ProspectList.objects.filter(team=team_a).exists()
    assert alice_client.get(url).status_code == 405


def test_a_member_removes_a_person_from_a_list_on_their_page(alice_client, team_a, alice):
    [jane] = _keep(team_a, alice, PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe"))
    leads = ProspectList.objects.create(team=team_a, name="Q3 leads")
    ListEntry.objects.create(prospect_list=leads, person=jane, added_by=alice)
    page = reverse("person_detail", args=[jane.pk])
    response = alice_client.post(reverse("list_remove", args=[leads.pk]), {"person": jane.pk, "next": page})
    assert response.status_code == 302 and response.url == page
    assert not leads.entries.exists()
    assert Person.objects.filter(pk=jane.pk).exists()


def test_the_company_page_adds_removes_and_links_its_lists(alice_client, team_a, alice):
    company = Company.objects.create(team=team_a, name="Acme", domain="acme.test")
    alice_client.post(reverse("company_add_to_list", args=[company.pk]), {"new_list": "Accounts"})
    accounts = ProspectList.objects.get(team=team_a, name="Accounts")
    assert list(accounts.entries.values_list("company", flat=True)) == [company.pk]
    html = alice_client.get(reverse("company_detail", args=[company.pk])).content.decode()
    assert f'href="{reverse("list_detail", args=[accounts.pk])}"' in html
    assert f'name="company" value="{company.pk}"' in html and "Remove from this list" in html


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_people_and_company_pages_take_the_same_queries_for_1_and_30_people(alice_client, team_a):
    acme = Company.objects.create(team=team_a, name="Acme", domain="acme.test")
    _person(team_a, "Person 0", email="p0@acme.test", linkedin="p-0", company=acme)
    alice_client.get(reverse("people"))  # the session's first request does its own one-off queries
    one = [
        _queries_for(alice_client, reverse("people")),
        _queries_for(alice_client, reverse("company_detail", args=[acme.pk])),
    ]
    for index in range(1, 30):
        _person(team_a, f"Person {index}", email=f"p{index}@acme.test", linkedin=f"p-{index}", company=acme)
    many = [
        _queries_for(alice_client, reverse("people")),
        _queries_for(alice_client, reverse("company_detail", args=[acme.pk])),
    ]
    assert many == one
