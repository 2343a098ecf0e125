"""The 13-digit Thai national ID: checksum, length, digits."""

import pytest

from asa.lib.national_id import (
    NationalIdError,
    checksum_digit,
    format_national_id,
    make_national_id,
    normalize_national_id,
)
from asa.lib.thai import to_thai_digits

VALID = make_national_id("110170020315")


def _error(text) -> str:
    with pytest.raises(NationalIdError) as error:
        normalize_national_id(text)
    return str(error.value)


def test_it_accepts_a_valid_number():
    assert len(VALID) == 13
    assert normalize_national_id(VALID) == VALID


def test_it_computes_the_check_digit():
    # 1-1017-00203-15-? : sum of digit x weight (13..2) = 135, (11 - 135 % 11) % 10 = 8
    assert checksum_digit("110170020315") == 8
    assert VALID == "1101700203158"


def test_it_accepts_dashes_and_spaces():
    formatted = format_national_id(VALID)
    assert formatted == "1-1017-00203-15-8"
    assert normalize_national_id(formatted) == VALID
    assert normalize_national_id(f" {VALID[:4]} {VALID[4:]} ") == VALID


def test_it_refuses_a_bad_checksum():
    wrong = VALID[:12] + str((int(VALID[12]) + 1) % 10)
    assert "หลักตรวจสอบ" in _error(wrong)


def test_it_refuses_twelve_digits():
    message = _error(VALID[:12])
    assert "13 หลัก" in message
    assert "12 หลัก" in message


def test_it_refuses_fourteen_digits():
    assert "14 หลัก" in _error(VALID + "1")


def test_it_accepts_a_number_written_all_in_thai_digits():
    assert normalize_national_id(to_thai_digits(VALID)) == VALID


def test_it_refuses_thai_and_arabic_digits_mixed():
    mixed = to_thai_digits(VALID[:6]) + VALID[6:]
    assert "ปนกัน" in _error(mixed)


def test_it_refuses_a_leading_zero():
    assert "หลักแรกต้องไม่เป็น 0" in _error(make_national_id("010170020315"))


@pytest.mark.parametrize("text", ["", "   ", None])
def test_it_asks_for_the_number_when_empty(text):
    assert _error(text) == "กรุณากรอกเลขประจำตัวประชาชน"


@pytest.mark.parametrize("text", ["11017002031a9", "1101700203.59", "１１０１７００２０３１５９"])
def test_it_refuses_other_characters(text):
    assert "ตัวเลขเท่านั้น" in _error(text)
