"""Domain errors become responses here, once for the API and once for HTML.

Views and serializers never catch ``NotAllowed`` or ``DomainError`` to pick a status by hand: the
error carries its status (``core/errors.py``). The only place a view catches one is a form, so a
validation error shows beside the field it names (``errors_on_form``).
"""

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, NotAllowed, NotFound


def api_exception_handler(exc, context):
    """DRF's handler, taught the domain errors (with their status) and model validation (400)."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)


@contextmanager
def on_invalid(handle):
    """A validation error of the domain (400, 409) raised inside the block goes to
    ``handle(error)`` and the block ends there; refusals (403, 404) go on to the middleware
    like any other error. The two helpers below are the usual handlers."""
    try:
        yield
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        handle(error)


@contextmanager
def errors_on_form(form):
    """A validation error of the domain raised inside the block lands on ``form``, beside the
    field it names, and the block ends there::

        if form.is_valid():
            with errors_on_form(form):
                case = cases.open_case(actor=request.user, **form.cleaned_data)
                return redirect("case-detail", case.pk)
        return render(request, "casework/case_open.html", {"form": form}, status=400)
    """
    def add_to_form(error):
        form.add_error(error.field if error.field in form.fields else None, str(error.message))

    with on_invalid(add_to_form):
        yield


@contextmanager
def errors_as_message(request):
    """For a form-less POST (confirm, publish, start …): a validation error of the domain raised
    inside the block becomes an error message on the page the view then redirects to."""
    with on_invalid(lambda error: messages.error(request, str(error.message))):
        yield


class DomainErrorMiddleware:
    """HTML: a refusal is the 403 page, an unknown object the 404 page; any other domain error of
    a form-less POST goes back to the page it came from as a message, and of a GET renders the
    400 page with the message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotAllowed):
            raise PermissionDenied(str(exception.message))
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message))
        back = request.META.get("HTTP_REFERER", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            messages.error(request, str(exception.message))
            return redirect(back)
        return render(request, "400.html", {"message": exception.message},
                      status=exception.status)

