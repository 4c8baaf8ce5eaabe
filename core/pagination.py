"""Pagination: one helper for HTML lists and one class for the API, with the same size limits."""

from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def page_size(request, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The ``page_size`` the user chose if it is one of PAGE_SIZES, else ``default``."""
    raw = request.GET.get("page_size", "")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) in PAGE_SIZES else default


def paginate(request, queryset, default: int = DEFAULT_PAGE_SIZE) -> tuple[Page, str]:
    """The requested page of ``queryset`` (out-of-range pages clamp to the last one) and the
    query string without ``page``, for the pager's links."""
    page = Paginator(queryset, page_size(request, default)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


class Pagination(PageNumberPagination):
    """The API's lists: ``{"count", "next", "previous", "results"}``, ``?page_size=`` up to 500."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500
