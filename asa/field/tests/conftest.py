"""A case of center A assigned to volunteer A, with a household, and goods in A's stock."""

import datetime as dt

import pytest

from asa.aid.actions import receive_donation
from asa.aid.models import Item, ItemKind
from asa.cases.actions import assign_case, open_case
from asa.centers.models import Volunteer
from asa.registry.actions import create_household, register_person


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def household_person(chair_a):
    person = register_person(
        actor=chair_a,
        title="นาง",
        first_name="บุญเรือน",
        last_name="ใจงาม",
        birth_date=dt.date(1946, 4, 2),
        subdistrict="100502",
        phone="0812223344",
        house_number="45/2",
    )
    create_household(actor=chair_a, head=person)
    return person


@pytest.fixture
def assigned_case(chair_a, volunteer_a, household_person):
    case = open_case(
        actor=chair_a, person=household_person, source="field", story="อยู่ลำพัง ไม่มีอาหาร"
    )
    assign_case(actor=chair_a, case=case, volunteers=[Volunteer.objects.get(user=volunteer_a)])
    case.refresh_from_db()
    return case


@pytest.fixture
def rice(chair_a, center_a):
    item = Item.objects.filter(kind=ItemKind.CONSUMABLE).order_by("pk").first()
    receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="company",
        donor_name="ร้านข้าวสารเจริญ",
        received_on=dt.date.today(),
        lines=[(item, 10, [])],
    )
    return item
