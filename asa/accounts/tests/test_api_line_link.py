"""Linking one's LINE account over the API (issue 15): the same actions as the notification
channels page; the one-time code is answered once, to its owner, and only its hash is kept."""

import json

from asa.accounts.channel_actions import link_line_account
from asa.accounts.models import AuditEvent, Channel, ChannelPreference, LineLinkCode

LINE_USER = "U4af4980629a1b2c3d4e5f60718293a4b"


def post(client, url):
    return client.post(url, json.dumps({}), content_type="application/json")


def test_a_code_from_the_api_links_line_and_unlinking_forgets_it(api_client_for, chair_a):
    client = api_client_for(chair_a)
    response = post(client, "/api/v1/notification-channels/line/link")
    assert response.status_code == 200, response.content
    code = response.json()["code"]
    assert code.startswith("ASA-") and response.json()["expires_at"]
    assert "no-store" in response["Cache-Control"]
    row = LineLinkCode.objects.get(user=chair_a)
    assert code not in row.code_hash  # kept hashed only
    assert AuditEvent.objects.filter(action="start_line_link", actor=chair_a).exists()
    # A second code makes the first stop working.
    second = post(client, "/api/v1/notification-channels/line/link").json()["code"]
    assert link_line_account(code=code, line_user_id=LINE_USER) is None
    assert link_line_account(code=second, line_user_id=LINE_USER) == chair_a
    channels = client.get("/api/v1/notification-channels").json()["items"]
    assert {"channel": "line", "address": LINE_USER, "enabled": True} in channels
    unlinked = post(client, "/api/v1/notification-channels/line/unlink")
    assert unlinked.status_code == 200 and unlinked.json() == {"unlinked": True}
    assert not ChannelPreference.objects.filter(user=chair_a, channel=Channel.LINE).exists()
    assert AuditEvent.objects.filter(action="unlink_line_account", actor=chair_a).exists()
    again = post(client, "/api/v1/notification-channels/line/unlink")
    assert again.json() == {"unlinked": False}


def test_one_users_link_is_theirs_alone(api_client_for, chair_a, volunteer_a, client):
    link_line_account(
        code=post(api_client_for(chair_a), "/api/v1/notification-channels/line/link").json()[
            "code"
        ],
        line_user_id=LINE_USER,
    )
    # Another user's unlink touches only their own (none): chair_a stays linked.
    answer = post(api_client_for(volunteer_a), "/api/v1/notification-channels/line/unlink")
    assert answer.json() == {"unlinked": False}
    assert ChannelPreference.objects.filter(user=chair_a, channel=Channel.LINE).exists()
    # Nobody signed in: 401, no code made.
    before = LineLinkCode.objects.count()
    assert post(client, "/api/v1/notification-channels/line/link").status_code == 401
    assert post(client, "/api/v1/notification-channels/line/unlink").status_code == 401
    assert LineLinkCode.objects.count() == before
    assert ChannelPreference.objects.filter(user=chair_a, channel=Channel.LINE).exists()
