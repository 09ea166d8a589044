"""Break the glass: time-limited emergency access to a chart outside one's care team."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from iop.forms import add_service_errors

from ..forms import BreakGlassForm
from ..services import break_glass_grant


@permission_required("patients.add_breakglassaccess", raise_exception=True)
def break_glass(request):
    """Emergency access to a chart outside the user's care team (time-limited, logged, reviewed)."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_grant(request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                f"Emergency access until {timezone.localtime(grant.expires_at):%H:%M}. "
                "This access is logged and the program director will review it.",
            )
            return redirect("patients:chart", pk=grant.patient_id)
    return render(request, "patients/break_glass.html", {"form": form, "minutes": settings.BREAK_GLASS_MINUTES})
