"""The import format: its columns, their Thai names and aliases, the limits of a file."""

import re

from django.conf import settings

from asa.lib.env import envint
from asa.registry.models import (
    Person,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


# The stable import format (docs/import-format.md). Order is the template's column order.
COLUMNS = [
    "source_ref",
    "national_id",
    "id_type",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_code",
    "postal_code",
    "latitude",
    "longitude",
    "household_ref",
    "relationship_to_head",
    "target_groups",
    "problems",
]
THAI_HEADERS = {
    "source_ref": "รหัสอ้างอิง",
    "national_id": "เลขประจำตัวประชาชน",
    "id_type": "ประเภทเอกสาร",
    "title": "คำนำหน้า",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "birth_date": "วันเกิด",
    "sex": "เพศ",
    "phone": "โทรศัพท์",
    "house_number": "บ้านเลขที่",
    "moo": "หมู่",
    "village": "หมู่บ้าน",
    "soi": "ซอย",
    "road": "ถนน",
    "subdistrict_code": "รหัสตำบล",
    "postal_code": "รหัสไปรษณีย์",
    "latitude": "ละติจูด",
    "longitude": "ลองจิจูด",
    "household_ref": "รหัสครัวเรือน",
    "relationship_to_head": "ความสัมพันธ์กับหัวหน้าครัวเรือน",
    "target_groups": "กลุ่มเป้าหมาย",
    "problems": "ปัญหา",
}
_MORE_ALIASES = {
    "source_ref": ["รหัสอ้างอิงต้นทาง", "ลำดับ", "id", "ref"],
    "national_id": [
        "เลขบัตรประชาชน",
        "เลขประจำตัวประชาชน13หลัก",
        "เลขบัตร",
        "เลขเอกสาร",
        "id_number",
        "cid",
    ],
    "title": ["คำนำหน้าชื่อ", "prefix"],
    "first_name": ["ชื่อจริง", "ชื่อตัว", "firstname", "name"],
    "last_name": ["สกุล", "lastname", "surname"],
    "birth_date": ["วันเดือนปีเกิด", "วันที่เกิด", "ว/ด/ปเกิด", "birthdate", "dob"],
    "phone": ["เบอร์โทรศัพท์", "เบอร์โทร", "โทร", "หมายเลขโทรศัพท์", "telephone", "mobile"],
    "moo": ["หมู่ที่"],
    "village": ["หมู่บ้าน/ชุมชน", "ชุมชน"],
    "subdistrict_code": ["รหัสแขวง/ตำบล", "รหัสแขวง", "subdistrict", "tambon_code"],
    "household_ref": ["รหัสครอบครัว", "household"],
    "relationship_to_head": ["ความสัมพันธ์", "relationship"],
    "target_groups": ["กลุ่มเป้าหมาย/ประเภท"],
    "problems": ["สภาพปัญหา", "ปัญหาที่พบ"],
}
# Errors name the column of the file, not the model field.
COLUMN_OF_FIELD = {"id_number": "national_id", "subdistrict": "subdistrict_code"}
MAX_LENGTHS = {
    name: Person._meta.get_field(name).max_length
    for name in (
        "title",
        "first_name",
        "last_name",
        "house_number",
        "moo",
        "village",
        "soi",
        "road",
        "phone",
        "source_ref",
    )
}
MAX_LENGTHS["national_id"] = Person._meta.get_field("id_number").max_length
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

NOT_A_SPREADSHEET = "ไฟล์นี้ไม่ใช่ตารางข้อมูล CSV หรือ XLSX ที่อ่านได้ กรุณาตรวจสอบไฟล์"
NO_ROWS = "ไฟล์นี้มีแต่หัวตาราง ไม่มีแถวข้อมูลให้นำเข้า"


def _header_key(text) -> str:
    text = str(text or "").replace("\ufeff", "")
    text = re.sub(r"\(.*?\)|\*", "", text)
    return "".join(text.split()).lower()


HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    HEADER_ALIASES[_header_key(_column)] = _column
    HEADER_ALIASES[_header_key(THAI_HEADERS[_column])] = _column
    for _alias in _MORE_ALIASES.get(_column, []):
        HEADER_ALIASES[_header_key(_alias)] = _column


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", None) or envint(
        "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES
    )
