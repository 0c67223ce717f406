from django import template

register = template.Library()


@register.inclusion_tag("alerts/includes/follow_box.html")
def follow_box(series=None, franchise=None, story=None):
    """The "Follow" box for a series hub, a franchise page or a story."""
    if series is not None:
        params, label, key = [("series", series.pk)], f"Follow {series.title}", f"series-{series.pk}"
    elif franchise is not None:
        params, label, key = [("franchise", franchise.pk)], f"Follow {franchise.name}", f"franchise-{franchise.pk}"
    else:
        params, label, key = [("story", story.pk)], "Follow this story's series and franchises", f"story-{story.pk}"
    return {"follow_params": params, "follow_label": label, "follow_id": key}
