"""The second sign-in step (TOTP or recovery code), enrolment, recovery codes, password reset,
signing out everywhere and the idle keep-alive."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .forms import EnrolmentCodeForm, FreshTOTPForm, OTPEnrolForm, OTPTokenForm
from .mfa import (
    device_matching_token,
    has_confirmed_totp,
    mfa_enrolment_code_check,
    mfa_enrolment_code_is_open,
    pending_totp_device,
    recovery_codes_issue,
    totp_enrolment_confirm,
    totp_qr_svg,
    totp_secret_base32,
    totp_token_verify,
)
from .middleware import SESSION_ENDED_REASON
from .password_reset import password_reset_request
from .services import user_sessions_end

# Recovery codes wait here between the enrolment POST and the page that shows them once.
SESSION_FRESH_RECOVERY_CODES = "iop_fresh_recovery_codes"
# The enrolment code this session has accepted (its id): the QR code is shown only after it.
SESSION_ENROLMENT_CODE_ID = "iop_mfa_enrolment_code_id"


def _next_url(request) -> str:
    """Where to resume after the second step: the ?next= the login carried, if it is ours.

    A URL, never a view name: answer it with HttpResponseRedirect, not redirect() (which would
    try ``?next=0`` as a URL name and fail)."""
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
        return HttpResponseRedirect(_next_url(request))
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
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", "That code is not valid, or has already been used. Try the next code.")
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("token", "code")
def mfa_enrol(request):
    """First sign-in: an admin's one-time enrolment code, then an authenticator app by QR code and its first code."""
    if has_confirmed_totp(request.user):
        # Replacing a device needs an admin to remove the old one: a stolen password alone
        # must not be enough to enrol the thief's phone.
        return redirect(_with_next("mfa_verify", request))
    code_id = request.session.get(SESSION_ENROLMENT_CODE_ID)
    if not mfa_enrolment_code_is_open(user=request.user, code_id=code_id):
        return _enrolment_code_step(request)
    device = pending_totp_device(user=request.user)
    form = OTPEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = totp_enrolment_confirm(
                device=device, token=form.cleaned_data["token"], enrolment_code_id=code_id
            )
        except ValidationError as error:
            # Used up in another tab, replaced or expired since this session accepted it.
            request.session.pop(SESSION_ENROLMENT_CODE_ID, None)
            messages.error(request, error.messages[0])
            return redirect(_with_next("mfa_enrol", request))
        if confirmed:
            request.session.pop(SESSION_ENROLMENT_CODE_ID, None)
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


def _enrolment_code_step(request):
    """Ask for the enrolment code; the authenticator's secret is not made or shown before it is right."""
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = mfa_enrolment_code_check(user=request.user, code=form.cleaned_data["code"])
        if code is not None:
            request.session[SESSION_ENROLMENT_CODE_ID] = code.pk
            return redirect(_with_next("mfa_enrol", request))
        form.add_error(
            "code",
            "That enrolment code is not valid: it may be mistyped, used, replaced or expired. "
            "After a few wrong tries it stops working and an administrator must issue a new one.",
        )
    return render(request, "registration/mfa_enrolment_code.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("token")
def mfa_recovery_codes(request):
    """Show freshly made recovery codes exactly once; POST with a fresh authenticator code makes a new set."""
    form = FreshTOTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A session left open on a shared computer must not be enough to take the codes that
        # stand in for the phone: the phone itself proves it is the owner, now.
        if totp_token_verify(user=request.user, token=form.cleaned_data["token"]):
            request.session[SESSION_FRESH_RECOVERY_CODES] = recovery_codes_issue(user=request.user)
            return redirect(_with_next("mfa_recovery_codes", request))
        form.add_error("token", "That code is not valid, or has already been used. Enter the code the app now shows.")
    codes = None if request.method == "POST" else request.session.pop(SESSION_FRESH_RECOVERY_CODES, None)
    context = {"codes": codes, "form": form, "next": _next_url(request)}
    return render(request, "registration/mfa_recovery_codes.html", context)


@require_POST
def sign_out_everywhere(request):
    """End every session of this user, on every computer and phone, this one included."""
    user_sessions_end(user=request.user)
    logout(request)
    request.session[SESSION_ENDED_REASON] = "everywhere"
    return redirect(settings.LOGIN_URL)


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Queue the reset mail and answer at once: the same work and the same page for any address."""

    def form_valid(self, form):
        password_reset_request(
            email=form.cleaned_data["email"],
            # REMOTE_ADDR: behind a proxy, the proxy sets it to the client's address upstream.
            client=self.request.META.get("REMOTE_ADDR", ""),
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
        )
        return HttpResponseRedirect(self.get_success_url())


@require_POST
def session_keepalive(request):
    """The idle-warning dialog's "Stay signed in": the middleware has already recorded the activity."""
    return HttpResponse(status=204)
