"""Importing a CSV file into a list: upload, column guesses, preview, invalid rows with their
numbers, all or nothing, matched to existing people instead of duplicated, and the team boundary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prospecting.models import ContactPoint, FactValue, ListEntry, Person
from prospecting.providers.facts import PersonFacts
from prospecting.services import csv_import
from prospecting.services.csv_import import guess_mapping
from prospecting.services.lists import create_list
from prospecting.services.records import keep_people

GOOD = (
    "First Name,Last Name,E-mail,LinkedIn URL,Company,Company Domain,Job Title,Phone\n"
    "Jane,Doe,Jane@Acme.test,https://www.linkedin.com/in/jane-doe/,Acme,acme.test,CTO,+44 20 7946 0000\n"
    "John,Roe,john@globex.test,,Globex,globex.test,Sales,\n"
    "Ann,Lee,,linkedin.com/in/ann-lee,,,Founder,\n"
)


@pytest.fixture
def a_list(team_a, alice):
    return create_list(team=team_a, user=alice, name="Imported")


def _upload(client, prospect_list, content, name="people.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        reverse("list_import", args=[prospect_list.pk]), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def _guessed(response):
    """The mapping form's POST data with the guessed columns."""
    form = response.context["form"]
    data = {name: form.fields[name].initial or "" for name in form.fields if name.startswith("column_")}
    return data


def _import(client, prospect_list, content, **extra):
    response = _upload(client, prospect_list, content)
    assert response.status_code == 302, response.content
    url = response.url
    mapping = client.get(url)
    assert mapping.status_code == 200
    return client.post(url, {**_guessed(mapping), **extra})


def test_common_headers_are_guessed():
    headers = [
        "First Name",
        "Last Name",
        "Full Name",
        "E-mail",
        "LinkedIn URL",
        "Company",
        "Company Domain",
        "Job Title",
        "Phone",
        "Notes",
    ]
    assert guess_mapping(headers) == {
        0: "first_name",
        1: "last_name",
        2: "full_name",
        3: "email",
        4: "linkedin_url",
        5: "company_name",
        6: "company_domain",
        7: "title",
        8: "phone",
    }
    assert guess_mapping(["Email", "LinkedIn", "Website", "Title", "email address", "Email Status"]) == {
        0: "email",
        1: "linkedin_url",
        2: "company_domain",
        3: "title",  # the second email column is left for the user to choose
        5: "email_status",
    }


def test_the_mapping_page_guesses_columns_and_previews_the_first_rows(alice_client, a_list):
    response = alice_client.get(_upload(alice_client, a_list, GOOD).url)
    assert response.status_code == 200
    assert _guessed(response) == {
        "column_0": "first_name",
        "column_1": "last_name",
        "column_2": "email",
        "column_3": "linkedin_url",
        "column_4": "company_name",
        "column_5": "company_domain",
        "column_6": "title",
        "column_7": "phone",
    }
    assert response.context["job"].preview[0][:2] == ["Jane", "Doe"]
    assert b"Jane@Acme.test" in response.content and b"3 rows" in response.content
    assert not Person.objects.exists()  # nothing is imported before the user says so


def test_importing_keeps_people_with_their_values_from_import_and_adds_them_to_the_list(
    alice_client, a_list, team_a
):
    response = _import(alice_client, a_list, GOOD)
    assert response.status_code == 302 and response.url == reverse("list_detail", args=[a_list.pk])
    jane = Person.objects.get(team=team_a, full_name="Jane Doe")
    assert (jane.title, jane.company_name, jane.company.domain) == ("CTO", "Acme", "acme.test")
    point = ContactPoint.objects.get(person=jane, kind="email")
    assert (point.value, point.source) == ("jane@acme.test", "import")
    assert ContactPoint.objects.get(person=jane, kind="phone").value == "+442079460000"
    assert set(FactValue.objects.filter(person=jane).values_list("source", flat=True)) == {"import"}
    assert a_list.entries.count() == 3
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Jane Doe", "John Roe", "Ann Lee"}


def test_importing_the_same_file_twice_creates_no_duplicate(alice_client, a_list, team_a, alice):
    # The last row has only a name and a company: it is matched on them.
    with_name_only = GOOD + "Nameonly,Person,,,Initech,,,\n"
    _import(alice_client, a_list, with_name_only)
    assert Person.objects.filter(team=team_a).count() == 4
    second = create_list(team=team_a, user=alice, name="Second")
    response = _import(alice_client, second, with_name_only)
    assert response.status_code == 302
    assert Person.objects.filter(team=team_a).count() == 4
    assert second.entries.count() == 4
    _import(alice_client, a_list, with_name_only)
    assert a_list.entries.count() == 4


def test_imported_rows_match_people_the_team_already_has(alice_client, a_list, team_a, alice):
    [known] = keep_people(
        team=team_a,
        user=alice,
        facts=[PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe", title="CEO")],
        source="lix",
    )
    _import(alice_client, a_list, GOOD)
    assert Person.objects.filter(team=team_a, full_name="Jane Doe").get() == known
    assert ListEntry.objects.filter(prospect_list=a_list, person=known).exists()
    titles = set(FactValue.objects.filter(person=known, field="title").values_list("value", "source"))
    assert titles == {("CEO", "lix"), ("CTO", "import")}  # both kept, with their sources


def test_an_imported_row_updates_the_display_of_the_person_the_team_has(alice_client, a_list, team_a, alice):
    [known] = keep_people(
        team=team_a,
        user=alice,
        facts=[PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe", title="CEO", location="Paris")],
        source="lix",
    )
    _import(alice_client, a_list, GOOD)
    jane = Person.objects.select_related("company").get(pk=known.pk)
    # The newest values show (the file's title and company), the others stay.
    assert (jane.full_name, jane.title, jane.location) == ("Jane Doe", "CTO", "Paris")
    assert (jane.company_name, jane.company.domain) == ("Acme", "acme.test")
    assert jane.updated_at > known.updated_at


def test_invalid_rows_are_reported_with_their_row_number_and_nothing_is_imported(alice_client, a_list):
    content = (
        GOOD + "Bad,Email,not-an-email,,,,,\n" + ",,,,Acme,,,\n" + "Odd,Link,,https://example.test/x,,,,\n"
    )
    response = _import(alice_client, a_list, content)
    assert response.status_code == 400
    assert response.context["errors"] == [
        (5, "“not-an-email” is not an email address"),
        (6, "no name, email or LinkedIn URL"),
        (7, "“https://example.test/x” is not a LinkedIn profile URL"),
    ]
    assert b"3 rows cannot be imported; nothing was imported" in response.content
    assert not Person.objects.exists() and not ListEntry.objects.exists()


def test_the_valid_rows_can_be_imported_skipping_the_invalid_ones(alice_client, a_list):
    content = GOOD + "Bad,Email,not-an-email,,,,,\n"
    response = _import(alice_client, a_list, content, skip_invalid="on")
    assert response.status_code == 302
    assert a_list.entries.count() == 3


def test_skipping_invalid_rows_keeps_exactly_the_valid_ones_around_them(a_list, alice, monkeypatch):
    monkeypatch.setattr(csv_import, "BATCH", 2)
    rows = [
        (2, ["Ann Lee", "linkedin.com/in/ann-lee"]),
        (3, ["Bad Link", "https://example.test/x"]),
        (4, ["Bo Ek", "linkedin.com/in/bo-ek"]),
        (5, ["", ""]),
        (6, ["Cy Fu", "linkedin.com/in/cy-fu"]),
    ]
    result = csv_import.import_rows(
        prospect_list=a_list,
        user=alice,
        rows=rows,
        mapping={"full_name": 0, "linkedin_url": 1},
        skip_invalid=True,
    )
    assert [number for number, _reason in result.errors] == [3, 5]
    assert (result.imported, result.created, result.added) == (3, 3, 3)
    names = set(a_list.entries.values_list("person__full_name", flat=True))
    assert names == {"Ann Lee", "Bo Ek", "Cy Fu"}


def fail_on_second_batch(monkeypatch):
    """Make the import's second batch fail as a lost database would; returns the list of batches tried."""
    calls = []
    real = csv_import.keep_people

    def keep_or_fail(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(csv_import, "keep_people", keep_or_fail)
    return calls


def test_a_failure_mid_import_leaves_nothing(alice_client, a_list, monkeypatch):
    monkeypatch.setattr(csv_import, "BATCH", 2)
    calls = fail_on_second_batch(monkeypatch)
    with pytest.raises(RuntimeError):
        csv_import.import_rows(
            prospect_list=a_list,
            user=None,
            rows=[(number, row.split(",")) for number, row in enumerate(GOOD.splitlines()[1:], start=2)],
            mapping={"first_name": 0, "last_name": 1, "email": 2, "linkedin_url": 3},
        )
    assert len(calls) == 2  # the first batch was kept, then rolled back
    assert not Person.objects.exists() and not ListEntry.objects.exists() and not FactValue.objects.exists()


def test_a_file_with_a_byte_order_mark_imports(alice_client, a_list):
    response = _upload(alice_client, a_list, "\ufeff" + GOOD)
    assert response.status_code == 302
    mapping = alice_client.get(response.url)
    assert mapping.context["job"].headers[0] == "First Name"


def test_a_file_that_is_not_utf8_is_refused_in_words(alice_client, a_list):
    response = _upload(alice_client, a_list, "Full Name,Email\nJérôme Dupont,j@x.test\n".encode("latin-1"))
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.context["form"].errors["file"][0]


def test_a_file_over_the_size_limit_is_refused_in_words(alice_client, a_list, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_IMPORT_BYTES", 100)
    response = _upload(alice_client, a_list, GOOD)
    assert response.status_code == 400
    assert "imports take files up to" in response.context["form"].errors["file"][0]


def test_an_empty_file_is_refused_in_words(alice_client, a_list):
    response = _upload(alice_client, a_list, "First Name,Email\n")
    assert response.status_code == 400
    assert "no people" in response.context["form"].errors["file"][0]


def test_a_semicolon_separated_file_is_read(alice_client, a_list, team_a):
    _import(alice_client, a_list, "Full Name;Email\nJane Doe;jane@acme.test\n")
    assert Person.objects.get(team=team_a).full_name == "Jane Doe"


def test_two_columns_cannot_fill_one_field(alice_client, a_list):
    url = _upload(alice_client, a_list, GOOD).url
    response = alice_client.post(url, {"column_0": "full_name", "column_1": "full_name"})
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_an_upload_id_that_does_not_exist_answers_404(alice_client, a_list):
    assert alice_client.get(reverse("list_import_map", args=[a_list.pk, 999999])).status_code == 404


def test_importing_into_another_teams_list_answers_404(alice_client, a_list, team_b, carol):
    theirs = create_list(team=team_b, user=carol, name="Theirs")
    assert _upload(alice_client, theirs, GOOD).status_code == 404
    # Even with an upload of one's own, their list is out of reach.
    ours = _upload(alice_client, a_list, GOOD).url.rstrip("/").rsplit("/", 1)[1]
    url = reverse("list_import_map", args=[theirs.pk, ours])
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"column_0": "full_name"}).status_code == 404
    assert not theirs.entries.exists()


def test_the_uploaded_file_belongs_to_its_list(alice_client, a_list, team_a, alice):
    other = create_list(team=team_a, user=alice, name="Other")
    job = _upload(alice_client, a_list, GOOD).url.rstrip("/").rsplit("/", 1)[1]
    response = alice_client.get(reverse("list_import_map", args=[other.pk, job]))
    assert response.status_code == 404


def test_an_exported_list_imports_into_another_list_without_a_single_duplicate(
    alice_client, a_list, team_a, alice
):
    from prospecting.services.lists import add_to_list

    people = keep_people(
        team=team_a,
        user=alice,
        facts=[
            PersonFacts(
                linkedin_url="https://fr.linkedin.com/in/J%C3%A9r%C3%B4me-Dupont/",
                full_name="Jérôme Dupont",
                company_name="Acme",
                company_domain="acme.test",
                emails=(("jerome@acme.test", "valid"),),
                phones=(("+33 1 23 45 67 89", "work"),),
            ),
            PersonFacts(sales_nav_id="ACwAAA1234", full_name="Nav Only", emails=(("nav@x.test", "invalid"),)),
            PersonFacts(full_name="Name Only", company_name="Initech"),
        ],
        source="lusha",
    )
    add_to_list(prospect_list=a_list, people=people, user=alice)
    exported = b"".join(alice_client.get(reverse("list_export", args=[a_list.pk])).streaming_content)
    second = create_list(team=team_a, user=alice, name="Second")
    response = _import(alice_client, second, exported.decode("utf-8"))
    assert response.status_code == 302
    assert Person.objects.filter(team=team_a).count() == 3
    assert set(second.entries.values_list("person", flat=True)) == {person.pk for person in people}


def test_an_email_status_column_is_kept_and_a_wrong_status_is_reported(alice_client, a_list, team_a):
    content = "Full Name,Email,Email Status\nJane Doe,jane@acme.test,Valid\nJohn Roe,john@acme.test,great\n"
    response = _import(alice_client, a_list, content)
    assert response.context["errors"] == [
        (3, "“great” is not an email status (valid, probable, invalid or unknown)")
    ]
    _import(alice_client, a_list, content, skip_invalid="on")
    assert ContactPoint.objects.get(team=team_a, value="jane@acme.test").status == "valid"


def test_people_join_the_list_a_slice_at_a_time_and_those_already_in_it_stay(
    a_list, team_a, alice, monkeypatch
):
    [jane] = keep_people(
        team=team_a,
        user=alice,
        facts=[PersonFacts(linkedin_url="jane-doe", full_name="Jane Doe")],
        source="lix",
    )
    entry = ListEntry.objects.create(prospect_list=a_list, person=jane, added_by=alice)
    monkeypatch.setattr(csv_import, "LIST_SLICE", 2)
    rows = [(2, ["Jane Doe", "https://www.linkedin.com/in/jane-doe/"])]
    rows += [(number, [f"Person {number}", f"linkedin.com/in/person-{number}"]) for number in range(3, 8)]
    result = csv_import.import_rows(
        prospect_list=a_list, user=alice, rows=rows, mapping={"full_name": 0, "linkedin_url": 1}
    )
    assert (result.imported, result.people, result.created, result.added) == (6, 6, 5, 5)
    assert ListEntry.objects.filter(prospect_list=a_list).count() == 6
    assert ListEntry.objects.get(prospect_list=a_list, person=jane).pk == entry.pk
