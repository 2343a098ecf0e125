"""Buddhist Era dates, the Thai fiscal year and Thai digits."""

import datetime as dt

import pytest

from asa.lib.thai import (
    ThaiDateError,
    be_year,
    check_ce_date,
    display_digits,
    fiscal_year_be,
    format_be_date,
    format_be_date_numeric,
    parse_be_date,
    thai_digits_preferred,
    to_arabic_digits,
    to_thai_digits,
)


def test_it_formats_dates_in_the_buddhist_era():
    assert be_year(2019) == 2562
    assert format_be_date(dt.date(2019, 3, 11)) == "11 มี.ค. 2562"
    assert format_be_date(dt.date(2019, 3, 11), long=True) == "11 มีนาคม 2562"
    assert format_be_date(dt.datetime(2019, 12, 31, 23, 0)) == "31 ธ.ค. 2562"
    assert format_be_date(None) == ""
    assert format_be_date_numeric(dt.date(2019, 3, 1)) == "01/03/2562"


def test_it_formats_in_thai_digits_when_preferred():
    token = thai_digits_preferred.set(True)
    try:
        assert format_be_date(dt.date(2019, 3, 12)) == "๑๒ มี.ค. ๒๕๖๒"
        assert display_digits("50") == "๕๐"
    finally:
        thai_digits_preferred.reset(token)
    assert display_digits("50") == "50"


def test_it_converts_digits_both_ways():
    assert to_thai_digits("2562") == "๒๕๖๒"
    assert to_arabic_digits("๒๕๖๒") == "2562"
    assert to_arabic_digits("เลข ๑2๓") == "เลข 123"


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (dt.date(2019, 10, 1), 2563),
        (dt.date(2019, 9, 30), 2562),
        (dt.date(2020, 1, 1), 2563),
        (dt.date(2020, 9, 30), 2563),
        (dt.date(2019, 12, 31), 2563),
    ],
)
def test_it_names_the_fiscal_year_by_the_be_year_it_ends_in(day, fiscal_year):
    assert fiscal_year_be(day) == fiscal_year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/03/2562", dt.date(2019, 3, 11)),
        ("1/3/2562", dt.date(2019, 3, 1)),
        ("11.03.2562", dt.date(2019, 3, 11)),
        ("11-03-2562", dt.date(2019, 3, 11)),
        (" 11 / 03 / 2562 ", dt.date(2019, 3, 11)),
        ("๑๑/๐๓/๒๕๖๒", dt.date(2019, 3, 11)),
        ("2562-03-11", dt.date(2019, 3, 11)),
        ("29/02/2563", dt.date(2020, 2, 29)),  # 2020 is a leap year
    ],
)
def test_it_parses_be_dates(text, expected):
    assert parse_be_date(text) == expected


def test_it_refuses_a_ce_year_with_a_thai_message():
    with pytest.raises(ThaiDateError) as error:
        parse_be_date("11/03/2019")
    assert "ค.ศ." in str(error.value)
    assert "2562" in str(error.value)  # it suggests the BE year


def test_it_refuses_february_29_of_a_non_leap_year():
    with pytest.raises(ThaiDateError) as error:
        parse_be_date("29/02/2562")  # 2019
    assert "ไม่มีวันที่นี้ในปฏิทิน" in str(error.value)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_it_asks_for_a_date_when_empty(text):
    with pytest.raises(ThaiDateError) as error:
        parse_be_date(text)
    assert str(error.value) == "กรุณากรอกวันที่"


@pytest.mark.parametrize("text", ["tomorrow", "11/03", "32/13/2562x", "11/03/62"])
def test_it_refuses_unreadable_dates_in_thai(text):
    with pytest.raises(ThaiDateError) as error:
        parse_be_date(text)
    assert "วว/ดด/ปปปป" in str(error.value)


@pytest.mark.parametrize("text", ["32/01/2562", "00/01/2562", "10/13/2562"])
def test_it_refuses_impossible_days_and_months(text):
    with pytest.raises(ThaiDateError):
        parse_be_date(text)


def test_it_refuses_a_be_year_in_a_ce_field():
    check_ce_date(dt.date(2019, 3, 11))
    with pytest.raises(ThaiDateError) as error:
        check_ce_date(dt.date(2562, 3, 11))
    assert "พ.ศ." in str(error.value)
    assert "2019" in str(error.value)
