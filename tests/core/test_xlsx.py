"""The one Excel writer: formula-safe, readable, named for when it was made."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import xlsx

UNSAFE = ["=1+1", "+86 575", "-1 元", "@SUM(A1)", "\tTAB", "\rCR", "=HYPERLINK(\"http://x\")"]


def written(workbook) -> "load_workbook":
    stream = io.BytesIO()
    workbook.save(stream)
    return load_workbook(io.BytesIO(stream.getvalue()))


@pytest.mark.parametrize("text", UNSAFE)
def test_text_that_excel_would_run_is_stored_as_text(text):
    workbook = xlsx.Workbook()
    workbook.sheet("表", ["名称"]).append([text])

    cell = written(workbook)["表"]["A2"]

    assert cell.value.strip() == text.strip()     # XML reads a carriage return as a newline
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_numbers_dates_and_plain_text_stay_as_they_are():
    workbook = xlsx.Workbook()
    workbook.sheet("表", ["a", "b", "c", "d"]).append([-5, Decimal("1.50"), "枫源村", None])

    row = [cell for cell in written(workbook)["表"][2]]

    assert [cell.value for cell in row] == [-5, 1.5, "枫源村", None]
    assert row[0].data_type == "n" and not row[2].quotePrefix


def test_the_header_is_bold_frozen_printed_on_every_page_and_sets_the_widths():
    workbook = xlsx.Workbook()
    workbook.sheet("表", ["行政村代码", "x"], above=[["标题"]], widths={1: 30})

    sheet = written(workbook)["表"]

    assert sheet["A1"].value == "标题" and sheet["A2"].font.bold
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.column_dimensions["A"].width == 12     # five CJK characters, two columns each
    assert sheet.column_dimensions["B"].width == 30


def test_the_response_is_an_attachment_named_with_a_timestamp(frozen):
    response = xlsx.response(xlsx.Workbook(), "villages")

    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="villages-20261120-1000.xlsx"'


def test_a_village_named_like_a_formula_exports_as_text(world, login):
    world.fq1.name = "=cmd|' /C calc'!A0"
    world.fq1.save()

    response = login("zhuji").get("/villages/export.xlsx")

    assert re.search(r'filename="villages-\d{8}-\d{4}\.xlsx"', response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == world.fq1.code)
    assert cell.value == world.fq1.name and cell.data_type == "s" and cell.quotePrefix
