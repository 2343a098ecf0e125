"""The area report as a PDF in the shape of an official Thai report (แบบรายงานผลการดำเนินงาน).

A heading with the ministry, department and the center (or area), the reporting period in the
Buddhist Era, numbered sections each with a table of figures, and a signature block for the
chair of the center (ประธาน อพม.) or the reporting officer, dated. Sarabun is embedded and
HarfBuzz shapes the Thai, through the same font set-up as the aid receipts; digits are Arabic or
Thai as asked.
"""

import datetime as dt

from django.utils import timezone

from asa.aid.receipts import FONT_FILES, _font_path
from asa.lib.thai import THAI_MONTHS, be_year, to_thai_digits
from asa.reports.charts import plain_number as number

MINISTRY = "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"
DEPARTMENT = "กรมพัฒนาสังคมและสวัสดิการ"
FONT = "Sarabun"


def long_date(value: dt.date) -> str:
    """11 มีนาคม 2562, in Arabic digits (the report converts them all at once when asked)."""
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {be_year(value.year)}"


def period_heading(period) -> str:
    """ประจำปีงบประมาณ พ.ศ. 2569 (1 ตุลาคม 2568 – 30 กันยายน 2569), or ประจำเดือน ..."""
    first_day, last_day = period.start, period.end_date
    span = f"{long_date(first_day)} – {long_date(last_day)}"
    if period.fiscal_year_be:
        return f"ประจำปีงบประมาณ พ.ศ. {period.fiscal_year_be} ({span})"
    if period.start == period.end:
        return f"ประจำเดือน{THAI_MONTHS[period.start.month - 1]} พ.ศ. {be_year(period.start.year)}"
    return f"ระหว่างวันที่ {span}"


def signature_date(today: dt.date) -> str:
    return f"วันที่ {today.day} เดือน{THAI_MONTHS[today.month - 1]} พ.ศ. {be_year(today.year)}"


class _Report:
    def __init__(self, *, thai_digits: bool):
        from fpdf import FPDF

        text = self.text

        class _Pages(FPDF):
            def footer(self) -> None:
                # Page numbers in the report's digits, at the foot of every page.
                self.set_y(-12)
                self.set_font(FONT, "", 10)
                self.cell(0, 6, text(f"หน้า {self.page_no()}"), align="C")

        self.thai_digits = thai_digits
        self.pdf = _Pages(format="A4", unit="mm")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        for style, relative in FONT_FILES.items():
            self.pdf.add_font(FONT, style=style, fname=_font_path(relative))
        self.pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
        self.pdf.set_margins(20, 16, 20)
        self.pdf.set_title("แบบรายงานผลการดำเนินงาน")
        self.pdf.add_page()
        self.section_number = 0

    def text(self, value) -> str:
        value = str(value)
        return to_thai_digits(value) if self.thai_digits else value

    def centered(self, text: str, *, size: int, bold: bool = False, height: float = 7) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, self.text(text), align="C", new_x="LMARGIN", new_y="NEXT")

    def keep_with_next(self, height: float) -> None:
        """Start a new page unless `height` (a heading and its first rows) fits on this one."""
        if self.pdf.get_y() + height > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()

    def section(self, heading: str, rows: list[tuple[str, str]], *, headers=None) -> None:
        """A numbered section: "1. heading" and a two-column table (รายการ | จำนวน)."""
        rows_count = len(rows) + 1
        self.section_number += 1
        pdf = self.pdf
        self.keep_with_next(8 + 7 * min(3, max(1, rows_count)))
        pdf.ln(3)
        pdf.set_font(FONT, "B", 14)
        pdf.cell(
            0, 8, self.text(f"{self.section_number}. {heading}"), new_x="LMARGIN", new_y="NEXT"
        )
        if not rows:
            pdf.set_font(FONT, "", 12)
            pdf.cell(0, 7, "   ไม่มีข้อมูลในช่วงเวลานี้", new_x="LMARGIN", new_y="NEXT")
            return
        headers = headers or ("รายการ", "จำนวน")
        pdf.set_font(FONT, "", 12)
        with pdf.table(
            col_widths=(12, 118, 40),
            text_align=("CENTER", "LEFT", "RIGHT"),
            line_height=7,
            headings_style=_heading_style(),
            first_row_as_headings=True,
        ) as table:
            table.row(("ที่", *headers))
            for index, (label, value) in enumerate(rows, start=1):
                table.row((self.text(index), self.text(label), self.text(value)))

    def grid(self, heading: str, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        """A numbered section with a wider table (the areas one level down)."""
        rows_count = len(rows) + 2
        self.section_number += 1
        pdf = self.pdf
        self.keep_with_next(8 + 7 * min(3, max(1, rows_count)))
        pdf.ln(3)
        pdf.set_font(FONT, "B", 14)
        pdf.cell(
            0, 8, self.text(f"{self.section_number}. {heading}"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(FONT, "", 11)
        first = 50
        other = (170 - first) / (len(headers) - 1)
        with pdf.table(
            col_widths=(first, *([other] * (len(headers) - 1))),
            text_align=("LEFT", *(["RIGHT"] * (len(headers) - 1))),
            line_height=6,
            headings_style=_heading_style(),
        ) as table:
            table.row(headers)
            for row in rows:
                table.row(tuple(self.text(cell) for cell in row))

    def notes(self, heading: str, lines: list[str]) -> None:
        """A numbered section of numbered paragraphs (the outcome figures' definitions)."""
        self.section_number += 1
        pdf = self.pdf
        self.keep_with_next(24)
        pdf.ln(3)
        pdf.set_font(FONT, "B", 14)
        pdf.cell(
            0, 8, self.text(f"{self.section_number}. {heading}"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(FONT, "", 11)
        for index, line in enumerate(lines, start=1):
            pdf.multi_cell(0, 6, self.text(f"({index}) {line}"), new_x="LMARGIN", new_y="NEXT")

    def chapter(self, heading: str) -> None:
        """A chapter title across the page (the outcomes follow the activity figures)."""
        pdf = self.pdf
        self.keep_with_next(40)
        pdf.ln(6)
        self.centered(heading, size=16, bold=True, height=9)
        pdf.set_draw_color(11, 92, 122)
        pdf.line(20, pdf.get_y(), pdf.w - 20, pdf.get_y())

    def sign(self, lines: list[str]) -> None:
        """The signature block, on the right, kept whole on one page."""
        pdf = self.pdf
        self.keep_with_next(14 + 8 * len(lines))
        pdf.ln(14)
        x = pdf.w - pdf.r_margin - 100
        pdf.set_font(FONT, "", 13)
        for line in lines:
            pdf.set_x(x)
            pdf.cell(100, 8, self.text(line), align="C", new_x="LMARGIN", new_y="NEXT")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", fill_color=(227, 240, 245))


def _bars(bars) -> list[tuple[str, str]]:
    return [(str(bar.label), number(bar.value)) for bar in bars]


def area_report_pdf(
    dashboard,
    *,
    thai_digits: bool = False,
    signer_name: str = "",
    today: dt.date,
    outcomes=None,
    suppress: bool = False,
) -> bytes:
    """The report of one area for the dashboard's period (a center's: signed by its chair)."""
    from asa.reports.models import AreaLevel

    report = _Report(thai_digits=thai_digits)
    totals = dashboard.totals
    is_center = dashboard.area.level == AreaLevel.CENTER
    report.centered("แบบรายงานผลการดำเนินงาน", size=18, bold=True, height=9)
    report.centered("ศูนย์ประสานงานอาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์ (อพม.)", size=13)
    report.centered(dashboard.area.name, size=15, bold=True)
    parents = " ".join(crumb.name for crumb in dashboard.breadcrumbs[1:])
    if parents:  # where the area is: province, district
        report.centered(parents, size=12)
    report.centered(f"{DEPARTMENT} {MINISTRY}", size=12)
    report.centered(period_heading(dashboard.period), size=13, bold=True)
    if dashboard.current_as_of:
        # The stock figures (open cases, volunteers, loans) are "now", not "in the period".
        as_of = timezone.localtime(dashboard.current_as_of).date()
        report.centered(f"ตัวเลข (ปัจจุบัน) ณ วันที่ {long_date(as_of)}", size=11)
    report.pdf.ln(2)
    report.pdf.set_draw_color(11, 92, 122)
    report.pdf.line(20, report.pdf.get_y(), report.pdf.w - 20, report.pdf.get_y())

    report.section(
        "ศูนย์ประสานงานและอาสาสมัคร",
        [
            ("ศูนย์ประสานงานที่เปิดดำเนินการ (ปัจจุบัน)", number(totals.centers_active)),
            ("ศูนย์ที่เปิดใหม่ในช่วงรายงาน", number(totals.centers_opened)),
            ("อาสาสมัคร (อพม.) ที่ปฏิบัติงาน", number(totals.volunteers_active)),
            ("ชั่วโมงการทำงานของอาสาสมัคร", number(totals.volunteer_hours)),
        ],
    )
    report.section(
        "ฐานข้อมูลผู้ประสบปัญหาทางสังคม",
        [
            ("ผู้ประสบปัญหาในฐานข้อมูล (ปัจจุบัน)", number(totals.people_total)),
            ("ผู้ที่ลงทะเบียนใหม่ในช่วงรายงาน", number(totals.people_registered)),
            ("ปัญหาที่รายงานใหม่ในช่วงรายงาน", number(totals.problems_reported)),
        ],
    )
    report.section("ผู้ลงทะเบียนใหม่ จำแนกตามกลุ่มเป้าหมาย", _bars(dashboard.people_by_target_group))
    report.section("ปัญหาที่รายงานใหม่ จำแนกตามประเภทปัญหา", _bars(dashboard.people_by_problem))
    average = totals.first_visit_average_days
    report.section(
        "การรับแจ้ง การเยี่ยมบ้าน และการติดตามกรณี",
        [
            ("กรณีที่รับแจ้งใหม่", number(totals.cases_opened)),
            ("กรณีที่ปิดแล้ว", number(totals.cases_closed)),
            ("กรณีที่ยังดำเนินการ (ปัจจุบัน)", number(totals.cases_open)),
            ("กรณีที่เลยกำหนดติดตาม (ปัจจุบัน)", number(totals.cases_overdue)),
            ("การเยี่ยมบ้าน (ครั้ง)", number(totals.visits)),
            (
                "ระยะเวลาเฉลี่ยจากรับแจ้งถึงเยี่ยมครั้งแรก (วัน)",
                number(average) if average is not None else "–",
            ),
        ],
    )
    report.section("ระยะเวลาจากรับแจ้งถึงเยี่ยมบ้านครั้งแรก", _bars(dashboard.first_visit_buckets))
    report.section("การส่งต่อเครือข่าย One Home จำแนกตามผล", _bars(dashboard.referrals_by_outcome))
    report.section("การส่งต่อ จำแนกตามหน่วยงาน", _bars(dashboard.referrals_by_agency))
    report.section(
        "สิ่งของที่แจกจ่าย",
        _bars(dashboard.goods_distributed),
        headers=("สิ่งของ", "จำนวน"),
    )
    report.section(
        "ครุภัณฑ์ที่ให้ยืม (ปัจจุบัน)", _bars(dashboard.equipment_on_loan), headers=("ครุภัณฑ์", "จำนวน")
    )
    if dashboard.children:
        report.grid(
            "ผลการดำเนินงานจำแนกตามพื้นที่",
            # Line breaks of our own: fpdf2 would break Thai words anywhere in narrow cells.
            ("พื้นที่", "อพม.", "ผู้ประสบ\nปัญหา", "กรณี\nเปิดอยู่", "เลย\nกำหนด", "รับแจ้ง\nใหม่", "ปิด\nแล้ว"),
            [
                (
                    child.area.name,
                    number(child.volunteers_active),
                    number(child.people_total),
                    number(child.cases_open),
                    number(child.cases_overdue),
                    number(child.cases_opened),
                    number(child.cases_closed),
                )
                for child in dashboard.children
            ],
        )
    if outcomes is not None:
        _outcomes_chapter(report, outcomes, suppress=suppress)
    blank = "(........................................)"
    if is_center:
        report.sign(
            [
                "ลงชื่อ ........................................ ประธาน อพม.",
                f"({signer_name})" if signer_name else blank,
                f"ประธาน อพม. {dashboard.area.name}",
                signature_date(today),
            ]
        )
    else:
        report.sign(
            [
                "ลงชื่อ ........................................ ผู้รายงาน",
                f"({signer_name})" if signer_name else blank,
                "ตำแหน่ง ........................................",
                signature_date(today),
            ]
        )
    return report.output()


def _outcomes_chapter(report: "_Report", outcomes, *, suppress: bool) -> None:
    """ผลลัพธ์: what the help achieved, each figure with its denominator, then definitions."""
    from asa.reports.exporting import SUPPRESSION_NOTE, _share
    from asa.reports.outcomes import suppressed

    def count(value):
        if suppress and isinstance(value, int) and 0 < value < 5:
            return str(suppressed(value))
        return number(value)

    def percent(share, part, whole) -> str:
        shown = _share(share, part, whole, suppress)
        return f"{number(shown)}%" if shown is not None else "–"

    report.chapter("ผลลัพธ์ของการช่วยเหลือ")
    if suppress:
        report.centered(SUPPRESSION_NOTE, size=10)
    rows = []
    for index, figure in enumerate(outcomes.headline, start=1):
        label = f"{figure.label} ({index})"
        if figure.share is not None or figure.key in ("resolved", "emergency_24h", "reopened_90",
                                                       "problems_resolved"):  # fmt: skip
            value = (
                f"{count(figure.value)}/{count(figure.denominator)} "
                f"({percent(figure.share, figure.value, figure.denominator)})"
            )
        elif figure.value is None:
            value = "–"
        elif figure.key.startswith("median"):
            value = f"{number(figure.value)} {figure.unit}"
        else:
            value = count(figure.value)
        rows.append((label, value))
    report.section("ตัวชี้วัดผลลัพธ์", rows, headers=("ตัวชี้วัด", "ค่า"))
    report.section(
        "กรณีที่ปิด จำแนกตามผลการดำเนินงาน",
        [(bar.label, count(bar.value)) for bar in outcomes.by_outcome if bar.value],
    )
    if outcomes.problems:
        report.grid(
            "ปัญหาที่คลี่คลายภายในปีงบประมาณ (หมวดสายด่วน 1300 ก่อน)",
            ("ประเภทปัญหา", "รับแจ้ง", "คลี่คลาย\nภายในปี", "ร้อยละ"),
            [
                (
                    row.label + (" (1300)" if row.hotline else ""),
                    count(row.reported),
                    count(row.resolved),
                    percent(row.share, row.resolved, row.reported),
                )
                for row in outcomes.problems
            ],
        )
    report.grid(
        f"การเปลี่ยนแปลงของครัวเรือน (เปรียบเทียบได้ {count(outcomes.households_compared)} ครัวเรือน)",
        ("มิติ", "ดีขึ้น", "คงเดิม", "แย่ลง"),
        [
            (row.label, count(row.improved), count(row.same), count(row.worse))
            for row in outcomes.households
        ],
    )
    if outcomes.partners:
        report.grid(
            "ผลการทำงานของภาคีเครือข่าย One Home",
            (
                "หน่วยงาน/บริการ",
                "ส่ง",
                "ตอบ\nรับ",
                "เสร็จ",
                "ปฏิเสธ",
                "ล่าช้า",
                "วัน\nตอบรับ",
                "วัน\nเสร็จ",
            ),
            [
                (
                    f"{row.agency}\n{row.service}",
                    count(row.sent),
                    count(row.accepted),
                    count(row.completed),
                    count(row.declined),
                    count(row.late),
                    number(row.median_answer_days) if row.median_answer_days is not None else "–",
                    number(row.median_complete_days)
                    if row.median_complete_days is not None
                    else "–",
                )
                for row in outcomes.partners
            ],
        )
    help_rows = [*outcomes.help, *outcomes.loans]
    if help_rows:
        report.grid(
            f"ความช่วยเหลือที่ให้ และผลของกรณี (กรณีที่ได้รับ {count(outcomes.helped_cases)} กรณี "
            f"เงินรวม {number(outcomes.help_baht)} บาท)",
            ("ความช่วยเหลือ", "กรณี", "แก้ไขได้", "ร้อยละ"),
            [
                (
                    row.label,
                    count(row.cases),
                    count(row.resolved),
                    percent(row.share, row.resolved, row.cases),
                )
                for row in help_rows
            ],
        )
    report.notes(
        "นิยามและตัวหารของตัวชี้วัดผลลัพธ์",
        [f"{figure.label}: {figure.definition}" for figure in outcomes.headline],
    )
