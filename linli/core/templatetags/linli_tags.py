from functools import cache

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = ""):
    """An icon from the app's own sprite (no CDN). Decorative unless given a label for screen readers."""
    href = f"{_sprite()}#{name}"
    if label:
        return format_html('<svg class="icon" role="img" aria-label="{}"><use href="{}"></use></svg>', label, href)
    return format_html('<svg class="icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', href)


@cache
def _sprite() -> str:
    # The sprite's URL (hashed by the manifest storage) is fixed for the life of the process; a page
    # draws dozens of icons.
    return static("linli/icons.svg")
