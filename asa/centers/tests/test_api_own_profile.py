"""A volunteer corrects their own phone and address over the API (issue 15: every page action
has an operation), through the profile page's action; nothing else of theirs or anyone else's."""

import json

from asa.accounts.models import AuditEvent
from asa.centers.models import Volunteer

URL = "/api/v1/volunteers/me"


def patch(client, data):
    return client.patch(URL, json.dumps(data), content_type="application/json")


def test_a_volunteer_corrects_their_phone_and_address(api_client_for, volunteer_a):
    response = patch(
        api_client_for(volunteer_a),
        {"phone": "0891234567", "house_number": "12/3", "subdistrict": "100502"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "0891234567"
    own = Volunteer.objects.get(user=volunteer_a)
    assert (own.phone, own.house_number, own.subdistrict_id) == ("0891234567", "12/3", "100502")
    assert AuditEvent.objects.filter(action="update_own_profile", actor=volunteer_a).exists()


def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(api_client_for, volunteer_a):
    before = Volunteer.objects.get(user=volunteer_a).phone
    for body, field in (
        ({"phone": "0" * 21}, "phone"),
        ({"subdistrict": "999999"}, "subdistrict"),
        ({"first_name": "เปลี่ยนชื่อเอง"}, "first_name"),  # the chair's to change
        ({"road": "ถนน\x07พหลโยธิน"}, "road"),
    ):
        response = patch(api_client_for(volunteer_a), body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"][0]["field"] == field
    assert Volunteer.objects.get(user=volunteer_a).phone == before


def test_someone_who_is_not_a_volunteer_gets_404(api_client_for, officer, dpo):
    for user in (officer, dpo):
        assert patch(api_client_for(user), {"phone": "0891234567"}).status_code == 404
    assert not AuditEvent.objects.filter(action="update_own_profile").exists()


def test_it_changes_only_the_callers_own_record(api_client_for, volunteer_a, volunteer_b):
    patch(api_client_for(volunteer_b), {"phone": "0899999999"})
    assert Volunteer.objects.get(user=volunteer_a).phone != "0899999999"
    assert Volunteer.objects.get(user=volunteer_b).phone == "0899999999"


def test_without_a_token_it_is_401(client, db):
    assert patch(client, {"phone": "0891234567"}).status_code == 401
