"""The access layer, persona by persona: what each one may read and change."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from asa.accounts.access import get_for, scope_of, visible
from asa.accounts.models import AuditEvent
from asa.centers.actions import change_volunteer_status, open_center
from asa.centers.models import Center, Skill, Volunteer, VolunteerStatus
from asa.conftest import make_volunteer
from asa.geo.models import Province, Subdistrict
from asa.referrals.models import Agency

PERSONAS = [
    "anonymous",
    "admin_user",
    "officer",
    "district_officer_a",
    "outside_officer",
    "chair_a",
    "volunteer_a",
    "chair_b",
    "volunteer_b",
    "agency_user",
    "dpo",
]

# Which centers each persona reads and changes ("cm" is a Chiang Mai center).
CENTERS_READ = {
    "anonymous": set(),
    "admin_user": {"a", "b", "cm"},
    "officer": {"a", "b"},
    "district_officer_a": {"a"},
    "outside_officer": {"cm"},
    "chair_a": {"a"},
    "volunteer_a": {"a"},
    "chair_b": {"b"},
    "volunteer_b": {"b"},
    "agency_user": set(),
    "dpo": set(),
}
CENTERS_WRITE = {
    **CENTERS_READ,
    "volunteer_a": set(),
    "volunteer_b": set(),
}


@pytest.fixture
def world(request, center_a, center_b, chair_a, volunteer_a, chair_b, volunteer_b):
    """Both Bangkok centers with their personas, plus a Chiang Mai center with one volunteer."""
    center_cm = open_center(
        actor=None,
        code="CMI-5001",
        name_th="ศูนย์ประสานงาน อพม. อำเภอเมืองเชียงใหม่",
        subdistrict=Subdistrict.objects.filter(district__province_id="50").first(),
        opened_on=dt.date(2020, 1, 1),
    )
    make_volunteer(center_cm)
    return {"a": center_a, "b": center_b, "cm": center_cm}


def _user(request, persona):
    return AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)


def _names(world, pks) -> set[str]:
    return {name for name, center in world.items() if center.pk in set(pks)}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_its_centers(request, world, persona):
    user = _user(request, persona)
    readable = visible(user, Center.objects.all()).values_list("pk", flat=True)
    writable = visible(user, Center.objects.all(), write=True).values_list("pk", flat=True)
    assert _names(world, readable) == CENTERS_READ[persona]
    assert _names(world, writable) == CENTERS_WRITE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_the_volunteers_of_its_centers(request, world, persona):
    user = _user(request, persona)
    readable = visible(user, Volunteer.objects.all()).values_list("center_id", flat=True)
    writable = visible(user, Volunteer.objects.all(), write=True).values_list(
        "center_id", flat=True
    )
    assert _names(world, readable) == CENTERS_READ[persona]
    assert _names(world, writable) == CENTERS_WRITE[persona]
    # A reader sees every volunteer of a readable center, not a sample.
    for name in CENTERS_READ[persona]:
        center = world[name]
        assert list(readable).count(center.pk) == Volunteer.objects.filter(center=center).count()


def test_it_gives_get_for_404_out_of_scope(volunteer_b, center_a, chair_a):
    volunteer = Volunteer.objects.get(user=chair_a)
    with pytest.raises(Http404):
        get_for(volunteer_b, Volunteer.objects.all(), volunteer.pk)
    with pytest.raises(Http404):
        get_for(volunteer_b, Center.objects.all(), center_a.pk)
    with pytest.raises(Http404):
        get_for(volunteer_b, Center.objects.all(), center_a.pk, write=True)


def test_it_gives_get_for_403_when_readable_but_not_writable(volunteer_a, chair_a, center_a):
    volunteer = Volunteer.objects.get(user=chair_a)
    assert get_for(volunteer_a, Volunteer.objects.all(), volunteer.pk) == volunteer
    with pytest.raises(PermissionDenied):
        get_for(volunteer_a, Volunteer.objects.all(), volunteer.pk, write=True)
    with pytest.raises(PermissionDenied):
        get_for(volunteer_a, Center.objects.all(), center_a.pk, write=True)


def test_it_gives_get_for_the_object_when_writable(chair_a, volunteer_a, center_a):
    volunteer = Volunteer.objects.get(user=volunteer_a)
    assert get_for(chair_a, Volunteer.objects.all(), volunteer.pk, write=True) == volunteer
    assert get_for(chair_a, Center.objects.all(), str(center_a.pk), write=True) == center_a


@pytest.mark.parametrize("garbage", ["abc", "", None, "1; DROP TABLE", "9" * 30, -1, 10**12])
def test_it_gives_get_for_404_for_a_garbage_pk(admin_user, center_a, garbage):
    with pytest.raises(Http404):
        get_for(admin_user, Center.objects.all(), garbage)


def test_it_gives_anonymous_users_nothing(center_a):
    assert not visible(AnonymousUser(), Center.objects.all()).exists()
    assert not visible(None, Center.objects.all()).exists()
    with pytest.raises(Http404):
        get_for(AnonymousUser(), Center.objects.all(), center_a.pk)


def test_it_refuses_a_model_without_a_rule(admin_user):
    with pytest.raises(LookupError):
        visible(admin_user, Skill.objects.all())
    with pytest.raises(LookupError):
        visible(admin_user, Province.objects.all())


def test_it_lets_the_audit_log_be_read_only_by_admins_and_the_dpo(
    admin_user, dpo, chair_a, officer
):
    assert visible(admin_user, AuditEvent.objects.all()).exists()
    assert visible(dpo, AuditEvent.objects.all()).exists()
    assert not visible(chair_a, AuditEvent.objects.all()).exists()
    assert not visible(officer, AuditEvent.objects.all()).exists()
    # Nobody, not even an admin, may change an audit row through the access layer.
    assert not visible(admin_user, AuditEvent.objects.all(), write=True).exists()


def test_it_shows_partner_agencies_to_workers_and_own_agency_to_partners(
    agency, agency_user, chair_a, volunteer_b, dpo
):
    assert visible(chair_a, Agency.objects.all()).filter(pk=agency.pk).exists()
    assert visible(agency_user, Agency.objects.all()).get() == agency
    assert visible(agency_user, Agency.objects.all(), write=True).get() == agency
    assert not visible(chair_a, Agency.objects.all(), write=True).exists()
    assert not visible(dpo, Agency.objects.all()).exists()


def test_it_ends_access_when_a_volunteer_leaves(chair_a, volunteer_a, center_a):
    volunteer = Volunteer.objects.get(user=volunteer_a)
    change_volunteer_status(
        actor=chair_a, volunteer=volunteer, status=VolunteerStatus.LEFT, reason="ลาออก"
    )
    volunteer_a.refresh_from_db()
    assert not scope_of(volunteer_a).center_ids
    assert not visible(volunteer_a, Center.objects.all()).exists()


def test_it_ends_access_for_a_deactivated_account(chair_a, center_a):
    chair_a.is_active = False
    assert not visible(chair_a, Center.objects.all()).exists()


def test_it_reads_the_scope_in_a_bounded_number_of_queries(chair_a, django_assert_max_num_queries):
    user = type(chair_a).objects.get(pk=chair_a.pk)  # a fresh object: no cached scope
    with django_assert_max_num_queries(2):
        assert scope_of(user).chair_center_ids
    with django_assert_max_num_queries(0):
        scope_of(user)


def test_a_province_is_read_through_its_districts_own_column(officer, center_a):
    # The registry's (district, name_key) index serves a province officer's searches only when
    # the scope is an IN list on the row's own district column, not a join to geo_district.
    from asa.registry.models import Person

    people = visible(officer, Person.objects.all())
    sql = str(people.query)
    assert "geo_district" not in sql and '"district_id" IN (' in sql
    assert "1005" in sql.partition('"district_id" IN (')[2]  # Bang Khen, in Bangkok
