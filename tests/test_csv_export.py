"""Exporting a list to CSV: every contact point with its status and source, suppressed people left
out (and the list page says how many), streamed."""

import csv
import io

from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from prospecting.models import Suppression, SuppressionKind
from prospecting.providers.facts import PersonFacts
from prospecting.services.csv_export import HEADERS
from prospecting.services.lists import add_to_list, create_list
from prospecting.services.records import keep_people


def _read(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _list_with(team, user, facts, *, source="lusha"):
    prospect_list = create_list(team=team, user=user, name="Export me")
    people = keep_people(team=team, user=user, facts=facts, source=source)
    add_to_list(prospect_list=prospect_list, people=people, user=user)
    return prospect_list


def test_the_export_has_every_contact_point_with_its_status_and_source(alice_client, team_a, alice):
    jane = PersonFacts(
        linkedin_url="https://uk.linkedin.com/in/jane-doe?trk=x",
        full_name="Jane Doe",
        first_name="Jane",
        last_name="Doe",
        title="CTO",
        company_name="Acme",
        company_domain="https://www.acme.test/about",
        emails=(("jane@acme.test", "valid"), ("jd@gmail.test", "probable")),
        phones=(("+44 20 7946 0000", "mobile"),),
    )
    prospect_list = _list_with(team_a, alice, [jane])
    keep_people(
        team=team_a,
        user=alice,
        facts=[PersonFacts(linkedin_url="jane-doe", emails=(("jane.doe@acme.test", "unknown"),))],
        source="leadiq",
    )
    response = alice_client.get(reverse("list_export", args=[prospect_list.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="export-me.csv"'
    [row] = _read(response)
    assert list(row) == HEADERS
    assert row["Full Name"] == "Jane Doe" and row["Title"] == "CTO" and row["Company"] == "Acme"
    assert row["Company Domain"] == "acme.test"
    assert row["LinkedIn URL"] == "https://www.linkedin.com/in/jane-doe/"
    assert (row["Email"], row["Email Status"], row["Email Source"]) == ("jane@acme.test", "valid", "lusha")
    assert (row["Phone"], row["Phone Type"], row["Phone Source"]) == ("+442079460000", "mobile", "lusha")
    emails = row["All Emails"].split("; ")
    assert sorted(emails) == [
        "jane.doe@acme.test (unknown, leadiq)",
        "jane@acme.test (valid, lusha)",
        "jd@gmail.test (probable, lusha)",
    ]
    assert row["All Phones"] == "+442079460000 (mobile, lusha)"


def test_the_export_leaves_suppressed_people_out_and_the_list_page_says_how_many(alice_client, team_a, alice):
    facts = [
        PersonFacts(full_name="Kept Person", emails=(("kept@fine.test", "valid"),)),
        PersonFacts(full_name="Opted Out", emails=(("out@fine.test", "valid"),)),
        PersonFacts(full_name="Whole Domain", emails=(("someone@blocked.test", "valid"),)),
    ]
    prospect_list = _list_with(team_a, alice, facts)
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="out@fine.test")
    Suppression.objects.create(team=team_a, kind=SuppressionKind.DOMAIN, value="blocked.test")

    rows = _read(alice_client.get(reverse("list_export", args=[prospect_list.pk])))
    assert [row["Full Name"] for row in rows] == ["Kept Person"]
    # The list page asks for the count once it is shown (htmx), and links to it without JavaScript.
    page = alice_client.get(reverse("list_detail", args=[prospect_list.pk])).content.decode()
    count_url = reverse("list_suppressed", args=[prospect_list.pk])
    assert f'hx-get="{count_url}" hx-trigger="load"' in page
    assert f'<a href="{count_url}">Count the people on the do-not-contact list</a>' in page
    part = _suppressed_part(alice_client, prospect_list)
    assert b"2 people in this list are on the do-not-contact list: the export leaves them out" in part.content


def test_the_export_streams_rows_in_chunks(alice_client, team_a, alice, monkeypatch):
    from prospecting.services import csv_export

    monkeypatch.setattr(csv_export, "CHUNK", 7)
    facts = [PersonFacts(full_name=f"Person {i:02d}", emails=((f"p{i}@x.test", "valid"),)) for i in range(20)]
    prospect_list = _list_with(team_a, alice, facts)
    response = alice_client.get(reverse("list_export", args=[prospect_list.pk]))
    assert response.streaming
    chunks = list(response.streaming_content)
    # The byte-order mark, the header, then one line per person: nothing is built in memory first.
    assert len(chunks) == 1 + 1 + 20
    text = b"".join(chunks).decode()
    assert [row["Full Name"] for row in csv.DictReader(io.StringIO(text[1:]))] == [
        f"Person {i:02d}" for i in range(20)
    ]


def test_the_export_reads_the_database_a_chunk_at_a_time(team_a, alice, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prospecting.services import csv_export

    monkeypatch.setattr(csv_export, "CHUNK", 5)
    facts = [PersonFacts(full_name=f"Person {i:02d}", emails=((f"p{i}@x.test", "valid"),)) for i in range(20)]
    prospect_list = _list_with(team_a, alice, facts)
    rows = csv_export.export_rows(prospect_list)
    next(rows)  # the header
    with CaptureQueriesContext(connection) as queries:
        next(rows)
    # The first chunk and its prefetches; not all twenty people.
    first = len(queries)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(4):
            next(rows)
    assert len(queries) == 0  # the rest of the first chunk is in memory
    with CaptureQueriesContext(connection) as queries:
        next(rows)
    assert 0 < len(queries) <= first  # the next chunk


def test_exporting_another_teams_list_answers_404(alice_client, team_b, carol):
    theirs = create_list(team=team_b, user=carol, name="Theirs")
    assert alice_client.get(reverse("list_export", args=[theirs.pk])).status_code == 404


def _list_with_suppressed(team, user):
    facts = [
        PersonFacts(full_name="Kept Person", emails=(("kept@fine.test", "valid"),)),
        PersonFacts(full_name="Opted Out", emails=(("out@fine.test", "valid"),)),
        PersonFacts(full_name="Whole Domain", emails=(("someone@blocked.test", "valid"),)),
    ]
    prospect_list = _list_with(team, user, facts)
    Suppression.objects.create(team=team, kind=SuppressionKind.EMAIL, value="out@fine.test")
    Suppression.objects.create(team=team, kind=SuppressionKind.DOMAIN, value="blocked.test")
    return prospect_list


def _suppressed_part(client, prospect_list):
    """What the list page swaps in once it has loaded: the suppressed count (and an admin's override)."""
    return client.get(reverse("list_suppressed", args=[prospect_list.pk]), HTTP_HX_REQUEST="true")


def _overrides():
    return AuditEvent.objects.filter(action=AuditAction.SUPPRESSION_OVERRIDDEN)


def test_the_plain_export_goes_through_the_do_not_contact_gate(alice_client, team_a, alice, monkeypatch):
    from prospecting.services import csv_export

    prospect_list = _list_with_suppressed(team_a, alice)
    seen = []
    real = csv_export.ensure_contactable

    def spy(**kwargs):
        seen.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(csv_export, "ensure_contactable", spy)
    rows = _read(alice_client.get(reverse("list_export", args=[prospect_list.pk])))
    assert [row["Full Name"] for row in rows] == ["Kept Person"]
    assert [(call["purpose"], call["override_by"]) for call in seen] == [("export", None)]
    assert not _overrides().exists()


def test_an_admin_exports_including_the_suppressed_people_and_the_audit_trail_records_it(
    alice_client, team_a, alice
):
    prospect_list = _list_with_suppressed(team_a, alice)
    page = _suppressed_part(alice_client, prospect_list).content.decode()
    assert "2 suppressed people are left out of the export" in page
    assert reverse("list_export_override", args=[prospect_list.pk]) in page
    assert "Export including them" in page

    response = alice_client.post(
        reverse("list_export_override", args=[prospect_list.pk]), {"reason": "Legal hold review"}
    )
    assert [row["Full Name"] for row in _read(response)] == ["Kept Person", "Opted Out", "Whole Domain"]
    [event] = _overrides()
    assert event.actor == alice and event.team == team_a
    assert event.details == {"purpose": "export", "included": 2, "reason": "Legal hold review"}
    assert "Export me" in event.target
    # No personal data in the trail: neither names nor addresses of the people exported.
    recorded = f"{event.target} {event.details}"
    assert not any(word in recorded for word in ("Opted", "Whole", "out@fine.test", "blocked.test", "Kept"))


def test_a_member_cannot_override_the_export_nor_sees_the_form(bob_client, team_a, alice):
    prospect_list = _list_with_suppressed(team_a, alice)
    page = _suppressed_part(bob_client, prospect_list).content.decode()
    assert "the export leaves them out" in page and "Export including them" not in page
    url = reverse("list_export_override", args=[prospect_list.pk])
    response = bob_client.post(url, {"reason": "Because"})
    assert response.status_code == 403
    assert not _overrides().exists()


def test_an_override_needs_a_reason_and_a_post(alice_client, team_a, alice):
    prospect_list = _list_with_suppressed(team_a, alice)
    url = reverse("list_export_override", args=[prospect_list.pk])
    response = alice_client.post(url, {"reason": "   "}, follow=True)
    assert not isinstance(response, StreamingHttpResponse)
    assert "Say why this export includes people on the do-not-contact list." in response.content.decode()
    assert alice_client.get(url).status_code == 405
    assert not _overrides().exists()


def test_the_override_form_shows_only_when_someone_is_suppressed(alice_client, team_a, alice):
    prospect_list = _list_with(team_a, alice, [PersonFacts(full_name="Kept Person")])
    page = alice_client.get(reverse("list_detail", args=[prospect_list.pk])).content.decode()
    assert "Export including them" not in page
    # With a do-not-contact entry that names no one in the list: still no form.
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="someone@else.test")
    assert "Export including them" not in _suppressed_part(alice_client, prospect_list).content.decode()


def test_the_export_takes_one_query_more_per_chunk_not_per_row(team_a, alice, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prospecting.services import csv_export

    monkeypatch.setattr(csv_export, "CHUNK", 5)

    def queries_to_export(count, prefix):
        facts = [
            PersonFacts(
                full_name=f"{prefix} {i:02d}",
                linkedin_url=f"https://www.linkedin.com/in/{prefix.lower()}-{i}/",
                emails=((f"{prefix}{i}@x.test", "valid"), (f"{prefix}{i}@y.test", "probable")),
                phones=((f"+3361000{i:04d}", "mobile"),),
            )
            for i in range(count)
        ]
        prospect_list = _list_with(team_a, alice, facts)
        with CaptureQueriesContext(connection) as queries:
            rows = list(csv_export.export_rows(prospect_list))
        assert len(rows) == 1 + count
        assert all(row[HEADERS.index("All Emails")].count("@") == 2 for row in rows[1:])
        assert all(row[HEADERS.index("LinkedIn URL")] for row in rows[1:])
        return len(queries)

    # Ten more people, each with three contact points and a LinkedIn id, are two more chunks: two more
    # queries (their contact points), not ten or forty.
    assert queries_to_export(20, "Later") - queries_to_export(10, "Early") == 2
