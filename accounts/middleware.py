"""Session safety: idle and absolute timeouts, and the second sign-in factor before anything else."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from .signals import SESSION_LAST_ACTIVITY, SESSION_LOGIN_AT

# Why the last session ended, shown once on the login page.
SESSION_ENDED_REASON = "iop_session_ended"

# Writing the session on every request would cost a database write per request; activity
# this close to the last recorded one changes nothing a person could notice.
ACTIVITY_RESOLUTION_SECONDS = 15

# Pages an unverified (password-only) user may reach: finishing or abandoning sign-in.
MFA_EXEMPT_URL_NAMES = frozenset({"logout", "mfa_verify", "mfa_enrol"})


def _wants_fragment(request) -> bool:
    """htmx and fetch() callers cannot follow a redirect to a full page; they get a 401 instead."""
    accept = request.headers.get("Accept", "")
    return bool(request.headers.get("HX-Request")) or ("application/json" in accept and "text/html" not in accept)


def _reauth_response(request, target: str) -> HttpResponse:
    """A 401 whose HX-Redirect sends htmx to ``target`` (a full-page navigation)."""
    response = HttpResponse("Your session has ended. Sign in again.", status=401, content_type="text/plain")
    response["HX-Redirect"] = target
    return response


def _resume_path(request) -> str:
    # For htmx, resume on the page the user was looking at, not the partial's own URL.
    current = request.headers.get("HX-Current-URL", "")
    if current and request.headers.get("HX-Request"):
        host = request.build_absolute_uri("/")
        if current.startswith(host):
            return "/" + current[len(host) :]
    return request.get_full_path()


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_TIMEOUT_SECONDS without a request, or SESSION_COOKIE_AGE after login.

    The cookie's own expiry is refreshed whenever the session is saved, so the absolute
    limit is measured from the login time kept in the session. After a timeout the request
    goes on anonymously: LoginRequiredMiddleware then sends the user to the login page with
    ``?next=`` set to where they were, so signing in again resumes there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self._enforce(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request) -> HttpResponse | None:
        now = time.time()
        session = request.session
        login_at = session.get(SESSION_LOGIN_AT)
        last_activity = session.get(SESSION_LAST_ACTIVITY)
        if login_at is None or last_activity is None:
            # A session older than this middleware: start its clocks now.
            session[SESSION_LOGIN_AT] = login_at or now
            session[SESSION_LAST_ACTIVITY] = now
            return None
        if now - last_activity > settings.SESSION_IDLE_TIMEOUT_SECONDS:
            reason = "idle"
        elif now - login_at > settings.SESSION_COOKIE_AGE:
            reason = "absolute"
        else:
            if now - last_activity >= ACTIVITY_RESOLUTION_SECONDS:
                session[SESSION_LAST_ACTIVITY] = now
            return None
        resume = _resume_path(request)
        logout(request)
        request.session[SESSION_ENDED_REASON] = reason
        if _wants_fragment(request):
            return _reauth_response(request, f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': resume})}")
        return None


class MFARequiredMiddleware:
    """A signed-in user who has not passed the second factor reaches only the MFA pages.

    Views marked ``login_not_required`` (login, password reset, token-authenticated feeds)
    are left alone; everything else, the Django admin included, redirects to the
    verification step, which resumes at ``?next=`` afterwards.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.OTP_DEMO_BYPASS:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in MFA_EXEMPT_URL_NAMES and not match.namespace:
            return None
        target = f"{resolve_url('mfa_verify')}?{urlencode({'next': _resume_path(request)})}"
        if _wants_fragment(request):
            return _reauth_response(request, target)
        return redirect(target)


class NoStoreForSignedInMiddleware:
    """No cache keeps a response to a signed-in user: Back after sign-out on a shared workstation shows nothing.

    Browsers keep pages in their history cache unless told not to, so a chart, a note or the
    calendar's JSON could be shown again from the cache after the session ended. Static files
    (served by WhiteNoise before this runs) carry no patient data and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Asked before and after: the sign-out page itself leaves the user anonymous.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if (signed_in or request.user.is_authenticated) and not request.path.startswith(settings.STATIC_URL):
            # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private (and Expires now).
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"  # HTTP/1.0 caches and proxies
        return response
