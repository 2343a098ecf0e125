"""Address pickers (province → district → subdistrict) and typed-address matching."""

import pytest
from django.urls import reverse

from asa.geo.queries import match_address, parse_address


def codes(text, **kwargs):
    return [address.subdistrict.code for address in match_address(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("แขวงอนุสาวรีย์ เขตบางเขน กทม", ["100502"]),
        ("ต.ตลาด อ.เมือง จ.สุราษฎร์ธานี", ["840101"]),
        ("ต.ตลาดอ.เมืองจ.สุราษฎร์ธานี ๘๔๐๐๐", ["840101"]),
        ("ตำบลตลาด อำเภอเมืองสุราษฎร์ธานี จังหวัดสุราษฎร์ธานี", ["840101"]),
        ("99/1 หมู่ 3 ถ.พหลโยธิน แขวงอนุสาวรีย์ เขตบางเขน กรุงเทพฯ 10220", ["100502"]),
        ("อนุสาวรีย์ บางเขน กรุงเทพมหานคร", ["100502"]),
        ("วังทอง จ.พิษณุโลก", ["650801"]),
    ],
)
def test_it_matches_typed_addresses(text, expected):
    assert codes(text) == expected


def test_it_reads_the_parts():
    parsed = parse_address("ม.4 ต.ตลาด อ.เมือง จ.สุราษฎร์ธานี 84000")
    assert (parsed.subdistrict, parsed.district, parsed.province, parsed.postal_code) == (
        "ตลาด",
        "เมือง",
        "สุราษฎร์ธานี",
        "84000",
    )
    assert parse_address("แขวงอนุสาวรีย์ กทม.").province == "กรุงเทพมหานคร"


def test_it_lists_subdistricts_of_a_postal_code_or_district():
    assert "100502" in codes("10220")
    assert set(codes("เขตบางเขน")) == {"100502", "100508"}
    assert set(codes("บางเขน กทม")) == {"100502", "100508"}


def test_it_respects_the_limit_and_finds_nothing_for_nonsense():
    assert len(codes("วังทอง", limit=3)) == 3
    assert codes("ไม่มีที่นี่ เขตไม่มี") == []
    assert codes("") == []
    assert codes("ต.ตลาด อ.เมือง จ.สุราษฎร์ธานี 10220") == []  # postal code does not fit


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lists_districts_of_a_province_as_options(client_for, volunteer_a):
    response = client_for(volunteer_a).get(
        reverse("geo:district_options"),
        {"province": "10"},
        headers={"HX-Request": "true", "HX-Trigger": "id_province"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<option") >= 51  # 50 khet, a blank, and the emptied lists below
    assert '<option value="1005">เขตบางเขน</option>' in html
    # The subdistrict and postal code lists are emptied out of band.
    assert '<select id="id_subdistrict" hx-swap-oob="innerHTML">' in html
    assert '<select id="id_postal_code" hx-swap-oob="innerHTML">' in html


@pytest.mark.django_db
def test_it_follows_a_form_prefix(client_for, volunteer_a):
    response = client_for(volunteer_a).get(
        reverse("geo:subdistrict_options"),
        {"home-district": "1005"},
        headers={"HX-Request": "true", "HX-Trigger": "id_home-district"},
    )
    html = response.content.decode()
    assert '<option value="100502">อนุสาวรีย์</option>' in html
    assert '<select id="id_home-postal_code" hx-swap-oob="innerHTML">' in html


@pytest.mark.django_db
def test_it_gives_the_postal_codes_of_a_subdistrict(client_for, volunteer_a):
    html = (
        client_for(volunteer_a)
        .get(reverse("geo:postal_code_options"), {"subdistrict": "100502"})
        .content.decode()
    )
    assert '<option value="10220" selected>10220</option>' in html


@pytest.mark.django_db
def test_it_answers_nothing_for_unknown_codes(client_for, volunteer_a):
    html = (
        client_for(volunteer_a)
        .get(reverse("geo:district_options"), {"province": "99' OR 1=1"})
        .content.decode()
    )
    assert html.count("<option") == 3  # only the blank ones


@pytest.mark.django_db
def test_it_matches_an_address_on_the_page(client_for, volunteer_a):
    client = client_for(volunteer_a)
    url = reverse("geo:address_match")
    assert client.get(url).status_code == 200
    html = client.get(url, {"q": "แขวงอนุสาวรีย์ เขตบางเขน กทม"}).content.decode()
    assert "100502" in html and "10220" in html and "<html" in html
    partial = client.get(url, {"q": "ต.ตลาด อ.เมือง จ.สุราษฎร์ธานี"}, headers={"HX-Request": "true"})
    assert "840101" in partial.content.decode() and "<html" not in partial.content.decode()
    nothing = client.get(url, {"q": "ไม่มีที่นี่ เขตไม่มี"}).content.decode()
    assert "ไม่พบพื้นที่" in nothing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["district_options", "subdistrict_options", "postal_code_options", "address_match"]
)
def test_it_requires_login(client, name):
    response = client.get(reverse(f"geo:{name}"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
