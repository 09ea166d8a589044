"""django-axes lockout: five failures lock a username, and the answers never reveal whether it exists."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import DEMO_PASSWORD, CounselorFactory

pytestmark = pytest.mark.django_db

# CSRF tokens (form field and htmx header) are masked afresh on every page.
CSRF_VALUE = re.compile(r"\b[A-Za-z0-9]{64}\b")


def attempt(client, username, password="wrong-password-123"):
    return client.post(reverse("login"), {"username": username, "password": password})


def comparable(response, username) -> tuple[int, str]:
    # The CSRF token is random per page and the form echoes the username typed; nothing else may differ.
    text = CSRF_VALUE.sub("", response.content.decode()).replace(username, "USERNAME")
    return response.status_code, text


def test_known_and_unknown_usernames_get_identical_answers_through_lockout(client, settings):
    known = CounselorFactory(username="counselor-known")
    unknown = "counselor-ghost"
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    known_answers = [comparable(attempt(client, known.username), known.username) for _ in range(limit + 1)]
    unknown_answers = [comparable(attempt(client, unknown), unknown) for _ in range(limit + 1)]
    assert known_answers == unknown_answers
    # Before the limit: the ordinary wrong-password message; at and after it: locked.
    assert known_answers[0][0] == 200
    assert "correct username and password" in known_answers[0][1]
    assert known_answers[-1][0] == 429
    assert "Too many failed sign-in attempts" in known_answers[-1][1]


def test_a_locked_username_is_refused_even_with_the_right_password(client, settings):
    user = CounselorFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username)
    response = attempt(client, user.username, DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off(client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    user = CounselorFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username)
    assert attempt(client, user.username, DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    response = attempt(client, user.username, DEMO_PASSWORD)
    assert response.status_code == 302


def test_lockout_limits_come_from_the_environment(monkeypatch):
    import importlib

    from iop import settings as project_settings

    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "3")
    monkeypatch.setenv("LOGIN_LOCKOUT_MINUTES", "30")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.AXES_FAILURE_LIMIT == 3
        assert reloaded.AXES_COOLOFF_TIME.total_seconds() == 1800
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_axes_is_first_backend_and_last_middleware(settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
