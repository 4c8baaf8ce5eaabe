"""The score import: every bad input gives clear errors with row and column, and stores nothing."""

import io
import zipfile
from decimal import Decimal
from unittest import mock

import pytest

from core.errors import NotAllowed
from earlywarning import imports, scorefiles
from earlywarning.imports import ScoreImportFailed
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    IndicatorScore,
    ScoreImport,
)
from tests.earlywarning.factories import csv_bytes, row, run, xlsx_bytes, zhuji_rows

pytestmark = pytest.mark.django_db


def errors_of(world, content, **kwargs) -> list[dict]:
    with pytest.raises(ScoreImportFailed) as caught:
        run(world, content, **kwargs)
    assert nothing_stored()
    return caught.value.as_dict()["errors"]


def nothing_stored() -> bool:
    return not (Evaluation.objects.exists() or IndicatorScore.objects.exists()
                or ScoreImport.objects.exists())


# --- What a clean file does ---------------------------------------------------------------------


def test_a_clean_csv_stores_every_score_totals_and_tiers(world, catalogue):
    result = run(world, csv_bytes(zhuji_rows(world)))

    assert (result.villages, result.scores, result.replaced) == (4, 16, 0)
    totals = dict(Evaluation.objects.values_list("village__code", "total"))
    # 2 + 1.5 + 1 + (1 − 0); B02 is a deduction: its value is points lost.
    assert totals == {world.fq1.code: Decimal("5.50"), world.fq2.code: Decimal("4.50"),
                      world.dk1.code: Decimal("4.50"), world.dk2.code: Decimal("2.00")}
    assert IndicatorScore.objects.count() == 16
    assert set(Evaluation.objects.values_list("tier", flat=True)) <= {1, 2, 3}
    assert Evaluation.objects.get(village=world.fq1).rank == 1
    assert Evaluation.objects.get(village=world.dk2).tier == 3
    record = ScoreImport.objects.get()
    assert (record.villages, record.scores, record.replace, record.source) == (
        4, 16, False, ScoreImport.Source.UPLOAD)
    assert record.imported_by == world.users["zhuji"] and len(record.file_sha256) == 64
    catalogue.refresh_from_db()
    assert catalogue.is_frozen


def test_an_excel_file_with_the_names_row_imports_the_same(world, catalogue):
    result = run(world, xlsx_bytes(zhuji_rows(world)), name="scores.xlsx")

    assert result.scores == 16
    assert Evaluation.objects.get(village=world.fq1).total == Decimal("5.50")


def test_a_gb18030_csv_from_chinese_excel_imports(world, catalogue):
    content = csv_bytes(zhuji_rows(world), header=["村代码", "村名", "A01", "A02", "B01", "B02"],
                        encoding="gb18030")

    assert run(world, content).villages == 4


def test_a_township_imports_its_own_villages(world, catalogue):
    result = run(world, csv_bytes([row(world.fq1), row(world.fq2)]), user="fengqiao",
                 region=world.fengqiao)

    assert result.villages == 2
    assert set(Evaluation.objects.values_list("county", flat=True)) == {world.zhuji.pk}


def test_a_dry_run_checks_and_previews_without_storing(world, catalogue):
    result = run(world, csv_bytes(zhuji_rows(world)), dry_run=True)

    assert result.villages == 4 and not result.committed
    assert result.preview[0] == (world.fq1.code, world.fq1.name, Decimal("5.50"))
    assert nothing_stored()


# --- Bad input ----------------------------------------------------------------------------------


def test_unknown_village_code(world, catalogue):
    errors = errors_of(world, csv_bytes([row(world.fq1), ["330681999999", "无", 1, 1, 1, 0]]))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "village_code")]
    assert "Unknown village code 330681999999" in errors[0]["message_en"]


def test_village_outside_the_uploaders_region(world, catalogue):
    errors = errors_of(world, csv_bytes([row(world.fq1), row(world.dk1)]), user="fengqiao",
                       region=world.fengqiao)

    assert [(e["row"], e["column"]) for e in errors] == [(3, "village_code")]
    assert "outside" in errors[0]["message_en"]


def test_village_of_another_county_for_county_staff(world, catalogue):
    errors = errors_of(world, csv_bytes([row(world.bg1)]))

    assert "outside" in errors[0]["message_en"]


def test_unknown_indicator_column(world, catalogue):
    header = ["village_code", "village_name", "A01", "A02", "B01", "B02", "Z99"]
    errors = errors_of(world, csv_bytes([[*row(world.fq1), "1"]], header=header))

    assert [(e["row"], e["column"]) for e in errors] == [(1, "Z99")]
    assert "Unknown column Z99" in errors[0]["message_en"]


def test_missing_indicator_column(world, catalogue):
    header = ["village_code", "village_name", "A01", "A02", "B01"]
    errors = errors_of(world, csv_bytes([row(world.fq1)[:5]], header=header))

    assert [(e["row"], e["column"]) for e in errors] == [(1, "B02")]
    assert "B02" in errors[0]["message_en"] and "missing" in errors[0]["message_en"]


def test_missing_village_code_column(world, catalogue):
    header = ["village_name", "A01", "A02", "B01", "B02"]
    errors = errors_of(world, csv_bytes([row(world.fq1)[1:]], header=header))

    assert (errors[0]["row"], errors[0]["column"]) == (1, "village_code")


def test_duplicate_row(world, catalogue):
    errors = errors_of(world, csv_bytes([row(world.fq1), row(world.fq2), row(world.fq1)]))

    assert [(e["row"], e["column"]) for e in errors] == [(4, "village_code")]
    assert "already in row 2" in errors[0]["message_en"]


@pytest.mark.parametrize(("cell", "column", "words"), [
    ("abc", "A01", "not a number"),
    ("", "A01", "empty"),
    ("NaN", "A01", "not a number"),
    ("2.5", "A01", "outside 0 to 2"),
    ("-1", "A02", "outside 0 to 2"),
    ("1.5", "B01", "outside 0 to 1"),
    ("0.125", "B02", "more than two decimals"),
])
def test_non_numeric_or_out_of_range_value(world, catalogue, cell, column, words):
    cells = {"A01": "2", "A02": "1", "B01": "1", "B02": "0", column: cell}
    errors = errors_of(world, csv_bytes([row(world.fq1, a01=cells["A01"], a02=cells["A02"],
                                             b01=cells["B01"], b02=cells["B02"])]))

    assert [(e["row"], e["column"]) for e in errors] == [(2, column)]
    assert words in errors[0]["message_en"]


def test_every_error_of_the_file_is_listed_at_once(world, catalogue):
    content = csv_bytes([row(world.fq1, a01="x"), row(world.fq2, b01="9"),
                         ["330681999999", "无", 1, 1, 1, 0], row(world.fq1)])

    errors = errors_of(world, content)

    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "A01"), (3, "B01"), (5, "village_code"), (4, "village_code")]


def test_an_empty_file(world, catalogue):
    errors = errors_of(world, b"")

    assert "empty" in errors[0]["message_en"]


def test_a_file_with_only_the_header(world, catalogue):
    errors = errors_of(world, csv_bytes([]))

    assert "no village rows" in errors[0]["message_en"]


def test_a_file_of_blank_lines(world, catalogue):
    errors = errors_of(world, b"\n\n,,,\n")

    assert "empty" in errors[0]["message_en"]


@pytest.mark.parametrize("quarter", ["2026-3", "2026Q5", "Q3 2026", "", "1999Q1"])
def test_wrong_quarter_format(world, catalogue, quarter):
    errors = errors_of(world, csv_bytes([row(world.fq1)]), quarter=quarter)

    assert errors[0]["column"] == "quarter"


def test_a_quarter_that_has_not_begun(world, catalogue):
    errors = errors_of(world, csv_bytes([row(world.fq1)]), quarter="2027Q1")

    assert "not begun" in errors[0]["message_en"]


def _zip_without_workbook() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return stream.getvalue()


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls",
    _zip_without_workbook(),
    bytes(range(128, 256)) * 4,
], ids=["png", "pdf", "xls", "docx-like-zip", "binary"])
def test_a_file_that_is_not_excel_or_csv(world, catalogue, content):
    errors = errors_of(world, content, name="scores.xlsx")

    assert errors[0]["row"] is None
    assert "Excel" in errors[0]["message_en"]


def test_a_file_over_the_size_limit(world, catalogue, settings):
    settings.SCORE_IMPORT_MAX_BYTES = 100
    content = csv_bytes(zhuji_rows(world))
    assert len(content) > 100

    errors = errors_of(world, content)

    assert "limit" in errors[0]["message_en"]


def test_the_command_has_no_size_limit(world, catalogue, settings):
    settings.SCORE_IMPORT_MAX_BYTES = 100

    assert run(world, csv_bytes(zhuji_rows(world)), max_bytes=0).villages == 4


def test_no_applicable_indicator_set(world, frozen):
    errors = errors_of(world, csv_bytes([row(world.fq1)]))

    assert "No indicator set" in errors[0]["message_en"]


def test_errors_carry_chinese_and_english_messages(world, catalogue):
    errors = errors_of(world, csv_bytes([row(world.fq1, a01="abc")]))

    assert set(errors[0]) == {"row", "column", "message", "message_zh", "message_en"}
    assert errors[0]["message_en"] == "“abc” is not a number."


def test_the_error_list_is_capped_with_a_count_of_the_rest(world, catalogue, monkeypatch):
    monkeypatch.setattr(scorefiles, "MAX_ERRORS", 3)
    content = csv_bytes([row(world.fq1, a01="x", a02="x", b01="x", b02="x"),
                         row(world.fq2, a01="x", a02="x")])

    errors = errors_of(world, content)

    assert len(errors) == 4
    assert "3 more errors" in errors[-1]["message_en"]


# --- Rights -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "region"), [
    ("fengqiao", "zhuji"), ("fengqiao", "diankou"), ("shangyu", "zhuji"),
    ("helper", "fengqiao"), ("api", "zhuji"), ("auditor", "zhuji")])
def test_importing_outside_ones_rights_is_refused(world, catalogue, user, region):
    with pytest.raises(NotAllowed):
        run(world, csv_bytes([row(world.fq1)]), user=user, region=getattr(world, region))
    assert nothing_stored()


# --- Replacing ----------------------------------------------------------------------------------


def test_a_quarter_with_scores_needs_an_explicit_replace(world, catalogue):
    run(world, csv_bytes(zhuji_rows(world)))

    with pytest.raises(ScoreImportFailed) as caught:
        run(world, csv_bytes([row(world.fq1, a01="0")]))

    assert "replace" in caught.value.as_dict()["errors"][0]["message_en"]
    assert Evaluation.objects.get(village=world.fq1).total == Decimal("5.50")
    assert ScoreImport.objects.count() == 1


def test_replace_overwrites_and_is_recorded(world, catalogue):
    run(world, csv_bytes(zhuji_rows(world)))

    result = run(world, csv_bytes([row(world.fq1, a01="0")]), replace=True)

    assert result.replaced == 1
    evaluation = Evaluation.objects.get(village=world.fq1)
    assert evaluation.total == Decimal("3.50")
    assert evaluation.scores.count() == 4
    assert IndicatorScore.objects.count() == 16
    record = ScoreImport.objects.latest("pk")
    assert (record.replace, record.replaced) == (True, 1)
    assert evaluation.score_import == record


def test_replace_does_not_touch_an_approved_evaluation(world, catalogue):
    run(world, csv_bytes(zhuji_rows(world)))
    Evaluation.objects.filter(village=world.fq1).update(
        status=EvaluationStatus.APPROVED, submitted_at="2026-10-01T00:00Z",
        approved_at="2026-10-02T00:00Z")

    with pytest.raises(ScoreImportFailed) as caught:
        run(world, csv_bytes([row(world.fq1, a01="0")]), replace=True)

    assert "locked" in caught.value.as_dict()["errors"][0]["message_en"]
    assert Evaluation.objects.get(village=world.fq1).total == Decimal("5.50")


# --- The two write paths ------------------------------------------------------------------------


def test_without_copy_the_second_pass_writes_the_same_rows(world, catalogue):
    with mock.patch.object(imports, "is_postgres", return_value=False):
        run(world, csv_bytes(zhuji_rows(world)))

    assert sorted(IndicatorScore.objects.values_list(
        "evaluation__village__code", "indicator__code", "value", "max_score")) == sorted(
        expected_scores(world))


def expected_scores(world):
    values = {world.fq1: ("2", "1.5", "1", "0"), world.fq2: ("1", "1.5", "1", "0"),
              world.dk1: ("2", "1.5", "1", "1"), world.dk2: ("0", "0", "1", "0")}
    maxima = {"A01": Decimal(2), "A02": Decimal(2), "B01": Decimal(1), "B02": Decimal(1)}
    return [(village.code, code, Decimal(value), maxima[code])
            for village, cells in values.items()
            for code, value in zip(("A01", "A02", "B01", "B02"), cells, strict=True)]


@pytest.mark.postgres
def test_on_postgresql_rows_go_through_copy_into_the_imports_own_partition(world, catalogue,
                                                                          require_postgres):
    from django.db import connection

    with mock.patch.object(imports, "copy_rows", wraps=imports.copy_rows) as copy:
        result = run(world, csv_bytes(zhuji_rows(world)))

    part = result.score_import.pk
    # The scores into the import's partition, then the evaluations they belong to.
    assert [call.args[0] for call in copy.call_args_list] == [
        f"earlywarning_indicatorscore_i{part}", "earlywarning_evaluation"]
    assert sorted(IndicatorScore.objects.values_list(
        "evaluation__village__code", "indicator__code", "value", "max_score")) == sorted(
        expected_scores(world))
    assert set(IndicatorScore.objects.values_list("part", flat=True)) == {part}
    assert set(Evaluation.objects.values_list("score_part", flat=True)) == {part}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s",
                       [f"earlywarning_indicatorscore_i{part}"])
        assert cursor.fetchone()[0] == f"FOR VALUES IN ('{part}')"


@pytest.mark.postgres
def test_on_postgresql_a_failed_file_leaves_no_partition(world, catalogue, require_postgres):
    from django.db import connection

    errors_of(world, csv_bytes([row(world.fq1), row(world.fq2, a01="x")]))

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE "
                       "'earlywarning_indicatorscore_i%%'")
        assert cursor.fetchone()[0] == 0


def test_a_replacing_import_moves_the_villages_scores_to_its_own_partition(world, catalogue):
    first = run(world, csv_bytes(zhuji_rows(world)))
    second = run(world, csv_bytes([row(world.fq1, a01="0")]), replace=True)

    fq1 = Evaluation.objects.get(village=world.fq1)
    part = second.score_import.pk if connection_is_postgres() else 0
    assert fq1.score_part == part
    assert set(fq1.scores.values_list("part", flat=True)) == {part}
    assert fq1.scores.get(indicator__code="A01").value == 0
    assert IndicatorScore.objects.filter(evaluation__village=world.fq2).count() == 4
    assert IndicatorScore.objects.count() == 16
    assert first.score_import.pk != second.score_import.pk


@pytest.mark.postgres
def test_on_postgresql_a_score_outside_its_evaluations_partition_is_refused(
        world, catalogue, require_postgres):
    from django.db import IntegrityError, transaction

    run(world, csv_bytes([row(world.fq1)]))
    score = IndicatorScore.objects.first()
    score.delete()

    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorScore.objects.create(evaluation=score.evaluation, indicator=score.indicator,
                                      value=0, max_score=score.max_score, part=0)


def connection_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def test_the_database_refuses_a_value_above_the_maximum(world, catalogue):
    from django.db import IntegrityError, transaction

    run(world, csv_bytes([row(world.fq1)]))
    score = IndicatorScore.objects.filter(indicator__code="B01").first()

    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorScore.objects.filter(pk=score.pk).update(value=Decimal("1.01"))


def test_the_database_refuses_a_second_score_for_the_same_pair(world, catalogue):
    from django.db import IntegrityError, transaction

    run(world, csv_bytes([row(world.fq1)]))
    score = IndicatorScore.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorScore.objects.create(evaluation=score.evaluation, indicator=score.indicator,
                                      value=0, max_score=score.max_score, part=score.part)
    # Nor through another partition (PostgreSQL: the (evaluation, part) foreign key; SQLite,
    # which has no partitions: a unique index on the pair).
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorScore.objects.create(evaluation=score.evaluation, indicator=score.indicator,
                                      value=0, max_score=score.max_score, part=score.part + 1)
