"""The indicator catalogue: which set applies, freezing, and Excel import and export of a set.

A set file is one sheet: a header row of keys (``code, category, subcategory, name,
description, max_score, weight, higher_is_better``; the Chinese labels 代码, 类别, 子类, 名称,
说明, 满分, 权重, 越高越好 work too), then one row per indicator. Rows whose first cell starts with
``#`` are notes and skipped; the export writes the Chinese labels in such a row.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core import xlsx
from core.errors import DomainError, NotAllowed
from earlywarning import visibility
from earlywarning.models.evaluations import Indicator, IndicatorSet
from villages import scoping
from villages.models import Region, RegionLevel

COLUMNS = ("code", "category", "subcategory", "name", "description", "max_score", "weight",
           "higher_is_better")
LABELS = ("代码", "类别", "子类", "名称", "说明", "满分", "权重", "越高越好")
REQUIRED = ("code", "category", "name", "max_score")
ALIASES = {**{key: key for key in COLUMNS}, **dict(zip(LABELS, COLUMNS, strict=True))}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "×"}
MAX_SET_ROWS = 2000


@dataclass(frozen=True)
class CellError:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


class CatalogueError(DomainError):
    """Every problem found in an indicator-set file, each with its row and column."""

    def __init__(self, errors: list[CellError]):
        super().__init__(gettext_lazy("The indicator set file has errors; nothing was stored."))
        self.errors = errors

    def as_dict(self) -> dict:
        return {"errors": [error.as_dict() for error in self.errors]}


def applicable_set(region: Region, year: int) -> IndicatorSet | None:
    """The set a village under ``region`` is scored with in ``year``.

    Among the sets of the region and the regions above it, the latest year not after ``year``
    wins; for equal years the nearer region (a county's own over the city's).
    """
    codes = region.path.rstrip("/").split("/")
    return (IndicatorSet.objects.filter(region__code__in=codes, year__lte=year)
            .annotate(depth=Length("region__path")).order_by("-year", "-depth", "-pk").first())


def freeze(indicator_set: IndicatorSet) -> None:
    """Called by every path that writes scores: from then on the set's indicators are fixed."""
    IndicatorSet.objects.filter(pk=indicator_set.pk, frozen_at__isnull=True).update(
        frozen_at=timezone.now())


def indicators_by_category(indicator_set: IndicatorSet) -> list[tuple[str, list[Indicator]]]:
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicator_set.indicators.order_by("position", "code"):
        groups.setdefault(indicator.category, []).append(indicator)
    return list(groups.items())


def indicator_set_workbook(indicator_set: IndicatorSet) -> xlsx.Workbook:
    """The set as a file the import reads back: keys in row 1, the Chinese labels in a note row."""
    workbook = xlsx.Workbook()
    sheet = workbook.sheet(_("Indicators"), COLUMNS, widths={3: 40, 4: 40})
    sheet.append([f"# {LABELS[0]}", *LABELS[1:]])
    for indicator in indicator_set.indicators.order_by("position", "code"):
        sheet.append([indicator.code, indicator.category, indicator.subcategory, indicator.name,
                      indicator.description, float(indicator.max_score),
                      float(indicator.weight), 1 if indicator.higher_is_better else 0])
    return workbook


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(text: str, *, places: int, upper: Decimal) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > upper:
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return None
    return value


def _read_rows(file) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        raise CatalogueError([CellError(None, None, _(
            "This is not an Excel workbook (.xlsx)."))]) from error
    sheet = workbook.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_text(value) for value in values]
        if not any(cells) or (cells and cells[0].startswith("#")):
            continue
        rows.append((number, cells))
        if len(rows) > MAX_SET_ROWS:
            raise CatalogueError([CellError(number, None, _(
                "An indicator set has at most %(max)s indicators.") % {"max": MAX_SET_ROWS})])
    workbook.close()
    return rows


def parse_indicator_file(file) -> list[Indicator]:
    """Every row validated; all problems raised together, or the unsaved indicators."""
    rows = _read_rows(file)
    if not rows:
        raise CatalogueError([CellError(None, None, _("The file is empty."))])
    positions = _columns(*rows[0])
    errors: list[CellError] = []
    seen: dict[str, int] = {}
    indicators = [_indicator(number, position, _Cells(cells, positions), seen, errors)
                  for position, (number, cells) in enumerate(rows[1:], start=1)]
    if errors:
        raise CatalogueError(errors)
    if not indicators:
        raise CatalogueError([CellError(None, None, _("The file lists no indicators."))])
    return indicators


def _columns(number: int, header: list[str]) -> dict[str, int]:
    """Where each key's column is, or every problem of the header row."""
    errors: list[CellError] = []
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = ALIASES.get(title.lower() if title.isascii() else title)
        if key is None:
            if title:
                errors.append(CellError(number, title, _("Unknown column.")))
            continue
        if key in positions:
            errors.append(CellError(number, title, _("This column appears twice.")))
        positions[key] = index
    for key in REQUIRED:
        if key not in positions:
            errors.append(CellError(number, key, _("This column is missing.")))
    if errors:
        raise CatalogueError(errors)
    return positions


class _Cells:
    def __init__(self, cells: list[str], positions: dict[str, int]):
        self.cells, self.positions = cells, positions

    def __getitem__(self, key: str) -> str:
        index = self.positions.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else ""


def _indicator(number: int, position: int, cell: _Cells, seen: dict[str, int],
               errors: list[CellError]) -> Indicator:
    """The row's indicator, unsaved; its problems are added to ``errors``."""
    code = cell["code"]
    if not code:
        errors.append(CellError(number, "code", _("The code is empty.")))
    elif not all(ch.isascii() and (ch.isalnum() or ch in "_.-") for ch in code) \
            or len(code) > 16:
        errors.append(CellError(number, "code", _(
            "A code has at most 16 letters, digits, dots, dashes or underscores.")))
    elif code in seen:
        errors.append(CellError(number, "code", _(
            "Code %(code)s is already used in row %(row)s.") % {"code": code,
                                                                "row": seen[code]}))
    else:
        seen[code] = number
    for key, limit in (("category", 40), ("name", 200)):
        if not cell[key]:
            errors.append(CellError(number, key, _("This cell is empty.")))
        elif len(cell[key]) > limit:
            errors.append(CellError(number, key, _("At most %(n)s characters.") % {"n": limit}))
    max_score = _decimal(cell["max_score"], places=2, upper=Decimal("9999"))
    if max_score is None:
        errors.append(CellError(number, "max_score", _(
            "The maximum score must be a number above 0 with at most two decimals.")))
    weight = _decimal(cell["weight"] or "1", places=3, upper=Decimal("999"))
    if weight is None:
        errors.append(CellError(number, "weight", _(
            "The weight must be a number above 0 with at most three decimals.")))
    better_text = (cell["higher_is_better"] or "1").lower()
    if better_text not in TRUE_WORDS | FALSE_WORDS:
        errors.append(CellError(number, "higher_is_better", _(
            "Write 1 (higher is better) or 0 (a deduction item).")))
    return Indicator(
        code=code, position=position, category=cell["category"][:40],
        subcategory=cell["subcategory"][:60], name=cell["name"][:200],
        description=cell["description"], max_score=max_score or Decimal(1),
        weight=weight or Decimal(1), higher_is_better=better_text not in FALSE_WORDS)


@transaction.atomic
def import_indicator_set(*, actor, region: Region, year: int, name: str, file,
                         description: str = "", replace: bool = False) -> IndicatorSet:
    """Create a set from an Excel file, or replace the indicators of an unfrozen one.

    A frozen set (scores use it) is never changed: make a new set (another name or year).
    """
    if region.level == RegionLevel.TOWNSHIP:
        raise DomainError(_("Indicator sets apply to a city or a county."), field="region")
    if not scoping.can_manage_indicator_sets(actor, region):
        raise NotAllowed(_("You may not manage the indicator sets of %(region)s.")
                         % {"region": region.name})
    if not name.strip():
        raise DomainError(_("Give the set a name."), field="name")
    indicators = parse_indicator_file(file)
    existing = (IndicatorSet.objects.select_for_update()
                .filter(region=region, year=year, name=name.strip()).first())
    if existing is not None:
        if existing.is_frozen:
            raise DomainError(_("Indicator set “%(set)s” is frozen: scores use it, so its "
                                "indicators can no longer change.") % {"set": existing},
                              field="name")
        if not replace:
            raise DomainError(_("A set with this name already exists for %(region)s and "
                                "%(year)s; tick replace to overwrite its indicators.")
                              % {"region": region.name, "year": year}, field="name")
        existing.indicators.all().delete()
        existing.description = description or existing.description
        existing.save(update_fields=["description"])
        indicator_set = existing
    else:
        indicator_set = IndicatorSet.objects.create(region=region, year=year, name=name.strip(),
                                                    description=description)
    for indicator in indicators:
        indicator.indicator_set = indicator_set
    Indicator.objects.bulk_create(indicators)
    return indicator_set


def sets_for_user(user):
    return (visibility.indicator_sets(user).select_related("region")
            .annotate(indicator_count=Count("indicators")).order_by("-year", "region__path"))
