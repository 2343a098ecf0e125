"""Paper fallback: blank intake and visit forms and the day's visit sheet, as Thai PDFs.

When the phone is flat, lost or not allowed in a home, the volunteer writes on paper and the
center types it in later. The forms follow the fields of the intake and visit pages so that
typing them in is a straight copy. fpdf2 writes them with Sarabun embedded and HarfBuzz shaping
the Thai, through the same font set-up as the aid receipts; dates are Buddhist Era.
"""

import datetime as dt
from collections.abc import Iterable

from asa.aid.receipts import FONT_FILES, _font_path
from asa.cases.models import Case, Source, Urgency
from asa.lib.thai import format_be_date
from asa.registry.models import TargetGroup

FONT = "Sarabun"
LINE = 8  # mm between writing lines


class _Paper:
    def __init__(self, *, title: str, landscape: bool = False):
        from fpdf import FPDF

        printed = format_be_date(dt.date.today(), long=True)
        footer_text = f"พิมพ์จากระบบอาสา {printed} — กรอกแล้วนำส่งศูนย์เพื่อบันทึกเข้าระบบ"

        class _Pages(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font(FONT, "", 9)
                self.cell(0, 6, f"{footer_text} · {self.page_no()}", align="C")

        self.pdf = _Pages(orientation="L" if landscape else "P", format="A4", unit="mm")
        self.pdf.set_auto_page_break(auto=True, margin=16)
        for style, relative in FONT_FILES.items():
            self.pdf.add_font(FONT, style=style, fname=_font_path(relative))
        self.pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
        self.pdf.set_margins(15, 14, 15)
        self.pdf.set_title(title)
        self.pdf.add_page()

    def heading(self, title: str, center_name: str, number: str = "") -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "B", 17)
        pdf.cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 13)
        pdf.cell(0, 7, center_name, align="C", new_x="LMARGIN", new_y="NEXT")
        if number:
            pdf.set_font(FONT, "B", 12)
            pdf.cell(0, 7, number, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def field(self, label: str, value: str = "", *, lines: int = 1) -> None:
        """A label followed by its value, or by ruled lines to write on."""
        pdf = self.pdf
        if pdf.get_y() + LINE * lines > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.set_font(FONT, "B", 12)
        label_width = pdf.get_string_width(label) + 3
        pdf.cell(label_width, LINE, label)
        pdf.set_font(FONT, "", 12)
        start = pdf.get_x()
        if value:
            pdf.multi_cell(0, LINE, value, new_x="LMARGIN", new_y="NEXT")
            return
        right = pdf.w - pdf.r_margin
        for row in range(lines):
            y = pdf.get_y() + LINE - 1.5
            pdf.set_draw_color(150)
            pdf.line(start if row == 0 else pdf.l_margin, y, right, y)
            pdf.ln(LINE)
        pdf.set_draw_color(0)

    def choices(self, label: str, options: Iterable[str]) -> None:
        """A label and a tick box per option, wrapped to the page width."""
        pdf = self.pdf
        pdf.set_font(FONT, "B", 12)
        pdf.cell(0, LINE, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 12)
        right = pdf.w - pdf.r_margin
        pdf.set_x(pdf.l_margin + 4)
        for option in options:
            width = pdf.get_string_width(option) + 12
            if pdf.get_x() + width > right:
                pdf.ln(LINE)
                pdf.set_x(pdf.l_margin + 4)
            x, y = pdf.get_x(), pdf.get_y()
            pdf.rect(x, y + 2, 4, 4)
            pdf.set_x(x + 6)
            pdf.cell(width - 6, LINE, option)
        pdf.ln(LINE + 1)

    def signatures(self, *labels: str) -> None:
        pdf = self.pdf
        if pdf.get_y() + 30 > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.ln(8)
        width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(labels)
        pdf.set_font(FONT, "", 12)
        for row in (
            "ลงชื่อ ..........................................",
            "(..........................................)",
        ):
            for _label in labels:
                pdf.cell(width, 7, row, align="C")
            pdf.ln(7)
        for label in labels:
            pdf.cell(width, 7, label, align="C")
        pdf.ln(7)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def intake_form_pdf(center) -> bytes:
    """A blank intake form (แบบรับแจ้งผู้ประสบปัญหาทางสังคม) headed with the center's name."""
    paper = _Paper(title="แบบรับแจ้งผู้ประสบปัญหาทางสังคม")
    paper.heading("แบบรับแจ้งผู้ประสบปัญหาทางสังคม", center.name_th, "เลขที่กรณี ....................")
    paper.field("วันที่รับแจ้ง")
    paper.choices("ช่องทางรับเรื่อง", Source.labels)
    paper.field("ชื่อผู้แจ้ง")
    paper.field("โทรศัพท์ผู้แจ้ง")
    paper.pdf.ln(2)
    paper.field("ชื่อ-นามสกุลผู้ประสบปัญหา")
    paper.field("เลขประจำตัวประชาชน")
    paper.field("วันเดือนปีเกิด (พ.ศ.)")
    paper.field("ที่อยู่", lines=2)
    paper.field("โทรศัพท์")
    paper.choices("ความเร่งด่วน", Urgency.labels)
    paper.choices("กลุ่มเป้าหมาย", TargetGroup.objects.values_list("name_th", flat=True)[:30])
    paper.field("เรื่องโดยย่อ", lines=6)
    paper.signatures("ผู้แจ้ง", "ผู้รับแจ้ง (อพม.)")
    return paper.output()


def visit_form_pdf(center, case: Case | None = None) -> bytes:
    """A visit form (แบบบันทึกการเยี่ยมบ้าน): blank, or for one case with its number and person."""
    paper = _Paper(title="แบบบันทึกการเยี่ยมบ้าน")
    number = f"เลขที่กรณี {case.number}" if case else "เลขที่กรณี ...................."
    paper.heading("แบบบันทึกการเยี่ยมบ้าน", center.name_th, number)
    if case is not None:
        paper.field("ชื่อ-นามสกุล", case.person.full_name)
        paper.field("ที่อยู่", case.person.address_line or "-")
    else:
        paper.field("ชื่อ-นามสกุล")
        paper.field("ที่อยู่", lines=2)
    paper.field("วันที่เยี่ยม")
    paper.field("เวลา")
    paper.choices("สถานที่เยี่ยม", ["ที่บ้าน", "ที่อื่น ระบุ ........................"])
    paper.field("อพม. ที่ร่วมเยี่ยม", lines=2)
    paper.field("เจ้าหน้าที่/ภาคีเครือข่ายที่ร่วมเยี่ยม")
    paper.field("ผู้ที่พบ")
    paper.field("สิ่งที่พบเห็น", lines=6)
    paper.field("ความต้องการที่พบ", lines=3)
    paper.field("นัดเยี่ยมครั้งถัดไป")
    paper.signatures("ผู้ได้รับการเยี่ยม", "อพม. ผู้เยี่ยม")
    return paper.output()


def visit_sheet_pdf(*, volunteer_name: str, center_name: str, day: dt.date, cases) -> bytes:
    """The day's visits on one sheet: a row per case to visit with room to write."""
    paper = _Paper(title="ใบงานเยี่ยมบ้านประจำวัน", landscape=True)
    paper.heading(
        "ใบงานเยี่ยมบ้านประจำวัน",
        center_name,
        f"{volunteer_name} · วันที่ {format_be_date(day, long=True)}",
    )
    pdf = paper.pdf
    widths = (10, 32, 48, 70, 28, 23, 56)
    headings = ("ที่", "เลขที่กรณี", "ชื่อ-นามสกุล", "ที่อยู่", "กำหนดเยี่ยม", "เวลาที่ไป", "สิ่งที่พบ / บันทึก")

    def header_row() -> None:
        pdf.set_font(FONT, "B", 11)
        for width, heading in zip(widths, headings, strict=True):
            pdf.cell(width, 8, heading, border=1, align="C")
        pdf.ln()
        pdf.set_font(FONT, "", 10)

    header_row()
    row_height = 16  # two written lines per visit
    count = 0
    for count, case in enumerate(cases, start=1):
        if pdf.get_y() + row_height > pdf.h - pdf.b_margin:
            pdf.add_page()
            header_row()
        urgent = "" if case.urgency == Urgency.ROUTINE else f" ({case.get_urgency_display()})"
        values = (
            str(count),
            case.number,
            case.person.full_name + urgent,
            case.person.address_line or "-",
            format_be_date(case.next_follow_up_on),
            "",
            "",
        )
        y = pdf.get_y()
        x = pdf.l_margin
        for width, value in zip(widths, values, strict=True):
            pdf.rect(x, y, width, row_height)
            pdf.set_xy(x + 0.5, y + 0.5)
            pdf.multi_cell(width - 1, 5, value, max_line_height=5)
            x += width
        pdf.set_xy(pdf.l_margin, y + row_height)
    if count == 0:
        pdf.set_font(FONT, "", 12)
        pdf.cell(0, 10, "วันนี้ไม่มีกรณีที่ถึงกำหนดเยี่ยม", new_x="LMARGIN", new_y="NEXT")
    paper.signatures("อพม. ผู้เยี่ยม", "ประธาน อพม.")
    return paper.output()
