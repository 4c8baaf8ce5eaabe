"""Annual grades in templates by their codes: ``{{ code|grade_label }}``, ``{{ code|is_poor }}``."""

from django import template

from villages.models import Grade

register = template.Library()


@register.filter
def grade_label(code: str) -> str:
    return str(Grade(code).label) if code in Grade.values else code


@register.filter
def is_poor(code: str) -> bool:
    """Graded 较差: a backward village."""
    return code == Grade.POOR
