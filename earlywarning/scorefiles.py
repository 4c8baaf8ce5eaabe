"""Score files: what a county uploads and the template it fills in — reading and checking them.

File format (Excel .xlsx or CSV in UTF-8 or GB18030, the same columns either way):

- Row 1: ``village_code`` (or 村代码), optionally ``village_name`` (or 村名, ignored), then
  one column per indicator code of the applicable set (A01, A02, ...), in any order.
- Rows whose first cell starts with ``#`` are notes and skipped; the template puts the
  indicator names and maximum scores in one. Blank rows are skipped.
- Every other row is one village: its 12-digit code and a score for every indicator.

Every cell is checked and every problem is reported with its row (as the spreadsheet numbers
rows) and column. The file is read as a stream, never held whole. Storing what was checked is
``earlywarning/imports.py``.
"""

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core import xlsx
from core.errors import DomainError
from core.periods import Quarter
from earlywarning import scoring
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    Indicator,
    IndicatorSet,
)
from villages import scoping
from villages.models import Region, Village

CODE_HEADERS = {"village_code", "村代码", "行政村代码", "代码"}
NAME_HEADERS = {"village_name", "村名", "行政村", "村名称"}
MAX_ERRORS = 500
# Distinct cell texts remembered per column; real files use a handful of values per indicator.
CACHE_LIMIT = 4096


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


def error_items(error: DomainError) -> list[dict]:
    """The problems to show beside an upload: a file's list, or the one error and its field."""
    if isinstance(error, ScoreImportFailed):
        return error.as_dict()["errors"]
    return [{"row": None, "column": error.field, "message": str(error.message)}]


class ErrorList:
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


def file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def sha256(file) -> str:
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


class Source:
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


class Column:
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
        if value != value.quantize(scoring.CENT):
            return False, format_lazy(_("{value} has more than two decimals."), value=text[:40])
        value = value.quantize(scoring.CENT)
        points = scoring.points(value, max_score=self.max_score, higher_is_better=self.higher)
        return True, value, f"{self.tail}{value}\t{self.max_score}\n", self.weight * points


@dataclass
class CheckedRow:
    number: int
    village_id: int
    county_id: int
    code: str
    name: str
    total: Decimal
    lines: list[str]



class Checker:
    """Checks the header and each row against the set and the villages the actor may write."""

    def __init__(self, *, actor, region: Region, quarter: Quarter, indicator_set: IndicatorSet,
                 replace: bool, errors: ErrorList):
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
        self.columns: list[Column] = []
        self.code_index: int | None = None
        self.seen: dict[str, int] = {}
        self.outside: list[tuple[int, str]] = []
        self.already_scored: list[str] = []

    def header(self, number: int, cells: list[str]) -> None:
        by_code = {indicator.code: indicator for indicator in self.indicators}
        used: dict[str, int] = {}
        for index, title in enumerate(cells):
            if is_code_header(title):
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
            self.columns.append(Column(indicator, index))
        if self.code_index is None:
            self.errors.add(number, "village_code", _(
                "The village code column (village_code or 村代码) is missing."))
        for indicator in self.indicators:
            if indicator.code not in used:
                self.errors.add(number, indicator.code, format_lazy(
                    _("Indicator column {code} ({name}) is missing."),
                    code=indicator.code, name=indicator.name))

    def row(self, number: int, cells: list[str]) -> CheckedRow | None:
        """The row's village and scores, or None when anything in the file is wrong so far
        (after the first error nothing is stored, so nothing more is gathered)."""
        code = cells[self.code_index] if self.code_index is not None \
            and self.code_index < len(cells) else ""
        village = self._village(number, code)
        earned, lines = [], []
        for column in self.columns:
            verdict = column.check(cells[column.index] if column.index < len(cells) else "")
            if verdict[0]:
                earned.append(verdict[3])
                lines.append(verdict[2])
            else:
                self.errors.add(number, column.heading, verdict[1])
        if village is None or self.errors:
            return None
        return CheckedRow(number, village[0], village[1], code, village[2],
                          scoring.total(earned), lines)

    def _village(self, number: int, code: str) -> tuple | None:
        """(pk, county id, name, active) of the row's village if the row may score it."""
        if not code:
            self.errors.add(number, "village_code", _("The village code is empty."))
            return None
        if code in self.seen:
            self.errors.add(number, "village_code", format_lazy(
                _("Village {code} appears again: it is already in row {row}."),
                code=code, row=self.seen[code]))
            return None
        self.seen[code] = number
        village = self.villages.get(code)
        if village is None:
            self.outside.append((number, code))
            return None
        if not village[3]:
            self.errors.add(number, "village_code", format_lazy(
                _("Village {name} ({code}) is inactive."), name=village[2], code=code))
            return None
        existing = self.existing.get(village[0])
        if existing is not None and existing[1] != EvaluationStatus.DRAFT:
            self.errors.add(number, "village_code", format_lazy(
                _("The {quarter} evaluation of {name} is {status} and locked; "
                  "the county must reopen it first."),
                quarter=self.quarter, name=village[2],
                status=EvaluationStatus(existing[1]).label))
            return None
        if existing is not None and not self.replace:
            self.already_scored.append(village[2])
            return None
        return village

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


def is_code_header(title: str) -> bool:
    return title in CODE_HEADERS or title.lower() in CODE_HEADERS


def data_rows(source: Source, on_header) -> Iterator[tuple[int, list[str]]]:
    """Yield (number, cells) of village rows; the first non-note row goes to ``on_header``."""
    header_done = False
    for number, cells in source.rows():
        if not cells or not any(cells):
            continue
        if cells[0].startswith("#"):
            continue
        if not header_done:
            header_done = True
            on_header(number, cells)
            continue
        yield number, cells


def score_rows(source: Source, *, indicator_set: IndicatorSet, evaluations: dict[str, int]):
    """Re-read a checked file and yield (evaluation id, indicator id, value, maximum) for each
    score in it, ``evaluations`` mapping village codes to evaluation ids. For databases without
    COPY, where the scores cannot stream into the table while the file is being checked.

    The indicators are read here, before the rows are: a query while a COPY consumes the rows
    would break the COPY."""
    indicators = {indicator.code: indicator for indicator in indicator_set.indicators.all()}
    return _score_rows(source, indicators, evaluations)


def _score_rows(source: Source, indicators: dict[str, Indicator], evaluations: dict[str, int]):
    layout = {}

    def on_header(_number, cells):
        layout["code"] = next(index for index, title in enumerate(cells)
                              if is_code_header(title))
        layout["columns"] = [(index, indicators[title]) for index, title in enumerate(cells)
                             if title in indicators]

    for _number, cells in data_rows(source, on_header):
        evaluation_id = evaluations[cells[layout["code"]]]
        for index, indicator in layout["columns"]:
            yield (evaluation_id, indicator.pk, Decimal(cells[index]).quantize(scoring.CENT),
                   indicator.max_score)


# --- The template -------------------------------------------------------------------------------


def template_workbook(*, villages, indicator_set: IndicatorSet, quarter: Quarter,
                      scores: dict[int, dict[int, Decimal]] | None = None) -> xlsx.Workbook:
    """The Excel file a county fills in: one row per village, one column per indicator code.

    Row 1 holds the keys the import reads; row 2 is a note row (``#``) with each indicator's
    Chinese name and maximum. Existing scores of the quarter are filled in so a correction
    starts from what is stored.
    """
    indicators = list(indicator_set.indicators.order_by("position", "code"))
    workbook = xlsx.Workbook()
    sheet = workbook.sheet(str(quarter), ["village_code", "village_name",
                                          *[i.code for i in indicators]], widths={0: 15, 1: 14})
    sheet.append([f"# {quarter} {indicator_set.name}", "村名",
                  *[f"{i.name}（{i.max_score}）" for i in indicators]])
    scores = scores or {}
    for village in villages:
        values = scores.get(village.pk, {})
        sheet.append([village.code, village.name,
                      *[float(values[i.pk]) if i.pk in values else None for i in indicators]])
    return workbook

