"""The geography API: provinces, districts, subdistricts and typed-address matching."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asa.conftest import make_user


@pytest.fixture
def api(api_client_for, db):
    return api_client_for(make_user("reader"))


def test_it_lists_all_77_provinces(api):
    body = api.get("/api/v1/provinces?limit=100").json()
    assert body["count"] == 77
    assert {"code": "10", "name_th": "กรุงเทพมหานคร", "name_en": "Bangkok"} in body["items"]


def test_it_paginates(api):
    body = api.get("/api/v1/provinces?limit=5&offset=5").json()
    assert body["count"] == 77
    assert len(body["items"]) == 5
    assert (
        body["items"][0]["code"] == api.get("/api/v1/provinces?limit=6").json()["items"][5]["code"]
    )


def test_it_shows_one_province(api):
    assert api.get("/api/v1/provinces/50").json()["name_en"] == "Chiang Mai"


def test_it_answers_404_in_thai_for_an_unknown_code(api):
    for url in (
        "/api/v1/provinces/99",
        "/api/v1/districts/9999",
        "/api/v1/subdistricts/999999",
    ):
        response = api.get(url)
        assert response.status_code == 404
        assert "ไม่พบ" in response.json()["detail"]
        assert "99" in response.json()["detail"]


def test_it_lists_the_50_bangkok_districts(api):
    body = api.get("/api/v1/districts?province=10&limit=100").json()
    assert body["count"] == 50
    bang_khen = next(item for item in body["items"] if item["code"] == "1005")
    assert bang_khen["name_th"] == "เขตบางเขน"
    assert bang_khen["province"] == {"code": "10", "name_th": "กรุงเทพมหานคร", "name_en": "Bangkok"}


def test_it_lists_all_districts_without_a_filter(api):
    assert api.get("/api/v1/districts").json()["count"] == 928


def test_it_shows_one_district(api):
    body = api.get("/api/v1/districts/1005").json()
    assert body["name_en"] == "Bang Khen"
    assert body["province"]["code"] == "10"


def test_it_lists_subdistricts_of_a_district(api):
    body = api.get("/api/v1/subdistricts?district=1005").json()
    assert {item["code"] for item in body["items"]} == {"100502", "100508"}
    assert body["count"] == 2


def test_it_counts_all_subdistricts_and_bangkok_khwaeng(api):
    assert api.get("/api/v1/subdistricts?limit=1").json()["count"] == 7436


def test_it_finds_subdistricts_by_postal_code(api):
    body = api.get("/api/v1/subdistricts?postal_code=10220").json()
    assert "100502" in {item["code"] for item in body["items"]}
    assert all("10220" in item["postal_codes"] for item in body["items"])
    # Thai digits are read too.
    thai = api.get("/api/v1/subdistricts?postal_code=๑๐๒๒๐").json()
    assert thai["count"] == body["count"]


def test_it_refuses_a_malformed_postal_code_naming_the_field(api):
    response = api.get("/api/v1/subdistricts?postal_code=1022")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "postal_code"


def test_it_shows_one_subdistrict_with_its_district_province_and_postal_codes(api):
    body = api.get("/api/v1/subdistricts/100502").json()
    assert body == {
        "code": "100502",
        "name_th": "อนุสาวรีย์",
        "name_en": "Anusawari",
        "postal_codes": ["10220"],
        "district": {"code": "1005", "name_th": "เขตบางเขน", "name_en": "Bang Khen"},
        "province": {"code": "10", "name_th": "กรุงเทพมหานคร", "name_en": "Bangkok"},
    }


def test_it_matches_a_typed_address(api):
    response = api.get("/api/v1/addresses/match", {"q": "แขวงอนุสาวรีย์ เขตบางเขน กทม"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    match = body["items"][0]
    assert match["subdistrict"]["code"] == "100502"
    assert match["district"]["code"] == "1005"
    assert match["province"]["code"] == "10"
    assert match["postal_codes"] == ["10220"]


def test_it_lists_candidates_for_an_unclear_address_within_the_limit(api):
    body = api.get("/api/v1/addresses/match", {"q": "วังทอง", "limit": 3}).json()
    assert body["count"] == 3
    assert len(body["items"]) == 3


def test_it_answers_an_empty_list_when_nothing_fits(api):
    body = api.get("/api/v1/addresses/match", {"q": "ไม่มีที่นี่ เขตไม่มี"}).json()
    assert body == {"items": [], "count": 0}


def test_it_requires_the_typed_address(api):
    response = api.get("/api/v1/addresses/match")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"
    assert response.json()["errors"][0]["message"] == "จำเป็นต้องกรอกช่องนี้"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/provinces",
        "/api/v1/provinces/10",
        "/api/v1/districts?province=10",
        "/api/v1/districts/1005",
        "/api/v1/subdistricts?district=1005",
        "/api/v1/subdistricts/100502",
        "/api/v1/addresses/match?q=บางเขน",
    ],
)
def test_it_requires_authentication(client, db, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["detail"] == "กรุณายืนยันตัวตน"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/provinces", "/api/v1/districts", "/api/v1/subdistricts"],
)
def test_it_reads_lists_in_constant_queries(api, url):
    # One query for the token, one count, one page: the same for 5 rows or 100.
    api.get(url)  # the first use of a token also records when it was used
    with CaptureQueriesContext(connection) as small:
        api.get(f"{url}?limit=5")
    with CaptureQueriesContext(connection) as large:
        api.get(f"{url}?limit=100")
    assert len(small) == len(large) <= 3
