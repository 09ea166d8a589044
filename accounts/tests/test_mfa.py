"""The second sign-in factor: enrolment, verification, recovery codes, and no way around it."""

import re
from io import StringIO
from unittest.mock import patch

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_enrolment_code_issue, recovery_codes_issue, totp_secret_base32
from accounts.models import MFAEnrolmentCode
from accounts.tests.factories import DEMO_PASSWORD, AdminFactory, CounselorFactory, DirectorFactory
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


def test_first_sign_in_needs_the_enrolment_code_then_enrols_a_device_and_shows_ten_recovery_codes_once(client):
    user = CounselorFactory()
    _, enrolment_code = mfa_enrolment_code_issue(user=user, issued_by=AdminFactory())
    password_login(client, user, next_url="/patients/")
    verify = client.get(reverse("mfa_verify") + "?next=/patients/")
    assert verify.status_code == 302 and verify.url.startswith(reverse("mfa_enrol"))

    # The password alone shows no QR code and makes no secret.
    first = client.get(verify.url)
    assert "Enrolment code" in first.content.decode()
    assert "<svg" not in first.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()

    accepted = client.post(verify.url, {"code": enrolment_code.lower().replace("-", " "), "next": "/patients/"})
    assert accepted.status_code == 302
    page = client.get(accepted.url)
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
    assert MFAEnrolmentCode.objects.get(user=user).used_at is not None

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


# Enrolment codes: the first authenticator needs more than the password.


def accept_enrolment_code(client, code):
    """Type the enrolment code; once it is accepted, the page shows the QR code."""
    return client.post(reverse("mfa_enrol"), {"code": code}, follow=True)


def test_without_an_enrolment_code_the_password_cannot_enrol_a_device(client):
    user = CounselorFactory()
    password_login(client, user)
    for guess in ("", "AAAA-AAAA-AAAA"):
        response = accept_enrolment_code(client, guess)
        assert response.status_code == 200
        assert "<svg" not in response.content.decode()
    # Tampering with the next step directly changes nothing: it asks for the code again.
    response = client.post(reverse("mfa_enrol"), {"token": "123456"})
    assert "Enrolment code" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not session_is_verified(client)


def test_the_enrolment_code_is_stored_only_hashed():
    user = CounselorFactory()
    row, code = mfa_enrolment_code_issue(user=user, issued_by=None)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    stored = MFAEnrolmentCode.objects.filter(pk=row.pk).values().get()
    assert not any(code.replace("-", "") in str(value) for value in stored.values())
    assert check_password(code.replace("-", ""), row.code_hash)


def test_an_enrolment_code_works_once(client):
    user = CounselorFactory()
    _, code = mfa_enrolment_code_issue(user=user, issued_by=None)
    password_login(client, user)
    accept_enrolment_code(client, code)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("mfa_enrol"), {"token": unused_totp_token(device)})
    assert session_is_verified(client)

    # The phone is lost and the admin removes it; the old code does not enrol a new one.
    TOTPDevice.objects.filter(user=user).delete()
    other = Client()
    password_login(other, user)
    response = accept_enrolment_code(other, code)
    assert "not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_once_one_tab_has_enrolled_the_other_is_asked_for_a_code_from_the_phone(client):
    user = CounselorFactory()
    _, code = mfa_enrolment_code_issue(user=user, issued_by=None)
    second_tab = Client()
    for tab in (client, second_tab):
        password_login(tab, user)
        accept_enrolment_code(tab, code)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("mfa_enrol"), {"token": unused_totp_token(device)})
    assert session_is_verified(client)

    # The second session's pending device is gone, and its code is used up.
    response = second_tab.get(reverse("mfa_enrol"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_code_used_up_between_accepting_it_and_confirming_the_device_is_refused(client):
    user = CounselorFactory()
    row, code = mfa_enrolment_code_issue(user=user, issued_by=None)
    password_login(client, user)
    accept_enrolment_code(client, code)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # Expired (or used in another tab) after this session accepted it.
    MFAEnrolmentCode.objects.filter(pk=row.pk).update(expires_at=row.created_at)
    with patch("accounts.views.mfa_enrolment_code_is_open", return_value=True):
        response = client.post(reverse("mfa_enrol"), {"token": unused_totp_token(device)}, follow=True)
    assert "expired or was replaced" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not session_is_verified(client)


def test_an_expired_enrolment_code_is_refused(client):
    user = CounselorFactory()
    row, code = mfa_enrolment_code_issue(user=user, issued_by=None)
    MFAEnrolmentCode.objects.filter(pk=row.pk).update(expires_at=row.created_at)
    password_login(client, user)
    assert "not valid" in accept_enrolment_code(client, code).content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_wrong_enrolment_codes_void_the_code(client, settings):
    assert settings.MFA_ENROLMENT_CODE_MAX_ATTEMPTS == 5
    user = CounselorFactory()
    row, code = mfa_enrolment_code_issue(user=user, issued_by=None)
    password_login(client, user)
    for _ in range(4):
        accept_enrolment_code(client, "WRNG-WRNG-WRNG")
    row.refresh_from_db()
    assert (row.failed_attempts, row.voided_at) == (4, None)
    accept_enrolment_code(client, "WRNG-WRNG-WRNG")
    row.refresh_from_db()
    assert row.voided_at is not None
    # Now not even the right code works: an admin must issue another.
    assert "not valid" in accept_enrolment_code(client, code).content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_new_enrolment_code_voids_the_previous_one(client):
    user = CounselorFactory()
    _, first = mfa_enrolment_code_issue(user=user, issued_by=None)
    _, second = mfa_enrolment_code_issue(user=user, issued_by=None)
    password_login(client, user)
    assert "not valid" in accept_enrolment_code(client, first).content.decode()
    assert "<svg" in accept_enrolment_code(client, second).content.decode()
    assert MFAEnrolmentCode.objects.filter(user=user, voided_at__isnull=False).count() == 1


def test_no_enrolment_code_for_a_user_who_has_an_authenticator():
    user = CounselorFactory()
    confirmed_totp_device(user)
    with pytest.raises(ValidationError, match="already has an authenticator"):
        mfa_enrolment_code_issue(user=user, issued_by=None)
    assert not MFAEnrolmentCode.objects.filter(user=user).exists()


def test_an_admin_issues_enrolment_codes_shown_once_and_never_cached(login):
    admin = AdminFactory()
    newcomer = CounselorFactory(username="newcomer")
    enrolled = CounselorFactory(username="enrolled")
    confirmed_totp_device(enrolled)
    client = login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_mfa_enrolment_codes", "_selected_action": [newcomer.pk, enrolled.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    codes = re.findall(r'<code class="enrolment-code">([A-Z2-9-]+)</code>', page)
    assert len(codes) == 1
    assert "enrolled already has an authenticator app" in page
    row = MFAEnrolmentCode.objects.get(user=newcomer)
    assert row.issued_by == admin
    assert check_password(codes[0].replace("-", ""), row.code_hash)
    assert not MFAEnrolmentCode.objects.filter(user=enrolled).exists()
    # The trail is read-only, and the hash never shows in it.
    trail = client.get(reverse("admin:accounts_mfaenrolmentcode_changelist"))
    assert trail.status_code == 200 and row.code_hash not in trail.content.decode()


def test_staff_who_cannot_change_users_cannot_issue_enrolment_codes(login):
    director = DirectorFactory(is_staff=True)
    newcomer = CounselorFactory()
    client = login(director)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_mfa_enrolment_codes", "_selected_action": [newcomer.pk]},
    )
    assert not MFAEnrolmentCode.objects.exists()


def test_the_command_line_issues_a_code_for_the_first_admin(client):
    admin = AdminFactory(username="first-admin", is_superuser=True)
    out = StringIO()
    call_command("mfa_enrolment_code", "first-admin", stdout=out)
    code = re.search(r"first-admin: ([A-Z2-9-]+) \(works once", out.getvalue()).group(1)
    password_login(client, admin)
    assert "<svg" in accept_enrolment_code(client, code).content.decode()
    with pytest.raises(CommandError, match="No user named"):
        call_command("mfa_enrolment_code", "nobody", stdout=StringIO())


# Recovery codes: a new set needs a fresh code from the phone.


def test_new_recovery_codes_need_a_fresh_authenticator_code(login):
    user = CounselorFactory()
    client = login(user)
    device = confirmed_totp_device(user)
    old = set(recovery_codes_issue(user=user))

    for token in ("", "12345x", next(iter(old))):
        response = client.post(reverse("mfa_recovery_codes"), {"token": token})
        assert response.status_code == 200
        assert not re.findall(r'<li class="col">', response.content.decode())
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == old

    response = client.post(reverse("mfa_recovery_codes"), {"token": unused_totp_token(device)}, follow=True)
    fresh = re.findall(r'<li class="col">([a-z2-7]+)</li>', response.content.decode())
    assert len(fresh) == 10
    assert not old & set(fresh)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(fresh)
