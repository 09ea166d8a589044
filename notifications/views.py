import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from patients.access import patient_for_view
from patients.selectors import chart_header

from . import selectors, services
from .constants import DeliveryError
from .forms import TaskDoneForm, TaskSnoozeForm

logger = logging.getLogger(__name__)


# --- staff: failed messages ------------------------------------------------------------------


@permission_required("notifications.view_outboundmessage", raise_exception=True)
def failed_messages(request):
    """Messages that could not be sent (bad number, no consent, provider refused), for staff to fix."""
    rows = selectors.failed_messages(request.user)
    error_code = request.GET.get("reason", "")
    if error_code in DeliveryError.values:
        rows = rows.filter(error_code=error_code)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
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


# --- the SMS provider's inbound webhook -------------------------------------------------------


@csrf_exempt
@login_not_required
@require_POST
def sms_inbound(request):
    """Inbound texts from the provider: STOP opts the number out, START opts it back in."""
    secret = settings.SMS_INBOUND_SECRET
    offered = request.headers.get("X-Inbound-Secret", "")
    if not secret or not hmac.compare_digest(offered.encode(), secret.encode()):
        return JsonResponse({"error": "forbidden"}, status=403)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": "body is not JSON"}, status=400)
        phone, text = payload.get("from", ""), payload.get("text", "")
    else:
        # Form-encoded, as most providers post (From / Body).
        phone, text = request.POST.get("From", ""), request.POST.get("Body", "")
    if not phone:
        return JsonResponse({"error": "from is required"}, status=400)
    try:
        action, charts = services.sms_inbound(phone=str(phone), text=str(text))
    except ValidationError:
        return JsonResponse({"action": "ignored", "charts": 0, "reason": "unrecognised number"})
    logger.info("Inbound SMS keyword handled: %s (%s charts)", action, charts)
    return JsonResponse({"action": action, "charts": charts})


# --- work list: done / snooze ----------------------------------------------------------------


def _task_row_response(request, task, *, done_form=None, snooze_form=None):
    """htmx gets the task's row back (with the form and its errors); a plain POST goes back home."""
    if task.patient_id and task.patient_visible:
        access_log_record(
            request=request, category=DataCategory.REGISTRY, action="work list task", patient=task.patient
        )
    failed_form = done_form or snooze_form
    if not request.htmx:
        if failed_form is not None:
            problems = [message for errors in failed_form.errors.values() for message in errors]
            messages.error(request, "Task not changed: " + " ".join(problems))
        return redirect("home")
    context = {
        "task": task,
        "done_form": done_form,
        "snooze_form": snooze_form,
        "open_form": "done" if done_form is not None else "snooze" if snooze_form is not None else "",
    }
    return render(request, "notifications/partials/task_row.html", context)


@require_POST
@permission_required("notifications.change_stafftask", raise_exception=True)
def task_done(request, task_pk):
    task = get_object_or_404(selectors.tasks_user_may_act_on(request.user), pk=task_pk)
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.task_complete(task=task, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Task done.")
            return _task_row_response(request, selectors.tasks_user_may_act_on(request.user).get(pk=task.pk))
    return _task_row_response(request, task, done_form=form)


@require_POST
@permission_required("notifications.change_stafftask", raise_exception=True)
def task_snooze(request, task_pk):
    task = get_object_or_404(selectors.tasks_user_may_act_on(request.user), pk=task_pk)
    form = TaskSnoozeForm(request.POST)
    if form.is_valid():
        try:
            services.task_snooze(
                task=task, by=request.user, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            # The service names model fields; map them onto this form's fields.
            if hasattr(error, "error_dict"):
                renamed = {"snoozed_until": "snooze_for", "snooze_reason": "reason"}
                error = ValidationError({renamed.get(k, k): v for k, v in error.error_dict.items()})
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Task snoozed.")
            return _task_row_response(request, selectors.tasks_user_may_act_on(request.user).get(pk=task.pk))
    return _task_row_response(request, task, snooze_form=form)
