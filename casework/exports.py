"""The county ledger and the yearly points as spreadsheets. Callers pass rows already narrowed
by scoping."""

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import DERIVED_SOURCES, LedgerStatus, PointsSource
from core import xlsx


def ledger_workbook(items) -> xlsx.Workbook:
    workbook = xlsx.Workbook()
    statuses = dict(LedgerStatus.choices)
    sheet = workbook.sheet(_("Ledger"), [
        _("County"), _("Township"), _("Village code"), _("Village"), _("No."), _("Problem"),
        _("Type"), _("Responsible person"), _("Due date"), _("Status"), _("Overdue"),
        _("Resolution"), _("Verified by"), _("Struck off at")],
        widths={2: 15, 5: 40, 11: 40, 13: 17})
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
    return workbook


def points_workbook(rows, *, year: int) -> xlsx.Workbook:
    """The yearly points summary for 年度考核: one row per cadre, from ``summarize``'s rows."""
    workbook = xlsx.Workbook()
    sources = list(DERIVED_SOURCES)
    labels = dict(PointsSource.choices)
    sheet = workbook.sheet(_("Points %(year)d") % {"year": year}, [
        _("Year"), _("Name"), _("Employer or unit"), *(labels[s] for s in sources),
        _("Recorded by hand"), _("Total"), _("Entries"), _("Corrections")])
    for row in rows:
        sheet.append([year, row["person__name"], row["person__employer"],
                      *(row[s] for s in sources), row["by_hand"], row["total"],
                      row["entries"], row["corrections"]])
    return workbook
