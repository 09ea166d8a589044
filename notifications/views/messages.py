"""Messages to patients as staff see them: failed messages to fix, and the chart's messages and SMS preference."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.params import choice_param, page_param
from patients.selectors import chart_header, patient_for_view

from .. import selectors, services
from ..constants import DeliveryError

# --- staff: failed messages ------------------------------------------------------------------


@permission_required("notifications.view_outboundmessage", raise_exception=True)
def failed_messages(request):
    """Messages that could not be sent (bad number, no consent, provider refused), for staff to fix."""
    rows = selectors.failed_messages(request.user)
    error_code = choice_param(request.GET, "reason", DeliveryError.values)
    if error_code:
        rows = rows.filter(error_code=error_code)
    page = Paginator(rows, 50).get_page(page_param(request.GET))
    if page.object_list:
        access_log_record(request=request, category=DataCategory.REGISTRY, action="failed messages")
    context = {"page": page, "reasons": DeliveryError.choices, "reason": error_code}
    return render(request, "notifications/failed_messages.html", context)


@require_POST
@permission_required("notifications.change_outboundmessage", raise_exception=True)
def message_retry(request, message_pk):
    message = get_object_or_404(selectors.failed_messages(request.user), pk=message_pk)
    services.message_retry(queryset=type(message).objects.filter(pk=message.pk))
    messages.success(request, "The message is queued again and goes out within a minute.")
    return redirect("notifications:failed_messages")


# --- chart: the patient's messages and SMS opt-out --------------------------------------------


def chart_messages(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.CONSENTS, action="chart messages")
    context = {
        "header": chart_header(patient),
        "patient": patient,
        "section": "messages",
        "recent_messages": selectors.patient_recent_messages(patient),
    }
    return render(request, "notifications/chart_messages.html", context)


@require_POST
@permission_required("patients.change_patient", raise_exception=True)
def patient_sms_preference(request, pk, action):
    patient = patient_for_view(request, pk, category=DataCategory.CONSENTS, action=f"sms {action}")
    source = f"chart, by {request.user.username}"
    if action == "opt-out":
        services.patient_sms_opt_out(patient=patient, source=source)
        messages.success(request, "Text messages to this patient are stopped.")
    else:
        services.patient_sms_opt_in(patient=patient, source=source)
        messages.success(request, "Text messages to this patient may be sent again (with consent).")
    return redirect("notifications:chart_messages", pk=patient.pk)
