"""Session lifetime: a new id at login, idle and absolute limits, logout and deactivation end sessions."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.signals import SESSION_LAST_ACTIVITY, SESSION_LOGIN_AT
from accounts.tests.factories import DEMO_PASSWORD, AdminFactory, CounselorFactory
from accounts.tests.helpers import confirmed_totp_device, login_verified, session_exists, unused_totp_token

pytestmark = pytest.mark.django_db


def age_session(client, *, idle_seconds=0, since_login_seconds=0):
    session = client.session
    now = time.time()
    session[SESSION_LAST_ACTIVITY] = now - idle_seconds
    session[SESSION_LOGIN_AT] = now - max(since_login_seconds, idle_seconds)
    session.save()


def test_the_session_id_changes_at_login(client):
    user = CounselorFactory()
    client.get(reverse("login"))
    client.session.save()
    anonymous_key = client.session.session_key
    client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert client.session.session_key != anonymous_key
    assert not session_exists(anonymous_key)


def test_activity_within_the_idle_limit_keeps_the_session(client):
    login_verified(client, CounselorFactory())
    age_session(client, idle_seconds=14 * 60)
    assert client.get(reverse("notifications:home")).status_code == 200
    assert time.time() - client.session[SESSION_LAST_ACTIVITY] < 5


def test_idle_too_long_signs_out_and_resumes_after_login(client):
    user = CounselorFactory()
    device = confirmed_totp_device(user)
    login_verified(client, user)
    old_key = client.session.session_key
    age_session(client, idle_seconds=16 * 60)

    response = client.get("/patients/?q=smith")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/patients/%3Fq%3Dsmith"
    assert not session_exists(old_key)
    page = client.get(response.url)
    assert "signed out after a period without activity" in page.content.decode()

    # Signing in again (password, then code) lands on the page the user was on.
    login = client.post(
        response.url, {"username": user.username, "password": DEMO_PASSWORD, "next": "/patients/?q=smith"}
    )
    assert login.url == "/patients/?q=smith"
    second_step = client.get(login.url)
    assert second_step.url == reverse("mfa_verify") + "?next=%2Fpatients%2F%3Fq%3Dsmith"
    verified = client.post(second_step.url, {"token": unused_totp_token(device), "next": "/patients/?q=smith"})
    assert verified.url == "/patients/?q=smith"


def test_idle_timeout_answers_htmx_with_401_and_a_redirect_header(client):
    login_verified(client, CounselorFactory())
    age_session(client, idle_seconds=16 * 60)
    response = client.get(
        "/patients/?q=a", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/patients/?q=a"}
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("login") + "?next=%2Fpatients%2F%3Fq%3Da"


def test_the_idle_limit_comes_from_settings(client, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    login_verified(client, CounselorFactory())
    age_session(client, idle_seconds=61)
    assert client.get(reverse("notifications:home")).status_code == 302


def test_an_absolute_limit_applies_however_active_the_user_is(client, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    login_verified(client, CounselorFactory())
    age_session(client, idle_seconds=0, since_login_seconds=12 * 3600 + 1)
    response = client.get(reverse("notifications:home"))
    assert response.status_code == 302
    assert "maximum length" in client.get(response.url).content.decode()


def test_keepalive_records_activity(client):
    login_verified(client, CounselorFactory())
    age_session(client, idle_seconds=13 * 60)
    assert client.post(reverse("session_keepalive"), headers={"Accept": "application/json"}).status_code == 204
    assert time.time() - client.session[SESSION_LAST_ACTIVITY] < 5


def test_pages_carry_the_idle_timeout_for_the_warning_dialog(client):
    login_verified(client, CounselorFactory())
    page = client.get(reverse("notifications:home")).content.decode()
    assert 'data-idle-timeout-seconds="900"' in page
    assert 'data-idle-warning-seconds="120"' in page
    assert 'id="idle-warning"' in page
    assert "js/idle_timeout.js" in page


def test_logout_ends_the_session(client):
    login_verified(client, CounselorFactory())
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not session_exists(key)
    assert client.get(reverse("notifications:home")).status_code == 302


def test_deactivating_a_user_ends_all_their_sessions(client, django_capture_on_commit_callbacks):
    from django.test import Client

    user = CounselorFactory()
    other_device_client = Client()
    login_verified(client, user)
    login_verified(other_device_client, user)
    bystander = login_verified(Client(), CounselorFactory())
    keys = [client.session.session_key, other_device_client.session.session_key]

    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()

    assert not any(session_exists(key) for key in keys)
    assert session_exists(bystander.session.session_key)
    assert client.get(reverse("notifications:home")).status_code == 302


def two_places_and_a_bystander(user):
    """The user signed in on two computers, and a colleague signed in elsewhere."""
    return login_verified(Client(), user), login_verified(Client(), user), login_verified(Client(), CounselorFactory())


def test_a_user_signs_out_everywhere(client):
    user = CounselorFactory()
    here, elsewhere, bystander = two_places_and_a_bystander(user)
    keys = [here.session.session_key, elsewhere.session.session_key]
    assert 'action="/accounts/session/sign-out-everywhere/"' in here.get(reverse("password_change")).content.decode()

    response = here.post(reverse("sign_out_everywhere"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert not any(session_exists(key) for key in keys)
    assert session_exists(bystander.session.session_key)
    assert "signed out on every computer and phone" in here.get(response.url).content.decode()
    assert elsewhere.get(reverse("notifications:home")).status_code == 302


def test_a_password_alone_cannot_sign_the_owner_out_everywhere(client):
    user = CounselorFactory()
    owner = login_verified(Client(), user)
    confirmed_totp_device(user)
    client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    response = client.post(reverse("sign_out_everywhere"))
    assert response.url.startswith(reverse("mfa_verify"))
    assert session_exists(owner.session.session_key)


def test_changing_ones_password_signs_out_everywhere_else(django_capture_on_commit_callbacks):
    user = CounselorFactory()
    here, elsewhere, bystander = two_places_and_a_bystander(user)
    other_key = elsewhere.session.session_key
    new_password = "A-brand-new-passphrase-42"
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            reverse("password_change"),
            {"old_password": DEMO_PASSWORD, "new_password1": new_password, "new_password2": new_password},
        )
    assert response.status_code == 302
    assert not session_exists(other_key)
    assert elsewhere.get(reverse("notifications:home")).status_code == 302
    assert session_exists(bystander.session.session_key)
    # The session that changed it stays signed in and verified.
    assert here.get(reverse("notifications:home")).status_code == 200


def test_a_password_set_by_an_admin_ends_all_the_users_sessions(django_capture_on_commit_callbacks):
    user = CounselorFactory()
    here, elsewhere, bystander = two_places_and_a_bystander(user)
    keys = [here.session.session_key, elsewhere.session.session_key]
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password("Set-by-the-admin-2026")
        user.save()
    assert not any(session_exists(key) for key in keys)
    assert session_exists(bystander.session.session_key)


def test_saving_a_user_without_a_new_password_ends_nothing(django_capture_on_commit_callbacks):
    user = CounselorFactory()
    here, _, _ = two_places_and_a_bystander(user)
    with django_capture_on_commit_callbacks(execute=True):
        user.first_name = "Renamed"
        user.save()
    assert session_exists(here.session.session_key)


def test_removing_a_users_authenticator_ends_their_sessions(login, django_capture_on_commit_callbacks):
    user = CounselorFactory()
    here, elsewhere, bystander = two_places_and_a_bystander(user)
    keys = [here.session.session_key, elsewhere.session.session_key]
    device = confirmed_totp_device(user)
    admin_client = login(AdminFactory(is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not any(session_exists(key) for key in keys)
    assert session_exists(bystander.session.session_key)
    assert session_exists(admin_client.session.session_key)


def test_dropping_an_unconfirmed_authenticator_ends_nothing(django_capture_on_commit_callbacks):
    user = CounselorFactory()
    here = login_verified(Client(), user)
    pending = TOTPDevice.objects.create(user=user, name="pending", confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        pending.delete()
    assert session_exists(here.session.session_key)
