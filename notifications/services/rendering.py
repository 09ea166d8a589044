"""Message texts from templates, and the check that they reveal nothing about treatment."""

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from ..constants import (
    FORBIDDEN_WORDS,
    TEMPLATE_CONTEXT_KEYS,
    Channel,
)


def _format_moment(moment: datetime | None) -> tuple[str, str]:
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return date_format(local, "l, F j"), date_format(local, "g:i A")


def template_context(context: dict) -> dict:
    """What a template may show: the neutral clinic name, a date, a time, a callback number, a join link."""
    unknown = set(context) - TEMPLATE_CONTEXT_KEYS
    if unknown:
        # 42 CFR Part 2: only neutral facts reach a patient's phone or inbox.
        raise ValidationError({"context": f"Templates may not be given {', '.join(sorted(unknown))}."})
    date, time = _format_moment(context.get("starts_at"))
    previous_date, previous_time = _format_moment(context.get("previous_starts_at"))
    return {
        "clinic_name": settings.CLINIC_NEUTRAL_NAME,
        "callback_phone": settings.CLINIC_CALLBACK_PHONE,
        "date": date,
        "time": time,
        "previous_date": previous_date,
        "previous_time": previous_time,
        "join_url": context.get("join_url", ""),
    }


def render_message(*, channel: str, template: str, context: dict) -> tuple[str, str]:
    """(subject, body); an email template's first line is its subject."""
    text = render_to_string(f"notifications/{channel}/{template}.txt", template_context(context)).strip()
    if channel == Channel.EMAIL:
        subject, _, body = text.partition("\n")
        return subject.strip(), body.strip() + "\n"
    return "", text


def forbidden_words_in(text: str, extra_words=()) -> list[str]:
    """The forbidden words or phrases found in ``text``, whole-word and case-insensitive."""
    found = []
    for word in (*FORBIDDEN_WORDS, *extra_words):
        if word and re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text, flags=re.IGNORECASE):
            found.append(word)
    return found
