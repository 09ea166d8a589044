from django.core.exceptions import PermissionDenied

from patients.selectors import chart_header


def require_permission(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def chart_context(patient, **extra) -> dict:
    """Discharge pages sit under the chart's overview tab."""
    return {"header": chart_header(patient), "patient": patient, "section": "overview", **extra}
