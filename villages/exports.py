"""Spreadsheet exports. Callers pass querysets already narrowed by ``villages/scoping.py``."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from villages.models import Grade, Terrain


def write_village_workbook(villages, stream) -> None:
    # write_only streams rows to the file: 20,000 villages never sit in memory as cells.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Villages"))
    grades = dict(Grade.choices)
    terrains = dict(Terrain.choices)
    header = [_("Division code"), _("Village"), _("County"), _("Township"), _("Party branch"),
              _("Secretary"), _("Annual grade"), _("Grade year"), _("Terrain"), _("Population"),
              _("Households"), _("Collective income (yuan)"), _("Income per head (yuan)"),
              _("Stars"), _("Active")]
    sheet.append(header)
    for village in villages.iterator(chunk_size=2000):
        branch = getattr(village, "party_branch", None)
        sheet.append([
            village.code, village.name, village.township.parent.name, village.township.name,
            branch.name if branch else "", village.secretary_name or "",
            str(grades.get(village.annual_grade, "")), village.annual_grade_year,
            str(terrains[village.terrain]), village.population, village.households,
            float(village.collective_income), float(village.income_per_head),
            village.star_rating, _("Yes") if village.is_active else _("No"),
        ])
    workbook.save(stream)
