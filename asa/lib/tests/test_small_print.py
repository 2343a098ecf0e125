"""Small print that must not mislead: local dates, year-only birth dates, implausible input."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone

from asa.lib.thai import ThaiDateError, check_ce_date, format_birth_date, parse_be_date

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_datetime_at_half_past_midnight_in_bangkok_shows_the_bangkok_date():
    # 00:30 on 8 Dec 2026 in Bangkok is 17:30 on 7 Dec in UTC, as the database returns it.
    value = dt.datetime(2026, 12, 8, 0, 30, tzinfo=BANGKOK).astimezone(dt.UTC)
    with timezone.override("Asia/Bangkok"):
        assert _render("{{ v|bedate }}", v=value) == "8 ธ.ค. 2569"
        assert _render("{{ v|bedate_long }}", v=value) == "8 ธันวาคม 2569"
        assert _render("{{ v|benumeric }}", v=value) == "08/12/2569"
        assert _render("{{ v|localdate|date:'Y-m-d' }}", v=value) == "2026-12-08"


class _Someone:
    def __init__(self, birth_date, precision):
        self.birth_date, self.birth_date_precision = birth_date, precision


def test_a_birth_year_known_alone_is_shown_as_the_year():
    stored = dt.date(1955, 1, 1)  # what a year-only birth date is stored as
    assert _render("{{ p|birthdate }}", p=_Someone(stored, "year")) == "พ.ศ. 2498"
    assert _render("{{ p|birthdate:'long' }}", p=_Someone(stored, "year")) == "พ.ศ. 2498"
    assert _render("{{ p|birthdate }}", p=_Someone(stored, "exact")) == "1 ม.ค. 2498"
    assert format_birth_date(None, "year") == ""


def test_the_case_search_shows_a_year_only_birth_as_the_year(client_for, chair_a, center_a):
    from asa.registry.actions import register_person

    register_person(
        actor=chair_a,
        first_name="ปีเดียว",
        last_name="ทดสอบ",
        center=center_a,
        birth_date=dt.date(1955, 1, 1),
        birth_date_precision="year",
    )
    page = client_for(chair_a).get("/cases/new/", {"q": "ปีเดียว"}).content.decode()
    assert "ปีเดียว" in page
    assert "พ.ศ. 2498" in page and "1 ม.ค. 2498" not in page


def test_the_data_request_pdf_shows_a_year_only_birth_as_the_year(monkeypatch):
    from asa.privacy import answer

    lines = {}
    monkeypatch.setattr(
        answer._Document, "line", lambda self, label, value, indent=0: lines.update({label: value})
    )
    document = answer._Document.__new__(answer._Document)
    year_only = str(answer._year_only_label())
    document.record({"birth_date": dt.date(1955, 1, 1), "birth_date_precision": year_only})
    assert lines[answer.LABELS["birth_date"]] == "พ.ศ. 2498"
    document.record({"birth_date": dt.date(1955, 3, 4), "birth_date_precision": "ทราบวันเกิด"})
    assert lines[answer.LABELS["birth_date"]] == "4 มีนาคม 2498"


@pytest.mark.parametrize("typed", ["10/02/0887", "10/02/1430", "10/02/2442"])
def test_a_date_before_1900_is_refused_in_forms(typed):
    with pytest.raises(ThaiDateError, match="เก่าเกินไป"):
        parse_be_date(typed)


def test_a_date_before_1900_is_refused_in_the_api_schemas():
    with pytest.raises(ThaiDateError, match="เก่าเกินไป"):
        check_ce_date(dt.date(887, 2, 10))
    check_ce_date(dt.date(1900, 1, 1))


def test_a_consent_dated_in_the_ninth_century_is_refused_naming_the_field(
    api_client_for, chair_a, center_a
):
    from asa.registry.actions import register_person

    person = register_person(actor=chair_a, first_name="ยินยอม", center=center_a)
    response = api_client_for(chair_a).post(
        f"/api/v1/people/{person.pk}/consents",
        {
            "basis": "consent",
            "given_by": "self",
            "given_on": "0887-02-10",
            "method": "signed_paper",
        },
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "given_on" in body and "1900" in body
    assert not person.consents.exists()


def test_control_characters_are_refused_in_page_forms(client_for, chair_a):
    from asa.registry.forms import PersonForm

    form = PersonForm(data={"first_name": "สม\x07ชาย", "last_name": "ใจดี"})
    assert not form.is_valid()
    assert "อักขระควบคุม" in str(form.errors["first_name"])


def test_control_characters_are_refused_in_the_api_naming_the_field(
    api_client_for, chair_a, center_a
):
    response = api_client_for(chair_a).post(
        "/api/v1/people",
        {"first_name": "สม\u0007ชาย\u001b", "last_name": "ใจดี", "center": center_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "first_name" in body and "อักขระควบคุม" in body


def test_lines_and_tabs_are_not_control_characters_to_refuse():
    from asa.lib.validators import NoControlCharactersValidator

    NoControlCharactersValidator()("บรรทัดแรก\r\nบรรทัดสอง\tต่อ")
    with pytest.raises(ValidationError):
        NoControlCharactersValidator()("ข้อความ\u0085")
