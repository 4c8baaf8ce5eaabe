"""The county ledger and the yearly points as spreadsheets. Callers pass rows already narrowed
by scoping."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from casework.models import DERIVED_SOURCES, LedgerStatus, PointsSource


def write_ledger_workbook(items, stream) -> None:
    # write_only streams rows to the file: a county's whole ledger never sits in memory as cells.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger"))
    statuses = dict(LedgerStatus.choices)
    sheet.append([_("County"), _("Township"), _("Village code"), _("Village"), _("No."),
                  _("Problem"), _("Type"), _("Responsible person"), _("Due date"), _("Status"),
                  _("Overdue"), _("Resolution"), _("Verified by"), _("Struck off at")])
    for item in items.iterator(chunk_size=2000):
        village = item.village
        sheet.append([
            village.township.parent.name, village.township.name, village.code, village.name,
            item.number, item.problem, str(item.problem_type), item.responsible, item.due,
            str(statuses[item.status]), _("Yes") if item.overdue else _("No"),
            item.resolution,
            (item.verified_by.get_full_name() or item.verified_by.username)
            if item.verified_by_id else "",
            timezone.localtime(item.struck_off_at).strftime("%Y-%m-%d %H:%M")
            if item.struck_off_at else "",
        ])
    workbook.save(stream)


# A text cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_points_workbook(rows, stream, *, year: int) -> None:
    """The yearly points summary for 年度考核: one row per cadre, from ``summarize``'s rows.
    Text cells that a spreadsheet could take for a formula are stored as quoted text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Points %(year)d") % {"year": year})

    def cell(value):
        if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type, text.quotePrefix = "s", True
        return text

    sources = list(DERIVED_SOURCES)
    labels = dict(PointsSource.choices)
    sheet.append([cell(str(v)) for v in [
        _("Year"), _("Name"), _("Employer or unit"), *(labels[s] for s in sources),
        _("Recorded by hand"), _("Total"), _("Entries"), _("Corrections")]])
    for row in rows:
        sheet.append([year, cell(row["person__name"]), cell(row["person__employer"]),
                      *(row[s] for s in sources), row["by_hand"], row["total"],
                      row["entries"], row["corrections"]])
    workbook.save(stream)
