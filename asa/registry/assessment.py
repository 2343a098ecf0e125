"""Household assessment indicators on the five dimensions of the family logbook and TPMAP.

Each indicator is met (True) or not; a dimension's score is the share of its indicators met,
0-100. The list follows the basic-needs survey (จปฐ.) items that TPMAP uses per dimension.
"""

from asa.registry.models import Dimension

INDICATORS: dict[str, list[tuple[str, str]]] = {
    Dimension.INCOME: [
        ("income_above_line", "รายได้เฉลี่ยของสมาชิกไม่ต่ำกว่าเส้นความยากจน"),
        ("working_age_employed", "คนวัยทำงานมีอาชีพและรายได้"),
        ("elderly_have_income", "ผู้สูงอายุมีรายได้หรือได้รับเบี้ยยังชีพ"),
        ("no_informal_debt", "ไม่มีหนี้นอกระบบ"),
    ],
    Dimension.HOUSING: [
        ("secure_housing", "มีบ้านมั่นคง สภาพคงทน"),
        ("clean_water", "มีน้ำสะอาดดื่มและใช้เพียงพอ"),
        ("sanitary_toilet", "มีส้วมถูกสุขลักษณะ"),
        ("safe_environment", "บ้านและชุมชนปลอดภัย ไม่มีความรุนแรงในครอบครัว"),
    ],
    Dimension.HEALTH: [
        ("births_cared", "หญิงตั้งครรภ์และทารกได้รับการดูแลตามเกณฑ์"),
        ("children_vaccinated", "เด็กได้รับวัคซีนครบ"),
        ("no_untreated_illness", "สมาชิกที่เจ็บป่วยได้รับการรักษา"),
        ("healthy_behaviour", "ไม่มีผู้ติดสุรา บุหรี่ หรือยาเสพติด"),
    ],
    Dimension.EDUCATION: [
        ("preschool_attends", "เด็กเล็กได้รับการดูแลเตรียมความพร้อมก่อนวัยเรียน"),
        ("compulsory_schooling", "เด็กวัยเรียนได้เรียนภาคบังคับ 9 ปี"),
        ("continues_after_compulsory", "เด็กจบภาคบังคับได้เรียนต่อหรือฝึกอาชีพ"),
        ("adults_literate", "ผู้ใหญ่อ่าน เขียนภาษาไทย และคิดเลขได้"),
    ],
    Dimension.PUBLIC_SERVICES: [
        ("has_identity_documents", "สมาชิกมีเอกสารประจำตัวและทะเบียนบ้าน"),
        ("elderly_access_welfare", "ผู้สูงอายุได้รับการดูแลและสวัสดิการ"),
        ("disabled_access_welfare", "คนพิการได้รับการดูแลและสวัสดิการ"),
        ("uses_health_coverage", "เข้าถึงสิทธิหลักประกันสุขภาพ"),
    ],
}

ALL_INDICATOR_CODES = {code for items in INDICATORS.values() for code, _ in items}


def dimension_scores(indicators: dict[str, bool]) -> dict[str, int]:
    """{dimension: 0-100} from the indicators met."""
    scores = {}
    for dimension, items in INDICATORS.items():
        met = sum(1 for code, _ in items if indicators.get(code))
        scores[str(dimension)] = round(100 * met / len(items))
    return scores
