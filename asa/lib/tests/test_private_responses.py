"""Responses that may carry personal data are never cached; every response has a
Permissions-Policy."""

import pytest

from asa.lib.middleware import PERMISSIONS_POLICY


@pytest.mark.parametrize("url", ["/people/", "/cases/", "/referrals/inbox/", "/"])
def test_a_signed_in_users_pages_are_not_stored(client_for, chair_a, url):
    response = client_for(chair_a).get(url, follow=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_api_answers_are_not_stored(api_client_for, chair_a):
    response = api_client_for(chair_a).get("/api/v1/people")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_sign_in_page_gets_the_permissions_policy(client):
    response = client.get("/accounts/login/")
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_a_people_export_is_not_stored(client_for, chair_a):
    response = client_for(chair_a).get("/people/export.csv")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
