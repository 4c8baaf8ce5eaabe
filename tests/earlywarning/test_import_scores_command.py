"""``manage.py import_scores FILE --quarter --region [--replace]``."""

import pytest
from django.core.management import CommandError, call_command

from earlywarning.models.evaluations import Evaluation, ScoreImport
from tests.earlywarning.factories import csv_bytes, row, zhuji_rows

pytestmark = pytest.mark.django_db


def write(tmp_path, content):
    path = tmp_path / "scores.csv"
    path.write_bytes(content)
    return str(path)


def test_the_command_imports_and_records_the_source(world, catalogue, tmp_path, capsys):
    call_command("import_scores", write(tmp_path, csv_bytes(zhuji_rows(world))),
                 quarter="2026Q3", region=world.zhuji.code, user="zhuji")

    assert Evaluation.objects.count() == 4
    assert ScoreImport.objects.get().source == ScoreImport.Source.COMMAND
    assert "4 villages, 16 scores stored" in capsys.readouterr().out


def test_the_command_prints_every_error_and_stores_nothing(world, catalogue, tmp_path,
                                                           capsys):
    path = write(tmp_path, csv_bytes([row(world.fq1, a01="x"), row(world.bg1)]))

    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_scores", path, quarter="2026Q3", region=world.zhuji.code,
                     user="zhuji")

    err = capsys.readouterr().err
    assert "row 2 column A01" in err and "row 3 column village_code" in err
    assert not Evaluation.objects.exists()


def test_the_command_needs_replace_for_a_scored_quarter(world, catalogue, tmp_path):
    path = write(tmp_path, csv_bytes(zhuji_rows(world)))
    call_command("import_scores", path, quarter="2026Q3", region=world.zhuji.code,
                 user="zhuji")

    with pytest.raises(CommandError):
        call_command("import_scores", path, quarter="2026Q3", region=world.zhuji.code,
                     user="zhuji")
    call_command("import_scores", path, quarter="2026Q3", region=world.zhuji.code,
                 user="zhuji", replace=True)

    assert ScoreImport.objects.latest("pk").replaced == 4


@pytest.mark.parametrize(("args", "message"), [
    ({"quarter": "2026Q3", "region": "999999999999", "user": "zhuji"}, "unknown region"),
    ({"quarter": "2026Q3", "region": "330681000000", "user": "nobody"}, "unknown user"),
])
def test_the_command_rejects_unknown_names(world, catalogue, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_scores", write(tmp_path, b"x"), **args)
