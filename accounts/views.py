"""The second sign-in step (TOTP or recovery code), enrolment, recovery codes and the idle keep-alive."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .forms import OTPEnrolForm, OTPTokenForm
from .mfa import (
    device_matching_token,
    has_confirmed_totp,
    pending_totp_device,
    recovery_codes_issue,
    totp_enrolment_confirm,
    totp_qr_svg,
    totp_secret_base32,
)

# Recovery codes wait here between the enrolment POST and the page that shows them once.
SESSION_FRESH_RECOVERY_CODES = "iop_fresh_recovery_codes"


def _next_url(request) -> str:
    """Where to resume after the second step: the ?next= the login carried, if it is ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, request) -> str:
    return f"{resolve_url(url_name)}?{urlencode({'next': _next_url(request)})}"


@never_cache
@sensitive_post_parameters("token")
def mfa_verify(request):
    """Ask a signed-in but unverified user for a TOTP code or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_confirmed_totp(request.user):
        return redirect(_with_next("mfa_enrol", request))
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = device_matching_token(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            # A new privilege level: a fresh session id, as at login.
            request.session.cycle_key()
            if device.__class__.__name__ == "StaticDevice":
                remaining = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {remaining} left. "
                    "Make a new set from Change password in your account menu.",
                )
            return redirect(_next_url(request))
        form.add_error("token", "That code is not valid, or has already been used. Try the next code.")
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("token")
def mfa_enrol(request):
    """First sign-in: add an authenticator app by QR code, confirm with its first code."""
    if has_confirmed_totp(request.user):
        # Replacing a device needs an admin to remove the old one: a stolen password alone
        # must not be enough to enrol the thief's phone.
        return redirect(_with_next("mfa_verify", request))
    device = pending_totp_device(user=request.user)
    form = OTPEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_enrolment_confirm(device=device, token=form.cleaned_data["token"]):
            django_otp.login(request, device)
            request.session.cycle_key()
            request.session[SESSION_FRESH_RECOVERY_CODES] = recovery_codes_issue(user=request.user)
            return redirect(_with_next("mfa_recovery_codes", request))
        form.add_error("token", "That code does not match. Check the phone's clock and enter the code now showing.")
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret_base32(device),
        "next": _next_url(request),
    }
    return render(request, "registration/mfa_enrol.html", context)


@never_cache
def mfa_recovery_codes(request):
    """Show freshly made recovery codes exactly once; POST makes a new set (old ones stop working)."""
    if request.method == "POST":
        request.session[SESSION_FRESH_RECOVERY_CODES] = recovery_codes_issue(user=request.user)
        return redirect(_with_next("mfa_recovery_codes", request))
    codes = request.session.pop(SESSION_FRESH_RECOVERY_CODES, None)
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@require_POST
def session_keepalive(request):
    """The idle-warning dialog's "Stay signed in": the middleware has already recorded the activity."""
    return HttpResponse(status=204)
