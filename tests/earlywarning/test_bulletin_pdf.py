import re
import zlib

import pytest
from django.test import Client

from earlywarning import bulletins
from tests.conftest import require
from tests.earlywarning.factories import OCTOBER, rate_september_and_october

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def published(world):
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        require(False, f"needs Pango for WeasyPrint (apt-get install libpango-1.0-0): {error}")
    rate_september_and_october(world)
    draft = bulletins.build_draft(actor=None, region=world.zhuji, month=OCTOBER)
    return world, bulletins.publish(actor=world.users["zhuji"], bulletin=draft)


def pdf_text(data: bytes) -> bytes:
    """The PDF's objects with every compressed stream inflated, to look for fonts and pages."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_bulletin_downloads_as_an_a4_pdf_with_chinese_fonts_embedded(published):
    world, bulletin = published
    response = signed_in(world.users["fengqiao"]).get(f"/bulletins/{bulletin.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert b"Noto-Sans-CJK-SC" in text            # the CJK font is embedded: no empty boxes
    assert re.search(rb"/MediaBox ?\[0 0 595", text)  # A4 portrait, 595 points wide


def test_pdf_follows_the_same_rights_as_the_page(published):
    world, bulletin = published
    assert signed_in(world.users["api"]).get(f"/bulletins/{bulletin.pk}/pdf/").status_code == 403
    assert signed_in(world.users["shangyu"]).get(
        f"/bulletins/{bulletin.pk}/pdf/").status_code == 404
