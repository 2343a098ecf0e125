"""One duplicate matching for capture, import and the batch finder (asa.registry.matching):
a married woman and a person who moved are offered as likely duplicates at registration and at
import; a mother and her daughter, and twins, are not."""

import datetime as dt

import pytest

from asa.registry.actions import DuplicateSuspected, register_person
from asa.registry.dedup import find_duplicates
from asa.registry.importing import import_file
from asa.registry.models import DuplicateCandidate, ImportRowResult, Person

BANG_KHEN = "100502"
BANG_KHEN_OTHER = "100508"  # another subdistrict of the same district
THAWI_WATTHANA = "104802"  # another district of Bangkok

REGISTERED = {
    "bride": dict(
        title="นางสาว", first_name="วิไลวรรณ", last_name="สุขสม", birth_date=dt.date(1985, 4, 12),
        sex="female", phone="0811111111", subdistrict=BANG_KHEN,
    ),
    "mover": dict(
        title="นาย", first_name="สมศักดิ์", last_name="ใจดี", birth_date=dt.date(1960, 3, 5),
        sex="male", phone="0822222222", subdistrict=BANG_KHEN,
    ),
    "mother": dict(
        title="นาง", first_name="บุญมี", last_name="ศรีสุข", birth_date=dt.date(1950, 5, 1),
        sex="female", phone="0833333333", subdistrict=BANG_KHEN, house_number="12/3",
    ),
    "twin": dict(
        title="เด็กหญิง", first_name="ขวัญใจ", last_name="มีสุข", birth_date=dt.date(2015, 6, 1),
        sex="female", phone="0844444444", subdistrict=BANG_KHEN, house_number="5",
    ),
}  # fmt: skip
# Registered again: the same people (married, moved) and other people (daughter, twin sister).
AGAIN = {
    "bride": dict(
        title="นาง", first_name="วิไลวรรณ", last_name="ทองคำ", birth_date=dt.date(1985, 4, 12),
        sex="female", phone="0819999999", subdistrict=BANG_KHEN_OTHER,
    ),
    "mover": dict(
        title="นาย", first_name="สมศักดิ์", last_name="ใจดี", birth_date=dt.date(1960, 3, 5),
        sex="male", phone="0829999999", subdistrict=THAWI_WATTHANA,
    ),
    "mother": dict(
        title="นางสาว", first_name="มะลิ", last_name="ศรีสุข", birth_date=dt.date(1975, 8, 8),
        sex="female", phone="0833333333", subdistrict=BANG_KHEN, house_number="12/3",
    ),
    "twin": dict(
        title="เด็กหญิง", first_name="ขวัญตา", last_name="มีสุข", birth_date=dt.date(2015, 6, 1),
        sex="female", phone="0844444444", subdistrict=BANG_KHEN, house_number="5",
    ),
}  # fmt: skip
SAME_PERSON = {"bride": True, "mover": True, "mother": False, "twin": False}


@pytest.fixture
def registered(center_a, center_b):
    return {kind: register_person(actor=None, **values) for kind, values in REGISTERED.items()}


@pytest.mark.parametrize("kind", list(AGAIN))
def test_registration_offers_the_married_and_the_moved_not_the_family(registered, kind):
    if SAME_PERSON[kind]:
        with pytest.raises(DuplicateSuspected) as suspected:
            register_person(actor=None, **AGAIN[kind])
        [(candidate, score, reasons)] = suspected.value.candidates
        assert candidate == registered[kind] and score >= 0.6 and reasons
    else:
        person = register_person(actor=None, **AGAIN[kind])
        assert person.pk and not DuplicateCandidate.objects.filter(person_b=person).exists()


def test_an_import_refuses_the_married_and_the_moved_and_imports_the_family(tmp_path, registered):
    header = (
        "source_ref,title,first_name,last_name,birth_date,sex,phone,subdistrict_code,house_number"
    )
    lines = [header]
    for kind, values in AGAIN.items():
        born = values["birth_date"]
        lines.append(
            f"{kind},{values['title']},{values['first_name']},{values['last_name']},"
            f"{born.day}/{born.month}/{born.year + 543},{values['sex']},{values['phone']},"
            f"{values['subdistrict']},{values.get('house_number', '')}"
        )
    path = tmp_path / "again.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    job = import_file(path, actor=None, source="hospital")
    results = {r.row_number: r for r in ImportRowResult.objects.filter(job=job)}
    for number, kind in enumerate(AGAIN, start=2):
        if SAME_PERSON[kind]:
            assert results[number].outcome == "duplicate", kind
            assert results[number].person_id == registered[kind].pk, kind
        else:
            assert results[number].outcome == "imported", (kind, results[number].message)
    assert Person.objects.count() == len(REGISTERED) + 2


def test_the_batch_finder_pairs_the_same_people(registered):
    for values in AGAIN.values():
        register_person(actor=None, duplicate_override_reason="ทดสอบ", **values)
    DuplicateCandidate.objects.all().delete()
    find_duplicates()
    pairs = set(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id"))
    for kind, person in registered.items():
        again = Person.objects.get(first_name=AGAIN[kind]["first_name"], pk__gt=person.pk)
        assert ((person.pk, again.pk) in pairs) == SAME_PERSON[kind], kind
