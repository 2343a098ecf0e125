"""Writing: the BatchWriter thread and the per-database fast inserts (COPY / executemany)."""

import queue
import threading
from enum import Enum

from django.db import connection
from django.utils import timezone


class BatchWriter:
    """Commits the import's batches in order. On PostgreSQL, outside a transaction, it does so in
    a thread with a connection of its own, so the database writes one batch (COPY, the upkeep of
    a dozen person indexes, the commit's foreign-key checks: ~0.6 s for 5,000 rows at a million
    people) while this thread reads and checks the next (~0.45 s); a batch's reads never need
    the batch before it (`Importer.in_flight`). Otherwise (SQLite, whose ids come from MAX(id)
    under the write lock; all-or-nothing; inside a caller's transaction) each batch is
    committed at once, here.

    At most one batch is in flight: `submit` waits for the one before. The first error in the
    thread is raised by the next `submit` or by `close`; batches after it are not written. A
    batch once submitted is written even if the importer then stops (it is whole: its rows,
    results and progress), so a re-run resumes after it.
    """

    def __init__(self, threaded: bool):
        self.error: BaseException | None = None
        self.thread = None
        if threaded:
            self.work: queue.Queue = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._loop, name="import-writer", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        try:
            while (work := self.work.get()) is not None:
                try:
                    if self.error is None:
                        work()
                except BaseException as error:  # handed to the importer's thread
                    self.error = error
                finally:
                    self.work.task_done()
        finally:
            connection.close()  # this thread's own connection

    def submit(self, work) -> None:
        if self.thread is None:
            work()
            return
        self.work.join()  # the batch before is committed
        self._raise()
        self.work.put(work)

    def close(self, *, raise_error: bool = True) -> None:
        """Wait for the submitted batch, then stop the thread; raise its error, if any."""
        if self.thread is None:
            return
        self.work.put(None)
        self.thread.join()
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


# --- Fast inserts ------------------------------------------------------------------------------
# bulk_create spends most of an import in per-field Python; these write plain tuples instead:
# COPY on PostgreSQL, executemany on SQLite, with ids taken up front so rows can point at them.


def _adapter(field):
    from django.db import connection, models

    if connection.vendor != "sqlite":
        return None  # psycopg adapts dates, decimals and datetimes itself
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    if isinstance(field, models.BooleanField):
        return lambda value: None if value is None else int(value)
    return None


def _take_ids(model, count: int) -> list[int]:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held (IMMEDIATE transactions), so max + 1 onwards is ours.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


# The columns an import fills, in the order _create builds its tuples; the others take their
# defaults (insert_rows).
PERSON_COLUMNS = (
    "id",
    "source",
    "source_ref",
    "title",
    "first_name",
    "last_name",
    "id_type",
    "id_number",
    "birth_date",
    "birth_date_precision",
    "sex",
    "phone",
    "house_number",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_id",
    "postal_code",
    "latitude",
    "longitude",
    "district_id",
    "province_id",
    "center_id",
    "name_key",
    "first_name_sound",
    "last_name_sound",
    "phone_hash",
    "id_number_hash",
    "created_by_id",
    "created_at",
    "updated_at",
)


def _plain(value):
    # TextChoices members are str and Enum at once; the database wants the str.
    return value.value if isinstance(value, Enum) else value


def insert_rows(model, attnames: tuple[str, ...] | list[str], rows: list[tuple]) -> None:
    """Insert plain tuples (values for `attnames`, in that order) into the model's table; every
    other concrete field takes its default. COPY on PostgreSQL, executemany on SQLite.

    A model instance per row costs more than the database's work for it; tuples cost nothing.
    """
    if not rows:
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in attnames and not f.primary_key
    ]
    now = timezone.now()
    constants = tuple(
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else _plain(f.get_default())
        for f in rest
    )
    fields += rest
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                write = copy.write_row
                if constants:
                    for values in rows:
                        write(values + constants)
                else:
                    for values in rows:
                        write(values)
            return
        adapters = [(index, adapt) for index, f in enumerate(fields) if (adapt := _adapter(f))]
        prepared = []
        for values in rows:
            values = [_plain(value) for value in values + constants]
            for index, adapt in adapters:
                values[index] = adapt(values[index])
            prepared.append(values)
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', prepared)  # noqa: S608


def _any(column: str, values) -> tuple[str, list]:
    """`column = ANY(%s)` with one array parameter on PostgreSQL (no SQL text as long as the
    list to parse); `column IN (%s, ...)` on SQLite."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values
