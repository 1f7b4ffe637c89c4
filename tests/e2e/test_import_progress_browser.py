"""In a browser: a large CSV file imports in the background, and its page follows it (htmx polling)
from waiting, through rows done, to what it did and the rows it skipped. Screenshots of every step at
1280 and 375 px go to QUARRY_SHOTS_DIR when it is set."""

import os
import threading
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from prospecting import tasks
from prospecting.models import ImportJob, ImportState, Person
from prospecting.services import csv_import, import_jobs
from prospecting.services.lists import create_list
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

CONTENT = (
    "Full Name,Email,Company,Job Title\n"
    + "".join(f"Person {n},person{n}@acme.test,Acme,Engineer\n" for n in range(1, 7))
    + "Bad Row,not-an-email,Acme,Engineer\n"
)


def shoot(page, name):
    folder = os.environ.get("QUARRY_SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 860})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_a_large_import_runs_in_the_background_and_its_page_follows_it(
    page, live_server, alice, team_a, tmp_path, monkeypatch
):
    monkeypatch.setattr(import_jobs, "INLINE_ROWS", 3)
    monkeypatch.setattr(csv_import, "BATCH", 2)
    # The worker: a thread that imports one batch each time the test lets it.
    gate, queued = threading.Semaphore(0), []
    real_keep = csv_import._keep

    def gated_keep(**kwargs):
        assert gate.acquire(timeout=60)
        return real_keep(**kwargs)

    def worker(job_id):
        try:
            tasks.import_csv_task(job_id)
        finally:
            connections.close_all()

    monkeypatch.setattr(csv_import, "_keep", gated_keep)
    monkeypatch.setattr(tasks.import_csv_task, "delay", queued.append)

    prospect_list = create_list(team=team_a, user=alice, name="Big import")
    upload = tmp_path / "people.csv"
    upload.write_text(CONTENT, encoding="utf-8")
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/lists/{prospect_list.pk}/import/")
    shoot(page, "1-upload")
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    expect(page.get_by_text("imports in the background")).to_be_visible()
    page.get_by_label("Import the valid rows and skip the invalid ones").check()
    shoot(page, "2-map")
    page.get_by_role("button", name="Import 7 rows").click()

    expect(page.get_by_text("Waiting for a worker to start the import.")).to_be_visible()
    [job_id] = queued
    assert ImportJob.objects.get(pk=job_id).state == ImportState.QUEUED
    thread = threading.Thread(target=worker, args=(job_id,), daemon=True)
    thread.start()
    gate.release()  # the first batch
    expect(page.get_by_text("3 of 7 rows done")).to_be_visible()  # the invalid row and 2 people
    expect(page.get_by_role("progressbar", name="Rows imported")).to_have_attribute("value", "3")
    shoot(page, "3-progress")
    page.goto(f"{live_server.url}/lists/{prospect_list.pk}/")
    expect(page.get_by_text("An import of people.csv (7 rows) is running")).to_be_visible()
    shoot(page, "4-list-while-importing")
    page.get_by_role("link", name="Follow its progress").click()

    gate.release()
    gate.release()
    expect(page.get_by_text("6 new people kept")).to_be_visible()
    thread.join(timeout=30)
    expect(page.get_by_role("cell", name="“not-an-email” is not an email address")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
    shoot(page, "5-done")
    assert Person.objects.filter(team=team_a).count() == 6
    assert prospect_list.entries.count() == 6
