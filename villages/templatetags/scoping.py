"""Templates ask ``villages/scoping.py`` before they show a link or a button::

    {% load scoping %}
    {% may "open_cases" as can_open %}{% if can_open %}<a …>{% endif %}
    {% may "see_region" county as linked %}

``{% may "x" … %}`` is ``scoping.can_x(request.user, …)``: the same question the view asks
before it acts, so a page never offers what would answer 403.
"""

from django import template

from villages import scoping

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, question: str, *objects) -> bool:
    check = getattr(scoping, f"can_{question}", None)
    if check is None:
        raise template.TemplateSyntaxError(f"villages/scoping.py has no can_{question}()")
    return check(context.get("user") or context["request"].user, *objects)
