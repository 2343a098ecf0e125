"""Bulk import of centers and of volunteers from CSV or XLSX, with the people import's row report.

Files are read with the people import's own readers (content sniffing, UTF-8/TIS-620 text,
cell and Thai date parsing, its header normalisation), and every row goes through the same
action a page uses (`open_center`, `register_volunteer`), each in its own savepoint: good rows
are kept, each bad row is reported with the column it failed on (rule 6), and every row written
leaves the action's own audit event. The files are small (a province's centers, a center's
volunteers), so the import runs while the page waits; at most MAX_ROWS rows a file.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction

from asa.accounts.events import record_event
from asa.centers.actions import open_center, register_volunteer
from asa.centers.models import Center, Sex, VolunteerRole
from asa.geo.models import Subdistrict
from asa.registry.importing import (
    NOT_A_SPREADSHEET,
    CellError,
    FileRefused,
    _header_key,
    cell_text,
    decode_text,
    max_bytes,
    parse_date,
    sniff_kind,
)
from asa.registry.models import RowOutcome

MAX_ROWS = 5000

CENTER_COLUMNS = {  # column: Thai header (either is accepted)
    "code": "รหัสศูนย์",
    "name_th": "ชื่อศูนย์",
    "name_en": "ชื่อภาษาอังกฤษ",
    "subdistrict_code": "รหัสตำบล",
    "opened_on": "วันที่เปิด",
    "venue": "สถานที่ตั้ง",
    "address": "ที่อยู่",
    "phone": "โทรศัพท์",
    "email": "อีเมล",
}
VOLUNTEER_COLUMNS = {
    "center_code": "รหัสศูนย์",
    "title": "คำนำหน้า",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "national_id": "เลขประจำตัวประชาชน",
    "birth_date": "วันเกิด",
    "sex": "เพศ",
    "phone": "โทรศัพท์",
    "subdistrict_code": "รหัสตำบล",
    "joined_on": "วันที่เข้าร่วม",
    "role": "บทบาท",
}
REQUIRED = {
    "centers": ("code", "name_th", "subdistrict_code", "opened_on"),
    "volunteers": (
        "center_code",
        "first_name",
        "last_name",
        "national_id",
        "birth_date",
        "sex",
        "subdistrict_code",
        "joined_on",
    ),
}
# An action's field, as the column of the file that holds it.
FILE_COLUMN = {"subdistrict": "subdistrict_code", "center": "center_code"}


@dataclass(frozen=True)
class RowReport:
    """One row's outcome, as the people import reports it (row, outcome, column, message, id)."""

    row_number: int
    outcome: str  # a RowOutcome
    field: str = ""
    message: str = ""
    object_id: int | None = None

    @property
    def outcome_label(self) -> str:
        return RowOutcome(self.outcome).label


def _aliases(columns: dict[str, str]) -> dict[str, str]:
    aliases = {}
    for column, thai in columns.items():
        aliases[_header_key(column)] = column
        aliases[_header_key(thai)] = column
    return aliases


def read_rows(data: bytes, columns: dict[str, str]) -> list[tuple[int, dict[str, object]]]:
    """(row number, {column: cell}) for each non-empty row of a CSV or XLSX file."""
    import csv

    if len(data) > max_bytes():
        raise FileRefused("ไฟล์ใหญ่เกินกำหนด")
    if sniff_kind(data[:8]) == "xlsx":
        import zipfile

        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            raise FileRefused(NOT_A_SPREADSHEET) from None
        table = iter(workbook.worksheets[0].iter_rows(values_only=True))
    else:
        text = decode_text(data)
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        table = iter(csv.reader(io.StringIO(text), delimiter=delimiter))
    try:
        header = next(table)
    except (StopIteration, csv.Error):
        raise FileRefused("ไฟล์ว่างเปล่า ไม่มีข้อมูล") from None
    aliases = _aliases(columns)
    names = [aliases.get(_header_key(cell)) for cell in header]
    if not any(names):
        raise FileRefused(NOT_A_SPREADSHEET + " (แถวแรกต้องเป็นหัวคอลัมน์)")
    rows = []
    try:
        for number, cells in enumerate(table, start=2):
            values = {
                name: cell for name, cell in zip(names, cells, strict=False) if name is not None
            }
            if not any(cell_text(value) for value in values.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileRefused(f"ไฟล์มีข้อมูลเกิน {MAX_ROWS:,} แถว กรุณาแบ่งไฟล์")
            rows.append((number, values))
    except csv.Error:
        raise FileRefused(NOT_A_SPREADSHEET) from None
    return rows


def _date(values: dict, column: str):
    try:
        value, _precision = parse_date(values.get(column))
    except CellError as error:
        raise ValidationError({column: str(error)}) from None
    return value


def _required(values: dict, kind: str) -> None:
    missing = [column for column in REQUIRED[kind] if not cell_text(values.get(column))]
    if missing:
        raise ValidationError({missing[0]: f"กรุณากรอก {missing[0]}"})


def _subdistrict(values: dict) -> Subdistrict:
    code = cell_text(values.get("subdistrict_code"))
    found = Subdistrict.objects.select_related("district").filter(code=code).first()
    if found is None:
        raise ValidationError({"subdistrict_code": f"ไม่พบรหัสตำบล {code}"})
    return found


def _choice(values: dict, column: str, choices, default: str) -> str:
    text = cell_text(values.get(column))
    if not text:
        return default
    for value, label in choices:
        if text.lower() in (str(value).lower(), str(label).lower()):
            return value
    raise ValidationError({column: f"ค่าไม่ถูกต้อง: {text}"})


def _center_row(actor, values: dict) -> Center:
    _required(values, "centers")
    code = cell_text(values["code"])
    if Center.objects.filter(code=code).exists():
        raise _Unchanged(Center.objects.get(code=code).pk, "มีศูนย์รหัสนี้แล้ว")
    return open_center(
        actor=actor,
        code=code,
        name_th=cell_text(values["name_th"]),
        name_en=cell_text(values.get("name_en")),
        subdistrict=_subdistrict(values),
        opened_on=_date(values, "opened_on"),
        venue=cell_text(values.get("venue")),
        address=cell_text(values.get("address")),
        phone=cell_text(values.get("phone")),
        email=cell_text(values.get("email")),
    )


def _volunteer_row(actor, values: dict, centers: dict[str, Center | None]):
    _required(values, "volunteers")
    code = cell_text(values["center_code"])
    if code not in centers:
        centers[code] = Center.objects.filter(code=code).first()
    center = centers[code]
    if center is None:
        raise ValidationError({"center_code": f"ไม่พบศูนย์รหัส {code}"})
    return register_volunteer(
        actor=actor,
        center=center,
        title=cell_text(values.get("title")),
        first_name=cell_text(values["first_name"]),
        last_name=cell_text(values["last_name"]),
        national_id=cell_text(values["national_id"]),
        birth_date=_date(values, "birth_date"),
        sex=_choice(values, "sex", Sex.choices, ""),
        subdistrict=_subdistrict(values),
        joined_on=_date(values, "joined_on"),
        role=_choice(values, "role", VolunteerRole.choices, VolunteerRole.MEMBER),
        phone=cell_text(values.get("phone")),
        postal_code="",
    )


class _Unchanged(Exception):
    def __init__(self, object_id: int, message: str):
        self.object_id, self.message = object_id, message


def _import(actor, kind: str, data: bytes, write_row) -> list[RowReport]:
    reports = []
    for number, values in read_rows(
        data, CENTER_COLUMNS if kind == "centers" else VOLUNTEER_COLUMNS
    ):
        try:
            with transaction.atomic():  # a savepoint: a bad row leaves nothing behind
                made = write_row(actor, values)
        except _Unchanged as same:
            reports.append(
                RowReport(number, RowOutcome.UNCHANGED, "", same.message, same.object_id)
            )
        except ValidationError as error:
            column, messages = next(iter(error.message_dict.items()))
            column = FILE_COLUMN.get(column, column)
            reports.append(RowReport(number, RowOutcome.ERROR, column, " ".join(messages)))
        except (DataError, IntegrityError):
            # A value the database refuses (longer than its column, a duplicate made by a row
            # of the same file): that row only.
            reports.append(RowReport(number, RowOutcome.ERROR, "", "ข้อมูลยาวเกินกำหนดหรือซ้ำกับแถวอื่น"))
        except PermissionDenied:
            reports.append(
                RowReport(number, RowOutcome.ERROR, "subdistrict_code", "อยู่นอกพื้นที่ที่คุณดูแล")
            )
        else:
            reports.append(RowReport(number, RowOutcome.IMPORTED, object_id=made.pk))
    counts = {outcome: 0 for outcome in RowOutcome.values}
    for report in reports:
        counts[report.outcome] += 1
    record_event(
        actor=actor,
        action=f"import_{kind}",
        object_type="centers.center" if kind == "centers" else "centers.volunteer",
        object_id="",
        changes={key: value for key, value in counts.items() if value},
    )
    return reports


def import_centers(*, actor, data: bytes) -> list[RowReport]:
    """Open the centers of a file; rows whose code exists are reported unchanged."""
    return _import(actor, "centers", data, _center_row)


def import_volunteers(*, actor, data: bytes) -> list[RowReport]:
    """Register the volunteers of a file in the centers named by `center_code` (each must be
    one the actor manages)."""
    centers: dict[str, Center | None] = {}
    return _import(
        actor, "volunteers", data, lambda actor, values: _volunteer_row(actor, values, centers)
    )


def report_xlsx(reports: list[RowReport]) -> bytes:
    """The row report as a workbook, in the people import's columns."""
    from openpyxl import Workbook

    from asa.registry.exporting import neutralise

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("report")
    sheet.append(["แถวที่", "ผล", "คอลัมน์", "รายละเอียด", "รหัส"])
    for report in reports:
        sheet.append(
            [
                report.row_number,
                neutralise(report.outcome_label),
                neutralise(report.field),
                neutralise(report.message),
                report.object_id,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
