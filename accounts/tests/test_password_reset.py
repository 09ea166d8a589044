"""Password reset by email: it works, it never reveals whether an account exists, and it is rate-limited."""

import logging
import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts import password_reset
from accounts.models import PasswordResetMail
from accounts.password_reset import password_reset_mails_send
from accounts.tasks import send_password_reset_mails
from accounts.tests.factories import CounselorFactory
from accounts.tests.helpers import login_verified, session_exists
from iop.celery import app

pytestmark = pytest.mark.django_db

# CSRF tokens (form field and htmx header) are masked afresh on every page.
CSRF_VALUE = re.compile(r"\b[A-Za-z0-9]{64}\b")
# What differs between two runs of the same statement: quoted values and numbers (addresses, times, ids).
SQL_VALUES = re.compile(r"'[^']*'|\b\d+\b")


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses every message, naming the recipient as real servers do."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({email_messages[0].to[0]: (550, b"mailbox unavailable")})


def ask_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def statements(queries) -> list[str]:
    return [SQL_VALUES.sub("?", query["sql"]) for query in queries]


def reset_link(message) -> str:
    return re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)


def test_known_and_unknown_addresses_get_the_same_page_after_the_same_work(client):
    CounselorFactory(email="known@example.org")
    answers, work, cache_calls = {}, {}, {}
    for email in ("known@example.org", "nobody@example.org"):
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(password_reset, "cache", wraps=password_reset.cache) as cache,
        ):
            answers[email] = ask_reset(client, email, follow=True)
        work[email] = statements(queries.captured_queries)
        cache_calls[email] = [name for name, _, _ in cache.method_calls]

    known, unknown = answers.values()
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert CSRF_VALUE.sub("", known.content.decode()) == CSRF_VALUE.sub("", unknown.content.decode())
    # The request never looks the address up and never sends: it writes one outbox row, either way.
    assert work["known@example.org"] == work["nobody@example.org"]
    assert not any("accounts_user" in statement for statement in work["known@example.org"])
    assert [statement.split()[:3] for statement in work["known@example.org"]] == [
        ["INSERT", "INTO", '"accounts_passwordresetmail"']
    ]
    assert cache_calls["known@example.org"] == cache_calls["nobody@example.org"] == ["add", "incr", "add", "incr"]
    assert mail.outbox == []
    assert sorted(PasswordResetMail.objects.values_list("email", flat=True)) == [
        "known@example.org",
        "nobody@example.org",
    ]


def test_the_worker_mails_the_account_and_keeps_no_address(client):
    CounselorFactory(email="Known@Example.org", username="known-counselor")
    CounselorFactory(email="gone@example.org", is_active=False)
    for email in ("known@example.org", "nobody@example.org", "gone@example.org"):
        ask_reset(client, email)

    assert password_reset_mails_send() == 3
    assert [message.to for message in mail.outbox] == [["Known@Example.org"]]
    assert "known-counselor" in mail.outbox[0].body
    assert "Riverside Health" in mail.outbox[0].subject
    # Handled rows are deleted: addresses typed by strangers are not kept.
    assert not PasswordResetMail.objects.exists()
    assert password_reset_mails_send() == 0


def test_the_emailed_link_sets_a_new_password_and_ends_every_session_but_not_the_second_factor(
    client, django_capture_on_commit_callbacks
):
    user = CounselorFactory(email="reset@example.org")
    elsewhere = login_verified(Client(), user)
    ask_reset(client, user.email)
    password_reset_mails_send()
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert form_page.status_code == 200
    new_password = "A-brand-new-passphrase-42"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
        )
    assert "Password changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(new_password)
    # Whoever was signed in with the old password is signed out.
    assert not session_exists(elsewhere.session.session_key)
    # The reset does not sign in: the user still goes through password and code.
    assert client.get(reverse("notifications:home")).status_code == 302


def test_the_reset_pages_are_reachable_signed_out(client):
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(name)).status_code == 200
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()


def test_an_address_asked_for_too_often_gets_the_same_page_and_no_more_mail(client, settings, caplog):
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 3
    CounselorFactory(email="target@example.org")
    # From different clients: the limit follows the address, wherever the requests come from.
    allowed = [ask_reset(client, "target@example.org", REMOTE_ADDR=f"198.51.100.{n}") for n in range(3)]
    with caplog.at_level(logging.WARNING, logger="accounts.password_reset"):
        refused = ask_reset(client, "TARGET@example.org", REMOTE_ADDR="198.51.100.9")

    assert {response.status_code for response in [*allowed, refused]} == {302}
    assert {response["Location"] for response in [*allowed, refused]} == {reverse("password_reset_done")}
    assert PasswordResetMail.objects.count() == 3
    assert ask_reset(client, "other@example.org", REMOTE_ADDR="198.51.100.9").status_code == 302
    assert PasswordResetMail.objects.count() == 4
    # The refusal is logged, with the limit and the client, never the address.
    assert "per-address limit" in caplog.text
    assert "198.51.100.9" in caplog.text
    assert "target@" not in caplog.text.lower()


def test_a_client_asking_for_many_addresses_is_refused_and_others_are_not(client, settings, caplog):
    settings.PASSWORD_RESET_MAX_PER_CLIENT = 5
    for n in range(5):
        ask_reset(client, f"probe{n}@example.org", REMOTE_ADDR="203.0.113.7")
    with caplog.at_level(logging.WARNING, logger="accounts.password_reset"):
        refused = ask_reset(client, "probe5@example.org", REMOTE_ADDR="203.0.113.7")
    assert refused["Location"] == reverse("password_reset_done")
    assert PasswordResetMail.objects.count() == 5
    assert "per-client limit reached (client 203.0.113.7)" in caplog.text
    assert "probe5" not in caplog.text

    ask_reset(client, "probe5@example.org", REMOTE_ADDR="203.0.113.8")
    assert PasswordResetMail.objects.filter(email="probe5@example.org").count() == 1


def test_requests_refused_for_their_client_do_not_use_up_the_address(client, settings):
    settings.PASSWORD_RESET_MAX_PER_CLIENT = 1
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 2
    ask_reset(client, "first@example.org", REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        ask_reset(client, "victim@example.org", REMOTE_ADDR="203.0.113.7")
    ask_reset(client, "victim@example.org", REMOTE_ADDR="203.0.113.8")
    assert PasswordResetMail.objects.filter(email="victim@example.org").count() == 1


def test_the_limits_reopen_after_the_window(client, settings):
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 1
    ask_reset(client, "target@example.org")
    ask_reset(client, "target@example.org")
    assert PasswordResetMail.objects.count() == 1
    password_reset.cache.clear()  # the window's counters expire
    ask_reset(client, "target@example.org")
    assert PasswordResetMail.objects.count() == 2


def test_a_cache_that_does_not_answer_lets_the_request_through_and_says_so(client, settings, caplog):
    # Nothing listens on port 1: the cache's Redis is down.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with caplog.at_level(logging.ERROR, logger="accounts.password_reset"):
        response = ask_reset(client, "someone@example.org")
    assert response["Location"] == reverse("password_reset_done")
    assert PasswordResetMail.objects.count() == 1
    assert "rate limits not checked" in caplog.text


def test_a_mail_server_that_fails_is_retried_with_backoff_then_given_up(client, settings, caplog):
    settings.EMAIL_BACKEND = "accounts.tests.test_password_reset.FailingEmailBackend"
    settings.PASSWORD_RESET_MAIL_MAX_ATTEMPTS = 3
    CounselorFactory(email="known@example.org")
    ask_reset(client, "known@example.org")
    row = PasswordResetMail.objects.get()
    start = timezone.now()

    with caplog.at_level(logging.WARNING, logger="accounts.password_reset"):
        assert password_reset_mails_send(now=start) == 1
        row.refresh_from_db()
        assert (row.attempts, row.next_attempt_at) == (1, start + timedelta(minutes=1))
        # Not due yet: nothing to do.
        assert password_reset_mails_send(now=start + timedelta(seconds=30)) == 0
        password_reset_mails_send(now=start + timedelta(minutes=1))
        row.refresh_from_db()
        assert (row.attempts, row.next_attempt_at) == (2, start + timedelta(minutes=3))
        password_reset_mails_send(now=start + timedelta(minutes=3))

    assert not PasswordResetMail.objects.exists()
    assert "given up after 3 attempts (SMTPRecipientsRefused)" in caplog.text
    assert "known@" not in caplog.text


def test_a_request_older_than_a_link_lasts_is_dropped_unsent(client, settings):
    CounselorFactory(email="known@example.org")
    ask_reset(client, "known@example.org")
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    assert password_reset_mails_send(now=later) == 1
    assert mail.outbox == []
    assert not PasswordResetMail.objects.exists()


def test_beat_sends_the_queued_mail_every_30_seconds(client):
    app.loader.import_default_modules()
    schedule = PeriodicTask.objects.get(task="accounts.tasks.send_password_reset_mails")
    assert schedule.enabled and schedule.interval.every == 30 and schedule.interval.period == "seconds"
    assert schedule.task in app.tasks

    CounselorFactory(email="known@example.org")
    ask_reset(client, "known@example.org")
    assert send_password_reset_mails.apply().get() == 1
    assert len(mail.outbox) == 1
