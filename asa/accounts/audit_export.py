"""Export of audit events (a person's access history) as CSV or XLSX: an audited action.

Columns say who, when, what, from where and why. Exporting is itself recorded (action
`export_audit_events`, on the person's record when the export is a person's history).
"""

import csv
import io

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from asa.accounts.events import action_label, record_event
from asa.accounts.models import AuditEvent
from asa.lib.thai import format_be_date_numeric
from asa.registry.exporting import neutralise

EXPORT_LIMIT = 50_000
CHUNK = 2000
HEADERS = [
    "เวลา (พ.ศ.)",
    "ผู้ใช้",
    "การดำเนินการ",
    "รหัสการดำเนินการ",
    "ประเภทข้อมูล",
    "รหัสข้อมูล",
    "ข้อมูล",
    "ช่องทาง",
    "หมายเลข IP",
    "เหตุผล",
    "ลำดับในสายแฮช",
]


@transaction.atomic
def export_audit_events(
    *, actor, events: QuerySet[AuditEvent], file_format: str, filters: dict, person_id=None
) -> int:
    """Record that `actor` exports `events` (already scoped by the caller). Returns the count."""
    count = min(events.count(), EXPORT_LIMIT)
    record_event(
        actor=actor,
        action="export_audit_events",
        object_type="registry.person" if person_id else "accounts.auditevent",
        object_id=str(person_id or ""),
        changes={"count": count, "format": file_format, "filters": filters},
    )
    return count


def _rows(events: QuerySet[AuditEvent]):
    fields = (
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip_address",
        "reason",
        "sequence",
    )
    for event in events.only(*fields)[:EXPORT_LIMIT].iterator(chunk_size=CHUNK):
        local = timezone.localtime(event.at)
        yield [
            neutralise(value)
            for value in (
                f"{format_be_date_numeric(local.date())} {local:%H:%M:%S}",
                event.actor_label,
                str(action_label(event.action)),
                event.action,
                event.object_type,
                event.object_id,
                event.object_repr,
                _channel(event.changes),
                event.ip_address or "",
                event.reason,
                event.sequence or "",
            )
        ]


CHANNELS = {"page": "หน้าเว็บ", "api": "API"}


def _channel(changes) -> str:
    via = changes.get("via", "") if isinstance(changes, dict) else ""
    part = changes.get("part", "") if isinstance(changes, dict) else ""
    label = CHANNELS.get(via, via)
    return f"{label} ({part})" if part else label


class _Echo:
    def write(self, value):
        return value


def csv_lines(events: QuerySet[AuditEvent]):
    """CSV (UTF-8 with BOM, so Excel reads Thai), one line at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADERS)
    for row in _rows(events):
        yield writer.writerow(row)


def xlsx_bytes(events: QuerySet[AuditEvent]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("access history")
    sheet.append(HEADERS)
    for row in _rows(events):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
