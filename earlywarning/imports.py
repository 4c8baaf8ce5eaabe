"""The score import: a checked file stored all or nothing, then the counties re-tiered.

Reading and checking the file is ``earlywarning/scorefiles.py``; nothing is written unless the
whole file is clean. On PostgreSQL the checked rows flow through ``COPY`` into the import's own
detached partition of the score table while the rest of the file is still being read, and the
partition is attached at the end (``earlywarning/partitions.py``); elsewhere a second pass over
the file writes them in batches (``earlywarning/scorerows.py``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.db import analyze
from core.errors import DomainError, NotAllowed
from core.periods import Quarter, parse_open_quarter
from earlywarning import catalogue, partitions, scorefiles, tiering
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    IndicatorScore,
    IndicatorSet,
    ScoreImport,
)
from earlywarning.scorefiles import RowError, ScoreImportFailed
from earlywarning.scorerows import copy_rows, is_postgres, write_score_rows
from villages import scoping
from villages.models import Region, RegionLevel

__all__ = ["ImportResult", "ScoreImportFailed", "import_scores"]


def default_max_bytes() -> int:
    return settings.SCORE_IMPORT_MAX_BYTES


def import_regions(user) -> list[Region]:
    """Regions a user may import for: staff's counties and townships, an official's township."""
    regions = scoping.visible_regions(user).filter(
        level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).select_related("parent")
    return [region for region in regions.order_by("path")
            if scoping.can_import_scores(user, region)]


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
    quarter, indicator_set, size = _admissible(region=region, quarter=quarter, file=file,
                                               max_bytes=max_bytes)
    source_file = scorefiles.Source(file)
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
                file_sha256=scorefiles.sha256(file), file_size=size, source=source,
                villages=0, scores=0, replace=replace, imported_by=actor)
        plan = _check(actor=actor, region=region, quarter=quarter, indicator_set=indicator_set,
                      replace=replace, source=source_file,
                      part=record.pk if staged else None)
        result = ImportResult(region=region, quarter=quarter, indicator_set=indicator_set,
                              villages=len(plan.rows), scores=plan.scores,
                              replaced=len(plan.replace_ids), preview=plan.preview)
        if not dry_run:
            _commit(plan, record, source_file, result, staged=staged)
        return result


def _admissible(*, region: Region, quarter, file, max_bytes: int | None):
    """The quarter, the indicator set and the file's size, once the file may be read at all."""
    try:
        quarter = parse_open_quarter(quarter)
    except DomainError as error:
        raise ScoreImportFailed([RowError(None, "quarter", error.message)]) from None
    max_bytes = default_max_bytes() if max_bytes is None else max_bytes
    size = scorefiles.file_size(file)
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
    return quarter, indicator_set, size


def _commit(plan, record: ScoreImport, source, result: ImportResult, *, staged: bool) -> None:
    """Store a clean file's evaluations and scores, freeze the set and re-tier the counties."""
    record.villages, record.scores, record.replaced = (
        len(plan.rows), plan.scores, len(plan.replace_ids))
    record.save(update_fields=["villages", "scores", "replaced"])
    _store(plan, record, source, staged=staged)
    # Before tiering reads them; the scores are analysed when their partition is attached.
    analyze(Evaluation)
    catalogue.freeze(plan.indicator_set)
    counties = Region.objects.filter(pk__in={county for _t, county in plan.rows.values()})
    result.tiering = tiering.tier_counties(quarter=plan.quarter, counties=counties)
    if staged:
        # Last, so the locks it takes on the evaluation and indicator tables are held for
        # as short a time as possible before commit.
        partitions.attach(record.pk)
    result.score_import = record


def _check(*, actor, region, quarter, indicator_set, replace, source, part):
    """Read and check the whole file. With ``part`` (PostgreSQL), the checked scores stream
    through COPY into that import's detached partition while the file is still being read."""
    errors = scorefiles.ErrorList()
    checker = scorefiles.Checker(actor=actor, region=region, quarter=quarter,
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
        for number, cells in scorefiles.data_rows(source, checker.header):
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


def _store(plan: _Plan, record: ScoreImport, source, *, staged: bool) -> None:
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
    evaluations = dict(Evaluation.objects.filter(
        quarter=quarter, village_id__in=list(plan.rows)).values_list("village__code", "pk"))
    write_score_rows(scorefiles.score_rows(source, indicator_set=plan.indicator_set,
                                           evaluations=evaluations))
