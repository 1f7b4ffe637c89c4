"""Lists: create, rename, delete, add and remove people or companies, the list page's filters, sort
and pages, and the team boundary."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospecting.models import Company, ListEntry, Person, ProspectList, Suppression, SuppressionKind
from prospecting.providers.facts import PersonFacts
from prospecting.services.lists import add_to_list, create_list, remove_from_list
from prospecting.services.records import keep_people
from prospecting.services.suppression import add_suppression


def _people(team, user, count, *, source="lix", **extra):
    facts = [
        PersonFacts(
            linkedin_url=f"https://www.linkedin.com/in/person-{source}-{i}/",
            full_name=f"Person {i:03d}",
            title="Engineer" if i % 2 else "Sales Director",
            company_name="Acme" if i % 3 else "Globex",
            emails=((f"p{i}@{source}.test", "valid" if i % 2 else "probable"),),
            phones=((f"+44 20 7946 {i:04d}", "mobile"),) if i % 4 == 0 else (),
            **extra,
        )
        for i in range(count)
    ]
    return keep_people(team=team, user=user, facts=facts, source=source)


@pytest.fixture
def a_list(team_a, alice):
    return create_list(team=team_a, user=alice, name="Prospects")


def _names(response):
    return [person.full_name for person in response.context["page"].object_list]


def test_a_member_creates_renames_and_deletes_a_list(bob_client, team_a):
    response = bob_client.post(reverse("lists"), {"name": "  Q3 targets "})
    prospect_list = ProspectList.objects.get(team=team_a)
    assert response.status_code == 302 and response.url == reverse("list_detail", args=[prospect_list.pk])
    assert prospect_list.name == "Q3 targets"

    response = bob_client.post(reverse("list_rename", args=[prospect_list.pk]), {"name": "Q4 targets"})
    assert response.status_code == 302
    prospect_list.refresh_from_db()
    assert prospect_list.name == "Q4 targets"

    confirm = bob_client.get(reverse("list_delete", args=[prospect_list.pk]))
    assert confirm.status_code == 200 and b"Delete the list" in confirm.content
    assert ProspectList.objects.filter(pk=prospect_list.pk).exists()  # a GET only asks
    response = bob_client.post(reverse("list_delete", args=[prospect_list.pk]))
    assert response.status_code == 302 and not ProspectList.objects.filter(pk=prospect_list.pk).exists()


def test_a_list_needs_a_name(alice_client, team_a):
    response = alice_client.post(reverse("lists"), {"name": "   "})
    assert response.status_code == 400
    assert not ProspectList.objects.filter(team=team_a).exists()


def test_deleting_a_list_keeps_its_people(alice_client, a_list, team_a, alice):
    people = _people(team_a, alice, 3)
    add_to_list(prospect_list=a_list, people=people, user=alice)
    alice_client.post(reverse("list_delete", args=[a_list.pk]))
    assert Person.objects.filter(team=team_a).count() == 3
    assert not ListEntry.objects.exists()


def test_add_to_list_adds_each_record_once_and_ignores_other_teams(a_list, team_a, team_b, alice, carol):
    mine = _people(team_a, alice, 2)
    theirs = _people(team_b, carol, 1)
    company = Company.objects.create(team=team_a, name="Acme", domain="acme.test")
    assert add_to_list(prospect_list=a_list, people=mine + theirs, companies=[company.pk], user=alice) == 3
    assert add_to_list(prospect_list=a_list, people=[mine[0].pk], user=alice) == 0
    assert set(ListEntry.objects.filter(prospect_list=a_list).values_list("person", flat=True)) == {
        mine[0].pk,
        mine[1].pk,
        None,
    }
    assert ListEntry.objects.get(prospect_list=a_list, company=company).added_by == alice


def test_members_add_and_remove_people_and_companies(alice_client, a_list, team_a, alice):
    people = _people(team_a, alice, 3)
    company = Company.objects.create(team=team_a, name="Acme")
    url = reverse("list_add", args=[a_list.pk])
    response = alice_client.post(url, {"person": [p.pk for p in people], "company": [company.pk]})
    assert response.status_code == 302
    assert a_list.entries.count() == 4
    response = alice_client.post(
        reverse("list_remove", args=[a_list.pk]), {"person": [people[0].pk], "company": [company.pk]}
    )
    assert response.status_code == 302
    assert set(a_list.entries.values_list("person", flat=True)) == {people[1].pk, people[2].pk}


def test_adding_another_teams_person_answers_404_and_adds_nothing(alice_client, a_list, team_b, carol):
    theirs = _people(team_b, carol, 1)[0]
    response = alice_client.post(reverse("list_add", args=[a_list.pk]), {"person": [theirs.pk]})
    assert response.status_code == 404
    assert not a_list.entries.exists()


def test_add_and_remove_answer_405_to_a_get(alice_client, a_list):
    assert alice_client.get(reverse("list_add", args=[a_list.pk])).status_code == 405
    assert alice_client.get(reverse("list_remove", args=[a_list.pk])).status_code == 405


def test_the_lists_index_shows_the_teams_lists_with_their_counts(alice_client, a_list, team_a, team_b, alice):
    create_list(team=team_b, user=None, name="Their secret list")
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 2), user=alice)
    response = alice_client.get(reverse("lists"))
    assert response.status_code == 200
    assert response.context["rows"] == [(a_list, (2, 0))]
    assert b"Their secret list" not in response.content
    assert b'href="/lists/"' in response.content  # the nav


def test_the_lists_index_and_an_empty_list_say_what_to_do(alice_client, team_a, alice):
    assert b"No lists yet" in alice_client.get(reverse("lists")).content
    prospect_list = create_list(team=team_a, user=alice, name="Empty")
    response = alice_client.get(reverse("list_detail", args=[prospect_list.pk]))
    assert b"No people in this list yet" in response.content
    assert b"import a CSV file" in response.content


def test_the_list_page_filters_by_company_title_email_phone_status_and_source(
    alice_client, a_list, team_a, alice
):
    people = _people(team_a, alice, 8)
    imported = keep_people(
        team=team_a, user=alice, facts=[PersonFacts(full_name="Zed Imported", title="CTO")], source="import"
    )
    add_to_list(prospect_list=a_list, people=people + imported, user=alice)
    url = reverse("list_detail", args=[a_list.pk])

    def names(**query):
        return sorted(_names(alice_client.get(url, query)))

    everyone = sorted(p.full_name for p in people) + ["Zed Imported"]
    assert names() == everyone
    assert names(company="globex") == ["Person 000", "Person 003", "Person 006"]
    assert names(title="director") == ["Person 000", "Person 002", "Person 004", "Person 006"]
    assert names(has_email="no") == ["Zed Imported"]
    assert names(has_phone="yes") == ["Person 000", "Person 004"]
    assert names(email_status="valid") == ["Person 001", "Person 003", "Person 005", "Person 007"]
    assert names(source="import") == ["Zed Imported"]
    assert names(company="acme", email_status="probable") == ["Person 002", "Person 004"]
    response = alice_client.get(url, {"company": "nobody"})
    assert b"No one matches these filters" in response.content


@pytest.mark.parametrize("inline", [1_000, 0], ids=["companies-as-ids", "companies-as-subquery"])
def test_the_company_filter_matches_the_name_shown_or_the_company_records_name(
    alice_client, a_list, team_a, alice, monkeypatch, inline
):
    # Up to NAMED_INLINE matching companies go into the query as ids, more as a subquery: same people.
    monkeypatch.setattr("prospecting.services.lists.NAMED_INLINE", inline)
    initech = Company.objects.create(team=team_a, name="Initech Holdings")
    people = [
        Person.objects.create(team=team_a, full_name="Linked Only", company=initech),
        Person.objects.create(team=team_a, full_name="Named Only", company_name="Initech"),
        Person.objects.create(team=team_a, full_name="Elsewhere", company_name="Globex"),
    ]
    add_to_list(prospect_list=a_list, people=[person.pk for person in people], user=alice)
    response = alice_client.get(
        reverse("list_detail", args=[a_list.pk]), {"company": "INITECH", "sort": "name"}
    )
    assert _names(response) == ["Linked Only", "Named Only"]


def test_the_text_filters_have_trigram_indexes_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no trigram index: its filters scan")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%\\_trgm"])
        found = dict(cursor.fetchall())
    assert set(found) == {"company_name_trgm", "person_company_name_trgm", "person_title_trgm"}
    assert all("USING gin" in definition and "gin_trgm_ops" in definition for definition in found.values())


def test_the_list_page_sorts(alice_client, a_list, team_a, alice):
    people = _people(team_a, alice, 4)
    add_to_list(prospect_list=a_list, people=people, user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    assert _names(alice_client.get(url, {"sort": "name"})) == [f"Person {i:03d}" for i in range(4)]
    assert _names(alice_client.get(url, {"sort": "-name"})) == [f"Person {i:03d}" for i in (3, 2, 1, 0)]
    by_title = _names(alice_client.get(url, {"sort": "title"}))
    assert by_title == ["Person 001", "Person 003", "Person 000", "Person 002"]


def test_the_list_page_has_50_rows_a_page_and_pages_keep_the_filters(alice_client, a_list, team_a, alice):
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 120), user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    response = alice_client.get(url, {"title": "engineer", "sort": "name"})
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 60
    assert b"?title=engineer&amp;sort=name&amp;page=2" in response.content
    second = alice_client.get(url, {"title": "engineer", "sort": "name", "page": 2})
    assert len(second.context["page"].object_list) == 10


def test_a_long_list_is_counted_only_so_far_and_every_page_stays_reachable(
    alice_client, a_list, team_a, alice, monkeypatch
):
    monkeypatch.setattr("prospecting.views.lists.COUNT_UP_TO", 50)
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 120), user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    first = alice_client.get(url, {"sort": "name"})
    assert first.context["page"].paginator.more
    assert "More than 50 people" in first.content.decode()
    assert "Page 1 of 2 or more" in first.content.decode()
    assert b"?sort=name&amp;page=2" in first.content
    second = alice_client.get(url, {"sort": "name", "page": 2})
    assert "More than 100 people" in second.content.decode()
    assert "Page 2 of 3 or more" in second.content.decode()
    assert _names(second) == [f"Person {i:03d}" for i in range(50, 100)]
    assert b"?sort=name&amp;page=3" in second.content
    third = alice_client.get(url, {"sort": "name", "page": 3})
    assert not third.context["page"].paginator.more
    assert "120 people" in third.content.decode() and "Page 3 of 3" in third.content.decode()
    assert _names(third) == [f"Person {i:03d}" for i in range(100, 120)]
    assert b"page=4" not in third.content
    # A page past the end (a stale link) shows the true last page.
    stale = alice_client.get(url, {"sort": "name", "page": 9})
    assert stale.context["page"].number == 3 and _names(stale) == _names(third)
    # A filter is counted the same way.
    engineers = alice_client.get(url, {"title": "engineer", "sort": "name"})
    assert "More than 50 matching people" in engineers.content.decode()


def test_the_text_filters_take_percent_and_underscore_literally(alice_client, a_list, team_a, alice):
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 4), user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    for text in ("%", "_", "Ac_e", "%me"):
        assert _names(alice_client.get(url, {"company": text})) == []
        assert _names(alice_client.get(url, {"title": text})) == []
    assert _names(alice_client.get(url, {"company": "aCMe", "sort": "name"})) == ["Person 001", "Person 002"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_page_takes_the_same_number_of_queries_for_10_and_100_rows(
    alice_client, team_a, alice, settings
):
    small = create_list(team=team_a, user=alice, name="Small")
    large = create_list(team=team_a, user=alice, name="Large")
    add_to_list(prospect_list=small, people=_people(team_a, alice, 10, source="lix"), user=alice)
    add_to_list(prospect_list=large, people=_people(team_a, alice, 100, source="lusha"), user=alice)
    companies = [Company.objects.create(team=team_a, name=f"C{i}") for i in range(5)]
    add_to_list(prospect_list=large, companies=companies, user=alice)
    add_to_list(prospect_list=small, companies=companies[:1], user=alice)
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="p3@lix.test")
    alice_client.get(reverse("lists"))  # the session's first request does its own set-up queries
    # 50 rows on the large list's page, 10 on the small one's.
    assert _queries(alice_client, reverse("list_detail", args=[small.pk])) == _queries(
        alice_client, reverse("list_detail", args=[large.pk])
    )


def test_another_teams_list_answers_404(alice_client, team_b, carol):
    theirs = create_list(team=team_b, user=carol, name="Theirs")
    for name in ("list_detail", "list_rename", "list_delete", "list_export", "list_import"):
        assert alice_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert alice_client.post(reverse("list_delete", args=[theirs.pk])).status_code == 404
    assert ProspectList.objects.filter(pk=theirs.pk).exists()


def test_an_invalid_filter_is_ignored_and_the_others_still_apply(alice_client, a_list, team_a, alice):
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 6), user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    response = alice_client.get(url, {"title": "director", "email_status": "bogus", "sort": "name"})
    assert response.status_code == 200
    assert _names(response) == ["Person 000", "Person 002", "Person 004"]


def test_the_source_filter_offers_every_provider_and_import(alice_client, a_list):
    response = alice_client.get(reverse("list_detail", args=[a_list.pk]))
    choices = dict(response.context["filter_form"].fields["source"].choices)
    assert {"lix", "lookc", "linkup", "lusha", "leadiq", "import"} <= set(choices)


def test_the_list_page_links_to_each_person_and_company(alice_client, a_list, team_a, alice):
    [person] = _people(team_a, alice, 1)
    company = Company.objects.create(team=team_a, name="Acme")
    add_to_list(prospect_list=a_list, people=[person], companies=[company], user=alice)
    response = alice_client.get(reverse("list_detail", args=[a_list.pk]))
    assert f'href="{reverse("person_detail", args=[person.pk])}"'.encode() in response.content
    assert f'href="{reverse("company_detail", args=[company.pk])}"'.encode() in response.content


def test_the_list_page_marks_suppressed_people_and_companies(alice_client, a_list, team_a, alice):
    people = _people(team_a, alice, 4)
    blocked = Company.objects.create(team=team_a, name="Blocked Co", domain="blocked.test")
    fine = Company.objects.create(team=team_a, name="Fine Co", domain="fine.test")
    add_to_list(prospect_list=a_list, people=people, companies=[blocked, fine], user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    assert "Suppressed</span>" not in alice_client.get(url).content.decode()

    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="p1@lix.test")
    Suppression.objects.create(team=team_a, kind=SuppressionKind.COMPANY, value="blocked.test")
    response = alice_client.get(url)
    marked = {person.full_name for person in response.context["page"].object_list if person.is_suppressed}
    assert marked == {"Person 001"}
    assert [c.name for c in response.context["companies"].object_list if c.is_suppressed] == ["Blocked Co"]
    assert response.content.decode().count("Suppressed</span>") == 2


def _suppressed_part(client, prospect_list):
    return client.get(reverse("list_suppressed", args=[prospect_list.pk]), HTTP_HX_REQUEST="true")


def _suppressed_count(client, prospect_list):
    """The number the list page shows once its count has loaded (no message at all for none)."""
    text = _suppressed_part(client, prospect_list).content.decode()
    found = re.search(r"(\d+) (?:person|people) in this list (?:is|are) on the do-not-contact list", text)
    return int(found[1]) if found else 0


def _one_of_each_kind_of_rule(team, user):
    """People of `team`, each matched by a different test of the do-not-contact rule, and one who is not;
    returns them in that order."""
    facts = [
        PersonFacts(full_name="By Email", emails=(("out@one.example", "valid"),)),
        PersonFacts(full_name="By Email Domain", emails=(("someone@blocked.example", "valid"),)),
        PersonFacts(full_name="By Profile", linkedin_url="https://www.linkedin.com/in/by-profile/"),
        PersonFacts(
            full_name="By Company Id", emails=(("d@d.example", "valid"),), company_domain="acme.example"
        ),
        PersonFacts(full_name="Not Suppressed", emails=(("fine@fine.example", "valid"),)),
    ]
    people = keep_people(team=team, user=user, facts=facts, source="lusha")
    # Companies made without identifier rows: matched by their own domain or LinkedIn id fields.
    by_domain = Company.objects.create(team=team, name="Fielded", domain="fielded.example")
    by_linkedin = Company.objects.create(team=team, name="Linked", linkedin_id="linked-co")
    people[4:4] = [
        Person.objects.create(team=team, full_name="By Company Domain", company=by_domain),
        Person.objects.create(team=team, full_name="By Company LinkedIn", company=by_linkedin),
    ]
    for kind, text in [
        ("email", "out@one.example"),
        ("domain", "blocked.example"),
        ("linkedin", "by-profile"),
        ("company", "acme.example"),
        ("domain", "fielded.example"),
        ("company", "https://www.linkedin.com/company/linked-co/"),
    ]:
        add_suppression(team=team, actor=user, kind=kind, text=text)
    return people


def test_the_suppressed_count_is_the_lists_people_an_export_leaves_out(
    alice_client, a_list, team_a, team_b, alice, carol
):
    people = _one_of_each_kind_of_rule(team_a, alice)
    add_to_list(prospect_list=a_list, people=people, user=alice)
    # Not counted: a suppressed person of the team outside the list, and team B's list and rules.
    keep_people(
        team=team_a,
        user=alice,
        facts=[PersonFacts(full_name="Elsewhere", emails=(("x@blocked.example", "valid"),))],
        source="lusha",
    )
    theirs = create_list(team=team_b, user=carol, name="Theirs")
    add_to_list(prospect_list=theirs, people=_one_of_each_kind_of_rule(team_b, carol), user=carol)

    in_list = Person.objects.for_team(team_a).filter(list_entries__prospect_list=a_list)
    left_out = in_list.exclude(pk__in=in_list.contactable())
    assert in_list.count() == 7 and left_out.count() == 6 == in_list.suppressed().count()
    assert _suppressed_count(alice_client, a_list) == 6
    part = _suppressed_part(alice_client, a_list).content.decode()
    assert "6 people in this list are on the do-not-contact list: the export leaves them out." in part

    # Each kind of rule alone: the count follows `.contactable()`.
    for person in people[:6]:
        remove_from_list(prospect_list=a_list, people=[person])
        expected = in_list.exclude(pk__in=in_list.contactable()).count()
        assert _suppressed_count(alice_client, a_list) == expected
    assert expected == 0
    assert "do-not-contact" not in _suppressed_part(alice_client, a_list).content.decode()


def test_the_list_page_asks_for_the_suppressed_count_only_when_the_team_suppresses_anyone(
    alice_client, a_list, team_a, alice
):
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 3), user=alice)
    url = reverse("list_detail", args=[a_list.pk])
    count_url = reverse("list_suppressed", args=[a_list.pk])
    assert count_url not in alice_client.get(url).content.decode()

    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="p1@lix.test")
    page = alice_client.get(url).content.decode()
    assert f'hx-get="{count_url}" hx-trigger="load"' in page
    assert "Counting people on the do-not-contact list…" in page
    assert f'<a href="{count_url}">Count the people on the do-not-contact list</a>' in page
    assert "Suppressed</span>" in page  # the marks of the rows stay in the page


def test_without_javascript_the_suppressed_count_is_a_page_of_its_own(alice_client, a_list, team_a, alice):
    add_to_list(prospect_list=a_list, people=_people(team_a, alice, 3), user=alice)
    url = reverse("list_suppressed", args=[a_list.pk])
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="p9@lix.test")
    page = alice_client.get(url).content.decode()
    assert "No one in this list is on the do-not-contact list" in page
    assert f'href="{reverse("list_detail", args=[a_list.pk])}"' in page

    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="p1@lix.test")
    page = alice_client.get(url).content.decode()
    assert "1 person in this list is on the do-not-contact list: the export leaves them out." in page
    assert "Export including them" in page and "<h1>Prospects</h1>" in page
