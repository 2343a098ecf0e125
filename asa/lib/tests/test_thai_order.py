"""Thai dictionary order: เกษม files under ก, so กมล < เกษม < ขวัญ, on both databases."""

import pytest
from django.db import connection
from django.urls import reverse

from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.geo.models import Province
from asa.lib.thai_order import thai_order, thai_sorted

DICTIONARY = ["กมล", "ก้อง", "เกษม", "ไก่", "ขวัญ", "แดง", "โต", "ใหม่", "อรุณ"]


def test_it_sorts_python_lists_like_a_dictionary():
    assert thai_sorted(reversed(DICTIONARY)) == DICTIONARY
    assert thai_sorted([{"name": "ขวัญ"}, {"name": "เกษม"}], key=lambda row: row["name"]) == [
        {"name": "เกษม"},
        {"name": "ขวัญ"},
    ]
    # Code point order is what we fix: every leading vowel sits at the end.
    assert sorted(DICTIONARY) != DICTIONARY


@pytest.mark.django_db
def test_the_database_sorts_like_a_dictionary(center_a):
    for name in reversed(DICTIONARY):
        make_volunteer(center_a, first_name=name)
    names = list(
        Volunteer.objects.filter(center=center_a)
        .order_by(thai_order("first_name"))
        .values_list("first_name", flat=True)
    )
    assert names == DICTIONARY
    descending = Volunteer.objects.filter(center=center_a).order_by(thai_order("-first_name"))
    assert list(descending.values_list("first_name", flat=True)) == DICTIONARY[::-1]
    # The model's default order is the dictionary's too.
    assert (
        list(Volunteer.objects.filter(center=center_a).values_list("first_name", flat=True))
        == DICTIONARY
    )


@pytest.mark.django_db
def test_provinces_sort_like_a_dictionary():
    names = list(Province.objects.order_by(thai_order("name_th")).values_list("name_th", flat=True))
    # เชียงใหม่ among the ช, before ชัยนาท's neighbours further on, not after อุบลราชธานี.
    assert names.index("เชียงใหม่") < names.index("ตาก") < names.index("อุบลราชธานี")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = 'thai'")
            assert cursor.fetchone() == ("i",)  # ICU


@pytest.mark.django_db
def test_the_volunteer_page_lists_names_in_dictionary_order(center_a, chair_a, client_for):
    for name in ("ขวัญ", "เกษม", "กมล"):
        make_volunteer(center_a, first_name=name)
    page = client_for(chair_a).get(reverse("centers:volunteer_list")).content.decode()
    positions = [page.index(name) for name in ("กมล", "เกษม", "ขวัญ")]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_volunteer_api_lists_names_in_dictionary_order(center_a, chair_a, api_client_for):
    for name in ("ขวัญ", "เกษม", "กมล"):
        make_volunteer(center_a, first_name=name)
    response = api_client_for(chair_a).get(f"/api/v1/volunteers?center={center_a.pk}")
    names = [row["first_name"] for row in response.json()["items"]]
    wanted = [name for name in names if name in ("ขวัญ", "เกษม", "กมล")]
    assert wanted == ["กมล", "เกษม", "ขวัญ"]


@pytest.mark.django_db
def test_the_agency_directory_api_lists_names_in_dictionary_order(chair_a, api_client_for):
    from asa.referrals.actions import register_agency
    from asa.referrals.models import AgencyKind

    for name in ("ขวัญใจมูลนิธิ", "เกษมสุขสถานสงเคราะห์", "กมลาบ้านพัก"):
        register_agency(actor=None, name_th=name, kind=AgencyKind.SHELTER_DESTITUTE)
    response = api_client_for(chair_a).get("/api/v1/agencies?limit=100")
    names = [row["name_th"] for row in response.json()["items"]]
    ours = [name for name in names if name in ("ขวัญใจมูลนิธิ", "เกษมสุขสถานสงเคราะห์", "กมลาบ้านพัก")]
    assert ours == ["กมลาบ้านพัก", "เกษมสุขสถานสงเคราะห์", "ขวัญใจมูลนิธิ"]
