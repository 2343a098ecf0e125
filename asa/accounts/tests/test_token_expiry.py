"""Expired and revoked API tokens are refused (401) on the very next request."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from asa.accounts.actions import create_api_token, revoke_api_token, user_for_token


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_it_refuses_a_token_past_its_age(chair_a, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 365
    token, secret = create_api_token(actor=None, user=chair_a, name="old script")
    assert _bearer(secret).get("/api/v1/centers").status_code == 200
    type(token).objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=366)
    )
    response = _bearer(secret).get("/api/v1/centers")
    assert response.status_code == 401
    assert user_for_token(secret) is None


def test_it_keeps_a_token_younger_than_the_age(chair_a, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    token, secret = create_api_token(actor=None, user=chair_a, name="new script")
    type(token).objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=29)
    )
    assert _bearer(secret).get("/api/v1/centers").status_code == 200


def test_zero_means_tokens_never_expire(chair_a, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 0
    token, secret = create_api_token(actor=None, user=chair_a, name="forever")
    type(token).objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3650)
    )
    assert _bearer(secret).get("/api/v1/centers").status_code == 200


def test_it_refuses_a_revoked_token_at_once(chair_a):
    token, secret = create_api_token(actor=None, user=chair_a, name="revoked")
    client = _bearer(secret)
    assert client.get("/api/v1/centers").status_code == 200
    revoke_api_token(actor=chair_a, token=token)
    assert client.get("/api/v1/centers").status_code == 401
    assert client.post("/api/v1/people", {}, content_type="application/json").status_code == 401
