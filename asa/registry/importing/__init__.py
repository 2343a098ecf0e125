"""Import people and households from CSV and XLSX: the import actions and the engine.

`start_import` checks and stores an uploaded file and opens an ImportJob; `run_import(job_id)`
imports it in batches of BATCH_SIZE rows, each batch in one transaction that also records the
row results and the job's progress, so a killed import re-run resumes after the last committed
batch with nothing lost or doubled. `import_file` does both in the foreground (CLI, benchmark).

Rows are validated with the registry's own rules (`check_person`) without a query per row:
areas, centers, target groups and problem types are loaded once into dictionaries, and each
batch asks the database a fixed handful of questions (existing source refs, identity numbers,
phones, sound-alike names) before writing plain tuples with COPY (`insert_rows`). On
PostgreSQL a BatchWriter thread commits each batch while the next one is read and checked.
The format is in docs/import-format.md.

Where things are (one job a file):
- columns.py: the format's columns, Thai headers and aliases, the file size limit;
- files.py: sniffing CSV/XLSX by content, decoding (UTF-8, TIS-620), mapping the header;
- cells.py: a cell's text, dates (BE/CE, Excel serials), sex, ID types, relationships, lists;
- rows.py: reference data (Catalogues) and RowChecker, a row's cells → a checked Row;
- duplicates.py: the batch's duplicate checks (set-based queries);
- probing.py: matches outside the importer's area, the import lock and the DPO's notice;
- writer.py: the BatchWriter thread and the per-database fast inserts (COPY, executemany);
- households.py: target groups, problems, households and memberships of a batch;
- reports.py: the row report's results and wording, the job's counts;
- engine.py: Importer, which runs a job batch by batch;
- jobs.py: the actions (start_import, run_import, import_file, enqueue_import);
- template.py: the XLSX template.
"""

from asa.registry.importing.cells import (
    _DAY_MONTH_YEAR,
    _DMY,
    _MONTH_NUMBER,
    _YMD,
    EXCEL_EPOCH,
    ID_TYPE_WORDS,
    RELATIONSHIP_WORDS,
    SEX_WORDS,
    CellError,
    _ce_year,
    _list,
    _year_only,
    cell_text,
    parse_date,
)
from asa.registry.importing.columns import (
    _MORE_ALIASES,
    COLUMN_OF_FIELD,
    COLUMNS,
    DEFAULT_MAX_BYTES,
    FORMULA_PREFIXES,
    HEADER_ALIASES,
    MAX_LENGTHS,
    NO_ROWS,
    NOT_A_SPREADSHEET,
    THAI_HEADERS,
    _header_key,
    max_bytes,
)
from asa.registry.importing.duplicates import (
    DuplicateChecks,
)
from asa.registry.importing.engine import (
    BATCH_SIZE,
    Importer,
    _AllOrNothingFailed,
    _fill_keys,
)
from asa.registry.importing.files import (
    FileRefused,
    Sheet,
    _map_header,
    _open_xlsx,
    decode_text,
    open_sheet,
    sniff_kind,
)
from asa.registry.importing.households import (
    HouseholdLinking,
    _household_code,
    _move,
    _set_head,
)
from asa.registry.importing.jobs import (
    _chunks,
    _import_dir,
    _too_large,
    check_import_center,
    enqueue_import,
    import_file,
    run_import,
    start_import,
)
from asa.registry.importing.probing import (
    OUTSIDE_SCOPE_COUNT,
    ProbeGuard,
    _may_write,
    outside_matches_lately,
)
from asa.registry.importing.reports import (
    IDENTITY_FIELDS,
    IDENTITY_LABELS,
    IMPORT_LOCKED_MESSAGE,
    OUTSIDE_SCOPE_MESSAGE,
    Result,
    _counts,
    _duplicate_result,
    _earlier_row,
    _shown,
)
from asa.registry.importing.rows import (
    _COLUMN_INDEX,
    _MAX_LENGTH_CHECKS,
    _NOT_GIVEN,
    Catalogues,
    Row,
    RowChecker,
    RowError,
    _catalogue,
    _content_ref,
    _row_ref,
    check_row,
)
from asa.registry.importing.template import (
    EXAMPLE_ROW,
    write_template,
)
from asa.registry.importing.writer import (
    PERSON_COLUMNS,
    BatchWriter,
    _adapter,
    _any,
    _plain,
    _take_ids,
    insert_rows,
)

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "COLUMN_OF_FIELD",
    "DEFAULT_MAX_BYTES",
    "EXAMPLE_ROW",
    "EXCEL_EPOCH",
    "FORMULA_PREFIXES",
    "HEADER_ALIASES",
    "IDENTITY_FIELDS",
    "IDENTITY_LABELS",
    "ID_TYPE_WORDS",
    "IMPORT_LOCKED_MESSAGE",
    "MAX_LENGTHS",
    "NOT_A_SPREADSHEET",
    "NO_ROWS",
    "OUTSIDE_SCOPE_COUNT",
    "OUTSIDE_SCOPE_MESSAGE",
    "PERSON_COLUMNS",
    "RELATIONSHIP_WORDS",
    "SEX_WORDS",
    "THAI_HEADERS",
    "_COLUMN_INDEX",
    "_DAY_MONTH_YEAR",
    "_DMY",
    "_MAX_LENGTH_CHECKS",
    "_MONTH_NUMBER",
    "_MORE_ALIASES",
    "_NOT_GIVEN",
    "_YMD",
    "BatchWriter",
    "Catalogues",
    "CellError",
    "DuplicateChecks",
    "FileRefused",
    "HouseholdLinking",
    "Importer",
    "ProbeGuard",
    "Result",
    "Row",
    "RowChecker",
    "RowError",
    "Sheet",
    "_AllOrNothingFailed",
    "_adapter",
    "_any",
    "_catalogue",
    "_ce_year",
    "_chunks",
    "_content_ref",
    "_counts",
    "_duplicate_result",
    "_earlier_row",
    "_fill_keys",
    "_header_key",
    "_household_code",
    "_import_dir",
    "_list",
    "_map_header",
    "_may_write",
    "_move",
    "_open_xlsx",
    "_plain",
    "_row_ref",
    "_set_head",
    "_shown",
    "_take_ids",
    "_too_large",
    "_year_only",
    "cell_text",
    "check_import_center",
    "check_row",
    "decode_text",
    "enqueue_import",
    "import_file",
    "insert_rows",
    "max_bytes",
    "open_sheet",
    "outside_matches_lately",
    "parse_date",
    "run_import",
    "sniff_kind",
    "start_import",
    "write_template",
]
