"""The batch duplicate finder: planted duplicates found, twins and families left alone,
reviewers' decisions kept, idempotent; `asa dedup`; the synthetic data generator."""

import datetime as dt
import random
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from asa.accounts.models import AuditEvent
from asa.centers.demo import NameMaker
from asa.lib.national_id import make_national_id
from asa.registry.actions import mark_distinct, merge_people, register_person
from asa.registry.dedup import find_duplicates, find_duplicates_in_background
from asa.registry.models import DuplicateCandidate, DuplicateStatus, Person

ROOT = Path(__file__).resolve().parents[3]
BANG_KHEN = ["100502", "100508"]
THAWI_WATTHANA = ["104801", "104802"]

# (original, duplicate): the same person written twice, with the variations people really make.
PLANTED = [
    (
        {"first_name": "สมศักดิ์", "last_name": "ใจดี", "birth_date": dt.date(1960, 3, 5)},
        {"first_name": "สมสักดิ์", "id_type": "none"},  # ศ/ส spelling, no ID
    ),
    (
        {"first_name": "แก้วตา", "last_name": "ศรีสุข", "birth_date": dt.date(1970, 5, 3)},
        {"first_name": "แกวตา", "birth_date": dt.date(1970, 3, 5), "id_type": "none"},
    ),
    (
        {"first_name": "ณัฐพล", "last_name": "บุญมา", "birth_date": dt.date(1985, 11, 20)},
        {"first_name": "นัฐพล", "id_type": "none", "phone": "0899990001"},
    ),
    (
        {"first_name": "บุญช่วย", "last_name": "ทองดี", "birth_date": dt.date(1948, 1, 30)},
        {"subdistrict": BANG_KHEN[1], "id_typo": True},  # moved in the district, ID mistyped
    ),
    (
        {"first_name": "ประเสริฐ", "last_name": "วงศ์ใหญ่", "birth_date": dt.date(1955, 7, 7)},
        {"last_name": "วงษ์ใหญ่", "id_type": "none"},
    ),
    (
        {"first_name": "มาลี", "last_name": "พึ่งบุญ", "birth_date": dt.date(1942, 9, 14)},
        {"last_name": "พึงบุญ", "id_type": "none", "phone": ""},
    ),
    (
        {"first_name": "ธนพร", "last_name": "ใจเย็น", "birth_date": dt.date(1999, 2, 17)},
        {"first_name": "ทนพร", "id_type": "none"},
    ),
    (
        {"first_name": "สุภาพร", "last_name": "เกิดผล", "birth_date": dt.date(1966, 4, 22)},
        {
            "first_name": "สุพาพร",
            "id_type": "none",
            "birth_date": dt.date(1966, 1, 1),
            "birth_date_precision": "year",
        },
    ),
    (
        {"first_name": "วิภาวรรณ", "last_name": "ศักดิ์ดี", "birth_date": dt.date(1980, 12, 1)},
        {"title": "นางสาว", "id_type": "none", "phone": "0899990002"},
    ),
    (
        {"first_name": "อำนาจ", "last_name": "ชื่นใจ", "birth_date": dt.date(1975, 8, 6)},
        {"first_name": "อํานาจ", "birth_date": dt.date(1975, 6, 8), "id_type": "none"},
    ),
    (  # married: นางสาว → นาง, a new family name, moved within the district, new phone
        {
            "title": "นางสาว",
            "first_name": "วิไลวรรณ",
            "last_name": "สุขสม",
            "birth_date": dt.date(1985, 4, 12),
        },
        {
            "title": "นาง",
            "last_name": "ทองคำ",
            "id_type": "none",
            "phone": "0899990003",
            "subdistrict": BANG_KHEN[1],
        },
    ),
    (  # moved to another district of the province, new phone, no ID, ศ/ส misspelt
        {"first_name": "ศิริพร", "last_name": "มั่นคง", "birth_date": dt.date(1972, 9, 9)},
        {
            "first_name": "สิริพร",
            "subdistrict": THAWI_WATTHANA[0],
            "id_type": "none",
            "phone": "0899990004",
        },
    ),
    (  # the birth date written as 1 January where only the year was known
        {"first_name": "บุญเรือน", "last_name": "แสงทอง", "birth_date": dt.date(1940, 6, 15)},
        {"birth_date": dt.date(1940, 1, 1), "id_type": "none"},
    ),
]


def _register(**fields):
    return register_person(actor=None, check_duplicates=False, **fields)


def _id_typo(number: str) -> str:
    digit = "1" if number[5] != "1" else "2"
    return make_national_id(number[:5] + digit + number[6:12])


@pytest.fixture
def planted_registry(db, center_a, center_b):
    """200 people: 13 planted duplicate pairs; twins, a mother and daughter, namesakes and
    families sharing a phone, none of whom may be matched."""
    names = NameMaker(seed=7)
    chance = random.Random(7)
    pairs = set()
    for number, (original_fields, changes) in enumerate(PLANTED):
        original = {
            "title": "นาง",
            "sex": "female",
            "id_type": "national_id",
            "id_number": names.national_id(born=original_fields["birth_date"]),
            "phone": f"08100000{number:02d}",
            "subdistrict": BANG_KHEN[0],
            **original_fields,
        }
        duplicate = {**original, **changes}
        if duplicate.pop("id_typo", False):
            duplicate["id_number"] = _id_typo(original["id_number"])
        first, second = _register(**original), _register(**duplicate)
        pairs.add((first.pk, second.pk))

    twins = {"last_name": "รักไทย", "birth_date": dt.date(2010, 6, 1), "phone": "0812223333"}
    for first_name in ("สมชาย", "สมชัย"):
        _register(
            first_name=first_name,
            sex="male",
            id_type="national_id",
            id_number=names.national_id(born=twins["birth_date"]),
            subdistrict=BANG_KHEN[0],
            **twins,
        )
    # Twins without IDs (a boy and a girl), and a mother and her daughter: one family name,
    # one address, one phone; only the given name (and the mother's age) tells them apart.
    for first_name, sex in (("ปิยะ", "male"), ("วรรณา", "female")):
        _register(
            first_name=first_name,
            sex=sex,
            subdistrict=BANG_KHEN[0],
            **twins | {"last_name": "มีสุข", "phone": "0812224444"},
        )
    for first_name, born in (("สมใจ", dt.date(1960, 2, 2)), ("สมฤดี", dt.date(1990, 2, 2))):
        _register(
            title="นาง",
            first_name=first_name,
            last_name="รักดี",
            sex="female",
            birth_date=born,
            phone="0812225555",
            subdistrict=BANG_KHEN[0],
        )
    # Namesakes: the same name, born years apart, living far apart.
    for born, subdistrict in ((dt.date(1950, 1, 1), BANG_KHEN[0]), (dt.date(1990, 5, 5), "500101")):
        _register(first_name="สมหญิง", last_name="ใจงาม", birth_date=born, subdistrict=subdistrict)

    while Person.objects.count() < 200:
        head = names.person()
        subdistrict = chance.choice(BANG_KHEN + THAWI_WATTHANA)
        family_phone = head["phone"]
        for member in range(chance.randint(1, 4)):
            values = names.person(youth=member > 1) if member else head
            _register(
                title=values["title"],
                first_name=values["first_name"],
                last_name=head["last_name"],
                sex=values["sex"],
                birth_date=values["birth_date"],
                id_type="national_id",
                id_number=values["national_id"],
                phone=family_phone,
                subdistrict=subdistrict,
            )
    return pairs


def _found() -> set[tuple[int, int]]:
    return set(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id"))


def test_it_finds_every_planted_duplicate_and_flags_nobody_else(planted_registry):
    summary = find_duplicates(actor=None)
    assert _found() == planted_registry
    assert summary.people == Person.objects.count()
    assert summary.candidates_found == summary.candidates_new == len(planted_registry)
    for candidate in DuplicateCandidate.objects.all():
        assert 0.6 <= candidate.score <= 1.0
        assert candidate.reasons and all(isinstance(reason, str) for reason in candidate.reasons)
        assert candidate.status == DuplicateStatus.PENDING
    event = AuditEvent.objects.get(action="find_duplicates")
    assert event.changes["candidates_new"] == len(planted_registry)


def test_it_explains_each_pair_in_thai(planted_registry):
    find_duplicates(actor=None)
    swapped = DuplicateCandidate.objects.get(
        person_a__first_name="แก้วตา", person_b__first_name="แกวตา"
    )
    assert "วันเกิดตรงกันเมื่อสลับวันกับเดือน" in swapped.reasons
    assert "ชื่อ-นามสกุลเหมือนกัน (ไม่นับวรรณยุกต์และคำนำหน้า)" in swapped.reasons
    typo = DuplicateCandidate.objects.get(person_a__first_name="บุญช่วย")
    assert "เลขเอกสารต่างกันเพียง 1–2 หลัก (อาจพิมพ์ผิด)" in typo.reasons
    assert "อำเภอ/เขตเดียวกัน" in typo.reasons


def test_it_is_idempotent_and_refreshes_pending_scores(planted_registry):
    find_duplicates(actor=None)
    before = list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "score", "reasons"))
    again = find_duplicates(actor=None)
    assert again.candidates_new == again.candidates_updated == 0
    assert (
        list(DuplicateCandidate.objects.order_by("pk").values_list("pk", "score", "reasons"))
        == before
    )
    stale = DuplicateCandidate.objects.order_by("pk").first()
    DuplicateCandidate.objects.filter(pk=stale.pk).update(score=0.01, reasons=[])
    refreshed = find_duplicates(actor=None)
    assert refreshed.candidates_updated == 1
    stale.refresh_from_db()
    assert stale.score == before[0][1] and stale.reasons == before[0][2]


def test_it_never_flags_again_a_pair_a_reviewer_decided(planted_registry, admin_user):
    find_duplicates(actor=None)
    distinct, merged = DuplicateCandidate.objects.order_by("pk")[:2]
    mark_distinct(actor=admin_user, candidate=distinct, reason="คนละคน ตรวจบัตรแล้ว")
    merge_people(actor=admin_user, survivor=merged.person_a, merged=merged.person_b)
    summary = find_duplicates(actor=admin_user)
    assert summary.candidates_new == 0
    assert summary.already_decided == 1  # the distinct pair; the merged record is not scanned
    assert summary.people == Person.objects.filter(merged_into__isnull=True).count()
    distinct.refresh_from_db()
    merged.refresh_from_db()
    assert distinct.status == DuplicateStatus.DISTINCT
    assert merged.status == DuplicateStatus.MERGED
    assert DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).count() == 11


def test_asa_dedup_prints_the_summary(planted_registry):
    output = StringIO()
    call_command("dedup", stdout=output)
    text = output.getvalue()
    assert "ตรวจบุคคล 200 ราย" in text
    assert "พบคู่ที่อาจซ้ำ 13 คู่ (ใหม่ 13" in text
    assert "เปรียบเทียบ" in text and "วินาที" in text
    assert len(_found()) == 13


def test_it_runs_as_a_background_task(planted_registry):
    result = find_duplicates_in_background.enqueue()
    assert result.return_value["candidates_new"] == 13
    assert len(_found()) == 13


def test_the_generator_plants_duplicates_the_finder_finds(db, tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import generate

    result = generate(people=500, out_dir=tmp_path, say=lambda text: None)
    assert result.people == Person.objects.count() == 500
    assert result.planted_pairs == 25
    assert result.households > 100
    lines = (tmp_path / "planted_pairs.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "original_id,duplicate_id,variations" and len(lines) == 26
    planted = {tuple(sorted(int(value) for value in line.split(",")[:2])) for line in lines[1:]}
    people = Person.objects.all()
    assert all(person.name_key and person.province_id for person in people)
    national = people.filter(id_type="national_id").count()
    assert 0.7 < national / 500 < 0.95
    find_duplicates(actor=None)
    found = _found()
    assert len(found & planted) / len(planted) >= 0.95
    assert len(found & planted) / len(found) >= 0.95
