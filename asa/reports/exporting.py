"""A dashboard as XLSX or CSV, and the audited action that records each export.

The files hold exactly what the page shows for the same user, area and period: the caller
passes the `Dashboard` from `asa.reports.queries.dashboard` (which checked the scope). Text
cells go through the registry export's `neutralise`, so a name starting with "=" stays text.
CSV is UTF-8 with a byte-order mark, which Excel needs to read Thai; it is "long" (one figure a
row: section, code, item, value), the shape that pivots and re-imports well.
"""

import csv
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from asa.accounts.events import record_event
from asa.lib.thai import be_year, format_be_date_numeric
from asa.registry.exporting import neutralise
from asa.reports.models import AreaLevel

TOTALS = [
    # (attribute, Thai label, stock or flow)
    ("centers_active", "ศูนย์ประสานงานที่เปิดดำเนินการ", "stock"),
    ("volunteers_active", "อาสาสมัคร (อพม.) ที่ปฏิบัติงาน", "stock"),
    ("people_total", "ผู้ประสบปัญหาในฐานข้อมูล", "stock"),
    ("cases_open", "กรณีที่ยังดำเนินการ", "stock"),
    ("cases_overdue", "กรณีที่เลยกำหนดติดตาม", "stock"),
    ("equipment_on_loan", "ครุภัณฑ์ที่ให้ยืมอยู่", "stock"),
    ("centers_opened", "ศูนย์ที่เปิดใหม่", "flow"),
    ("people_registered", "ผู้ลงทะเบียนใหม่", "flow"),
    ("problems_reported", "ปัญหาที่รายงานใหม่", "flow"),
    ("cases_opened", "กรณีที่รับแจ้งใหม่", "flow"),
    ("cases_closed", "กรณีที่ปิดแล้ว", "flow"),
    ("visits", "การเยี่ยมบ้าน (ครั้ง)", "flow"),
    ("first_visits", "กรณีที่เยี่ยมครั้งแรกแล้ว", "flow"),
    ("first_visit_average_days", "วันเฉลี่ยจากรับแจ้งถึงเยี่ยมครั้งแรก", "flow"),
    ("referrals_sent", "การส่งต่อ", "flow"),
    ("goods_distributed", "สิ่งของที่แจกจ่าย (ชิ้น)", "flow"),
    ("volunteer_hours", "ชั่วโมงอาสาสมัคร", "flow"),
]

BREAKDOWNS = [
    # (attribute, Thai section name)
    ("centers_opened_by_fiscal_year", "ศูนย์ที่เปิดจำแนกตามปีงบประมาณ"),
    ("people_by_target_group", "ผู้ลงทะเบียนใหม่จำแนกตามกลุ่มเป้าหมาย"),
    ("people_by_problem", "ปัญหาที่รายงานใหม่จำแนกตามประเภท"),
    ("registry_by_target_group", "ผู้ประสบปัญหาในฐานข้อมูลจำแนกตามกลุ่มเป้าหมาย"),
    ("first_visit_buckets", "ระยะเวลาจากรับแจ้งถึงเยี่ยมครั้งแรก"),
    ("referrals_by_outcome", "การส่งต่อจำแนกตามผล"),
    ("referrals_by_agency", "การส่งต่อจำแนกตามหน่วยงาน"),
    ("goods_distributed", "สิ่งของที่แจกจ่ายจำแนกตามรายการ"),
    ("equipment_on_loan", "ครุภัณฑ์ที่ให้ยืมจำแนกตามรายการ"),
    ("district_caseload", "กรณีที่ยังดำเนินการจำแนกตามเขต/อำเภอ"),
]

CHILD_COLUMNS = [
    ("volunteers_active", "อพม."),
    ("people_total", "ผู้ประสบปัญหา"),
    ("cases_open", "กรณีเปิดอยู่"),
    ("cases_overdue", "เลยกำหนดติดตาม"),
    ("cases_opened", "รับแจ้งใหม่"),
    ("cases_closed", "ปิดแล้ว"),
    ("volunteer_hours", "ชั่วโมงอาสา"),
]

FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


@transaction.atomic
def export_dashboard(*, actor, dashboard, file_format: str, shared: bool = False) -> None:
    """Record that `actor` exported the dashboard of one area and period (already scoped);
    `shared`: the copy for outside the ministry (small numbers suppressed)."""
    record_event(
        actor=actor,
        action="export_dashboard",
        object_type="reports.dashboard",
        object_id=f"{dashboard.area.level}:{dashboard.area.code}",
        changes={
            "format": file_format,
            "shared_outside": shared,
            "area": dashboard.area.name,
            "start": dashboard.period.start.isoformat(),
            "end": dashboard.period.end.isoformat(),
        },
    )


def filename(dashboard, extension: str) -> str:
    """ASCII file name: the area and the period (BE), e.g. asa-district-1005-2568-10_2569-09."""
    period = dashboard.period
    start = f"{period.start.year + 543}-{period.start.month:02d}"
    end = f"{period.end.year + 543}-{period.end.month:02d}"
    return f"asa-{dashboard.area.level}-{dashboard.area.code}-{start}_{end}.{extension}"


def _cell(value):
    """Numbers stay numbers (a spreadsheet sums them); text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return neutralise(value)


def _heading_rows(dashboard) -> list[list]:
    period = dashboard.period
    return [
        ["พื้นที่", dashboard.area.name],
        ["ระดับ", str(AreaLevel(dashboard.area.level).label)],
        ["ช่วงเวลา", str(period.label)],
        ["ตั้งแต่", format_be_date_numeric(period.start)],
        ["ถึง", format_be_date_numeric(period.end_date)],
        ["ส่งออกเมื่อ", format_be_date_numeric(timezone.localdate())],
    ]


def long_rows(dashboard) -> list[list]:
    """Every figure of the dashboard, one a row: section, code, item, value."""
    rows: list[list] = []
    for attribute, label, _kind in TOTALS:
        rows.append(["สรุป", attribute, label, getattr(dashboard.totals, attribute)])
    for attribute, section in BREAKDOWNS:
        for bar in getattr(dashboard, attribute):
            rows.append([section, bar.key, bar.label, bar.value])
    for month in dashboard.cases_by_month:
        key = f"{be_year(month.month.year)}-{month.month.month:02d}"  # 2562-03, as the API reads
        rows.append(["กรณีที่รับแจ้งใหม่รายเดือน", key, month.label, month.opened])
        rows.append(["กรณีที่ปิดรายเดือน", key, month.label, month.closed])
    for child in dashboard.children:
        for attribute, label in CHILD_COLUMNS:
            rows.append(
                [f"พื้นที่ย่อย: {label}", child.area.code, child.area.name, getattr(child, attribute)]
            )
    return rows


# -- outcomes --------------------------------------------------------------------------------

SUPPRESSION_NOTE = (
    "ไฟล์สำหรับเผยแพร่ภายนอกกระทรวง: จำนวนที่น้อยกว่า 5 แสดงเป็น <5 และไม่แสดงร้อยละที่คำนวณจากจำนวนนั้น"
)


def _count(value, suppress: bool):
    from asa.reports.outcomes import suppressed

    return suppressed(value) if suppress else value


def _share(share, part, whole, suppress: bool):
    if share is None:
        return None
    if suppress and any(isinstance(v, int) and 0 < v < 5 for v in (part, whole)):
        return None
    return share


def outcome_rows(outcomes, *, suppress: bool = False) -> list[list]:
    """Every outcome figure, one a row: section, code, item, value (shares in percent);
    `suppress`: counts of 1–4 become "<5" and the shares made from them are left out."""
    count = lambda value: _count(value, suppress)  # noqa: E731
    rows: list[list] = []
    for figure in outcomes.headline:
        # A median is days, not people: it is never suppressed.
        value = figure.value if figure.key.startswith("median") else count(figure.value)
        rows.append(["ผลลัพธ์: ตัวชี้วัด", figure.key, f"{figure.label} ({figure.unit})", value])
        if figure.denominator is not None:
            rows.append(["ผลลัพธ์: ตัวหาร", figure.key, figure.label, count(figure.denominator)])
        share = _share(figure.share, figure.value, figure.denominator, suppress)
        if share is not None:
            rows.append(["ผลลัพธ์: ร้อยละ", figure.key, figure.label, share])
        rows.append(["ผลลัพธ์: นิยาม", figure.key, figure.label, figure.definition])
    for bar in outcomes.by_outcome:
        rows.append(["ผลลัพธ์: กรณีที่ปิดจำแนกตามผล", bar.key, bar.label, count(bar.value)])
    for section, table in (
        ("ผลลัพธ์: กลุ่มเป้าหมาย", outcomes.by_target_group),
        ("ผลลัพธ์: ประเภทปัญหา", outcomes.by_problem),
    ):
        for row in table:
            rows.append([f"{section} (ปิด)", row.key, row.label, count(row.total)])
            rows.append([f"{section} (แก้ไขได้)", row.key, row.label, count(row.resolved)])
    for row in outcomes.problems:
        rows.append(["ผลลัพธ์: ปัญหาที่รับแจ้ง", row.key, row.label, count(row.reported)])
        rows.append(["ผลลัพธ์: ปัญหาที่คลี่คลายภายในปี", row.key, row.label, count(row.resolved)])
    rows.append(["ผลลัพธ์: ครัวเรือนที่เปรียบเทียบได้", "", "ครัวเรือน",
                 count(outcomes.households_compared)])  # fmt: skip
    for row in outcomes.households:
        for state, label in (("improved", "ดีขึ้น"), ("same", "คงเดิม"), ("worse", "แย่ลง")):
            rows.append([f"ผลลัพธ์: ครัวเรือน{label}", row.key, row.label, count(getattr(row, state))])
    for row in outcomes.partners:
        code = f"{row.agency_id}|{row.service_id}"
        item = f"{row.agency} · {row.service}"
        for state, label in (("sent", "ส่ง"), ("accepted", "ตอบรับ"), ("completed", "เสร็จสิ้น"),
                             ("declined", "ปฏิเสธ"), ("late", "ล่าช้า")):  # fmt: skip
            rows.append([f"ผลลัพธ์: ภาคี {label}", code, item, count(getattr(row, state))])
        rows.append(["ผลลัพธ์: ภาคี มัธยฐานวันตอบรับ", code, item, row.median_answer_days])
        rows.append(["ผลลัพธ์: ภาคี มัธยฐานวันเสร็จ", code, item, row.median_complete_days])
    rows.append(["ผลลัพธ์: กรณีที่ปิดและได้รับความช่วยเหลือ", "", "กรณี", count(outcomes.helped_cases)])
    rows.append(["ผลลัพธ์: เงินช่วยเหลือรวม (บาท)", "", "บาท", outcomes.help_baht])
    for row in [*outcomes.help, *outcomes.loans]:
        rows.append(["ผลลัพธ์: ความช่วยเหลือ (กรณี)", row.key, row.label, count(row.cases)])
        rows.append(["ผลลัพธ์: ความช่วยเหลือ (แก้ไขได้)", row.key, row.label, count(row.resolved)])
    for child in outcomes.children:
        rows.append(["ผลลัพธ์: พื้นที่ย่อย กรณีที่ปิด", child.area.code, child.area.name,
                     count(child.closed)])  # fmt: skip
        rows.append(["ผลลัพธ์: พื้นที่ย่อย แก้ไขได้", child.area.code, child.area.name,
                     count(child.resolved)])  # fmt: skip
    return rows


def dashboard_csv(dashboard, *, outcomes=None, suppress: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _heading_rows(dashboard):
        writer.writerow(["ข้อมูลรายงาน", "", *row])
    if suppress:
        writer.writerow(["ข้อมูลรายงาน", "", "หมายเหตุ", SUPPRESSION_NOTE])
    writer.writerow(["หมวด", "รหัส", "รายการ", "ค่า"])
    for row in long_rows(dashboard):
        writer.writerow([_cell(value) for value in row])
    if outcomes is not None:
        for row in outcome_rows(outcomes, suppress=suppress):
            writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _trend(sheet, count: int):
    """A native Excel line chart of the month sheet (it redraws when someone edits a figure)."""
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = "กรณีที่รับแจ้งและปิดในแต่ละเดือน"
    chart.y_axis.title = "กรณี"
    chart.height, chart.width = 8, 18
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
    return chart


def dashboard_xlsx(dashboard, *, outcomes=None, suppress: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "สรุป"
    for row in _heading_rows(dashboard):
        summary.append([_cell(value) for value in row])
    summary.append([])
    summary.append(["ตัวชี้วัด", "จำนวน", "ประเภท"])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for attribute, label, kind in TOTALS:
        kind_label = "ณ ปัจจุบัน" if kind == "stock" else "ในช่วงเวลา"
        summary.append([label, _cell(getattr(dashboard.totals, attribute)), kind_label])
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 16

    months = workbook.create_sheet("รายเดือน")
    months.append(["เดือน", "รับแจ้งใหม่", "ปิดแล้ว"])
    for cell in months[1]:
        cell.font = bold
    for month in dashboard.cases_by_month:
        months.append([month.label, month.opened, month.closed])
    if dashboard.cases_by_month:
        months.add_chart(_trend(months, len(dashboard.cases_by_month)), "E2")

    breakdowns = workbook.create_sheet("จำแนก")
    for attribute, section in BREAKDOWNS:
        bars = getattr(dashboard, attribute)
        breakdowns.append([section])
        breakdowns[breakdowns.max_row][0].font = bold
        breakdowns.append(["รหัส", "รายการ", "จำนวน"])
        for bar in bars:
            breakdowns.append([_cell(bar.key), _cell(bar.label), _cell(bar.value)])
        breakdowns.append([])
    breakdowns.column_dimensions["B"].width = 40

    if dashboard.children:
        children = workbook.create_sheet("พื้นที่ย่อย")
        children.append(["รหัส", "พื้นที่", *(label for _attribute, label in CHILD_COLUMNS)])
        for cell in children[1]:
            cell.font = bold
        for child in dashboard.children:
            children.append(
                [
                    _cell(child.area.code),
                    _cell(child.area.name),
                    *(_cell(getattr(child, attribute)) for attribute, _label in CHILD_COLUMNS),
                ]
            )
        children.column_dimensions["B"].width = 40
    if outcomes is not None:
        _outcome_sheet(workbook.create_sheet("ผลลัพธ์"), outcomes, suppress=suppress, bold=bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _outcome_sheet(sheet, outcomes, *, suppress: bool, bold) -> None:
    """The outcomes: headline figures with their denominators and definitions, then every
    breakdown (the long rows), in one sheet a reader can filter."""
    count = lambda value: _count(value, suppress)  # noqa: E731
    if suppress:
        sheet.append([SUPPRESSION_NOTE])
    sheet.append(["ตัวชี้วัด", "ค่า", "ตัวหาร", "ร้อยละ", "หน่วย", "นิยาม"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for figure in outcomes.headline:
        median = figure.key.startswith("median")
        sheet.append(
            [
                _cell(figure.label),
                _cell(figure.value if median else count(figure.value)),
                _cell(count(figure.denominator)),
                _cell(_share(figure.share, figure.value, figure.denominator, suppress)),
                _cell(figure.unit),
                _cell(figure.definition),
            ]
        )
    sheet.append([])
    sheet.append(["หมวด", "รหัส", "รายการ", "ค่า"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in outcome_rows(outcomes, suppress=suppress):
        if row[0] in ("ผลลัพธ์: ตัวชี้วัด", "ผลลัพธ์: ตัวหาร", "ผลลัพธ์: ร้อยละ", "ผลลัพธ์: นิยาม"):
            continue
        sheet.append([_cell(value) for value in row])
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["F"].width = 80
