"""Excel files out: the one writer behind every .xlsx the system hands out, and its response.

- Streaming: rows go to the file as they come (openpyxl's write-only mode), so 20,000 villages
  never sit in memory as cells.
- Formula-safe: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is stored as text with Excel's quote prefix, never as a formula, so a village name or
  a reason typed as ``=HYPERLINK(…)`` cannot run when a county opens the file (CSV/formula
  injection). Numbers stay numbers, negative ones included.
- Readable: the header row in bold, frozen, printed at the top of every page (print titles),
  and columns as wide as their heading (a Chinese character counts twice).
- Named for when it was made: ``villages-20261120-1030.xlsx`` (local time).
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook as _Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 50
BOLD = Font(bold=True)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and other wide characters count two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _cell(worksheet, value, *, bold: bool = False):
    """The value as written: numbers, dates and safe text as they are; text that Excel would
    take for a formula (or any header, to make it bold) as a cell of type text."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    unsafe = text.startswith(FORMULA_STARTS)
    if not (unsafe or bold):
        return text
    cell = WriteOnlyCell(worksheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = unsafe
    if bold:
        cell.font = BOLD
    return cell


class Sheet:
    def __init__(self, worksheet):
        self._worksheet = worksheet

    def append(self, values) -> None:
        self._worksheet.append([_cell(self._worksheet, value) for value in values])


class Workbook:
    """An .xlsx made of sheets, each a header row and the rows appended after it."""

    def __init__(self):
        self._book = _Workbook(write_only=True)

    def sheet(self, title: str, header, *, above=(), widths=None) -> Sheet:
        """A new sheet. ``above``: rows before the header (a document title, say); the header
        and what is above it stay on screen and on every printed page. ``widths`` overrides the
        width of columns by position."""
        worksheet = self._book.create_sheet(str(title)[:31])
        labels = [str(label) for label in header]
        for index, label in enumerate(labels):
            width = (widths or {}).get(index) or min(
                MAX_WIDTH, max(MIN_WIDTH, display_width(label) + 2))
            worksheet.column_dimensions[get_column_letter(index + 1)].width = width
        header_row = len(above) + 1
        worksheet.freeze_panes = f"A{header_row + 1}"
        worksheet.print_title_rows = f"1:{header_row}"
        sheet = Sheet(worksheet)
        for row in above:
            sheet.append(row)
        worksheet.append([_cell(worksheet, label, bold=True) for label in labels])
        return sheet

    def save(self, stream) -> None:
        self._book.save(stream)


def file_name(stem: str, *, at: datetime | None = None) -> str:
    stamp = timezone.localtime(at).strftime("%Y%m%d-%H%M")
    return f"{stem}-{stamp}.xlsx"


def response(workbook: Workbook, stem: str) -> HttpResponse:
    """The workbook as a download named ``{stem}-{YYYYMMDD-HHMM}.xlsx``."""
    response = HttpResponse(content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name(stem)}"'
    workbook.save(response)
    return response
