"""What an admin add or change form would POST as rendered, so a test changes only what it means."""

import datetime
from decimal import Decimal


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def _add_form(data: dict, form) -> None:
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [_encode(v) for v in value]
        else:
            data[bound.html_name] = _encode(value)


def admin_form_data(response, **changes) -> dict:
    """The admin form in ``response`` (with its inline formsets) as a POST body, plus ``changes``.

    A change whose value is None removes the field, as an unticked checkbox would.
    """
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = _encode(value)
    return data
