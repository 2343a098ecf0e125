"""Address pickers (province → district → subdistrict) and typed-address matching."""

import pytest

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
