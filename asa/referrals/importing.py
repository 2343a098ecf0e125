"""The One Home directory as a spreadsheet: import (create or update by Thai name) and export.

Columns (English or Thai headers): name_th, name_en, kind, province_code, phone, email,
address, services (codes separated by ';'), areas (DOPA codes separated by ';'), contact_name,
contact_phone, contact_email. CSV in UTF-8 (with or without BOM) or TIS-620/cp874, or XLSX.

Each row is written through the directory actions in its own savepoint: a bad row is reported
with a Thai reason and the good rows are kept. An empty cell leaves the agency's value as it
is, so importing the same file twice changes nothing the second time. An export has the same
columns and can be imported back.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.lib.thai import to_arabic_digits
from asa.lib.thai_order import thai_order
from asa.referrals.actions import add_agency_contact, register_agency, update_agency
from asa.referrals.models import Agency, AgencyKind, Service
from asa.registry.exporting import neutralise
from asa.registry.importing import (
    FORMULA_PREFIXES,
    FileRefused,
    cell_text,
    decode_text,
    sniff_kind,
)

COLUMNS = [
    "name_th",
    "name_en",
    "kind",
    "province_code",
    "phone",
    "email",
    "address",
    "services",
    "areas",
    "contact_name",
    "contact_phone",
    "contact_email",
]
THAI_HEADERS = {
    "name_th": "ชื่อหน่วยงาน",
    "name_en": "ชื่อภาษาอังกฤษ",
    "kind": "ประเภท",
    "province_code": "รหัสจังหวัด",
    "phone": "โทรศัพท์",
    "email": "อีเมล",
    "address": "ที่อยู่",
    "services": "บริการ",
    "areas": "พื้นที่",
    "contact_name": "ผู้ประสานงาน",
    "contact_phone": "โทรศัพท์ผู้ประสานงาน",
    "contact_email": "อีเมลผู้ประสานงาน",
}
MORE_ALIASES = {
    "name_th": ["ชื่อ", "ชื่อหน่วยงานภาษาไทย", "name"],
    "name_en": ["ชื่อหน่วยงานภาษาอังกฤษ"],
    "kind": ["ประเภทหน่วยงาน", "type"],
    "province_code": ["จังหวัด", "province"],
    "services": ["รหัสบริการ", "บริการที่ให้"],
    "areas": ["รหัสพื้นที่", "พื้นที่ให้บริการ", "area_codes"],
    "contact_name": ["ชื่อผู้ประสานงาน", "contact"],
    "contact_phone": ["เบอร์ผู้ประสานงาน"],
    "contact_email": [],
    "phone": ["เบอร์โทรศัพท์", "โทร"],
    "email": ["e-mail"],
    "address": [],
}
MAX_ROWS = 5000
LIST_SEPARATORS = re.compile(r"[;,\n]+")


def _header_key(text) -> str:
    text = str(text or "").replace("\ufeff", "")
    text = re.sub(r"\(.*?\)|\*", "", text)
    return "".join(text.split()).lower()


HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _name in [_column, THAI_HEADERS[_column], *MORE_ALIASES.get(_column, [])]:
        HEADER_ALIASES[_header_key(_name)] = _column


# --- Reading -----------------------------------------------------------------------------------


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file as {column: text}; FileRefused (Thai) when unreadable."""
    if sniff_kind(data[:8]) == "xlsx":
        table = _xlsx_table(data)
    else:
        text = decode_text(data)
        if not text.strip():
            raise FileRefused("ไฟล์ว่างเปล่า ไม่มีข้อมูล")
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        try:
            table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error:
            raise FileRefused("ไฟล์นี้ไม่ใช่ตาราง CSV ที่อ่านได้") from None
    if not table:
        raise FileRefused("ไฟล์ว่างเปล่า ไม่มีข้อมูล")
    columns = [HEADER_ALIASES.get(_header_key(cell)) for cell in table[0]]
    if "name_th" not in columns:
        raise FileRefused("ไม่พบคอลัมน์ name_th (ชื่อหน่วยงาน) ในแถวหัวตาราง")
    rows = []
    for cells in table[1:]:
        values = {}
        for column, cell in zip(columns, cells, strict=False):
            if column and column not in values:
                values[column] = _unneutralise(cell_text(cell))
        rows.append(values)
    if len(rows) > MAX_ROWS:
        raise FileRefused(f"ไฟล์มีมากกว่า {MAX_ROWS:,} แถว กรุณาแบ่งไฟล์")
    return rows


def _xlsx_table(data: bytes) -> list[list]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise FileRefused("ไฟล์นี้ไม่ใช่ตาราง XLSX ที่อ่านได้") from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    return [list(row) for _, row in zip(range(MAX_ROWS + 2), rows, strict=False)]


def _unneutralise(text: str) -> str:
    # An export writes "'=..." so a spreadsheet shows text; reading it back drops the apostrophe.
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


# --- Importing ---------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    row: int
    name_th: str
    outcome: str  # created, updated, unchanged or error
    message: str = ""


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    def as_dict(self) -> dict:
        return {
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "errors": self.count("error"),
            "rows": [row.__dict__ for row in self.rows],
        }

    def lines(self) -> list[str]:
        lines = [
            f"เพิ่มใหม่ {self.count('created')} แก้ไข {self.count('updated')} "
            f"ไม่เปลี่ยน {self.count('unchanged')} ผิดพลาด {self.count('error')} แถว"
        ]
        lines += [
            f"แถว {row.row} ({row.name_th or '-'}): {row.message}"
            for row in self.rows
            if row.outcome == "error"
        ]
        return lines


def may_manage_directory(user, province_code: str | None) -> bool:
    """Ministry admins manage the whole directory; officers the agencies of their province."""
    if user is None:  # the command line
        return True
    scope = scope_of(user)
    if scope.national:
        return True
    if province_code is None:
        return False
    provinces = set(scope.province_codes) | {code[:2] for code in scope.district_codes}
    return province_code in provinces


def may_add_agencies(user) -> bool:
    scope = scope_of(user)
    return scope.national or scope.is_officer


class _Lookups:
    def __init__(self):
        from asa.geo.models import Province

        self.provinces = {}
        for code, name_th, name_en in Province.objects.values_list("code", "name_th", "name_en"):
            for key in (code, name_th, name_en.lower()):
                self.provinces[key] = code
        self.services = {}
        for service in Service.objects.filter(is_active=True):
            self.services[service.code.lower()] = service
            self.services[service.name_th] = service
        self.kinds = {}
        for kind in AgencyKind:
            self.kinds[kind.value] = kind
            self.kinds[str(kind.label)] = kind


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def _check(values: dict, lookups: _Lookups) -> dict:
    """The row's values for the actions; ValidationError naming the columns when bad."""
    errors = {}
    name_th = " ".join(values.get("name_th", "").split())
    if not name_th:
        errors["name_th"] = "ไม่มีชื่อหน่วยงาน"
    checked = {"name_th": name_th}
    for column in ("name_en", "phone", "email", "address"):
        if values.get(column):
            checked[column] = values[column]
    if checked.get("email"):
        from django.core.validators import validate_email

        try:
            validate_email(checked["email"])
        except ValidationError:
            errors["email"] = f"อีเมลไม่ถูกต้อง: {checked['email']}"
    kind_text = values.get("kind", "")
    if kind_text:
        kind = lookups.kinds.get(kind_text.strip()) or lookups.kinds.get(kind_text.strip().lower())
        if kind is None:
            errors["kind"] = f"ไม่รู้จักประเภทหน่วยงาน “{kind_text}”"
        checked["kind"] = kind
    province_text = to_arabic_digits(values.get("province_code", "").strip())
    if province_text:
        code = lookups.provinces.get(province_text) or lookups.provinces.get(province_text.lower())
        if code is None:
            errors["province_code"] = f"ไม่พบจังหวัด “{province_text}”"
        checked["province"] = code
    if values.get("services"):
        parts = _split(values["services"])
        unknown = [
            p for p in parts if (lookups.services.get(p.lower()) or lookups.services.get(p)) is None
        ]
        if unknown:
            errors["services"] = f"ไม่รู้จักรหัสบริการ: {', '.join(unknown)}"
        checked["services"] = [
            lookups.services.get(p.lower()) or lookups.services.get(p) for p in parts
        ]
    if values.get("areas"):
        checked["area_codes"] = [to_arabic_digits(code) for code in _split(values["areas"])]
    if values.get("contact_name"):
        checked["contact"] = {
            "name": values["contact_name"].strip(),
            "phone": values.get("contact_phone", "").strip(),
            "email": values.get("contact_email", "").strip(),
        }
    elif values.get("contact_phone") or values.get("contact_email"):
        errors["contact_name"] = "มีโทรศัพท์/อีเมลผู้ประสานงาน แต่ไม่มีชื่อผู้ประสานงาน"
    if errors:
        raise ValidationError(errors)
    return checked


def _state(agency: Agency) -> tuple:
    """Everything an import row can change, to tell 'updated' from 'unchanged'."""
    return (
        tuple(
            getattr(agency, name)
            for name in ("name_en", "kind", "province_id", "phone", "email", "address")
        ),
        tuple(sorted(agency.services.values_list("code", flat=True))),
        tuple(sorted(agency.areas.values_list("area_code", flat=True))),
        tuple(agency.contacts.order_by("pk").values_list("name", "phone", "email")),
    )


def _save_row(actor, checked: dict) -> str:
    from asa.geo.models import Province

    agency = Agency.objects.filter(name_th=checked["name_th"]).first()
    province_code = checked.get("province")
    if agency is None:
        if not checked.get("kind"):
            raise ValidationError({"kind": "หน่วยงานใหม่ต้องระบุประเภท"})
        if not may_manage_directory(actor, province_code):
            raise ValidationError({"province_code": "คุณไม่มีสิทธิ์เพิ่มหน่วยงานในจังหวัดนี้"})
        agency = register_agency(
            actor=actor,
            name_th=checked["name_th"],
            kind=checked["kind"],
            name_en=checked.get("name_en", ""),
            province=Province.objects.get(code=province_code) if province_code else None,
            phone=checked.get("phone", ""),
            email=checked.get("email", ""),
        )
        outcome, before = "created", None
    else:
        allowed = may_manage_directory(actor, agency.province_id) and (
            province_code is None or may_manage_directory(actor, province_code)
        )
        if not allowed:
            raise ValidationError({"name_th": "คุณไม่มีสิทธิ์แก้ไขหน่วยงานนี้"})
        outcome, before = "updated", _state(agency)
    fields = {
        name: checked[name]
        for name in ("name_en", "kind", "phone", "email", "address")
        if checked.get(name)
    }
    if province_code:
        fields["province_id"] = province_code
    update_agency(
        actor=actor,
        agency=agency,
        services=checked.get("services"),
        area_codes=checked.get("area_codes"),
        **_as_update_fields(fields),
    )
    contact = checked.get("contact")
    if contact:
        _save_contact(actor, agency, contact)
    if before is not None and _state(agency) == before:
        return "unchanged"
    return outcome


def _as_update_fields(fields: dict) -> dict:
    # update_agency takes `province` (an object); the row has its code.
    if "province_id" in fields:
        from asa.geo.models import Province

        fields = dict(fields)
        fields["province"] = Province.objects.get(code=fields.pop("province_id"))
    return fields


def _save_contact(actor, agency: Agency, contact: dict) -> None:
    from asa.referrals.actions import update_agency_contact

    existing = agency.contacts.filter(name=contact["name"]).first()
    if existing is None:
        add_agency_contact(
            actor=actor,
            agency=agency,
            name=contact["name"],
            phone=contact["phone"],
            email=contact["email"],
            # A contact without a phone or email cannot receive links.
            receives_referrals=bool(contact["phone"] or contact["email"]),
        )
        return
    changes = {key: contact[key] for key in ("phone", "email") if contact[key]}
    if changes:
        update_agency_contact(actor=actor, contact=existing, **changes)


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{column}: {' '.join(messages)}" for column, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def import_directory(*, actor, data: bytes, file_name: str = "") -> ImportReport:
    """Create or update agencies from a CSV/XLSX file; a Thai reason for each bad row.

    Good rows are kept when others fail. Running the same file again changes nothing.
    Raises FileRefused (a ValidationError on `file`) when the file cannot be read at all.
    """
    rows = read_rows(data)
    lookups = _Lookups()
    report = ImportReport()
    for number, values in enumerate(rows, start=2):
        if not any(values.values()):
            continue
        name = " ".join(values.get("name_th", "").split())
        try:
            with transaction.atomic():
                outcome = _save_row(actor, _check(values, lookups))
        except ValidationError as error:
            report.rows.append(RowOutcome(number, name, "error", _messages(error)))
        else:
            report.rows.append(RowOutcome(number, name, outcome))
    record_event(
        actor=actor,
        action="import_agencies",
        object_type="referrals.agency",
        object_id="",
        changes={
            "file": file_name,
            "created": report.count("created"),
            "updated": report.count("updated"),
            "errors": report.count("error"),
        },
    )
    return report


def import_directory_file(*, actor, path: str | Path) -> ImportReport:
    path = Path(path)
    return import_directory(actor=actor, data=path.read_bytes(), file_name=path.name)


# --- Exporting ---------------------------------------------------------------------------------


def export_queryset(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    return agencies.order_by(thai_order("name_th")).prefetch_related(
        "services", "areas", "contacts"
    )


def agency_row(agency: Agency) -> list[str]:
    contacts = list(agency.contacts.all())
    contact = contacts[0] if contacts else None
    values = [
        agency.name_th,
        agency.name_en,
        agency.kind,
        agency.province_id or "",
        agency.phone,
        agency.email,
        agency.address,
        ";".join(sorted(service.code for service in agency.services.all())),
        ";".join(area.area_code for area in agency.areas.all()),
        contact.name if contact else "",
        contact.phone if contact else "",
        contact.email if contact else "",
    ]
    return [neutralise(value) for value in values]


def export_directory(*, actor, agencies: QuerySet[Agency], file_format: str) -> bytes:
    """The agencies (already scoped by the caller) as CSV (UTF-8 with BOM) or XLSX bytes."""
    rows = [agency_row(agency) for agency in export_queryset(agencies)]
    record_event(
        actor=actor,
        action="export_agencies",
        object_type="referrals.agency",
        object_id="",
        changes={"count": len(rows), "format": file_format},
    )
    if file_format == "xlsx":
        return _xlsx(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    # The BOM lets Excel read the Thai text.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("agencies")
    sheet.append(COLUMNS)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, even when it starts with '='
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
