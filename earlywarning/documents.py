"""A bulletin as files: its page as an A4 PDF (WeasyPrint), its tables as an Excel workbook.

WeasyPrint needs the system's Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0) and a CJK font
(fonts-noto-cjk) or Chinese comes out as empty boxes; both are in the Dockerfile and .ci/run.
Stylesheets are read from the static files on disk, never fetched over HTTP, so rendering works
offline and cannot call back into a busy web worker.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _

from core import xlsx
from earlywarning import consequences
from earlywarning.models.bulletins import BulletinStatus
from earlywarning.models.ratings import Color, Movement


class RendererMissing(Exception):
    """The PDF renderer's system libraries are not installed."""


def _static_files_fetcher():
    from weasyprint.urls import URLFetcher

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            prefix = f"file://{settings.STATIC_URL}"
            path = finders.find(url[len(prefix):]) if url.startswith(prefix) else None
            if path is None:
                raise ValueError(f"{url}: documents use local static files only")
            return super().fetch(f"file://{path}", headers)

    return StaticFilesFetcher()


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango missing: the import itself fails.
        raise RendererMissing(_("PDF rendering is not available on this server: %(error)s")
                              % {"error": error}) from None
    return HTML(string=html, base_url="file:///",
                url_fetcher=_static_files_fetcher()).write_pdf()


def bulletin_workbook(bulletin, doc: dict) -> xlsx.Workbook:
    """Two sheets: townships (under the notice's title) and villages, as the page shows them.
    ``doc`` is what the page shows: the published snapshot or the draft's rows."""
    colors, moves = dict(Color.choices), dict(Movement.choices)
    workbook = xlsx.Workbook()
    townships = workbook.sheet(_("Townships"), [
        _("County"), _("Township"), _("Green"), _("Yellow"), _("Red"), _("Unrated"),
        _("Moved up"), _("Moved down"), _("Red last month"), _("Ratings missing"),
        _("Ratings late"), _("Loses award eligibility"), _("Officials for a talk")],
        above=[[doc["summary"]["title"], f"r{bulletin.revision}",
                str(dict(BulletinStatus.choices)[bulletin.status])]], widths={12: 40})
    called = {town["township"]: town.get("officials_for_talk") or []
              for town in doc["summary"].get("award_ineligible", [])}
    for t in doc["summary"]["townships"]:
        townships.append([t["county"], t["name"], t["green"], t["yellow"], t["red"],
                          t["unrated"], t["up"], t["down"], t["red_previous"], t["missing"],
                          t["late"], _("Yes") if t["red_rose"] else "",
                          "、".join(consequences.describe_participants(called.get(t["id"], [])))])
    villages = workbook.sheet(_("Villages"), [
        _("Township"), _("Village"), _("Color"), _("Last month"), _("Change"),
        _("Latest tier"), _("Case status"), _("Open ledger items"), _("Overdue ledger items"),
        _("Ratings missing"), _("Ratings late")], widths={9: 30, 10: 30})
    for e in doc["entries"]:
        villages.append([e["township_name"], e["village_name"],
                         str(colors.get(e["color"], "")), str(colors.get(e["previous_color"], "")),
                         str(moves.get(e["change"], "")), e["tier"], e["case_status"] or "",
                         e["open_ledger_items"], e["overdue_ledger_items"],
                         " ".join(e["ratings_missing"]), " ".join(e["ratings_late"])])
    return workbook
