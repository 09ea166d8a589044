"""Choosing between a full page and its htmx partial in one place."""

from django.shortcuts import render


def render_page_or_partial(request, page_template: str, partial_template: str, context: dict, **kwargs):
    """htmx requests get only the partial; ordinary requests get the page that includes it."""
    template = partial_template if getattr(request, "htmx", False) else page_template
    return render(request, template, context, **kwargs)
