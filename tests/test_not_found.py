"""A page that does not exist shows Quarry's own 404 page, also in DEBUG (as `make run` runs), never
Django's technical page listing every URL of the site."""

import pytest

BRANDED = "This page does not exist, or it belongs to a team you are not in."


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def assert_branded_404(response):
    assert response.status_code == 404
    page = response.content.decode()
    assert BRANDED in page
    assert "URLconf" not in page and "admin/" not in page


def test_an_unknown_address_shows_the_branded_404(debug, client, db):
    assert_branded_404(client.get("/no-such-page/"))


def test_an_unknown_address_shows_the_branded_404_to_a_member(debug, alice_client):
    response = alice_client.get("/team/no-such-page/")
    assert_branded_404(response)
    assert "Team A" in response.content.decode()  # the page keeps Quarry's navigation


def test_another_teams_object_shows_the_branded_404(debug, alice_client, carol):
    membership = carol.memberships.get()
    assert_branded_404(alice_client.post(f"/team/members/{membership.pk}/role/", {"role": "admin"}))


def test_an_address_without_its_slash_is_still_redirected(debug, client, db):
    response = client.get("/login")
    assert response.status_code == 301 and response["Location"] == "/login/"
