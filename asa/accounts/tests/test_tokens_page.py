"""The tokens page: a user lists, creates and revokes their own API tokens, and no one else's."""

import re

from asa.accounts.actions import create_api_token, user_for_token
from asa.accounts.models import ApiToken, AuditEvent

URL = "/accounts/tokens/"


def _secret_in(body: str) -> str:
    match = re.search(r'value="(asa_[^"]+)"', body)
    assert match, "the new token is not on the page"
    return match.group(1)


def test_it_needs_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_creates_a_token_and_shows_the_secret_once(client_for, chair_a):
    client = client_for(chair_a)
    response = client.post(URL, {"name": "สคริปต์รายงาน"})
    assert response.status_code == 200
    body = response.content.decode()
    secret = _secret_in(body)
    assert "ระบบจะไม่แสดงให้เห็นอีก" in body
    assert user_for_token(secret) == chair_a

    token = ApiToken.objects.get(user=chair_a)
    assert token.name == "สคริปต์รายงาน"
    assert token.key_hash != secret and secret not in token.key_hash  # only a hash is stored
    assert AuditEvent.objects.filter(action="create_api_token", actor=chair_a).exists()

    # The list shows the token's name and prefix, never the secret again.
    later = client.get(URL).content.decode()
    assert "สคริปต์รายงาน" in later
    assert token.prefix in later
    assert secret not in later


def test_it_refuses_a_token_without_a_name(client_for, chair_a):
    response = client_for(chair_a).post(URL, {"name": ""})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ApiToken.objects.filter(user=chair_a).exists()


def test_it_lists_only_my_tokens(client_for, chair_a, volunteer_b):
    create_api_token(actor=volunteer_b, user=volunteer_b, name="ของคนอื่น")
    body = client_for(chair_a).get(URL).content.decode()
    assert "ของคนอื่น" not in body


def test_it_revokes_a_token_and_the_api_then_refuses_it(client_for, chair_a):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="ชั่วคราว")
    assert user_for_token(secret) == chair_a
    client = client_for(chair_a)

    page = client.get(URL).content.decode()
    assert f'action="/accounts/tokens/{token.pk}/revoke/"' in page
    assert "data-confirm=" in page

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(secret) is None
    assert AuditEvent.objects.filter(action="revoke_api_token", actor=chair_a).exists()
    assert "ยกเลิกแล้ว" in client.get(URL).content.decode()

    # The API answers 401 to the revoked token.
    refused = client_for(None).get(
        "/api/v1/provinces", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 401


def test_it_gives_a_token_that_the_api_accepts(client_for, chair_a):
    body = client_for(chair_a).post(URL, {"name": "api"}).content.decode()
    secret = _secret_in(body)
    response = client_for(None).get(
        "/api/v1/provinces", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 77


def test_it_revokes_only_by_post(client_for, chair_a):
    token, _ = create_api_token(actor=chair_a, user=chair_a, name="ชั่วคราว")
    response = client_for(chair_a).get(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_does_not_let_another_user_revoke_my_token(client_for, chair_a, volunteer_b):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="ของฉัน")
    response = client_for(volunteer_b).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(secret) == chair_a


def test_it_refuses_unknown_secrets(chair_a):
    _, secret = create_api_token(actor=chair_a, user=chair_a, name="x")
    assert user_for_token(secret + "x") is None
    assert user_for_token("") is None
    assert user_for_token("not-a-token") is None
