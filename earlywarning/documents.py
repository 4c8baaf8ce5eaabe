"""Printable documents: HTML pages turned into A4 PDFs with WeasyPrint.

WeasyPrint needs the system's Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0) and a CJK font
(fonts-noto-cjk) or Chinese comes out as empty boxes; both are in the Dockerfile and .ci/run.
Stylesheets are read from the static files on disk, never fetched over HTTP, so rendering works
offline and cannot call back into a busy web worker.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _


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
