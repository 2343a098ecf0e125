"""ThaiDateField and NationalIdField: what a person types, what the form keeps."""

import datetime as dt

from django import forms

from asa.lib.forms import NationalIdField, ThaiDateField
from asa.lib.national_id import make_national_id

GOOD_ID = make_national_id("110170012345")


class PersonForm(forms.Form):
    birth_date = ThaiDateField(label="วันเกิด")
    national_id = NationalIdField(label="เลขประจำตัวประชาชน")
    left_on = ThaiDateField(label="วันที่พ้นสภาพ", required=False)


def errors_for(**data):
    form = PersonForm(data={"birth_date": "01/06/2518", "national_id": GOOD_ID, **data})
    form.is_valid()
    return form


def test_it_reads_a_buddhist_era_date():
    form = errors_for(birth_date="11/03/2562")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == dt.date(2019, 3, 11)
    assert form.cleaned_data["left_on"] is None


def test_it_reads_thai_digits():
    form = errors_for(birth_date="๑๑/๐๓/๒๕๖๒")
    assert form.cleaned_data["birth_date"] == dt.date(2019, 3, 11)


def test_it_refuses_a_common_era_year_with_a_thai_message():
    form = errors_for(birth_date="01/06/1975")
    assert "ค.ศ." in form.errors["birth_date"][0]
    assert "2518" in form.errors["birth_date"][0]


def test_it_refuses_an_impossible_date_and_nonsense():
    assert "ไม่มีวันที่นี้" in errors_for(birth_date="31/02/2562").errors["birth_date"][0]
    assert "วว/ดด/ปปปป" in errors_for(birth_date="เมื่อวาน").errors["birth_date"][0]
    assert errors_for(birth_date="").errors["birth_date"] == ["กรุณากรอกวันที่"]


def test_it_shows_an_initial_date_in_the_buddhist_era():
    form = PersonForm(initial={"birth_date": dt.date(2019, 3, 11)})
    html = str(form["birth_date"])
    assert 'value="11/03/2562"' in html
    assert 'placeholder="วว/ดด/ปปปป"' in html


def test_it_keeps_the_typed_text_when_the_date_is_wrong():
    form = errors_for(birth_date="01/06/1975")
    assert 'value="01/06/1975"' in str(form["birth_date"])


def test_it_normalises_a_national_id():
    printed = f"{GOOD_ID[0]}-{GOOD_ID[1:5]}-{GOOD_ID[5:10]}-{GOOD_ID[10:12]}-{GOOD_ID[12]}"
    assert errors_for(national_id=printed).cleaned_data["national_id"] == GOOD_ID
    thai = GOOD_ID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert errors_for(national_id=thai).cleaned_data["national_id"] == GOOD_ID


def test_it_refuses_bad_national_ids_with_thai_messages():
    wrong_check = GOOD_ID[:12] + str((int(GOOD_ID[12]) + 1) % 10)
    assert "หลักตรวจสอบ" in errors_for(national_id=wrong_check).errors["national_id"][0]
    assert "13 หลัก" in errors_for(national_id="12345").errors["national_id"][0]
    mixed = "๑" + GOOD_ID[1:]
    assert "ปนกัน" in errors_for(national_id=mixed).errors["national_id"][0]
    assert errors_for(national_id="").errors["national_id"] == ["กรุณากรอกเลขประจำตัวประชาชน"]
