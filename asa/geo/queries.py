"""Reads of the geography: option lists for the pickers and hand-typed address matching.

Areas are public reference data (DOPA codes from geothai), so no access rule applies to them;
pages still require sign-in.
"""

import re
from dataclasses import dataclass

import geothai
from geothai.types import Address

from asa.lib.thai import to_arabic_digits

# Bangkok written the ways people write it; rewritten to a marked province before parsing so
# the "ม." of "กทม." is not read as a moo (หมู่) marker.
_BANGKOK = re.compile(r"(?:จ\.\s*|จังหวัด\s*)?(?:กรุงเทพมหานคร|กรุงเทพฯ?|กทม\.?)")
_POSTAL_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_WORD_START = r"(?:(?<=\s)|^)"
# Each marker opens a part of the address. Long words before their short forms. Words that can
# begin a name ("เขต", "หมู่") count only at the start of a word.
_MARKERS = re.compile(
    r"(?P<subdistrict>ตำบล|แขวง|ต\.)"
    rf"|(?P<district>กิ่งอำเภอ|อำเภอ|อ\.|{_WORD_START}เขต)"
    r"|(?P<province>จังหวัด|จ\.)"
    rf"|(?P<other>{_WORD_START}(?:บ้านเลขที่|เลขที่|หมู่บ้าน|หมู่ที่|หมู่|ม\.|ถนน|ถ\.|ซอย|ซ\.))"
)
_PARTS = ("subdistrict", "district", "province")


@dataclass
class ParsedAddress:
    """The area parts read from a typed address; empty strings where nothing was found."""

    subdistrict: str = ""
    district: str = ""
    province: str = ""
    postal_code: str = ""


def parse_address(text: str) -> ParsedAddress:
    """Split a hand-typed Thai address into subdistrict, district, province and postal code.

    Reads ต./ตำบล/แขวง, อ./อำเภอ/เขต, จ./จังหวัด, กทม/กรุงเทพฯ and a 5-digit postal code. Words
    without a marker fill the parts still missing, in the order subdistrict, district, province
    (a word that is a province name goes to the province).
    """
    text = to_arabic_digits(text or "")
    text = _BANGKOK.sub(" จ.กรุงเทพมหานคร ", text)
    parsed = ParsedAddress()
    if postal := _POSTAL_CODE.search(text):
        parsed.postal_code = postal.group(1)
        text = text[: postal.start()] + " " + text[postal.end() :]
    unmarked: list[str] = []
    matches = list(_MARKERS.finditer(text))
    unmarked.extend(_words(text[: matches[0].start()] if matches else text))
    for index, marker in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        words = _words(text[marker.end() : end])
        kind = marker.lastgroup
        if kind == "other" or not words:
            continue  # house number, moo, soi, road: not needed to find the area
        if not getattr(parsed, kind):
            setattr(parsed, kind, words[0])
        unmarked.extend(words[1:])
    for word in unmarked:
        if not parsed.province and _is_province_name(word):
            parsed.province = word
            continue
        for part in _PARTS:
            if not getattr(parsed, part):
                setattr(parsed, part, word)
                break
    return parsed


def _words(text: str) -> list[str]:
    # Numbers and house numbers ("99/1") never name an area.
    return [word for word in text.split() if not any(char.isdigit() for char in word)]


def _is_province_name(word: str) -> bool:
    name = geothai.normalize(word)
    return any(geothai.is_province(province, name) for province in geothai.provinces())


def match_address(text: str, *, limit: int = 10) -> list[Address]:
    """The DOPA areas that fit a hand-typed Thai address, best guess first.

    `แขวงอนุสาวรีย์ เขตบางเขน กทม` and `ต.ตลาด อ.เมือง จ.สุราษฎร์ธานี 84000` each give one
    result. Without a subdistrict name, the subdistricts of the postal code or the district are
    listed (up to `limit`). An empty list means nothing fits.
    """
    parsed = parse_address(text)
    district = parsed.district or None
    province = parsed.province or None
    postal_code = parsed.postal_code or None
    if parsed.subdistrict:
        found = geothai.match(
            parsed.subdistrict, district=district, province=province, postal_code=postal_code
        )
        if found or not (district or province):
            return found[:limit]
        # A word guessed as the subdistrict may really be the district ("บางเขน กทม").
        if not parsed.district:
            return _areas_without_subdistrict(
                district=parsed.subdistrict, province=province, postal_code=postal_code
            )[:limit]
        return []
    return _areas_without_subdistrict(
        district=district, province=province, postal_code=postal_code
    )[:limit]


def _areas_without_subdistrict(
    *, district: str | None, province: str | None, postal_code: str | None
) -> list[Address]:
    """Subdistricts of a postal code or a district, narrowed by the other parts."""
    if postal_code:
        candidates = [geothai.address(s.code) for s in geothai.by_postal_code(postal_code)]
    elif district:
        candidates = [
            geothai.address(s.code)
            for d in _districts_named(district, province)
            for s in geothai.subdistricts(d.code)
        ]
    else:
        return []
    district_name = geothai.normalize(district) if district else ""
    province_name = geothai.normalize(province) if province else ""
    return [
        address
        for address in candidates
        if address is not None
        and (not district_name or geothai.is_district(address.district, district_name))
        and (not province_name or geothai.is_province(address.province, province_name))
    ]


def _districts_named(name: str, province: str | None) -> list:
    name = geothai.normalize(name)
    province_name = geothai.normalize(province) if province else ""
    return [
        district
        for candidate in geothai.provinces()
        if not province_name or geothai.is_province(candidate, province_name)
        for district in geothai.districts(candidate.code)
        if geothai.is_district(district, name)
    ]
