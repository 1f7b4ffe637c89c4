import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import ProviderKey
from prospecting.tasks import set_up_demo_key
from tests.e2e.conftest import nav_link
from tests.sandbox.conftest import sandbox_urls

pytestmark = pytest.mark.e2e


def test_demo_admin_sees_every_sandbox_key_valid_with_its_balance(
    page, live_server, sandbox, settings, monkeypatch
):
    # What `make run` does on an empty database: the sandbox process, the demo team, and the worker
    # testing each sandbox key once the sandbox answers.
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    enqueued = []
    monkeypatch.setattr(set_up_demo_key, "delay", enqueued.append)
    call_command("create_demo_team", "--if-empty")
    assert sorted(enqueued) == sorted(ProviderKey.objects.values_list("pk", flat=True))
    for key_id in enqueued:
        set_up_demo_key(key_id)  # what the worker runs

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill("admin@demo.quarry.test")
    page.get_by_label("Password").fill("quarry-demo-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo Sales Team")

    nav_link(page, "Provider keys").click()
    for provider in ("lix", "lookc", "linkup", "lusha", "leadiq"):
        row = page.locator(f"#provider-{provider}")
        expect(row).to_contain_text("Valid")
        expect(row).to_contain_text("Sandbox")

    nav_link(page, "Balances").click()
    cards = page.locator(".card")
    expect(cards.filter(has_text="Lix")).to_contain_text(re.compile(r"Standard credits\s*\d"))
    expect(cards.filter(has_text="Lusha")).to_contain_text(re.compile(r"\d{3,}"))
    expect(cards.filter(has_text="LeadIQ")).to_contain_text(re.compile(r"\d{3,}"))
    expect(cards.filter(has_text="LinkUp")).to_contain_text("no balance")
    page.screenshot(path=str(settings.VAR_DIR / "demo-balances.png"), full_page=True)
