"""Do-not-contact: the admins' suppression list (by hand and by CSV), the one rule every path obeys
(`ensure_contactable` on `.contactable()`), and the "Suppressed" marks on tables of people and results."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from prospecting.models import Person, Suppression
from prospecting.providers.facts import PersonFacts
from prospecting.services.records import keep_people
from prospecting.services.suppression import (
    DETECT,
    Purpose,
    add_suppression,
    ensure_contactable,
    parse_suppression,
    suppressed_flags,
)

JANE = PersonFacts(
    full_name="Jane Doe",
    linkedin_url="https://www.linkedin.com/in/jane-doe/",
    emails=(("Jane.Doe@Acme.example", "valid"),),
    company_name="Acme",
    company_domain="acme.example",
    company_linkedin_url="https://www.linkedin.com/company/acme-inc/",
)
JOHN = PersonFacts(full_name="John Roe", linkedin_url="john-roe", emails=(("john@roe.example", "valid"),))


def _keep(team, user, *facts):
    return keep_people(team=team, user=user, facts=list(facts), source="lusha")


def _csv(text, name="dnc.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _values(team):
    return set(Suppression.objects.for_team(team).values_list("kind", "value"))


# --- normalising what an admin types -------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        (DETECT, "  Jane.Doe@ACME.example ", ("email", "jane.doe@acme.example")),
        (DETECT, "@Acme.example", ("domain", "acme.example")),
        (DETECT, "www.acme.example", ("domain", "acme.example")),
        (DETECT, "https://fr.linkedin.com/in/Jane-Doe/details/?x=1", ("linkedin", "jane-doe")),
        (DETECT, "linkedin.com/company/Acme-Inc/about", ("company", "acme-inc")),
        ("linkedin", "jane-doe", ("linkedin", "jane-doe")),
        ("company", "https://www.acme.example/about", ("company", "acme.example")),
        ("company", "acme-inc", ("company", "acme-inc")),
        ("domain", "jane@acme.example", ("domain", "acme.example")),
    ],
)
def test_values_are_normalised_through_identifiers(kind, text, expected):
    assert parse_suppression(kind=kind, text=text) == expected


@pytest.mark.parametrize(
    "kind, text, words",
    [
        (DETECT, "jane-doe", "could be several things"),
        ("email", "not-an-email", "is not an email address"),
        ("linkedin", "https://www.linkedin.com/company/acme", "is not a LinkedIn profile"),
        ("domain", "localhost", "is not a domain"),
        (DETECT, "", "Enter a value"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(kind, text, words):
    with pytest.raises(ValidationError) as refused:
        parse_suppression(kind=kind, text=text)
    assert words in refused.value.messages[0]


# --- the page -------------------------------------------------------------------------------------


def test_admin_adds_an_entry_by_hand_and_it_is_audited(alice_client, team_a, alice):
    response = alice_client.post(
        reverse("suppression"),
        {"kind": DETECT, "value": "https://linkedin.com/in/Jane-Doe", "reason": "asked"},
    )
    assert response.status_code == 302
    entry = Suppression.objects.get(team=team_a)
    assert (entry.kind, entry.value, entry.reason, entry.created_by) == (
        "linkedin",
        "jane-doe",
        "asked",
        alice,
    )
    event = AuditEvent.objects.get(action=AuditAction.SUPPRESSION_ADDED)
    assert (event.team, event.actor, event.target) == (team_a, alice, "LinkedIn profile jane-doe")
    assert "jane-doe" in alice_client.get(reverse("suppression")).content.decode()


def test_a_duplicate_says_already_suppressed_and_changes_nothing(alice_client, team_a, alice):
    add_suppression(team=team_a, actor=alice, kind="email", text="jane@acme.example")
    response = alice_client.post(reverse("suppression"), {"kind": DETECT, "value": " JANE@acme.example"})
    assert response.status_code == 400
    assert "Email jane@acme.example is already suppressed." in response.content.decode()
    assert Suppression.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SUPPRESSION_ADDED).count() == 1


def test_invalid_value_on_the_page_shows_the_reason_and_adds_nothing(alice_client):
    response = alice_client.post(reverse("suppression"), {"kind": "email", "value": "jane at acme"})
    assert response.status_code == 400
    assert "is not an email address" in response.content.decode()
    assert not Suppression.objects.exists()


def test_removing_asks_first_then_removes_and_is_audited(alice_client, team_a, alice):
    entry = add_suppression(team=team_a, actor=alice, kind="domain", text="acme.example")
    url = reverse("suppression_remove", args=[entry.pk])
    page = alice_client.get(url)
    assert page.status_code == 200 and "Remove email domain acme.example" in page.content.decode()
    assert Suppression.objects.exists()
    assert alice_client.post(url).status_code == 302
    assert not Suppression.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.SUPPRESSION_REMOVED)
    assert (event.actor, event.target) == (alice, "Email domain acme.example")


def test_members_cannot_see_or_change_the_list(bob_client, team_a, alice):
    entry = add_suppression(team=team_a, actor=alice, kind="email", text="jane@acme.example")
    assert bob_client.get(reverse("suppression")).status_code == 403
    assert (
        bob_client.post(reverse("suppression"), {"kind": DETECT, "value": "x@y.example"}).status_code == 403
    )
    assert bob_client.post(reverse("suppression_remove", args=[entry.pk])).status_code == 403
    assert bob_client.post(reverse("suppression_import"), {"file": _csv("x@y.example")}).status_code == 403
    assert _values(team_a) == {("email", "jane@acme.example")}
    assert reverse("suppression") not in bob_client.get(reverse("home")).content.decode()


def test_admins_see_the_nav_link(alice_client):
    assert reverse("suppression") in alice_client.get(reverse("home")).content.decode()


def test_the_list_is_searchable_filterable_and_paginated(alice_client, team_a, alice):
    Suppression.objects.bulk_create(
        [Suppression(team=team_a, kind="email", value=f"person{i:03}@acme.example") for i in range(60)]
        + [Suppression(team=team_a, kind="domain", value="other.example")]
    )
    first = alice_client.get(reverse("suppression")).content.decode()
    assert "Page 1 of 2" in first
    found = alice_client.get(reverse("suppression"), {"q": "PERSON007"}).content.decode()
    assert "person007@acme.example" in found and "person008@acme.example" not in found
    domains = alice_client.get(reverse("suppression"), {"kind": "domain"}).content.decode()
    assert "other.example" in domains and "person001@acme.example" not in domains
    second = alice_client.get(reverse("suppression"), {"q": "acme", "page": 2}).content.decode()
    assert "q=acme&amp;kind=&amp;page=1" in second


def test_another_teams_list_is_not_shown(alice_client, team_b, carol):
    add_suppression(team=team_b, actor=carol, kind="email", text="secret@b.example")
    assert "secret@b.example" not in alice_client.get(reverse("suppression")).content.decode()


# --- CSV import -----------------------------------------------------------------------------------


def test_a_csv_with_one_value_per_line_is_imported(alice_client, team_a, alice):
    text = "jane@acme.example\n\nhttps://www.linkedin.com/in/john-roe\n@roe.example\nJANE@acme.example\n"
    response = alice_client.post(reverse("suppression_import"), {"file": _csv(text), "kind": DETECT})
    assert response.status_code == 302
    assert _values(team_a) == {
        ("email", "jane@acme.example"),
        ("linkedin", "john-roe"),
        ("domain", "roe.example"),
    }
    event = AuditEvent.objects.get(action=AuditAction.SUPPRESSION_IMPORTED)
    assert event.details == {"added": 3, "already": 1}
    messages = alice_client.get(reverse("suppression")).content.decode()
    assert "Added 3 to the do-not-contact list; 1 already suppressed." in messages


def test_a_csv_column_is_found_by_its_header_or_named(alice_client, team_a, alice):
    add_suppression(team=team_a, actor=alice, kind="email", text="old@acme.example")
    table = "Name,E-mail,Title\nJane,jane@acme.example,CEO\nOld,old@acme.example,CTO\n"
    alice_client.post(reverse("suppression_import"), {"file": _csv(table), "kind": "email"})
    assert ("email", "jane@acme.example") in _values(team_a)
    named = "name;site\nAcme;https://acme2.example/\n"
    alice_client.post(
        reverse("suppression_import"), {"file": _csv(named), "kind": "company", "column": "Site"}
    )
    assert ("company", "acme2.example") in _values(team_a)


def test_a_csv_columns_heading_says_what_it_holds_when_the_kind_is_detected(alice_client, team_a):
    table = "Name,Company website\nAcme,https://www.acme.example/\nRoe,roe-inc\n"
    response = alice_client.post(reverse("suppression_import"), {"file": _csv(table), "kind": DETECT})
    assert response.status_code == 302
    assert _values(team_a) == {("company", "acme.example"), ("company", "roe-inc")}


def test_a_csv_with_invalid_rows_adds_nothing_and_names_each_row(alice_client, team_a):
    text = "email\njane@acme.example\nnot an email\njohn@roe.example\nalso@bad@\n"
    response = alice_client.post(reverse("suppression_import"), {"file": _csv(text), "kind": "email"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was added: 2 rows could not be read." in page
    assert "Row 3: “not an email” is not an email address." in page
    assert "Row 5: “also@bad@” is not an email address." in page
    assert "Row 1 was read as the header." in page
    assert not Suppression.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SUPPRESSION_IMPORTED).exists()


def test_a_csv_naming_a_missing_column_or_not_utf8_is_refused(alice_client):
    missing = alice_client.post(
        reverse("suppression_import"), {"file": _csv("a,b\n1,2\n"), "kind": DETECT, "column": "email"}
    )
    assert "The file has no column named “email”. Its first row has: “a”, “b”." in missing.content.decode()
    latin = SimpleUploadedFile("x.csv", "jérôme@acme.example".encode("latin-1"))
    refused = alice_client.post(reverse("suppression_import"), {"file": latin, "kind": DETECT})
    assert "The file is not UTF-8 text" in refused.content.decode()
    assert not Suppression.objects.exists()


# --- the rule: normalised entries reach every form of a person's identifiers -------------------------


@pytest.mark.parametrize(
    "kind, text",
    [
        ("email", "JANE.DOE@acme.example"),
        ("domain", "https://www.Acme.example"),
        ("linkedin", "https://de.linkedin.com/in/Jane-Doe?trk=x"),
        ("company", "acme.example"),
        ("company", "https://www.linkedin.com/company/Acme-Inc/"),
    ],
)
def test_an_entry_typed_in_any_form_suppresses_the_kept_person(kind, text, team_a, alice):
    jane, john = _keep(team_a, alice, JANE, JOHN)
    add_suppression(team=team_a, actor=alice, kind=kind, text=text)
    assert list(Person.objects.for_team(team_a).contactable()) == [john]


@pytest.mark.parametrize(
    "kind, text",
    [
        ("email", "jane.doe@acme.example"),
        ("email", "someone@acme.example"),
        ("domain", "acme.example"),
        ("domain", "roe.example"),
        ("linkedin", "jane-doe"),
        ("company", "acme.example"),
        ("company", "acme-inc"),
        ("company", "other.example"),
    ],
)
def test_result_marks_agree_with_contactable(kind, text, team_a, team_b, alice, carol):
    _keep(team_a, alice, JANE, JOHN)
    add_suppression(team=team_a, actor=alice, kind=kind, text=text)
    contactable = set(Person.objects.for_team(team_a).contactable().values_list("full_name", flat=True))
    expected = [name not in contactable for name in ("Jane Doe", "John Roe")]
    assert suppressed_flags(team=team_a, facts=[JANE, JOHN]) == expected
    # Team B has never kept them: the marks come from the results' own facts alone, and still agree.
    add_suppression(team=team_b, actor=carol, kind=kind, text=text)
    assert suppressed_flags(team=team_b, facts=[JANE, JOHN]) == expected


@pytest.mark.parametrize(
    "kind, text",
    [
        ("email", "jane.doe@acme.example"),
        ("domain", "acme.example"),
        ("domain", "roe.example"),
        ("linkedin", "jane-doe"),
        ("company", "acme.example"),
        ("company", "acme-inc"),
        ("company", "other.example"),
    ],
)
def test_suppressed_by_index_for_a_few_people_finds_the_same_as_for_a_whole_list(
    kind, text, team_a, team_b, alice, carol
):
    _keep(team_a, alice, JANE, JOHN)
    _keep(team_b, carol, JANE, JOHN)
    add_suppression(team=team_a, actor=alice, kind=kind, text=text)
    people = Person.objects.for_team(team_a)
    whole = set(people.suppressed().values_list("full_name", flat=True))
    assert whole == set(people.exclude(pk__in=people.contactable()).values_list("full_name", flat=True))
    assert set(people.suppressed(few=True).values_list("full_name", flat=True)) == whole
    # Team B's rows are never matched by team A's entry, by either plan.
    others = Person.objects.for_team(team_b)
    assert not others.suppressed().exists() and not others.suppressed(few=True).exists()


def test_a_suppressed_sales_navigator_lead_covers_the_person(team_a, alice):
    member_id = "ACwAAAbcdefghijklmnopqrstuvwxyz012"
    (person,) = _keep(team_a, alice, PersonFacts(full_name="Lead", sales_nav_id=member_id))
    add_suppression(
        team=team_a, actor=alice, kind=DETECT, text=f"https://www.linkedin.com/sales/lead/{member_id},NAME"
    )
    assert not Person.objects.for_team(team_a).contactable().exists()


def test_a_suppressed_company_domain_covers_addresses_at_it_without_a_company_record(team_a, alice):
    (person,) = _keep(team_a, alice, PersonFacts(full_name="Jo", emails=(("jo@acme.example", "valid"),)))
    assert person.company is None
    add_suppression(team=team_a, actor=alice, kind="company", text="acme.example")
    assert not Person.objects.for_team(team_a).contactable().exists()


# --- ensure_contactable: the gate every spending, exporting or contacting path calls -------------------


def test_ensure_contactable_leaves_suppressed_people_out(team_a, alice):
    jane, john = _keep(team_a, alice, JANE, JOHN)
    add_suppression(team=team_a, actor=alice, kind="email", text="jane.doe@acme.example")
    for purpose in (Purpose.ENRICH, Purpose.EXPORT, Purpose.CONTACT):
        cleared = ensure_contactable(team=team_a, people=[jane, john.pk], purpose=purpose)
        assert list(cleared.people) == [john] and cleared.held_back == 1 and not cleared.overridden


def test_ensure_contactable_keeps_a_querysets_order_and_never_crosses_teams(team_a, team_b, alice, carol):
    jane, john = _keep(team_a, alice, JANE, JOHN)
    (theirs,) = _keep(team_b, carol, JOHN)
    people = Person.objects.filter(pk__in=[jane.pk, john.pk, theirs.pk]).order_by("-full_name")
    assert list(ensure_contactable(team=team_a, people=people, purpose=Purpose.EXPORT).people) == [john, jane]
    assert list(ensure_contactable(team=team_a, people=[theirs.pk], purpose=Purpose.ENRICH).people) == []


def test_an_admin_overrides_for_one_export_and_it_is_audited_without_the_people(team_a, alice):
    jane, john = _keep(team_a, alice, JANE, JOHN)
    add_suppression(team=team_a, actor=alice, kind="domain", text="acme.example")
    cleared = ensure_contactable(
        team=team_a,
        people=Person.objects.all(),
        purpose=Purpose.EXPORT,
        override_by=alice,
        reason="Legal hold copy",
        target="list “Q3” export",
    )
    assert set(cleared.people) == {jane, john} and cleared.overridden and cleared.held_back == 1
    event = AuditEvent.objects.get(action=AuditAction.SUPPRESSION_OVERRIDDEN)
    assert (event.actor, event.target) == (alice, "list “Q3” export")
    assert event.details == {"purpose": "export", "included": 1, "reason": "Legal hold copy"}
    # The next export obeys the list again.
    assert list(
        ensure_contactable(team=team_a, people=Person.objects.all(), purpose=Purpose.EXPORT).people
    ) == [john]


def test_only_an_admin_with_a_reason_overrides_and_never_to_enrich_or_contact(team_a, alice, bob):
    _keep(team_a, alice, JANE, JOHN)
    add_suppression(team=team_a, actor=alice, kind="domain", text="acme.example")
    people = Person.objects.all()
    with pytest.raises(PermissionDenied):
        ensure_contactable(team=team_a, people=people, purpose=Purpose.EXPORT, override_by=bob, reason="x")
    with pytest.raises(ValidationError):
        ensure_contactable(team=team_a, people=people, purpose=Purpose.EXPORT, override_by=alice, reason=" ")
    for purpose in (Purpose.ENRICH, Purpose.CONTACT):
        with pytest.raises(PermissionDenied):
            ensure_contactable(team=team_a, people=people, purpose=purpose, override_by=alice, reason="x")
    assert not AuditEvent.objects.filter(action=AuditAction.SUPPRESSION_OVERRIDDEN).exists()


# --- marks ----------------------------------------------------------------------------------------


def _many(count):
    return [
        PersonFacts(
            full_name=f"P{i}",
            linkedin_url=f"p-{i}",
            emails=((f"p{i}@{'acme' if i % 2 else 'x'}.example", ""),),
        )
        for i in range(count)
    ]


def _marked_page(team):
    return [(p.full_name, p.is_suppressed) for p in Person.objects.for_team(team).with_suppressed()]


def test_with_suppressed_marks_a_page_of_100_in_one_query(team_a, alice):
    _keep(team_a, alice, *_many(10))
    add_suppression(team=team_a, actor=alice, kind="domain", text="acme.example")
    with CaptureQueriesContext(connection) as ten:
        small = _marked_page(team_a)
    _keep(team_a, alice, *_many(100)[10:])
    with CaptureQueriesContext(connection) as hundred:
        large = _marked_page(team_a)
    assert len(ten) == len(hundred) == 1
    assert len(large) == 100 and sum(marked for _, marked in large) == 50
    assert dict(small)["P1"] is True and dict(small)["P2"] is False


def test_search_results_are_marked_by_their_own_identifiers_or_the_kept_record(team_a, alice):
    # Kept earlier with an email that is now suppressed; the new result shows only the profile.
    _keep(team_a, alice, PersonFacts(full_name="Known", linkedin_url="known", emails=(("k@k.example", ""),)))
    add_suppression(team=team_a, actor=alice, kind="email", text="k@k.example")
    add_suppression(team=team_a, actor=alice, kind="company", text="linkedin.com/company/acme-inc")
    add_suppression(team=team_a, actor=alice, kind="linkedin", text="banned")
    results = [
        PersonFacts(linkedin_url="https://www.linkedin.com/in/known/"),
        JANE,  # works at a suppressed company
        PersonFacts(linkedin_url="linkedin.com/in/Banned"),
        JOHN,
    ]
    assert suppressed_flags(team=team_a, facts=results) == [True, True, True, False]


def test_a_result_with_an_address_at_a_suppressed_company_is_marked(team_a, alice):
    add_suppression(team=team_a, actor=alice, kind="company", text="roe.example")
    assert suppressed_flags(team=team_a, facts=[JOHN, JANE]) == [True, False]


def test_search_result_marks_take_the_same_queries_for_10_or_100_results(team_a, alice):
    _keep(team_a, alice, *_many(100))
    add_suppression(team=team_a, actor=alice, kind="domain", text="acme.example")
    with CaptureQueriesContext(connection) as ten:
        suppressed_flags(team=team_a, facts=_many(10))
    with CaptureQueriesContext(connection) as hundred:
        flags = suppressed_flags(team=team_a, facts=_many(100))
    assert len(ten) == len(hundred) <= 3
    assert sum(flags) == 50


def test_marks_ignore_another_teams_list(team_a, team_b, alice, carol):
    add_suppression(team=team_b, actor=carol, kind="email", text="john@roe.example")
    assert suppressed_flags(team=team_a, facts=[JOHN]) == [False]
    (john,) = _keep(team_a, alice, JOHN)
    assert Person.objects.for_team(team_a).contactable().get() == john
