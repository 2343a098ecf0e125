# ruff: noqa: F811 (the fixtures imported from test_outcomes are parameters here)
"""The outcomes section on the pages, over the API and in the files; the household ledger across
centers. The small world with known answers is test_outcomes.world."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from asa.cases import actions as case_actions
from asa.registry.actions import create_household
from asa.reports.tests.test_outcomes import _person, center_c, world  # noqa: F401 (fixtures)

FY = "?fiscal_year=2568"


def test_the_outcomes_page_at_every_level(
    world, client_for, admin_user, center_a, django_assert_max_num_queries
):
    client = client_for(admin_user)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("reports:nation_outcomes") + FY)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-figure="emergency_24h">33.3%' in body
    assert "1 จาก 3 กรณี" in body  # the denominator beside the share
    assert "นิยามและตัวหาร" in body and "หารด้วยกรณีฉุกเฉินที่รับแจ้ง" in body
    # Drill down: nation → Bangkok → Bang Khen → center A, the period kept.
    assert reverse("reports:province_outcomes", kwargs={"code": "10"}) + FY in body
    for url in (
        reverse("reports:province_outcomes", kwargs={"code": "10"}),
        reverse("reports:district_outcomes", kwargs={"code": "1005"}),
        reverse("reports:center_outcomes", kwargs={"pk": center_a.pk}),
    ):
        answer = client.get(url + FY)
        assert answer.status_code == 200, url
        assert "ผลการทำงานของภาคีเครือข่าย One Home" in answer.content.decode()
    center = client.get(reverse("reports:center_outcomes", kwargs={"pk": center_a.pk}) + FY)
    assert 'data-figure="median_closure">15' in center.content.decode()
    # A span of months works as the fiscal year does; a bad one is a 400 naming the field.
    months = client.get(reverse("reports:nation_outcomes") + "?start=2567-11&end=2568-01")
    assert months.status_code == 200
    bad = client.get(reverse("reports:nation_outcomes") + "?fiscal_year=2025")
    assert bad.status_code == 400 and "พุทธศักราช" in bad.content.decode()
    # The dashboard links to its outcomes.
    dashboard = client.get(reverse("reports:nation") + FY).content.decode()
    assert reverse("reports:nation_outcomes") + FY in dashboard


def test_the_page_query_count_does_not_grow(
    world, client_for, officer, django_assert_max_num_queries
):
    client = client_for(officer)
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("reports:province_outcomes", kwargs={"code": "10"})).status_code
            == 200
        )


def test_outside_the_scope_is_refused(
    world, client_for, outside_officer, chair_b, agency_user, volunteer_a, center_a, center_b
):
    province = reverse("reports:province_outcomes", kwargs={"code": "10"})
    center = reverse("reports:center_outcomes", kwargs={"pk": center_a.pk})
    assert client_for(outside_officer).get(province).status_code == 403
    assert client_for(chair_b).get(center).status_code == 403
    assert client_for(volunteer_a).get(center).status_code == 403
    assert client_for(agency_user).get(reverse("reports:nation_outcomes")).status_code == 403
    # A chair sees their center's outcomes but not the partner scorecard.
    own = client_for(chair_b).get(reverse("reports:center_outcomes", kwargs={"pk": center_b.pk}))
    assert own.status_code == 200
    assert "ผลการทำงานของภาคีเครือข่าย One Home" not in own.content.decode()


def test_a_partner_sees_its_own_scorecard_only(world, client_for, agency_user, chair_a, admin_user):
    own = reverse("reports:partner_scorecard", kwargs={"agency_id": world["agency"].pk})
    other = reverse("reports:partner_scorecard", kwargs={"agency_id": world["agency"].pk + 1})
    page = client_for(agency_user).get(own + FY)
    assert page.status_code == 200 and "ที่พักพิงชั่วคราว" in page.content.decode()
    assert client_for(agency_user).get(other + FY).status_code == 403
    assert client_for(chair_a).get(own + FY).status_code == 403
    assert client_for(admin_user).get(own + FY).status_code == 200
    assert client_for(admin_user).get(other + FY).status_code == 404


def test_the_api(
    world, api_client_for, admin_user, officer, outside_officer, agency_user, center_a
):
    admin = api_client_for(admin_user)
    answer = admin.get(f"/api/v1/dashboards/provinces/10/outcomes{FY}")
    assert answer.status_code == 200
    data = answer.json()
    figures = {figure["key"]: figure for figure in data["headline"]}
    assert (figures["emergency_24h"]["value"], figures["emergency_24h"]["denominator"]) == (1, 3)
    assert figures["emergency_24h"]["share"] == 33.3 and figures["emergency_24h"]["definition"]
    assert figures["median_closure"]["value"] == 20
    assert data["partners"][0]["sent"] == 3 and data["partners"][0]["late"] == 2
    assert [child["area"]["code"] for child in data["children"]] == ["1005", "1048"]
    for url in (
        f"/api/v1/dashboards/nation/outcomes{FY}",
        f"/api/v1/dashboards/districts/1005/outcomes{FY}",
        f"/api/v1/dashboards/centers/{center_a.pk}/outcomes?start=2567-10&end=2568-09",
    ):
        assert admin.get(url).status_code == 200, url
    bad = admin.get("/api/v1/dashboards/nation/outcomes?fiscal_year=2025")
    assert bad.status_code == 422 and "fiscal_year" in json.dumps(bad.json())
    assert (
        api_client_for(outside_officer).get("/api/v1/dashboards/provinces/10/outcomes").status_code
        == 403
    )
    assert api_client_for(agency_user).get("/api/v1/dashboards/nation/outcomes").status_code == 403
    partner = api_client_for(agency_user)
    own = partner.get(f"/api/v1/dashboards/partners/{world['agency'].pk}{FY}")
    assert own.status_code == 200
    (row,) = own.json()["rows"]
    assert (row["sent"], row["declined"], row["median_answer_days"]) == (3, 1, 5.5)
    other = partner.get(f"/api/v1/dashboards/partners/{world['agency'].pk + 1}{FY}")
    assert other.status_code == 403
    assert (
        api_client_for(officer)
        .get(f"/api/v1/dashboards/partners/{world['agency'].pk}{FY}")
        .status_code
        == 403
    )  # an officer reads partners in their area's outcomes, not one's own


def test_the_files_carry_the_outcomes_and_the_shared_copy_suppresses(world, client_for, admin_user):
    client = client_for(admin_user)
    url = reverse("reports:export", kwargs={"level": "nation", "code": "TH", "file_format": "xlsx"})
    workbook = load_workbook(io.BytesIO(client.get(url + FY).content))
    sheet = workbook["ผลลัพธ์"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    emergency = next(row for row in rows if row[0] == "กรณีฉุกเฉินที่เยี่ยมภายใน 24 ชั่วโมง")
    assert emergency[1:4] == [1, 3, 33.3] and "หารด้วย" in emergency[5]
    shared = load_workbook(io.BytesIO(client.get(url + FY + "&shared=outside").content))
    rows = [[cell.value for cell in row] for row in shared["ผลลัพธ์"].iter_rows()]
    emergency = next(row for row in rows if row[0] == "กรณีฉุกเฉินที่เยี่ยมภายใน 24 ชั่วโมง")
    assert emergency[1:4] == ["<5", "<5", None]  # fewer than five: not shown, nor their share
    assert "<5" in rows[0][0]  # the note says so
    csv_url = url.replace(".xlsx", ".csv")
    text = client.get(csv_url + FY).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["ผลลัพธ์: ร้อยละ", "emergency_24h", "กรณีฉุกเฉินที่เยี่ยมภายใน 24 ชั่วโมง", "33.3"] in lines
    assert ["ผลลัพธ์: ครัวเรือนดีขึ้น", "income", "ด้านรายได้", "1"] in lines
    shared_lines = list(
        csv.reader(
            io.StringIO(client.get(csv_url + FY + "&shared=outside").content.decode("utf-8-sig"))
        )
    )
    assert ["ผลลัพธ์: ครัวเรือนดีขึ้น", "income", "ด้านรายได้", "<5"] in shared_lines
    pdf = client.get(url.replace(".xlsx", ".pdf") + FY)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- the household ledger across centers ------------------------------------------------------


@pytest.fixture
def ledger(center_a, center_b, chair_a):
    """A household of center A; its head helped by A, then (the case moved) by B."""
    person = _person(1, "100502")
    household = create_household(actor=None, head=person)
    case = case_actions.open_case(
        actor=None, person=person, source="field", story="ตกงาน รายได้ไม่พอ",
        reported_at=timezone.now() - dt.timedelta(days=10),
    )  # fmt: skip
    case_actions.record_assistance(
        actor=None, case=case, kind="cash", amount=Decimal(500), description="ค่าอาหาร",
        given_on=timezone.localdate() - dt.timedelta(days=9),
    )  # fmt: skip
    case_actions.transfer_case(actor=None, case=case, to_center=center_b, reason="ย้ายไปอยู่กับลูก")
    case_actions.record_assistance(
        actor=None, case=case, kind="goods", description="ถุงยังชีพ 1 ชุด",
        given_on=timezone.localdate(),
    )  # fmt: skip
    return household


def test_the_assistance_api_filters_by_household_across_centers(
    ledger, api_client_for, chair_a, chair_b, admin_user
):
    url = f"/api/v1/assistance?household={ledger.pk}"
    # The household's center sees the help every center gave it (A's and B's).
    rows = api_client_for(chair_a).get(url).json()
    assert rows["count"] == 2 and {row["description"] for row in rows["items"]} == {
        "ค่าอาหาร", "ถุงยังชีพ 1 ชุด",
    }  # fmt: skip
    # Without the filter, chair A lists only the help on cases it may see: none (the case is
    # B's now); chair B lists both rows of that case.
    assert api_client_for(chair_a).get("/api/v1/assistance").json()["count"] == 0
    assert api_client_for(chair_b).get("/api/v1/assistance").json()["count"] == 2
    assert api_client_for(admin_user).get(url).json()["count"] == 2
    # Chair B may not read A's household: its ledger is refused, naming the field.
    refused = api_client_for(chair_b).get(url)
    assert refused.status_code == 422 and "household" in json.dumps(refused.json())
    for value in ("0", "-3", "99999999999", "abc"):
        answer = api_client_for(chair_a).get(f"/api/v1/assistance?household={value}")
        assert answer.status_code == 422, value


def test_the_household_page_shows_every_centers_help(ledger, client_for, chair_a, center_b):
    page = client_for(chair_a).get(reverse("registry:household_detail", args=[ledger.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "ถุงยังชีพ 1 ชุด" in body and "ค่าอาหาร" in body
    assert center_b.name_th in body  # which center gave it
    assert "ความช่วยเหลือรวมจากทุกศูนย์" in body
