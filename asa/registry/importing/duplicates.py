"""Duplicate checks of an import batch: `asa.registry.matching`'s blocking keys and scoring, the
ones of registration's capture check and of the batch finder, asked of the database once per
batch (one indexed query per kind of key), never once per row."""

from asa.registry.importing.reports import _earlier_row
from asa.registry.importing.rows import Row
from asa.registry.matching import PK, SAME_ID, Pool, candidate_ids, read_rows
from asa.registry.models import IdType

MATCHES_SHOWN = 5


class DuplicateChecks:
    """Importer methods: likely duplicates of a batch's new rows."""

    def _find_duplicates(self, rows: list[Row]) -> dict[int, list[tuple[int, str]]]:
        """Likely duplicates of new rows (by row number): [(person id, reason)], the id 0 for
        an earlier row of the file (the reason names it). Compared with registered people who
        share a blocking key, the previous batch's new people (maybe not committed yet), and
        the earlier rows of the file that were not refused themselves."""
        found: dict[int, list[tuple[int, str]]] = {}
        if not rows:
            return found
        probes = [self._probe(row) for row in rows]
        pool = self._pool()
        for other in read_rows(candidate_ids(probes, by_district=False)):
            pool.add(other, other[PK])
        for row, probe in zip(rows, probes, strict=True):
            matches = pool.matches(probe)
            if matches:
                found[row.number] = _reasons(matches[:MATCHES_SHOWN])
            else:
                pool.add(probe, ("row", row.number, row.source_ref))
        return found

    def _pool(self) -> Pool:
        """A fresh pool holding the previous batch's new people; a dry run, which commits no
        one, keeps one pool for the whole file (its earlier rows are named by row number)."""
        if self.job.dry_run:
            if self.dry_run_pool is None:
                self.dry_run_pool = Pool()
            return self.dry_run_pool
        pool = Pool()
        for row in self.in_flight:
            pool.add(row, row[PK])
        return pool

    def _probe(self, row: Row, pk: int | None = None) -> tuple:
        """A checked row as a matching row (asa.registry.matching.FIELDS)."""
        data = row.data
        subdistrict = data["subdistrict"]
        code = subdistrict.code if subdistrict is not None else None
        district_id = self._place_of(code)[0] if code else None
        id_type = data["id_type"]
        return (
            pk,
            row.keys[0],
            row.keys[1],
            row.keys[2],
            id_type,
            data["id_number"] if id_type != IdType.NONE else "",
            data["birth_date"],
            data["birth_date_precision"],
            code or "",
            district_id or "",
            row.keys[3],
            data["first_name"],
            data["sex"],
            data["title"],
            district_id[:2] if district_id else "",
        )


def _reasons(matches) -> list[tuple[int, str]]:
    found = []
    for label, _score, reasons in matches:
        if isinstance(label, tuple):  # an earlier row of the file
            _row, number, source_ref = label
            found.append((0, f"{_earlier_row(number, source_ref)}: {', '.join(reasons)}"))
        else:
            found += [(label, reason) for reason in reasons or [SAME_ID]]
    return found
