"""The second sign-in factor: enrolment, verification, recovery codes, and no way around it."""

import re

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import recovery_codes_issue, totp_secret_base32
from accounts.tests.factories import DEMO_PASSWORD, AdminFactory, CounselorFactory
from accounts.tests.helpers import confirmed_totp_device, current_totp_token, session_is_verified, unused_totp_token

pytestmark = pytest.mark.django_db


def password_login(client, user, next_url=""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": DEMO_PASSWORD, "next": next_url})


def secret_from_enrolment_page(response) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', response.content.decode()).group(1)


def test_password_alone_reaches_only_the_verification_step(client):
    user = CounselorFactory()
    confirmed_totp_device(user)
    response = password_login(client, user)
    assert response.status_code == 302
    home = client.get(reverse("notifications:home"))
    assert home.status_code == 302
    assert home.url.startswith(reverse("mfa_verify"))
    assert client.get(reverse("patients:registry")).url.startswith(reverse("mfa_verify"))
    assert not session_is_verified(client)


def test_htmx_requests_of_an_unverified_user_get_401_with_a_redirect_header(client):
    user = CounselorFactory()
    confirmed_totp_device(user)
    password_login(client, user)
    response = client.get(reverse("patients:registry"), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(reverse("mfa_verify"))


def test_first_sign_in_enrols_a_device_then_shows_ten_recovery_codes_once(client):
    user = CounselorFactory()
    password_login(client, user, next_url="/patients/")
    verify = client.get(reverse("mfa_verify") + "?next=/patients/")
    assert verify.status_code == 302 and verify.url.startswith(reverse("mfa_enrol"))

    page = client.get(verify.url)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    secret = secret_from_enrolment_page(page)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert secret == totp_secret_base32(device)
    assert f"secret={secret}" in device.config_url

    wrong = client.post(reverse("mfa_enrol"), {"token": "000000", "next": "/patients/"})
    if current_totp_token(device) != "000000":
        assert wrong.status_code == 200
        assert "does not match" in wrong.content.decode()
    # A wrong code throttles the device for a moment (django-otp); the user would simply wait.
    device.refresh_from_db()
    device.throttle_reset()

    response = client.post(reverse("mfa_enrol"), {"token": unused_totp_token(device), "next": "/patients/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert session_is_verified(client)

    codes_page = client.get(response.url)
    codes = re.findall(r'<li class="col">([a-z2-7]+)</li>', codes_page.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert 'href="/patients/"' in codes_page.content.decode()
    # Shown once: a reload shows only the offer to make a new set.
    assert not re.findall(r'<li class="col">', client.get(response.url).content.decode())
    assert client.get("/patients/").status_code == 200


def test_a_correct_code_verifies_and_resumes_where_the_user_was_going(client):
    user = CounselorFactory()
    device = confirmed_totp_device(user)
    password_login(client, user, next_url="/patients/intake/")
    key_before = client.session.session_key
    response = client.post(reverse("mfa_verify"), {"token": unused_totp_token(device), "next": "/patients/intake/"})
    assert response.status_code == 302
    assert response.url == "/patients/intake/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != key_before


def test_a_code_cannot_be_used_twice(client):
    user = CounselorFactory()
    device = confirmed_totp_device(user)
    token = unused_totp_token(device)
    password_login(client, user)
    assert client.post(reverse("mfa_verify"), {"token": token}).status_code == 302

    client.post(reverse("logout"))
    password_login(client, user)
    replay = client.post(reverse("mfa_verify"), {"token": token})
    assert replay.status_code == 200
    assert "already been used" in replay.content.decode()
    assert not session_is_verified(client)


def test_a_recovery_code_works_once(client):
    user = CounselorFactory()
    confirmed_totp_device(user)
    code = recovery_codes_issue(user=user)[0]
    password_login(client, user)
    assert client.post(reverse("mfa_verify"), {"token": code.upper()}).status_code == 302
    assert session_is_verified(client)
    assert not StaticToken.objects.filter(token=code).exists()

    client.post(reverse("logout"))
    password_login(client, user)
    assert client.post(reverse("mfa_verify"), {"token": code}).status_code == 200
    assert not session_is_verified(client)


def test_an_unverified_user_cannot_make_recovery_codes(client):
    user = CounselorFactory()
    confirmed_totp_device(user)
    password_login(client, user)
    response = client.post(reverse("mfa_recovery_codes"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_verify"))
    assert not StaticToken.objects.filter(device__user=user).exists()


def test_a_user_with_a_device_cannot_enrol_another_without_verifying(client):
    user = CounselorFactory()
    confirmed_totp_device(user)
    password_login(client, user)
    response = client.get(reverse("mfa_enrol"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_admin_requires_a_verified_user(client):
    admin = AdminFactory(is_superuser=True)
    device = confirmed_totp_device(admin)
    password_login(client, admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_verify"))
    client.post(reverse("mfa_verify"), {"token": unused_totp_token(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_page_is_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/admin/"


def test_an_off_site_next_is_ignored(client):
    user = CounselorFactory()
    device = confirmed_totp_device(user)
    password_login(client, user)
    response = client.post(reverse("mfa_verify"), {"token": unused_totp_token(device), "next": "https://evil.example/"})
    assert response.url == reverse("notifications:home")


def test_demo_bypass_is_ignored_unless_debug(monkeypatch):
    import importlib

    from iop import settings as project_settings

    monkeypatch.setenv("OTP_DEMO_BYPASS", "1")
    try:
        monkeypatch.setenv("DEBUG", "0")
        assert importlib.reload(project_settings).OTP_DEMO_BYPASS is False
        monkeypatch.setenv("DEBUG", "1")
        assert importlib.reload(project_settings).OTP_DEMO_BYPASS is True
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_demo_bypass_skips_the_second_step_when_on(client, settings):
    settings.OTP_DEMO_BYPASS = True
    user = CounselorFactory()
    password_login(client, user)
    assert client.get(reverse("notifications:home")).status_code == 200
