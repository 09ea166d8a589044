"""Password reset by email: it works, and it never reveals whether an account exists."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import CounselorFactory

pytestmark = pytest.mark.django_db

# CSRF tokens (form field and htmx header) are masked afresh on every page.
CSRF_VALUE = re.compile(r"\b[A-Za-z0-9]{64}\b")


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client):
    CounselorFactory(email="known@example.org")
    known = client.post(reverse("password_reset"), {"email": "known@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert CSRF_VALUE.sub("", known.content.decode()) == CSRF_VALUE.sub("", unknown.content.decode())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["known@example.org"]


def test_the_emailed_link_sets_a_new_password_but_not_the_second_factor(client):
    user = CounselorFactory(email="reset@example.org")
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "A-brand-new-passphrase-42"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert "Password changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(new_password)
    # The reset does not sign in: the user still goes through password and code.
    assert client.get(reverse("notifications:home")).status_code == 302


def test_the_reset_pages_are_reachable_signed_out(client):
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(name)).status_code == 200
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
