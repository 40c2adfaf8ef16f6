"""Import of the RUNTS list of registered entities (.xlsx or CSV) into the mirror.

The file is streamed: rows are validated one by one and written in batches (one SELECT of
the known codes and hashes per batch, one multi-row INSERT of the new entities, one multi-row
UPDATE of the changed ones, one UPDATE marking the unchanged ones as seen), so memory stays
constant whatever the size of the list, on SQLite and PostgreSQL alike. A malformed row is
rejected with its line and reason and never stops the import. Entities listed before and
missing from this snapshot are marked removed, never deleted. The whole import runs in the
caller's transaction (flush only: the caller commits), so a failure leaves nothing behind.

Measured choices (bench/runts_import.py): the conversion of low-cardinality fields is
memoized, the hot statements go to the driver as plain SQL. Not used because they did not
help: an `INSERT ... ON CONFLICT DO UPDATE` per batch (slower on SQLite than the SELECT and
the UPDATE ... IN of unchanged rows, and it loses the exact counts), skipping the SELECT
when the mirror is empty (no measurable gain), a larger SQLite page cache; not used because
unsafe: `PRAGMA synchronous=OFF` (the app already runs WAL with synchronous=NORMAL, where a
commit does not fsync; OFF only drops the checkpoint's fsyncs, at the risk of a corrupted
database on power loss).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import bindparam, func, or_, select, update

from ..core.models import now_column
from ..core.time import ROME, rome_today
from ..extensions import db
from .models import RuntsEntity, RuntsImport, RuntsStatus
from .parsing import (
    FIELD_LABELS,
    FIELDS,
    ColumnMap,
    RowError,
    entity_code,
    is_entity_code,
    map_columns,
    parse_date,
    parse_flag,
    parse_section,
)

BATCH_SIZE = 2000
HEADER_SEARCH_ROWS = 20  # the header may sit below a title: look for it this far
CSV_DELIMITERS = (";", ",", "\t")
ENTITIES = RuntsEntity.__table__


class RuntsFileError(Exception):
    """A file that cannot be imported at all: unreadable, a mandatory column missing, an
    older snapshot than the last one imported. The caller rolls back: nothing is kept."""


# Reading the file ---------------------------------------------------------------------------------


def file_sha256_and_utf8(path: Path) -> tuple[str, bool]:
    """The file's SHA-256, and whether it decodes as UTF-8, in one streaming pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), utf8


def sniff_delimiter(line: str) -> str:
    """The separator of a CSV header line: the most frequent of ; , and tab (ties: ;)."""
    return max(CSV_DELIMITERS, key=lambda d: (line.count(d), d == ";"))


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == b"PK\x03\x04"


@dataclass
class Source:
    """An open file of the list: its format, SHA-256 and numbered rows."""

    path: Path
    format: str
    sha256: str
    rows: Iterator[tuple[int, Sequence]]
    close: Callable[[], None]


def _csv_rows(stream) -> Iterator[tuple[int, list[str]]]:
    header = ""
    while not header.strip():
        header = stream.readline()
        if not header:
            return
    stream.seek(0)
    reader = csv.reader(stream, delimiter=sniff_delimiter(header))
    end = 0
    for row in reader:
        yield end + 1, row
        end = reader.line_num


def open_csv(path: Path) -> Source:
    sha256, utf8 = file_sha256_and_utf8(path)
    encoding = "utf-8-sig" if utf8 else "cp1252"
    stream = path.open(encoding=encoding, errors="replace", newline="")
    return Source(path, "csv", sha256, _csv_rows(stream), stream.close)


def _xlsx_rows(sheet) -> Iterator[tuple[int, tuple]]:
    yield from enumerate(sheet.iter_rows(values_only=True), start=1)


def open_xlsx(path: Path) -> Source:
    import zipfile

    from openpyxl import load_workbook

    sha256, _utf8 = file_sha256_and_utf8(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise RuntsFileError(f"File Excel {path.name} illeggibile: {exc}") from exc
    return Source(path, "xlsx", sha256, _xlsx_rows(workbook.worksheets[0]), workbook.close)


def open_source(path: Path) -> Source:
    """Open a .xlsx (by its content, whatever the extension) or a CSV file."""
    try:
        if path.suffix.lower() == ".xls":
            raise RuntsFileError(
                f"{path.name}: il formato .xls non è supportato, salvarlo come .xlsx o CSV"
            )
        return open_xlsx(path) if _is_xlsx(path) else open_csv(path)
    except OSError as exc:
        raise RuntsFileError(f"Impossibile leggere {path}: {exc.strerror or exc}") from exc


def _is_empty(row: Sequence) -> bool:
    for value in row:
        if value is not None and (value.__class__ is not str or value.strip()):
            return False
    return True


def find_header(rows: Iterator[tuple[int, Sequence]]) -> tuple[ColumnMap, Iterator]:
    """The header row (the first of the leading rows naming two known columns, else the
    first non-empty one), its column map, and the rows after it."""
    leading = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    candidates = [(i, row) for i, (_line, row) in enumerate(leading) if not _is_empty(row)]
    if not candidates:
        raise RuntsFileError("Il file non contiene righe")
    chosen = next(
        ((i, columns) for i, row in candidates if len((columns := map_columns(row)).indexes) >= 2),
        None,
    )
    if chosen is None:
        chosen = (candidates[0][0], map_columns(candidates[0][1]))
    position, columns = chosen
    return columns, itertools.chain(leading[position + 1 :], rows)


# Validating rows ----------------------------------------------------------------------------------


def _length(name: str) -> int | None:
    return getattr(ENTITIES.c[name].type, "length", None)


def _text(value) -> str | None:
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers from Excel (repertorio)
    return str(value).strip() or None


def _limited_text(name: str) -> Callable:
    limit, label = _length(name), FIELD_LABELS[name]

    def convert(value) -> str | None:
        text = _text(value)
        if text is not None and len(text) > limit:
            raise RowError(f"{label} troppo lungo ({len(text)} caratteri, massimo {limit})")
        return text

    return convert


def _section(value) -> str:
    """The section's letter (a plain string: the statement binds it as is)."""
    text = _text(value)
    if text is None:
        raise RowError("sezione mancante")
    section = parse_section(text)
    if section is None:
        raise RowError(f"sezione «{text}» non riconosciuta")
    return section.value


def _registration_date(value) -> date:
    parsed = parse_date(value)
    if parsed is None:
        text = _text(value)
        raise RowError(
            f"data di iscrizione «{text}» non valida" if text else "data di iscrizione mancante"
        )
    return parsed


def _province(text_of: Callable) -> Callable:
    """The provincia: a two-letter code in capitals ("bo" -> "BO"); a name as written."""

    def convert(value) -> str | None:
        text = text_of(value)
        return text.upper() if text and len(text) == 2 else text

    return convert


TEXT_FIELDS = ("repertorio", "denominazione", "legale_rappresentante", "rete_associativa", "comune")
CONVERTERS: dict[str, Callable] = {name: _limited_text(name) for name in TEXT_FIELDS} | {
    "codice_fiscale": entity_code,
    "sezione": _section,
    "registered_on": _registration_date,
    "provincia": _province(_limited_text("provincia")),
    "cinque_per_mille": parse_flag,
}
REGISTERED_ON = FIELDS.index("registered_on")


# Low-cardinality fields (a few sections, flags, provinces, ~1,500 dates, some thousand comuni
# and networks): the conversion of each distinct text is kept, a few thousand per field at most
# so that memory stays bounded, and a repeated value costs one dictionary lookup.
MEMOIZED = frozenset(
    {"sezione", "registered_on", "cinque_per_mille", "provincia", "comune", "rete_associativa"}
)
MEMO_LIMIT = 4096
_MISSING = object()


class _Rejected(str):
    """A memoized conversion that failed: its reason (a fresh RowError is raised each time)."""


def _memo_entry(convert: Callable, value: str, memo: dict):
    try:
        result = convert(value)
    except RowError as exc:
        result = _Rejected(exc)
    if len(memo) < MEMO_LIMIT:
        memo[value] = result
    return result


def row_parser(columns: ColumnMap, snapshot: date) -> Callable[[Sequence], tuple]:
    """A function from a row of the file to the entity's values (in FIELDS order), or
    RowError. The CF is checked first so that its reason wins over the others.

    The per-row work is inlined for the common case of text cells (every CSV cell): a plain
    text field is stripped and its length checked here, a low-cardinality one is looked up
    in its memo; other cells (numbers, dates from Excel) go through the converter."""
    code_index = columns.indexes["codice_fiscale"]  # mandatory, checked first
    plan = [
        (
            FIELDS.index(name),
            index,
            CONVERTERS[name],
            {} if name in MEMOIZED else None,
            _length(name) if name in TEXT_FIELDS else None,
        )
        for name, index in columns.indexes.items()
        if name != "codice_fiscale"
    ]
    width = columns.width
    absent = [None] * len(FIELDS)

    def parse(row: Sequence) -> tuple:
        if len(row) != width and (len(row) < width or not _is_empty(row[width:])):
            raise RowError(f"numero di colonne errato ({len(row)} invece di {width})")
        values = absent.copy()
        value = row[code_index]
        if value.__class__ is str and is_entity_code(code := value.strip()):
            values[0] = code  # the common case of entity_code, without its call
        else:
            values[0] = entity_code(value)
        for position, index, convert, memo, limit in plan:
            value = row[index]
            if value.__class__ is not str:
                values[position] = convert(value)
            elif memo is not None:
                result = memo.get(value, _MISSING)
                if result is _MISSING:
                    result = _memo_entry(convert, value, memo)
                if result.__class__ is _Rejected:
                    raise RowError(result)
                values[position] = result
            elif limit is not None:
                value = value.strip() or None
                if value is not None and len(value) > limit:
                    values[position] = convert(value)  # raises with the reason
                values[position] = value
            else:
                values[position] = convert(value)
        if values[REGISTERED_ON] > snapshot:
            raise RowError(
                f"data di iscrizione {values[REGISTERED_ON]:%d/%m/%Y} successiva alla data"
                f" dell'elenco ({snapshot:%d/%m/%Y})"
            )
        return tuple(values)

    return parse


def row_hash(values: tuple) -> str:
    """A digest of the listed values (str, date, bool or None): equal digests, unchanged."""
    return hashlib.md5(repr(values).encode(), usedforsecurity=False).hexdigest()


# The report ---------------------------------------------------------------------------------------


COUNTS = ("read", "inserted", "updated", "unchanged", "removed", "rejected")


@dataclass
class ImportReport:
    """What an import read, wrote and rejected; `record` is the stored RuntsImport.

    Counted here in plain integers (an ORM attribute per row would cost more than the row's
    SQL) and copied to the record by `store`."""

    record: RuntsImport
    columns: ColumnMap
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: int = 0
    rejected_rows: list[dict] = field(default_factory=list)  # at most MAX_STORED_REJECTS

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < RuntsImport.MAX_STORED_REJECTS:
            self.rejected_rows.append({"line": line, "reason": reason})

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.removed)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}

    def store(self) -> None:
        record = self.record
        record.rows_read = self.read
        for name in COUNTS[1:]:
            setattr(record, name, getattr(self, name))
        self.rejected_rows.sort(key=lambda item: item["line"])
        record.rejected_rows = self.rejected_rows
        record.finished_at = now_column()


# Writing ------------------------------------------------------------------------------------------


def _placeholder(dialect) -> str:
    """The driver's positional parameter marker (qmark for sqlite3, %s for psycopg)."""
    if dialect.paramstyle == "qmark":
        return "?"
    if dialect.paramstyle in ("format", "pyformat"):
        return "%s"
    raise NotImplementedError(f"paramstyle {dialect.paramstyle} non supportato")


class DriverInsert:
    """An INSERT written once and run with many rows straight through the driver.

    Core's executemany builds and processes a parameter dictionary per row, which costs
    more than the database's own work here. Each row is instead a tuple of the `varying`
    columns, followed by one tail of `constant` values shared by the batch, in the order of
    the statement's column list; only the varying columns whose type needs it (dates on
    SQLite, booleans, enums) go through their bind processor, once per distinct value (they
    take a handful of values: sections, flags, dates), the tail once per batch.
    """

    def __init__(self, connection, table, varying: Sequence[str], constant: Sequence[str]):
        dialect = connection.dialect
        self.keys = (*varying, *constant)
        preparer = dialect.identifier_preparer
        marks = ", ".join([_placeholder(dialect)] * len(self.keys))
        self.sql = (
            f"INSERT INTO {preparer.format_table(table)}"
            f" ({', '.join(preparer.quote(key) for key in self.keys)}) VALUES ({marks})"
        )
        self.connection = connection
        self.size = len(varying)
        self.processors = [self._processor(table, key, dialect) for key in self.keys]
        self.steps = [
            (index, {}, process)
            for index, process in enumerate(self.processors[: self.size])
            if process is not None
        ]

    @staticmethod
    def _processor(table, key: str, dialect) -> Callable | None:
        column_type = table.c[key].type
        return column_type.dialect_impl(dialect).bind_processor(dialect)

    def _tail(self, constant: tuple) -> tuple:
        return tuple(
            value if process is None else process(value)
            for value, process in zip(constant, self.processors[self.size :], strict=True)
        )

    def execute(self, rows: list[tuple], constant: tuple) -> None:
        tail = self._tail(constant)
        if not self.steps:
            params = [(*row, *tail) for row in rows]
        else:
            params = []
            for row in rows:
                row = list(row)
                for index, memo, process in self.steps:
                    value = row[index]
                    bound = memo.get(value, _MISSING)
                    if bound is _MISSING:
                        bound = process(value)
                        if len(memo) < MEMO_LIMIT:
                            memo[value] = bound
                    row[index] = bound
                row.extend(tail)
                params.append(tuple(row))
        self.connection.exec_driver_sql(self.sql, params)


NEW_ROW_KEYS = ("row_hash",)  # per row, after FIELDS
NEW_BATCH_KEYS = (
    "status",
    "first_seen_snapshot",
    "last_seen_snapshot",
    "removed_on_snapshot",
    "last_import_id",
    "updated_at",
)


class BatchWriter:
    """Collects valid rows and writes them a batch at a time, in at most four statements.

    The per-batch lookup and the marking of unchanged rows are plain SQL run through the
    driver (written once per batch length): compiling an expanding IN of thousands of codes
    and building a Row per result cost more than the queries themselves."""

    def __init__(self, report: ImportReport, snapshot: date, batch_size: int = BATCH_SIZE):
        self.report = report
        self.record = report.record
        self.snapshot = snapshot
        self.batch_size = batch_size
        self.rows: dict[str, tuple[int, tuple, str]] = {}  # code: (line, values, digest)
        self.seen_rejected: list[str] = []  # codes of rejected rows: still listed, not removed
        self.connection = db.session.connection()
        self.insert = DriverInsert(
            self.connection, ENTITIES, (*FIELDS, *NEW_ROW_KEYS), NEW_BATCH_KEYS
        )
        self.update_statement = update(ENTITIES).where(
            ENTITIES.c.codice_fiscale == bindparam("cf_key")
        )
        dialect = self.connection.dialect
        self.mark = _placeholder(dialect)
        self.table = dialect.identifier_preparer.format_table(ENTITIES)
        snapshot_bind = ENTITIES.c.last_seen_snapshot.type.dialect_impl(dialect).bind_processor(
            dialect
        )
        self.seen_params = (snapshot_bind(snapshot) if snapshot_bind else snapshot, self.record.id)

    def add(self, line: int, values: tuple) -> None:
        code = values[0]
        first = self.rows.get(code)
        if first is not None:
            self.report.reject(line, f"codice fiscale {code} ripetuto (già alla riga {first[0]})")
            return
        self.rows[code] = (line, values, row_hash(values))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def seen(self, code: str) -> None:
        self.seen_rejected.append(code)

    def flush(self) -> None:
        if self.rows:
            self._write(self._known(list(self.rows)))
        if self.seen_rejected:
            self._mark_seen(self.seen_rejected)
        self.rows, self.seen_rejected = {}, []

    def _in_list(self, count: int) -> str:
        return f"({', '.join([self.mark] * count)})"

    def _known(self, codes: list[str]) -> dict[str, tuple]:
        """code: (row_hash, status, last_import_id) of the batch's codes already mirrored."""
        result = self.connection.exec_driver_sql(
            "SELECT codice_fiscale, row_hash, status, last_import_id"
            f" FROM {self.table} WHERE codice_fiscale IN {self._in_list(len(codes))}",
            tuple(codes),
        )
        return {row[0]: row[1:] for row in result.cursor.fetchall()}

    def _seen_values(self, now: datetime) -> dict:
        return {
            "status": RuntsStatus.LISTED,
            "last_seen_snapshot": self.snapshot,
            "removed_on_snapshot": None,
            "last_import_id": self.record.id,
            "updated_at": now,
        }

    def _write(self, known: dict[str, tuple]) -> None:
        now = now_column()
        inserts, updates, unchanged = [], [], []
        for code, (line, values, digest) in self.rows.items():
            previous = known.get(code)
            if previous is None:
                inserts.append((*values, digest))
            elif previous[2] == self.record.id:
                self.report.reject(line, f"codice fiscale {code} ripetuto nel file")
            elif previous[0] != digest or previous[1] != RuntsStatus.LISTED:
                fields = dict(zip(FIELDS, values, strict=True))
                updates.append(
                    {**fields, **self._seen_values(now), "row_hash": digest, "cf_key": code}
                )
            else:
                unchanged.append(code)
        if inserts:
            seen = self._seen_values(now) | {"first_seen_snapshot": self.snapshot}
            self.insert.execute(inserts, tuple(seen[key] for key in NEW_BATCH_KEYS))
        if updates:
            self.connection.execute(self.update_statement, updates)
        if unchanged:
            self._mark_seen(unchanged)
        self.report.inserted += len(inserts)
        self.report.updated += len(updates)
        self.report.unchanged += len(unchanged)

    def _mark_seen(self, codes: list[str]) -> None:
        self.connection.exec_driver_sql(
            f"UPDATE {self.table} SET last_seen_snapshot = {self.mark},"
            f" last_import_id = {self.mark} WHERE codice_fiscale IN {self._in_list(len(codes))}",
            (*self.seen_params, *codes),
        )

    def mark_removed(self) -> int:
        """Listed entities this import did not see: removed as of this snapshot."""
        result = self.connection.execute(
            update(ENTITIES)
            .where(
                ENTITIES.c.status == RuntsStatus.LISTED,
                or_(
                    ENTITIES.c.last_import_id.is_(None),
                    ENTITIES.c.last_import_id != self.record.id,
                ),
            )
            .values(
                status=RuntsStatus.REMOVED,
                removed_on_snapshot=self.snapshot,
                updated_at=now_column(),
            )
        )
        return result.rowcount


# The import ---------------------------------------------------------------------------------------


def default_snapshot_date(path: Path) -> date:
    """The file's modification date in Rome, else today."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, ROME).date()
    except (OSError, OverflowError, ValueError):
        return rome_today()


def latest_snapshot_date() -> date | None:
    """The snapshot date of the most recent completed import."""
    return db.session.scalar(
        select(func.max(RuntsImport.snapshot_date)).where(RuntsImport.finished_at.is_not(None))
    )


def _check_columns(columns: ColumnMap, path: Path) -> None:
    missing = columns.missing_mandatory
    if missing:
        labels = ", ".join(FIELD_LABELS[name] for name in missing)
        found = ", ".join(f"«{h}»" for h in columns.headers if h) or "nessuna"
        raise RuntsFileError(
            f"{path.name}: colonne obbligatorie non trovate: {labels}. Intestazioni lette: {found}"
        )


def _check_snapshot(snapshot: date) -> None:
    latest = latest_snapshot_date()
    if latest and snapshot < latest:
        raise RuntsFileError(
            f"L'elenco è del {snapshot:%d/%m/%Y}, più vecchio dell'ultimo importato"
            f" ({latest:%d/%m/%Y}): non importato"
        )


def _process(rows: Iterable[tuple[int, Sequence]], parse: Callable, writer: BatchWriter) -> None:
    report = writer.report
    blank: list[int] = []  # empty lines are rejected only when a row follows them
    for line, row in rows:
        if _is_empty(row):
            blank.append(line)
            continue
        for empty_line in blank:
            report.reject(empty_line, "riga vuota")
        report.read += len(blank) + 1
        blank = []
        try:
            writer.add(line, parse(row))
        except RowError as exc:
            report.reject(line, str(exc))
            _keep_listed(row, writer)
    writer.flush()


def _keep_listed(row: Sequence, writer: BatchWriter) -> None:
    """A rejected row with a valid code still proves the entity is listed: not removed."""
    index = writer.report.columns.indexes["codice_fiscale"]
    try:
        writer.seen(entity_code(row[index]))
    except (RowError, IndexError):
        pass


def import_runts(
    path: Path | str, *, snapshot_date: date | None = None, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Import a RUNTS list file; flush, the caller commits. RuntsFileError: nothing written."""
    path = Path(path)
    source = open_source(path)
    try:
        columns, rows = find_header(source.rows)
        _check_columns(columns, path)
        snapshot = snapshot_date or default_snapshot_date(path)
        _check_snapshot(snapshot)
        record = RuntsImport(
            file_name=path.name,
            file_sha256=source.sha256,
            file_format=source.format,
            snapshot_date=snapshot,
            columns=columns.as_json(),
        )
        db.session.add(record)
        db.session.flush()
        report = ImportReport(record, columns)
        writer = BatchWriter(report, snapshot, batch_size)
        _process(rows, row_parser(columns, snapshot), writer)
        report.removed = writer.mark_removed()
    except (OSError, UnicodeError, csv.Error) as exc:
        raise RuntsFileError(f"Impossibile leggere {path.name}: {exc}") from exc
    finally:
        source.close()
    report.store()
    db.session.flush()
    return report
