from django.conf import settings

from .middleware import SESSION_ENDED_REASON

SESSION_ENDED_MESSAGES = {
    "idle": "You were signed out after a period without activity. Sign in again to continue where you were.",
    "absolute": "Your session reached its maximum length. Sign in again to continue where you were.",
    "everywhere": "You are signed out on every computer and phone where you were signed in.",
}


def session_timeout(request):
    """Idle-timeout values for static/js/idle_timeout.js, and why the last session ended (shown once)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {
            "session_idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
            "session_idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        }
    session = getattr(request, "session", None)
    reason = session.pop(SESSION_ENDED_REASON, None) if session is not None else None
    return {"session_ended_message": SESSION_ENDED_MESSAGES.get(reason, "")}
