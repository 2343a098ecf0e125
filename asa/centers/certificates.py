"""The training certificate (วุฒิบัตร) as a printable PDF in Thai.

The same fpdf2 + Sarabun + HarfBuzz setup as the aid receipts (`asa.aid.receipts`), on a
landscape A4 page. Dates in the Buddhist Era; Arabic or Thai digits as the reader prefers.
"""

from decimal import Decimal

from asa.aid.receipts import FONT_FILES, _font_path
from asa.centers.models import TrainingRecord, VolunteerRole, VolunteerStatus
from asa.lib.thai import format_be_date, to_thai_digits


def _hours_text(hours: Decimal) -> str:
    return f"{hours:.1f}".removesuffix(".0")


def certificate_pdf(record: TrainingRecord, *, thai_digits: bool = False) -> bytes:
    """One certificate: who, which topic, when and where, how many hours, its number."""
    from fpdf import FPDF

    def text(value) -> str:
        value = str(value)
        return to_thai_digits(value) if thai_digits else value

    volunteer = record.volunteer
    event = record.event
    center = event.center if event is not None else volunteer.center
    chair = (
        center.volunteers.filter(role=VolunteerRole.CHAIR, status=VolunteerStatus.ACTIVE)
        .only("title", "first_name", "last_name")
        .first()
    )
    pdf = FPDF(orientation="landscape", format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    for style, relative in FONT_FILES.items():
        pdf.add_font("Sarabun", style=style, fname=_font_path(relative))
    pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    # A double frame, as printed certificates have.
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)

    def centered(size: int, value: str, style: str = "", height: float = 10) -> None:
        pdf.set_font("Sarabun", style, size)
        pdf.multi_cell(0, height, text(value), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(16)
    pdf.set_font("Sarabun", "", 11)
    pdf.cell(0, 6, text(f"เลขที่ {record.certificate_number or '-'}"), align="R")
    pdf.set_y(26)
    centered(16, center.name_th, "B")
    centered(32, "วุฒิบัตร", "B", 16)
    centered(15, "ให้ไว้เพื่อแสดงว่า")
    centered(24, volunteer.full_name, "B", 14)
    centered(14, "อาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์ (อพม.)", height=9)
    centered(15, "ได้ผ่านการอบรมหัวข้อ", height=9)
    centered(19, f"“{record.topic}”", "B", 11)
    if event is not None:
        centered(14, f"ในกิจกรรม {event.title}", height=8)
        centered(14, f"ณ {event.place}", height=8)
    hours = f" จำนวน {_hours_text(record.hours)} ชั่วโมง" if record.hours else ""
    centered(14, f"เมื่อวันที่ {format_be_date(record.completed_on, long=True)}{hours}", height=8)
    # The chair signs for the center.
    pdf.set_y(pdf.h - 48)
    x = pdf.w - pdf.r_margin - 95
    pdf.set_font("Sarabun", "", 13)
    for line in (
        "ลงชื่อ .............................................",
        f"({chair.full_name})" if chair else "(                                        )",
        "ประธานศูนย์ประสานงาน อพม.",
    ):
        pdf.set_x(x)
        pdf.cell(95, 8, text(line), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
