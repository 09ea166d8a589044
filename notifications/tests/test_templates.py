"""42 CFR Part 2: every template, rendered with demo data, must not reveal addiction treatment."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications import services
from notifications.constants import FORBIDDEN_WORDS, Channel, MessageTemplate
from programs.models import Program
from programs.tests.factories import ProgramFactory

DEMO_CONTEXTS = [
    {"starts_at": dt.datetime(2030, 3, 4, 18, 0, tzinfo=dt.UTC)},
    {
        "starts_at": dt.datetime(2030, 3, 4, 18, 0, tzinfo=dt.UTC),
        "previous_starts_at": dt.datetime(2030, 3, 3, 17, 30, tzinfo=dt.UTC),
        "join_url": "https://video.example.com/j/8841-2207",
    },
]


def rendered_texts():
    for channel in Channel.values:
        for template in MessageTemplate.values:
            for context in DEMO_CONTEXTS:
                subject, body = services.render_message(channel=channel, template=template, context=context)
                yield channel, template, context, f"{subject}\n{body}"


@pytest.mark.django_db
def test_no_template_reveals_treatment(settings):
    ProgramFactory(name="Evening Intensive Outpatient", code="evening")
    ProgramFactory(name="Matrix Model stimulant track", code="matrix")
    program_names = list(Program.objects.values_list("name", flat=True))
    for channel, template, _context, text in rendered_texts():
        found = services.forbidden_words_in(text, extra_words=program_names)
        assert not found, f"{channel}/{template} says {found}: {text!r}"
        assert settings.CLINIC_NEUTRAL_NAME in text and settings.CLINIC_CALLBACK_PHONE in text


def test_every_template_shows_date_time_and_the_join_link_when_given():
    for channel, template, context, text in rendered_texts():
        if template != MessageTemplate.AFTERCARE_CHECKIN:
            local = timezone.localtime(context["starts_at"])
            assert local.strftime("%B") in text and "PM" in text, (channel, template)
        if "join_url" in context and template in (MessageTemplate.SESSION_REMINDER, MessageTemplate.SESSION_MOVED):
            assert context["join_url"] in text, (channel, template)
    # Unescaped: a link with & stays clickable in a text message.
    _, body = services.render_message(
        channel=Channel.SMS,
        template=MessageTemplate.SESSION_REMINDER,
        context={"starts_at": timezone.now(), "join_url": "https://v.example.com/j?id=1&pwd=2"},
    )
    assert "id=1&pwd=2" in body


def test_texts_fit_in_two_sms_segments():
    for channel, template, _context, text in rendered_texts():
        if channel == Channel.SMS:
            assert len(text) <= 306, (template, len(text))


def test_the_check_catches_every_forbidden_word_whole_word_only():
    for word in FORBIDDEN_WORDS:
        assert word in services.forbidden_words_in(f"See you at the {word.upper()} today")
    assert services.forbidden_words_in("Your appointment is at the Natick office") == []
    assert services.forbidden_words_in("Your AA meeting") == ["AA"]


def test_system_check_flags_a_clinic_name_that_reveals_treatment(settings):
    from notifications.checks import clinic_name_is_neutral

    assert clinic_name_is_neutral(None) == []
    settings.CLINIC_NEUTRAL_NAME = "Hope Recovery Center"
    [error] = clinic_name_is_neutral(None)
    assert error.id == "notifications.E001" and "recovery" in error.msg
