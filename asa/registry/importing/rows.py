"""Checking rows: reference data loaded once (Catalogues); RowChecker, a row of cells → Row."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from asa.centers.models import Center
from asa.geo.models import Subdistrict
from asa.lib.crypto import identity_hash, phone_hash
from asa.lib.thai import to_arabic_digits
from asa.lib.thai_text import name_key, sound_key
from asa.registry import actions
from asa.registry.importing.cells import (
    ID_TYPE_WORDS,
    RELATIONSHIP_WORDS,
    SEX_WORDS,
    CellError,
    _list,
    cell_text,
    parse_date,
)
from asa.registry.importing.columns import (
    COLUMN_OF_FIELD,
    COLUMNS,
    MAX_LENGTHS,
    _header_key,
)
from asa.registry.models import (
    BirthDatePrecision,
    IdType,
    ProblemType,
    Relationship,
    Sex,
    TargetGroup,
)


@dataclass
class Catalogues:
    """Reference data loaded once per import, so rows are checked without queries."""

    subdistricts: dict[str, Subdistrict]
    center_by_district: dict[str, int]
    target_groups: dict[str, int]
    problem_types: dict[str, int]

    @classmethod
    def load(cls) -> "Catalogues":
        centers: dict[str, int] = {}
        for center_id, district_id in Center.objects.order_by("id").values_list(
            "id", "district_id"
        ):
            centers.setdefault(district_id, center_id)
        return cls(
            subdistricts={sub.code: sub for sub in Subdistrict.objects.all()},
            center_by_district=centers,
            target_groups=_catalogue(TargetGroup),
            problem_types=_catalogue(ProblemType),
        )


def _catalogue(model) -> dict[str, int]:
    found = {}
    for pk, code, name_th, name_en in model.objects.values_list("pk", "code", "name_th", "name_en"):
        for word in (code, name_th, name_en):
            if word:
                found.setdefault(_header_key(word), pk)
    return found


class Row:
    """A checked row: Person field values (`data`), its keys, and what links it."""

    __slots__ = (
        "data",
        "household_ref",
        "keys",
        "number",
        "problems",
        "relationship",
        "source_ref",
        "target_groups",
    )

    def __init__(
        self, number, source_ref, data, target_groups, problems, household_ref, relationship
    ):
        self.number = number  # the row's line in the sheet (header = 1)
        self.source_ref = source_ref
        self.data = data
        self.target_groups = target_groups
        self.problems = problems
        self.household_ref = household_ref
        self.relationship = relationship
        # name_key, first and last name sounds, keyed hashes of the phone and the ID number
        self.keys = ("", "", "", "", "")


class RowError(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors


def _row_ref(values: dict) -> str:
    """source_ref, or a content hash when the file has none: the same row is the same ref."""
    if values.get("source_ref"):
        return values["source_ref"]
    return _content_ref([values.get(column, "") for column in COLUMNS[1:]])


def _content_ref(texts: list[str]) -> str:
    content = "\x1f".join(texts)
    return "#" + hashlib.sha1(content.encode()).hexdigest()[:24]  # noqa: S324 (not security)


_COLUMN_INDEX = {column: index for index, column in enumerate(COLUMNS)}
_MAX_LENGTH_CHECKS = [
    (column, _COLUMN_INDEX[column], limit) for column, limit in MAX_LENGTHS.items()
]
_NOT_GIVEN = object()


class RowChecker:
    """Checks rows of one sheet: `check_row` with the sheet's column positions worked out once
    and every lookup whose answer depends only on a cell's text (dates, sex, lists, postal
    codes) memoised, since an import repeats those values thousands of times.

    The rules are `actions.check_person`'s, through the same helpers in the same order, so a
    row gets exactly the message the form would give.
    """

    def __init__(self, columns: list[str | None], catalogues: Catalogues, *, today: dt.date):
        positions = {}
        for index, column in enumerate(columns):
            if column is not None:
                positions.setdefault(column, index)
        self.positions = [positions.get(column) for column in COLUMNS]
        self.birth_position = positions.get("birth_date")
        self.catalogues = catalogues
        self.today = today
        self.dates: dict = {}
        self.birth_errors: dict = {}
        self.words: dict = {}
        self.lists: dict = {}
        self.postal: dict = {}

    def _word(self, kind: str, text: str, table: dict):
        key = (kind, text)
        found = self.words.get(key, _NOT_GIVEN)
        if found is _NOT_GIVEN:
            word = _header_key(text)
            found = self.words[key] = table.get(word.rstrip(".") if kind == "sex" else word)
        return found

    def _list(self, text: str, lookup: dict, column: str, errors: dict) -> list[int]:
        key = (column, text)
        found = self.lists.get(key)
        if found is None:
            own: dict[str, str] = {}
            found = self.lists[key] = (_list(text, lookup, column, own), own.get(column))
        if found[1]:
            errors[column] = found[1]
        return found[0]

    def _date(self, value):
        if type(value) is not str:
            return parse_date(value)
        found = self.dates.get(value)
        if found is None:
            try:
                found = parse_date(value)
            except CellError as error:
                found = error
            self.dates[value] = found
        if isinstance(found, CellError):
            raise found
        return found

    def check(self, raw) -> Row:
        """One row's cells (a sequence, in the sheet's order) → Row; RowError {column: reason}."""
        text = self._texts(raw)
        errors: dict[str, str] = {}
        for column, index, limit in _MAX_LENGTH_CHECKS:
            if len(text[index]) > limit:
                errors[column] = f"ยาวเกิน {limit} ตัวอักษร"
        cells = self._read_cells(raw, text, errors)
        person = self._check_person(text, cells, errors)
        if errors:
            raise RowError(errors)
        return self._row(text, cells, person)

    def _texts(self, raw) -> list[str]:
        """The row's cells as text, in COLUMNS order ('' for a column the sheet lacks)."""
        size = len(raw)
        text = []
        for index in self.positions:
            if index is None or index >= size:
                text.append("")
                continue
            value = raw[index]
            text.append(value.strip() if type(value) is str else cell_text(value))
        return text

    def _read_cells(self, raw, text: list[str], errors: dict) -> dict:
        """The import's own cell rules: words (ID type, sex, relationship), dates, codes,
        coordinates, lists. Each error goes to `errors` under its column."""
        national_id, id_type_text = text[_COLUMN_INDEX["national_id"]], text[2]
        cells = {"number": to_arabic_digits(national_id)}
        if id_type_text:
            cells["id_type"] = self._word("id_type", id_type_text, ID_TYPE_WORDS)
            if cells["id_type"] is None:
                errors["id_type"] = f"ไม่รู้จักประเภทเอกสาร '{id_type_text}'"
                cells["id_type"] = IdType.NONE
        else:
            cells["id_type"] = IdType.NATIONAL_ID if cells["number"] else IdType.NONE
        cells["birth_date"], cells["precision"] = None, None
        position = self.birth_position
        if position is not None and position < len(raw):
            try:
                cells["birth_date"], cells["precision"] = self._date(raw[position])
            except CellError as error:
                errors["birth_date"] = str(error)
        sex_text = text[_COLUMN_INDEX["sex"]]
        cells["sex"] = self._word("sex", sex_text, SEX_WORDS)
        if cells["sex"] is None:
            errors["sex"] = f"ไม่รู้จักเพศ '{sex_text}' (ใช้ ชาย หญิง อื่น ๆ หรือ ไม่ทราบ)"
            cells["sex"] = Sex.UNKNOWN
        cells["subdistrict"] = self._subdistrict(text[_COLUMN_INDEX["subdistrict_code"]], errors)
        cells["coordinates"] = [
            _coordinate(column, text[_COLUMN_INDEX[column]], errors)
            for column in ("latitude", "longitude")
        ]
        self._links(text, cells, errors)
        return cells

    def _subdistrict(self, code: str, errors: dict):
        if not code:
            return None
        code = to_arabic_digits(code)
        subdistrict = self.catalogues.subdistricts.get(code)
        if subdistrict is None:
            errors["subdistrict_code"] = f"ไม่พบรหัสแขวง/ตำบล {code}"
        return subdistrict

    def _links(self, text: list[str], cells: dict, errors: dict) -> None:
        """Target groups, problems, the household and the relationship to its head."""
        catalogues = self.catalogues
        groups_text, problems_text = text[_COLUMN_INDEX["target_groups"]], text[-1]
        cells["groups"] = self._list(groups_text, catalogues.target_groups, "target_groups", errors)
        cells["problems"] = self._list(problems_text, catalogues.problem_types, "problems", errors)
        relationship_text = text[_COLUMN_INDEX["relationship_to_head"]]
        cells["relationship"] = ""
        if relationship_text:
            relationship = self._word("relationship", relationship_text, RELATIONSHIP_WORDS)
            cells["relationship"] = relationship
            if not relationship:
                errors["relationship_to_head"] = f"ไม่รู้จักความสัมพันธ์ '{relationship_text}'"
        household_ref = text[_COLUMN_INDEX["household_ref"]]
        if household_ref and len(household_ref) > 100:
            errors["household_ref"] = "ยาวเกิน 100 ตัวอักษร"

    def _check_person(self, text: list[str], cells: dict, errors: dict) -> dict:
        """actions.check_person, field by field; its errors do not replace the row's own."""
        title, first_name, last_name = (" ".join(name.split()) for name in text[3:6])
        if not first_name:
            errors.setdefault("first_name", "กรุณากรอกชื่อ")
        id_type, number, field, message = actions.clean_identity(cells["id_type"], cells["number"])
        if field:
            errors.setdefault(COLUMN_OF_FIELD.get(field, field), message)
        birth_date, precision = cells["birth_date"], cells["precision"]
        if birth_date is not None:
            message = self.birth_errors.get(birth_date)
            if message is None:
                message = self.birth_errors[birth_date] = actions.birth_date_error(
                    birth_date, self.today
                )
            if message:
                errors.setdefault("birth_date", message)
            if precision in (None, "", BirthDatePrecision.UNKNOWN):
                precision = BirthDatePrecision.EXACT
        else:
            precision = BirthDatePrecision.UNKNOWN
        phone, message = actions.clean_phones(to_arabic_digits(text[_COLUMN_INDEX["phone"]]))
        if message:
            errors.setdefault("phone", message)
        key = (to_arabic_digits(text[_COLUMN_INDEX["postal_code"]]), cells["subdistrict"])
        postal = self.postal.get(key)
        if postal is None:
            postal = self.postal[key] = actions.clean_postal_code(*key)
        if postal[1]:
            errors.setdefault("postal_code", postal[1])
        coordinates = cells["coordinates"]
        for (field, low, high), value in zip(actions.COORDINATE_RANGES, coordinates, strict=True):
            if message := actions.coordinate_error(value, low, high):
                errors.setdefault(field, message)
        return {
            "title": title,
            "first_name": first_name,
            "last_name": last_name,
            "id_type": id_type,
            "id_number": number,
            "birth_date": birth_date,
            "birth_date_precision": precision,
            "phone": phone,
            "postal_code": postal[0],
        }

    def _row(self, text: list[str], cells: dict, person: dict) -> Row:
        village, soi, road = (text[_COLUMN_INDEX[name]] for name in ("village", "soi", "road"))
        house_number, moo = text[_COLUMN_INDEX["house_number"]], text[_COLUMN_INDEX["moo"]]
        data = {
            "title": person["title"],
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "village": " ".join(village.split()),
            "soi": " ".join(soi.split()),
            "road": " ".join(road.split()),
            "house_number": " ".join(to_arabic_digits(house_number).split()),
            "moo": " ".join(to_arabic_digits(moo).split()),
            "phone": person["phone"],
            "id_type": person["id_type"],
            "id_number": person["id_number"],
            "birth_date": person["birth_date"],
            "birth_date_precision": person["birth_date_precision"],
            "sex": cells["sex"],
            "subdistrict": cells["subdistrict"],
            "postal_code": person["postal_code"],
            "latitude": cells["coordinates"][0],
            "longitude": cells["coordinates"][1],
        }
        household_ref = text[_COLUMN_INDEX["household_ref"]]
        row = Row(
            0,
            text[0] or _content_ref(text[1:]),
            data,
            cells["groups"],
            cells["problems"],
            household_ref,
            cells["relationship"] or (Relationship.OTHER if household_ref else ""),
        )
        # The same keys register_person computes (actions._keys); soundex is memoised.
        first_name, last_name, phone, number = (
            data["first_name"],
            data["last_name"],
            data["phone"],
            data["id_number"],
        )
        row.keys = (
            name_key(f"{first_name}{last_name}"),
            sound_key(first_name),
            sound_key(last_name),
            phone_hash(phone) if phone else "",
            identity_hash(number) if number else "",
        )
        return row


def _coordinate(column: str, raw_value: str, errors: dict):
    if not raw_value:
        return None
    try:
        return Decimal(to_arabic_digits(raw_value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        errors[column] = "พิกัดต้องเป็นตัวเลขทศนิยม"
        return None


def check_row(values: dict, catalogues: Catalogues, *, today: dt.date) -> Row:
    """One row's cells (canonical column → raw value) → Row; RowError {column: Thai reason}.

    Person fields pass the rules of `check_person`, the ones the form and the API use.
    """
    return RowChecker(list(values), catalogues, today=today).check(list(values.values()))
