from audit.constants import DataCategory, Outcome
from audit.models import AccessLog


def client_ip(request) -> str | None:
    # REMOTE_ADDR is set by the WSGI server; a trusted proxy rewrites it upstream.
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *, request, category: DataCategory, action: str, patient=None, outcome: Outcome = Outcome.ALLOWED, detail: str = ""
) -> AccessLog:
    """Write one access-log row for a look at patient data."""
    user = request.user if request.user.is_authenticated else None
    return AccessLog.objects.create(
        user=user,
        patient=patient,
        category=category,
        action=action[:60],
        outcome=outcome,
        ip_address=client_ip(request),
        detail=detail[:200],
    )
