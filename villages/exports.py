"""Spreadsheet exports. Callers pass querysets already narrowed by ``villages/scoping.py``."""

from django.utils.translation import gettext as _

from core import xlsx
from villages.models import Grade, Terrain


def village_workbook(villages) -> xlsx.Workbook:
    workbook = xlsx.Workbook()
    grades = dict(Grade.choices)
    terrains = dict(Terrain.choices)
    sheet = workbook.sheet(_("Villages"), [
        _("Division code"), _("Village"), _("County"), _("Township"), _("Party branch"),
        _("Secretary"), _("Annual grade"), _("Grade year"), _("Terrain"), _("Population"),
        _("Households"), _("Collective income (yuan)"), _("Income per head (yuan)"),
        _("Stars"), _("Active")], widths={0: 15, 1: 16, 4: 20})
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
    return workbook
