from django import template

from earlywarning import consequences, ratings

register = template.Library()


@register.inclusion_tag("earlywarning/ratings/_village_ratings.html")
def village_ratings(village):
    """The village page's color timeline and change history (three queries)."""
    timeline = ratings.timeline(village)
    return {"timeline": timeline, "changes": ratings.changes(village),
            "current_color": timeline[-1].color if timeline else None}


@register.filter
def participants(value) -> str:
    """A talk's participants (``[{"post", "name"}]``) as "post name、post name"."""
    return "、".join(consequences.describe_participants(value))
