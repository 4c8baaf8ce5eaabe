"""Score files in and out: the per-county template, and the all-or-nothing streaming import.

File format (Excel .xlsx or CSV in UTF-8 or GB18030, the same columns either way):

- Row 1: ``village_code`` (or 村代码), optionally ``village_name`` (or 村名, ignored), then
  one column per indicator code of the applicable set (A01, A02, ...), in any order.
- Rows whose first cell starts with ``#`` are notes and skipped; the template puts the
  indicator names and maximum scores in one. Blank rows are skipped.
- Every other row is one village: its 12-digit code and a score for every indicator.

Every cell is checked and every problem is reported with its row (as the spreadsheet numbers
rows) and column; nothing is written unless the whole file is clean. The file is read as a
stream, never held whole: on PostgreSQL the checked rows flow through ``COPY`` into the import's
own detached partition of the score table while the rest of the file is still being read, and
the partition is attached at the end (``earlywarning/partitions.py``); elsewhere a second pass
writes them in batches.
"""

import codecs
import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.db import analyze
from core.errors import DomainError, NotAllowed
from core.periods import Quarter, parse_open_quarter
from earlywarning import catalogue, partitions, tiering
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    Indicator,
    IndicatorScore,
    IndicatorSet,
    ScoreImport,
)
from villages import scoping
from villages.models import Region, Village

CODE_HEADERS = {"village_code", "村代码", "行政村代码", "代码"}
NAME_HEADERS = {"village_name", "村名", "行政村", "村名称"}
MAX_ERRORS = 500
CENT = Decimal("0.01")
# Distinct cell texts remembered per column; real files use a handful of values per indicator.
CACHE_LIMIT = 4096
COPY_CHUNK = 1 << 20
BULK_BATCH = 5000


def default_max_bytes() -> int:
    return settings.SCORE_IMPORT_MAX_BYTES


# --- Errors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as the spreadsheet numbers it (1 = header), ``column`` its heading."""

    row: int | None
    column: str | None
    message: str  # lazy: rendered in whichever language is asked for

    def render(self, language: str | None = None) -> str:
        if language is None:
            return str(self.message)
        with translation.override(language):
            return str(self.message)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.render(),
                "message_zh": self.render("zh-hans"), "message_en": self.render("en")}


class ScoreImportFailed(DomainError):
    """The file is not stored; ``errors`` lists every problem (the first MAX_ERRORS of them)."""

    def __init__(self, errors: list[RowError], *, more: int = 0):
        super().__init__(_("The file has errors; nothing was stored."))
        self.errors = errors
        self.more = more

    def as_dict(self) -> dict:
        items = [error.as_dict() for error in self.errors]
        if self.more:
            items.append(RowError(None, None, format_lazy(
                _("… and {count} more errors not listed."), count=self.more)).as_dict())
        return {"errors": items}


class _Errors:
    def __init__(self):
        self.items: list[RowError] = []
        self.more = 0

    def add(self, row, column, message):
        if len(self.items) < MAX_ERRORS:
            self.items.append(RowError(row, column, message))
        else:
            self.more += 1

    def __bool__(self):
        return bool(self.items)

    def raise_if_any(self):
        if self.items:
            raise ScoreImportFailed(self.items, more=self.more)


# --- Reading the file ---------------------------------------------------------------------------


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for block in iter(lambda: file.read(1 << 20), b""):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


def _excel_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Source:
    """The rows of a CSV or Excel file as lists of stripped strings, numbered like a sheet."""

    def __init__(self, file):
        # Django's uploaded files wrap the real one; TextIOWrapper wants the real one.
        file = getattr(file, "file", file)
        self.file = file
        file.seek(0)
        head = file.read(65536)
        file.seek(0)
        if head.startswith(b"PK\x03\x04"):
            self.kind = "xlsx"
        elif head.startswith(b"\xd0\xcf\x11\xe0") or head.startswith(b"%PDF") \
                or b"\x00" in head:
            raise ScoreImportFailed([RowError(None, None, _(
                "This is not an Excel workbook (.xlsx) or a CSV file. Old .xls workbooks: "
                "save as .xlsx first."))])
        else:
            self.kind = "csv"
            self.encoding = self._sniff_encoding(head)

    @staticmethod
    def _sniff_encoding(head: bytes) -> str:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
            return "gb18030"
        except UnicodeDecodeError:
            raise ScoreImportFailed([RowError(None, None, _(
                "The file is neither an Excel workbook nor a CSV file in UTF-8 or GB18030."
            ))]) from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        self.file.seek(0)
        if self.kind == "xlsx":
            yield from self._excel_rows()
        else:
            yield from self._csv_rows()

    def _csv_rows(self):
        text = io.TextIOWrapper(self.file, encoding=self.encoding, newline="")
        try:
            for number, cells in enumerate(csv.reader(text), start=1):
                yield number, [cell.strip() for cell in cells]
        except UnicodeDecodeError:
            raise ScoreImportFailed([RowError(None, None, _(
                "The file is neither an Excel workbook nor a CSV file in UTF-8 or GB18030."
            ))]) from None
        except csv.Error as error:
            raise ScoreImportFailed([RowError(None, None, format_lazy(
                _("The CSV file cannot be read: {error}"), error=str(error)))]) from None
        finally:
            text.detach()

    def _excel_rows(self):
        try:
            workbook = load_workbook(self.file, read_only=True, data_only=True)
        except (InvalidFileException, KeyError, OSError, ValueError, TypeError):
            raise ScoreImportFailed([RowError(None, None, _(
                "This is not an Excel workbook (.xlsx) or a CSV file. Old .xls workbooks: "
                "save as .xlsx first."))]) from None
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_excel_text(value).strip() for value in values]
        finally:
            workbook.close()


# --- Checking cells -----------------------------------------------------------------------------


class _Column:
    """One indicator column; remembers the verdict for each distinct cell text it has seen."""

    __slots__ = ("indicator", "index", "heading", "max_score", "weight", "higher", "tail",
                 "cache")

    def __init__(self, indicator: Indicator, index: int):
        self.indicator = indicator
        self.index = index
        self.heading = indicator.code
        self.max_score = indicator.max_score
        self.weight = indicator.weight
        self.higher = indicator.higher_is_better
        self.tail = f"\t{indicator.pk}\t"
        self.cache: dict[str, tuple] = {}

    def check(self, text: str) -> tuple:
        """(True, value, copy line tail, contribution) or (False, message)."""
        verdict = self.cache.get(text)
        if verdict is None:
            verdict = self._check(text)
            if len(self.cache) < CACHE_LIMIT:
                self.cache[text] = verdict
        return verdict

    def _check(self, text: str) -> tuple:
        if not text:
            return False, format_lazy(_("Score for {code} is empty; enter 0 to {max}."),
                                      code=self.heading, max=self.max_score)
        try:
            value = Decimal(text)
        except InvalidOperation:
            return False, format_lazy(_("“{text}” is not a number."), text=text[:40])
        if not value.is_finite():
            return False, format_lazy(_("“{text}” is not a number."), text=text[:40])
        if value < 0 or value > self.max_score:
            return False, format_lazy(_("{value} is outside 0 to {max}, the range of {code}."),
                                      value=text[:40], max=self.max_score, code=self.heading)
        if value != value.quantize(CENT):
            return False, format_lazy(_("{value} has more than two decimals."), value=text[:40])
        value = value.quantize(CENT)
        points = value if self.higher else self.max_score - value
        return True, value, f"{self.tail}{value}\t{self.max_score}\n", self.weight * points


@dataclass
class _CheckedRow:
    number: int
    village_id: int
    county_id: int
    code: str
    name: str
    total: Decimal
    lines: list[str]


@dataclass
class _Plan:
    """What a clean file will write, gathered in the checking pass (no score values kept)."""

    region: Region
    quarter: Quarter
    indicator_set: IndicatorSet
    rows: dict[int, tuple[Decimal, int]] = field(default_factory=dict)  # village → total, county
    preview: list[tuple[str, str, Decimal]] = field(default_factory=list)
    replace_ids: list[int] = field(default_factory=list)
    ids: dict[int, int] = field(default_factory=dict)  # village → evaluation id, when staged
    scores: int = 0


class _Checker:
    """Checks the header and each row against the set and the villages the actor may write."""

    def __init__(self, *, actor, region: Region, quarter: Quarter, indicator_set: IndicatorSet,
                 replace: bool, errors: _Errors):
        self.errors = errors
        self.quarter = quarter
        self.replace = replace
        self.indicators = list(indicator_set.indicators.order_by("position", "code"))
        villages = scoping.score_writable_villages(actor).in_region(region)
        self.villages = {
            code: (pk, county_id, name, active)
            for code, pk, county_id, name, active in villages.values_list(
                "code", "pk", "township__parent_id", "name", "is_active")}
        self.existing = {
            village_id: (pk, status) for village_id, pk, status in Evaluation.objects.filter(
                quarter=str(quarter), village__in=villages).values_list(
                "village_id", "pk", "status")}
        self.columns: list[_Column] = []
        self.code_index: int | None = None
        self.seen: dict[str, int] = {}
        self.outside: list[tuple[int, str]] = []
        self.already_scored: list[str] = []

    def header(self, number: int, cells: list[str]) -> None:
        by_code = {indicator.code: indicator for indicator in self.indicators}
        used: dict[str, int] = {}
        for index, title in enumerate(cells):
            if title in CODE_HEADERS or title.lower() in CODE_HEADERS:
                self.code_index = index if self.code_index is None else self.code_index
                continue
            if title in NAME_HEADERS or title.lower() in NAME_HEADERS or not title:
                continue
            if title in used:
                self.errors.add(number, title, format_lazy(
                    _("Column {code} appears twice."), code=title))
                continue
            used[title] = index
            indicator = by_code.get(title)
            if indicator is None:
                self.errors.add(number, title, format_lazy(
                    _("Unknown column {code}: it is not an indicator of “{set}”."),
                    code=title, set=self.indicators[0].indicator_set.name
                    if self.indicators else ""))
                continue
            self.columns.append(_Column(indicator, index))
        if self.code_index is None:
            self.errors.add(number, "village_code", _(
                "The village code column (village_code or 村代码) is missing."))
        for indicator in self.indicators:
            if indicator.code not in used:
                self.errors.add(number, indicator.code, format_lazy(
                    _("Indicator column {code} ({name}) is missing."),
                    code=indicator.code, name=indicator.name))

    def row(self, number: int, cells: list[str]) -> _CheckedRow | None:
        errors = self.errors
        failed = False
        code = cells[self.code_index] if self.code_index is not None \
            and self.code_index < len(cells) else ""
        village = None
        if not code:
            errors.add(number, "village_code", _("The village code is empty."))
            failed = True
        elif code in self.seen:
            errors.add(number, "village_code", format_lazy(
                _("Village {code} appears again: it is already in row {row}."),
                code=code, row=self.seen[code]))
            failed = True
        else:
            self.seen[code] = number
            village = self.villages.get(code)
            if village is None:
                self.outside.append((number, code))
                failed = True
            elif not village[3]:
                errors.add(number, "village_code", format_lazy(
                    _("Village {name} ({code}) is inactive."), name=village[2], code=code))
                failed = True
            else:
                existing = self.existing.get(village[0])
                if existing is not None:
                    if existing[1] != EvaluationStatus.DRAFT:
                        errors.add(number, "village_code", format_lazy(
                            _("The {quarter} evaluation of {name} is {status} and locked; "
                              "the county must reopen it first."),
                            quarter=self.quarter, name=village[2],
                            status=EvaluationStatus(existing[1]).label))
                        failed = True
                    elif not self.replace:
                        self.already_scored.append(village[2])
                        failed = True
        total = Decimal(0)
        lines = []
        for column in self.columns:
            text = cells[column.index] if column.index < len(cells) else ""
            verdict = column.check(text)
            if verdict[0]:
                total += verdict[3]
                lines.append(verdict[2])
            else:
                errors.add(number, column.heading, verdict[1])
                failed = True
        if failed or errors:
            return None
        return _CheckedRow(number, village[0], village[1], code, village[2],
                           total.quantize(CENT, rounding=ROUND_HALF_UP), lines)

    def finish(self) -> None:
        if self.outside:
            known = set(Village.objects.filter(
                code__in=[code for _number, code in self.outside]).values_list("code", flat=True))
            for number, code in self.outside:
                if code in known:
                    self.errors.add(number, "village_code", format_lazy(
                        _("Village {code} is outside the region you are importing for, or "
                          "outside your own region."), code=code))
                else:
                    self.errors.add(number, "village_code", format_lazy(
                        _("Unknown village code {code}."), code=code))
        if self.already_scored:
            names = "、".join(self.already_scored[:5])
            self.errors.add(None, None, format_lazy(
                _("{count} villages ({names}…) already have scores for {quarter}. Import again "
                  "with replace to overwrite them; the replacement is recorded."),
                count=len(self.already_scored), names=names, quarter=self.quarter))


def _data_rows(source: _Source, checker: _Checker | None = None):
    """Yield (number, cells) of village rows; the first non-note row goes to the header."""
    header_done = False
    for number, cells in source.rows():
        if not cells or not any(cells):
            continue
        if cells[0].startswith("#"):
            continue
        if not header_done:
            header_done = True
            if checker is not None:
                checker.header(number, cells)
            continue
        yield number, cells


# --- Writing ------------------------------------------------------------------------------------


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class _ChunkStream:
    """A read()-able view of a text generator, for psycopg2's copy_expert.

    An exception raised by the generator (a file that turns out unreadable half-way) would reach
    PostgreSQL as a cancelled COPY; it is kept instead, the COPY ends, and it is raised after.
    """

    def __init__(self, chunks: Iterable[str]):
        self._chunks = iter(chunks)
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        try:
            for chunk in self._chunks:
                parts.append(chunk)
                length += len(chunk)
                if 0 < size <= length:
                    break
        except Exception as error:  # re-raised by copy_rows once the COPY has ended
            self.error = error
            return ""
        return "".join(parts)

    def readline(self, size: int = -1) -> str:
        return self.read(size)


def copy_rows(table: str, columns: Iterable[str], chunks: Iterable[str]) -> None:
    """COPY tab-separated text lines into ``table`` on PostgreSQL."""
    quote = connection.ops.quote_name
    sql = (f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) "
           "FROM STDIN WITH (FORMAT text)")
    stream = _ChunkStream(chunks)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, stream, size=COPY_CHUNK)
    if stream.error is not None:
        raise stream.error


def write_score_rows(rows: Iterable[tuple[int, int, Decimal, Decimal]]) -> int:
    """Insert (evaluation_id, indicator_id, value, max_score) rows into partition 0, where
    scores written outside an import's own partition live: COPY, else executemany.

    The bulk path for callers that already know the evaluation ids (demo data, the entry form).
    """
    count = 0
    columns = ["evaluation_id", "indicator_id", "value", "max_score", "part"]
    if is_postgres():
        tail = "\t0\n"

        def lines():
            nonlocal count
            batch = []
            for evaluation_id, indicator_id, value, max_score in rows:
                batch.append(f"{evaluation_id}\t{indicator_id}\t{value}\t{max_score}{tail}")
                if len(batch) >= 10000:
                    count += len(batch)
                    yield "".join(batch)
                    batch = []
            count += len(batch)
            yield "".join(batch)

        copy_rows(IndicatorScore._meta.db_table, columns, lines())
        return count
    # Elsewhere (SQLite in development): one prepared INSERT run by executemany in batches.
    # bulk_create spent nine tenths of its time building and preparing model instances.
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(IndicatorScore._meta.db_table)} ({', '.join(columns)}) "
           "VALUES (%s, %s, %s, %s, %s)")
    batch = []
    with connection.cursor() as cursor:
        for evaluation_id, indicator_id, value, max_score in rows:
            batch.append((evaluation_id, indicator_id, str(value), str(max_score), 0))
            if len(batch) >= BULK_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return count + len(batch)


# --- The import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    region: Region
    quarter: Quarter
    indicator_set: IndicatorSet
    villages: int
    scores: int
    replaced: int
    preview: list[tuple[str, str, Decimal]]
    score_import: ScoreImport | None = None
    tiering: list = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return self.score_import is not None


def import_scores(*, actor, region: Region, quarter: str | Quarter, file, file_name: str = "",
                  replace: bool = False, dry_run: bool = False,
                  source: str = ScoreImport.Source.UPLOAD,
                  max_bytes: int | None = None) -> ImportResult:
    """Check a score file completely, then store it all or nothing and re-tier the counties.

    ``dry_run`` checks and previews without writing. Raises ``ScoreImportFailed`` listing every
    problem, or ``NotAllowed`` when the actor may not import for ``region`` at all.
    """
    if not scoping.can_import_scores(actor, region):
        raise NotAllowed(format_lazy(_("You may not import scores for {region}."),
                                     region=region.name))
    try:
        quarter = parse_open_quarter(quarter)
    except DomainError as error:
        raise ScoreImportFailed([RowError(None, "quarter", error.message)]) from None
    max_bytes = default_max_bytes() if max_bytes is None else max_bytes
    size = _file_size(file)
    if size == 0:
        raise ScoreImportFailed([RowError(None, None, _("The file is empty."))])
    if max_bytes and size > max_bytes:
        raise ScoreImportFailed([RowError(None, None, format_lazy(
            _("The file is {size} MB; the limit is {limit} MB. Split it by township or use the "
              "import_scores command."), size=round(size / 1048576, 1),
            limit=round(max_bytes / 1048576, 1)))])
    indicator_set = catalogue.applicable_set(region, quarter.year)
    if indicator_set is None:
        raise ScoreImportFailed([RowError(None, None, format_lazy(
            _("No indicator set applies to {region} in {year}."), region=region.name,
            year=quarter.year))])
    source_file = _Source(file)
    digest = _sha256(file) if not dry_run else ""
    staged = is_postgres() and not dry_run
    with transaction.atomic():
        record = None
        if not dry_run:
            if staged:
                partitions.serialize_imports()
            # Created first: its id names the partition the scores are written into.
            record = ScoreImport.objects.create(
                region=region, quarter=str(quarter), indicator_set=indicator_set,
                file_name=(file_name or getattr(file, "name", "") or "")[:255],
                file_sha256=digest, file_size=size, source=source, villages=0, scores=0,
                replace=replace, imported_by=actor)
        plan = _check(actor=actor, region=region, quarter=quarter, indicator_set=indicator_set,
                      replace=replace, source=source_file,
                      part=record.pk if staged else None)
        result = ImportResult(region=region, quarter=quarter, indicator_set=indicator_set,
                              villages=len(plan.rows), scores=plan.scores,
                              replaced=len(plan.replace_ids), preview=plan.preview)
        if dry_run:
            return result
        record.villages, record.scores, record.replaced = (
            len(plan.rows), plan.scores, len(plan.replace_ids))
        record.save(update_fields=["villages", "scores", "replaced"])
        _store(plan, record, source_file, staged=staged)
        # Before tiering reads them; the scores are analysed when their partition is attached.
        analyze(Evaluation)
        catalogue.freeze(indicator_set)
        counties = Region.objects.filter(pk__in={county for _t, county in plan.rows.values()})
        result.tiering = tiering.tier_counties(quarter=quarter, counties=counties)
        if staged:
            # Last, so the locks it takes on the evaluation and indicator tables are held for
            # as short a time as possible before commit.
            partitions.attach(record.pk)
        result.score_import = record
        return result


def _check(*, actor, region, quarter, indicator_set, replace, source, part):
    """Read and check the whole file. With ``part`` (PostgreSQL), the checked scores stream
    through COPY into that import's detached partition while the file is still being read."""
    errors = _Errors()
    checker = _Checker(actor=actor, region=region, quarter=quarter,
                       indicator_set=indicator_set, replace=replace, errors=errors)
    plan = _Plan(region=region, quarter=quarter, indicator_set=indicator_set)
    staged = part is not None
    if staged:
        table = partitions.create_detached(part)
        # Ids for the evaluations the file may create (at most one per village in scope
        # without one): the scores are written before their evaluations.
        unrated = sum(1 for pk, *_rest in checker.villages.values()
                      if pk not in checker.existing)
        new_ids = iter(partitions.allocate_evaluation_ids(unrated))

    def checked_lines():
        for number, cells in _data_rows(source, checker):
            row = checker.row(number, cells)
            if row is None:
                continue
            plan.rows[row.village_id] = (row.total, row.county_id)
            plan.scores += len(row.lines)
            if len(plan.preview) < 50:
                plan.preview.append((row.code, row.name, row.total))
            if staged:
                existing = checker.existing.get(row.village_id)
                evaluation_id = existing[0] if existing else next(new_ids)
                plan.ids[row.village_id] = evaluation_id
                prefix = str(evaluation_id)
                yield prefix + prefix.join(row.lines)

    if staged:
        copy_rows(table, ["evaluation_id", "indicator_id", "value", "max_score"],
                  checked_lines())
    else:
        for _line in checked_lines():
            pass
    if checker.code_index is None and not errors and not checker.seen:
        errors.add(None, None, _("The file is empty."))
    checker.finish()
    errors.raise_if_any()
    if not plan.rows:
        raise ScoreImportFailed([RowError(None, None, _("The file has no village rows."))])
    plan.replace_ids = [checker.existing[village_id][0] for village_id in plan.rows
                        if village_id in checker.existing]
    return plan


def _store(plan: _Plan, record: ScoreImport, source: _Source, *, staged: bool) -> None:
    """Write the evaluations (and, unless they are already staged, the scores) of a clean
    file. Staged scores are in partition ``record.pk``; the others go to partition 0."""
    quarter, part = str(plan.quarter), record.pk if staged else 0
    replaced_villages = set()
    if plan.replace_ids:
        IndicatorScore.objects.filter(evaluation_id__in=plan.replace_ids).delete()
        replaced = list(Evaluation.objects.filter(pk__in=plan.replace_ids))
        for evaluation in replaced:
            evaluation.total = plan.rows[evaluation.village_id][0]
            evaluation.indicator_set = plan.indicator_set
            evaluation.score_import = record
            evaluation.score_part = part
            replaced_villages.add(evaluation.village_id)
        Evaluation.objects.bulk_update(
            replaced, ["total", "indicator_set", "score_import", "score_part"], batch_size=1000)
    new = [(village_id, total, county_id) for village_id, (total, county_id) in plan.rows.items()
           if village_id not in replaced_villages]
    if staged:
        # COPY with the ids taken while reading: building 20,000 model instances for
        # bulk_create took longer than checking the 2.2 million scores.
        now = timezone.now().isoformat()
        head = f"\t{quarter}\t{plan.indicator_set.pk}\t"
        tail = f"\t{EvaluationStatus.DRAFT}\t{record.pk}\t{part}\t{now}\n"
        copy_rows(Evaluation._meta.db_table,
                  ["id", "village_id", "county_id", "quarter", "indicator_set_id", "total",
                   "status", "score_import_id", "score_part", "updated_at"],
                  [f"{plan.ids[village_id]}\t{village_id}\t{county_id}{head}{total}{tail}"
                   for village_id, total, county_id in new])
        return
    Evaluation.objects.bulk_create([
        Evaluation(village_id=village_id, county_id=county_id, quarter=quarter,
                   indicator_set=plan.indicator_set, total=total, score_import=record)
        for village_id, total, county_id in new], batch_size=5000)
    evaluation_ids = dict(Evaluation.objects.filter(
        quarter=quarter, village_id__in=list(plan.rows)).values_list("village_id", "pk"))
    write_score_rows(_second_pass(source, plan, evaluation_ids))


def _second_pass(source: _Source, plan: _Plan, evaluation_ids: dict[int, int]):
    """Re-read the checked file and yield its score rows (used where there is no COPY)."""
    indicators = {indicator.code: indicator for indicator in
                  plan.indicator_set.indicators.all()}
    columns: list[tuple[int, Indicator]] = []
    code_index = None
    villages = dict(Village.objects.filter(pk__in=list(plan.rows)).values_list("code", "pk"))
    header_done = False
    for _number, cells in source.rows():
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if not header_done:
            header_done = True
            for index, title in enumerate(cells):
                if title in CODE_HEADERS or title.lower() in CODE_HEADERS:
                    code_index = index if code_index is None else code_index
                elif title in indicators:
                    columns.append((index, indicators[title]))
            continue
        evaluation_id = evaluation_ids[villages[cells[code_index]]]
        for index, indicator in columns:
            yield (evaluation_id, indicator.pk, Decimal(cells[index]).quantize(CENT),
                   indicator.max_score)


# --- The template -------------------------------------------------------------------------------


def write_template(*, villages, indicator_set: IndicatorSet, quarter: Quarter, stream,
                   scores: dict[int, dict[int, Decimal]] | None = None) -> None:
    """The Excel file a county fills in: one row per village, one column per indicator code.

    Row 2 is a note row (``#``) with each indicator's name and maximum; existing scores of the
    quarter are filled in so a correction starts from what is stored.
    """
    indicators = list(indicator_set.indicators.order_by("position", "code"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(quarter))
    sheet.append(["village_code", "village_name", *[i.code for i in indicators]])
    sheet.append([f"# {quarter} {indicator_set.name}", "村名",
                  *[f"{i.name}（{i.max_score}）" for i in indicators]])
    scores = scores or {}
    for village in villages:
        values = scores.get(village.pk, {})
        sheet.append([village.code, village.name,
                      *[float(values[i.pk]) if i.pk in values else None for i in indicators]])
    workbook.save(stream)
