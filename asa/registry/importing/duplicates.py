"""Duplicate checks of an import batch, set-based: a few indexed queries per batch."""

import datetime as dt

from django.db import connection, transaction

from asa.registry.importing.reports import (
    _earlier_row,
)
from asa.registry.importing.rows import (
    Row,
)
from asa.registry.importing.writer import (
    _any,
)


class DuplicateChecks:
    """Importer methods: likely duplicates of a batch's new rows."""

    def _find_duplicates(self, rows: list[Row]) -> dict[int, list[tuple[int, str]]]:
        """Likely duplicates of new rows (by row number), among existing people and earlier
        rows of the batch: the same identity number; the same sound-alike name and birth year
        in the same subdistrict; the same phone and sound-alike first name (family members
        share phones). Three indexed queries per batch, then dictionary lookups."""
        found: dict[int, list[tuple[int, str]]] = {}
        if not rows:
            return found
        by_number: dict[tuple, int] = {}
        by_phone: dict[tuple, int] = {}
        by_name: dict[tuple, int] = {}
        # Identity numbers are compared through their keyed hashes (stored encrypted).
        numbers = {(row.data["id_type"], row.keys[4]) for row in rows}
        numbers = {pair for pair in numbers if pair[1]}
        phones = {row.keys[3] for row in rows if row.keys[3]}
        names = {
            (row.keys[1], row.keys[2])
            for row in rows
            if row.keys[1] and row.data["birth_date"] and row.data["subdistrict"]
        }
        places = {row.data["subdistrict"].code for row in rows if row.data["subdistrict"]}
        postgresql = connection.vendor == "postgresql"
        with transaction.atomic(), connection.cursor() as cursor:
            # On PostgreSQL, one index probe per key whatever the statistics say: it samples the
            # keyed hashes and underestimates their distinct values five to tenfold (family
            # members share phones; people without an ID share ''), so `= ANY(...)` with a
            # batch's keys was planned as a scan of the whole table (~350 ms a query). OFFSET 0
            # keeps the lateral probe from being flattened into a join. Without JIT: the probes'
            # estimated cost crosses jit_above_cost, and compiling took longer than running.
            if postgresql:
                cursor.execute("SET LOCAL jit = off")
            if numbers:
                if postgresql:
                    types, hashes = zip(*numbers, strict=True)
                    cursor.execute(
                        "SELECT p.id, k.t, k.h FROM unnest(%s::text[], %s::text[]) AS k(t, h) "
                        "CROSS JOIN LATERAL (SELECT id FROM registry_person "
                        "WHERE id_type = k.t AND id_number_hash = k.h AND NOT id_number_hash = '' "
                        "AND merged_into_id IS NULL OFFSET 0) AS p",
                        [list(types), list(hashes)],
                    )
                else:
                    types, type_params = _any("id_type", {t for t, _ in numbers})
                    given, number_params = _any("id_number_hash", {n for _, n in numbers})
                    cursor.execute(
                        "SELECT id, id_type, id_number_hash FROM registry_person "  # noqa: S608
                        f"WHERE {types} AND {given} AND NOT id_number_hash = '' "
                        "AND merged_into_id IS NULL",
                        [*type_params, *number_params],
                    )
                by_number.update(((t, h), pk) for pk, t, h in cursor.fetchall())
            if phones:
                if postgresql:
                    cursor.execute(
                        "SELECT p.id, k.h, p.first_name_sound FROM unnest(%s::text[]) AS k(h) "
                        "CROSS JOIN LATERAL (SELECT id, first_name_sound FROM registry_person "
                        "WHERE phone_hash = k.h AND merged_into_id IS NULL OFFSET 0) AS p "
                        "ORDER BY p.id",
                        [list(phones)],
                    )
                else:
                    given, params = _any("phone_hash", phones)
                    cursor.execute(
                        "SELECT id, phone_hash, first_name_sound FROM registry_person "  # noqa: S608
                        f"WHERE {given} AND merged_into_id IS NULL ORDER BY id",
                        params,
                    )
                for pk, key, sound in cursor.fetchall():
                    by_phone.setdefault((key, sound), pk)
            if names:
                if postgresql:
                    # Pairs joined to the (first, last) sound index: never a scan by first
                    # sound alone, which in a national table matches a great many people.
                    firsts, lasts = zip(*names, strict=True)
                    cursor.execute(
                        "SELECT p.id, p.first_name_sound, p.last_name_sound, p.birth_date, "
                        "p.subdistrict_id FROM registry_person p "
                        "JOIN unnest(%s::text[], %s::text[]) AS k(f, l) "
                        "ON p.first_name_sound = k.f AND p.last_name_sound = k.l "
                        "WHERE p.subdistrict_id = ANY(%s) AND p.birth_date IS NOT NULL "
                        "AND p.merged_into_id IS NULL ORDER BY p.id",
                        [list(firsts), list(lasts), list(places)],
                    )
                else:
                    sounds, sound_params = _any("first_name_sound", {f for f, _ in names})
                    given, place_params = _any("subdistrict_id", places)
                    cursor.execute(
                        "SELECT id, first_name_sound, last_name_sound, birth_date, "  # noqa: S608
                        f"subdistrict_id FROM registry_person WHERE {sounds} AND {given} "
                        "AND birth_date IS NOT NULL AND merged_into_id IS NULL ORDER BY id",
                        [*sound_params, *place_params],
                    )
                for pk, first, last, birth, place in cursor.fetchall():
                    if isinstance(birth, str):
                        birth = dt.date.fromisoformat(birth)
                    by_name.setdefault((first, last, birth.year, place), pk)
        for found_by, in_flight in zip((by_number, by_name, by_phone), self.in_flight, strict=True):
            for key, pk in in_flight.items():
                found_by.setdefault(key, pk)
        # Earlier rows of this batch by identity number and name: (row number, source_ref).
        batch_number: dict[tuple, tuple[int, str]] = {}
        batch_name: dict[tuple, tuple[int, str]] = {}
        for row in rows:
            data = row.data
            reasons = []
            _key, first_sound, _last_sound, phone, number_hash = row.keys
            number = (data["id_type"], number_hash)
            birth_date, subdistrict = data["birth_date"], data["subdistrict"]
            name = _name_of(row)
            if number[1]:
                if number in by_number:
                    reasons.append((by_number[number], "เลขเอกสารเดียวกัน"))
                elif number in batch_number:
                    reasons.append((0, f"เลขเอกสารเดียวกับ{_earlier_row(*batch_number[number])}"))
            if first_sound and birth_date and subdistrict:
                if name in by_name:
                    reasons.append((by_name[name], "ชื่อออกเสียงเหมือนกัน ปีเกิดเดียวกัน ในแขวง/ตำบลเดียวกัน"))
                elif name in batch_name:
                    reasons.append((0, f"ชื่อและปีเกิดเดียวกับ{_earlier_row(*batch_name[name])}"))
            if phone and (phone, first_sound) in by_phone:
                reasons.append((by_phone[(phone, first_sound)], "หมายเลขโทรศัพท์และชื่อเหมือนกัน"))
            if reasons:
                found[row.number] = reasons
                continue
            if number[1]:
                batch_number[number] = (row.number, row.source_ref)
            if name[0] and name[2] and name[3]:
                batch_name[name] = (row.number, row.source_ref)
        return found


def _name_of(row: Row) -> tuple:
    """The duplicate check's name key: sound-alike first and last name, birth year, subdistrict."""
    birth_date, subdistrict = row.data["birth_date"], row.data["subdistrict"]
    return (
        row.keys[1],
        row.keys[2],
        birth_date.year if birth_date else None,
        subdistrict.code if subdistrict else None,
    )
