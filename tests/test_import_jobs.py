"""CSV imports as jobs: a small file imports while the user waits, a large one in a Celery task with
its progress on a page; all or nothing; a task delivered twice does no harm; invalid rows reported
with their numbers (on the page and as CSV); the limits; and one CSV reader for every import."""

import codecs
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from prospecting import tasks
from prospecting.models import FactValue, ImportJob, ImportState, ListEntry, Person, Suppression
from prospecting.providers.facts import PersonFacts
from prospecting.services import csv_import, csv_read, import_jobs
from prospecting.services.lists import create_list
from prospecting.services.records import keep_people
from tests.test_csv_import import fail_on_second_batch

HEADER = "Full Name,Email,LinkedIn URL\n"


def people_csv(count, start=1):
    return HEADER + "".join(
        f"Person {n},person{n}@acme.test,https://www.linkedin.com/in/person-{n}/\n"
        for n in range(start, start + count)
    )


@pytest.fixture
def a_list(team_a, alice):
    return create_list(team=team_a, user=alice, name="Imported")


@pytest.fixture
def small_batches(monkeypatch):
    """Files over 3 rows go to the background, 2 rows a batch: a few rows show every step."""
    monkeypatch.setattr(import_jobs, "INLINE_ROWS", 3)
    monkeypatch.setattr(csv_import, "BATCH", 2)


@pytest.fixture
def queued(monkeypatch):
    """The task's `.delay` calls, recorded instead of sent to a broker."""
    delay = mock.Mock()
    monkeypatch.setattr(tasks.import_csv_task, "delay", delay)
    return delay


def upload(client, prospect_list, content, name="people.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        reverse("list_import", args=[prospect_list.pk]), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def start(client, prospect_list, content, capture, **extra):
    """Upload, then import with the guessed columns. Returns (response, job)."""
    response = upload(client, prospect_list, content)
    assert response.status_code == 302, response.content
    form = client.get(response.url).context["form"]
    data = {name: form.fields[name].initial or "" for name in form.fields if name.startswith("column_")}
    with capture(execute=True):
        response = client.post(response.url, {**data, **extra})
    return response, ImportJob.objects.get()


def test_a_small_file_imports_while_the_user_waits(
    alice_client, a_list, queued, django_capture_on_commit_callbacks
):
    response, job = start(alice_client, a_list, people_csv(3), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == reverse("list_detail", args=[a_list.pk])
    assert not queued.called
    assert (job.state, job.total, job.created, job.matched, job.added) == (ImportState.DONE, 3, 3, 0, 3)
    assert job.data == b"" and job.finished_at is not None  # the file is not kept once imported
    assert a_list.entries.count() == 3


def test_a_large_file_imports_in_the_background_and_its_page_follows_it(
    alice_client,
    a_list,
    team_a,
    alice,
    small_batches,
    queued,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    [known] = keep_people(
        team=team_a, user=alice, facts=[PersonFacts(linkedin_url="person-2", full_name="P2")], source="lix"
    )
    response, job = start(alice_client, a_list, people_csv(5), django_capture_on_commit_callbacks)
    progress = reverse("list_import_progress", args=[a_list.pk, job.pk])
    assert response.status_code == 302 and response.url == progress
    assert job.state == ImportState.QUEUED and job.data  # the file waits on the row for a worker
    queued.assert_called_once_with(job.pk)
    assert "Waiting for a worker" in alice_client.get(progress).content.decode()
    assert (
        "is waiting to start" in alice_client.get(reverse("list_detail", args=[a_list.pk])).content.decode()
    )

    # Between batches, the page (and its htmx part) says how far the import got.
    seen = []
    real_keep = csv_import._keep

    def keep_and_look(**kwargs):
        part = alice_client.get(progress, HTTP_HX_REQUEST="true").content.decode()
        seen.append(part[part.index("rows done") - 12 : part.index("rows done")].split(">")[-1].strip())
        return real_keep(**kwargs)

    monkeypatch.setattr(csv_import, "_keep", keep_and_look)
    tasks.import_csv_task(job.pk)
    assert seen == ["0 of 5", "2 of 5", "4 of 5"]

    job.refresh_from_db()
    assert (job.state, job.processed, job.created, job.matched, job.added) == (ImportState.DONE, 5, 4, 1, 5)
    assert job.data == b"" and job.started_at and job.finished_at
    assert Person.objects.filter(team=team_a).count() == 5
    assert a_list.entries.filter(person=known).exists()
    page = alice_client.get(progress).content.decode()
    assert "4 new people kept, 1 matched" in page and "hx-get" not in page  # done: the page stops asking


def test_a_failure_mid_import_marks_the_job_failed_and_leaves_nothing(
    alice_client, a_list, small_batches, queued, django_capture_on_commit_callbacks, monkeypatch
):
    _response, job = start(alice_client, a_list, people_csv(5), django_capture_on_commit_callbacks)
    calls = fail_on_second_batch(monkeypatch)
    tasks.import_csv_task(job.pk)
    assert len(calls) == 2  # the first batch was kept, then rolled back
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and "nothing was imported" in job.message
    assert job.data == b""
    assert not Person.objects.exists() and not ListEntry.objects.exists() and not FactValue.objects.exists()
    page = alice_client.get(reverse("list_import_progress", args=[a_list.pk, job.pk])).content.decode()
    assert "nothing was imported" in page and "Upload the file again" in page


def test_a_task_delivered_twice_imports_once(
    alice_client, a_list, team_a, small_batches, queued, django_capture_on_commit_callbacks
):
    _response, job = start(alice_client, a_list, people_csv(5), django_capture_on_commit_callbacks)
    tasks.import_csv_task(job.pk)
    finished = ImportJob.objects.get(pk=job.pk)
    with mock.patch.object(csv_import, "import_rows") as again:
        tasks.import_csv_task(job.pk)
    assert not again.called
    assert ImportJob.objects.get(pk=job.pk).finished_at == finished.finished_at
    assert Person.objects.filter(team=team_a).count() == 5 and a_list.entries.count() == 5


def test_a_job_cut_off_while_running_starts_again_cleanly(
    alice_client, a_list, team_a, small_batches, queued, django_capture_on_commit_callbacks
):
    _response, job = start(alice_client, a_list, people_csv(5), django_capture_on_commit_callbacks)
    # A worker died mid-import: its transaction rolled back, the row still says running.
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    tasks.import_csv_task(job.pk)
    job.refresh_from_db()
    assert (job.state, job.created, job.added) == (ImportState.DONE, 5, 5)
    assert Person.objects.filter(team=team_a).count() == 5


BAD_ROWS = (
    HEADER
    + "Person 1,person1@acme.test,\n"
    + "\n"  # a blank row keeps its number
    + "Person 3,not-an-email,\n"
    + "Person 4,person4@acme.test,\n"
    + ",,https://example.test/x\n"
    + "Person 6,person6@acme.test,\n"
)


def test_invalid_rows_of_a_background_import_are_reported_and_nothing_is_imported(
    alice_client, a_list, small_batches, queued, django_capture_on_commit_callbacks
):
    _response, job = start(alice_client, a_list, BAD_ROWS, django_capture_on_commit_callbacks)
    tasks.import_csv_task(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.UPLOADED and job.data  # back to the mapping step, the file kept
    assert job.errors == [
        [4, "“not-an-email” is not an email address"],
        [6, "“https://example.test/x” is not a LinkedIn profile URL"],
    ]
    assert not Person.objects.exists()
    progress = reverse("list_import_progress", args=[a_list.pk, job.pk])
    mapping = reverse("list_import_map", args=[a_list.pk, job.pk])
    assert alice_client.get(progress).url == mapping
    assert alice_client.get(progress, HTTP_HX_REQUEST="true")["HX-Redirect"] == mapping
    page = alice_client.get(mapping)
    assert (
        page.status_code == 400 and "2 rows cannot be imported; nothing was imported" in page.content.decode()
    )
    errors = b"".join([alice_client.get(reverse("list_import_errors", args=[a_list.pk, job.pk])).content])
    assert errors.decode("utf-8-sig").splitlines() == [
        "Row,Why",
        "4,“not-an-email” is not an email address",
        "6,“https://example.test/x” is not a LinkedIn profile URL",
    ]

    # Skipping them this time: the same job, the columns as mapped before.
    data = {f"column_{i}": name for i, name in enumerate(["full_name", "email", "linkedin_url"])}
    with django_capture_on_commit_callbacks(execute=True):
        assert alice_client.post(mapping, {**data, "skip_invalid": "on"}).url == progress
    tasks.import_csv_task(job.pk)
    job.refresh_from_db()
    assert (job.state, job.invalid, job.created, job.added) == (ImportState.DONE, 2, 3, 3)
    page = alice_client.get(progress).content.decode()
    assert "2 invalid rows skipped" in page and "not-an-email" in page


def test_a_file_over_the_row_limit_is_refused_in_words(alice_client, a_list, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_IMPORT_ROWS", 3)
    response = upload(alice_client, a_list, people_csv(4))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file has more than 3 rows; imports take up to 3. Split it into smaller files."
    ]
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused_in_words(alice_client, a_list, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_IMPORT_BYTES", 50)
    response = upload(alice_client, a_list, people_csv(4))
    assert response.status_code == 400
    assert "imports take files up to" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


def test_a_new_upload_replaces_one_never_imported_and_drops_the_teams_day_old_ones(
    alice_client, bob_client, a_list
):
    upload(alice_client, a_list, people_csv(2))
    upload(alice_client, a_list, people_csv(3))
    assert ImportJob.objects.get().total == 3
    upload(bob_client, a_list, people_csv(4))
    assert sorted(ImportJob.objects.values_list("total", flat=True)) == [3, 4]  # Bob's is his own
    ImportJob.objects.filter(total=3).update(created_at=timezone.now() - timedelta(days=2))
    upload(bob_client, a_list, people_csv(5))
    assert list(ImportJob.objects.values_list("total", flat=True)) == [5]


def test_the_mapping_page_of_a_started_import_goes_to_its_progress(
    alice_client, a_list, small_batches, queued, django_capture_on_commit_callbacks
):
    _response, job = start(alice_client, a_list, people_csv(5), django_capture_on_commit_callbacks)
    response = alice_client.post(
        reverse("list_import_map", args=[a_list.pk, job.pk]), {"column_0": "full_name"}
    )
    assert response.url == reverse("list_import_progress", args=[a_list.pk, job.pk])
    assert queued.call_count == 1  # a form sent twice queues one import


# --- one reader for every import --------------------------------------------------------------------

UTF16 = codecs.BOM_UTF16_LE + "Full Name\tEmail\nJérôme Dupont\tjerome@acme.test\n".encode("utf-16-le")


def test_the_reader_reads_utf16_with_its_byte_order_mark_and_numbers_rows_as_the_file_does():
    text = csv_read.open_csv(UTF16, max_bytes=1000)
    assert text.delimiter == "\t"
    assert list(text.rows()) == [(1, ["Full Name", "Email"]), (2, ["Jérôme Dupont", "jerome@acme.test"])]
    blank = csv_read.open_csv(b"a;b\n\n;\nc;d\n", max_bytes=1000)
    assert list(blank.rows()) == [(1, ["a", "b"]), (4, ["c", "d"])]


def test_both_imports_read_a_utf16_file(alice_client, a_list, team_a, django_capture_on_commit_callbacks):
    start(alice_client, a_list, UTF16, django_capture_on_commit_callbacks)
    assert Person.objects.get(team=team_a).full_name == "Jérôme Dupont"
    response = alice_client.post(
        reverse("suppression_import"),
        {"file": SimpleUploadedFile("dnc.csv", UTF16), "kind": "detect", "column": "Email"},
    )
    assert response.status_code == 302
    assert Suppression.objects.get(team=team_a).value == "jerome@acme.test"


def test_both_imports_refuse_a_file_that_is_not_utf8_in_the_same_words(alice_client, a_list):
    latin1 = "Full Name,Email\nJérôme Dupont,j@x.test\n".encode("latin-1")
    listed = upload(alice_client, a_list, latin1).context["form"].errors["file"][0]
    suppressed = alice_client.post(
        reverse("suppression_import"), {"file": SimpleUploadedFile("dnc.csv", latin1), "kind": "detect"}
    )
    assert listed == suppressed.context["form"].errors["file"][0]
    assert listed.startswith("The file is not UTF-8 text.")


def test_the_suppression_import_takes_its_own_row_limit_through_the_reader(alice_client, monkeypatch):
    from prospecting.services import suppression

    monkeypatch.setattr(suppression, "MAX_IMPORT_ROWS", 2)
    content = b"email\na@x.test\nb@x.test\nc@x.test\n"
    response = alice_client.post(
        reverse("suppression_import"), {"file": SimpleUploadedFile("dnc.csv", content), "kind": "detect"}
    )
    assert response.context["form"].errors["file"] == [
        "The file has more than 2 rows; the do-not-contact list takes up to 2. Split it into smaller files."
    ]
    assert not Suppression.objects.exists()
