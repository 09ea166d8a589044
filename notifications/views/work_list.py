"""The home page: each person's work list (tasks, open alerts, their patients, intakes in progress)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from accounts.constants import Role
from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.params import choice_param, datetime_param, id_list_param, page_param
from patients.constants import EpisodeStatus
from patients.selectors import open_alerts, open_intakes, patients_visible_to, registry_rows

from .. import selectors, services
from ..forms import TaskDoneForm, TasksBulkForm, TaskSnoozeForm
from ..selectors import triage
from ..services import tasks as services_tasks


def home(request):
    """Each staff member's starting page: their tasks, patients, open alerts and intakes in progress."""
    return _render_home(request)


def _render_home(request, *, bulk_form=None, chosen_rows=(), status=200):
    user = request.user
    visible = patients_visible_to(user)
    my_patients = registry_rows(
        visible.filter(primary_clinician=user, episodes__status=EpisodeStatus.ACTIVE).distinct()
    ).order_by("legal_last_name", "legal_first_name")[:50]
    alerts = open_alerts(visible)[:20]
    intakes = open_intakes().filter(patient__in=visible)[:20] if user.has_perm("patients.view_intake") else []
    # Tasks due today and overdue, one tab for one's own and (supervisors) one for the team's.
    params = request.GET if request.method == "GET" else request.POST
    counts = triage.scope_counts(user)
    has_team = counts["team"] > 0 or user.has_role(Role.SUPERVISOR)
    default_scope = "team" if has_team and not counts["mine"] and counts["team"] else "mine"
    scope = choice_param(params, "scope", triage.SCOPES, default=default_scope)
    if scope == "team" and not has_team:
        scope = "mine"
    grouping = choice_param(params, "group", triage.GROUPINGS, default="kind")
    page = triage.triage_page(user, scope=scope, grouping=grouping, page=page_param(params))
    context = {
        "my_patients": my_patients,
        "alerts": alerts,
        "intakes": intakes,
        "counts": counts,
        "has_team": has_team,
        "triage": page,
        "bulk_form": bulk_form or TasksBulkForm(initial={"snooze_for": "tomorrow"}),
        "chosen_rows": {str(pk) for pk in chosen_rows},
    }
    if my_patients or alerts or intakes or page.groups:
        access_log_record(request=request, category=DataCategory.REGISTRY, action="work list")
    return render(request, "notifications/home.html", context, status=status)


@require_POST
@permission_required("notifications.change_stafftask", raise_exception=True)
def tasks_bulk(request):
    """Done or snooze for the chosen rows (each with its collapsed repeats), with one reason."""
    rows = id_list_param(request.POST, "row")
    seen_at = datetime_param(request.POST, "seen")
    form = TasksBulkForm(request.POST)
    if not rows:
        form.add_error(None, "Choose at least one task (tick its box, or a group's).")
    if form.is_valid():
        task_ids = triage.tasks_of_rows(request.user, rows, seen_at=seen_at)
        data = form.cleaned_data
        try:
            if data["action"] == "done":
                changed, already = services_tasks.tasks_complete(
                    task_ids=task_ids, by=request.user, reason=data["reason"]
                )
                verb = "marked done"
            else:
                changed, already = services_tasks.tasks_snooze(
                    task_ids=task_ids, by=request.user, until=data["until"], reason=data["reason"]
                )
                verb = f"snoozed until {date_format(timezone.localtime(data['until']), 'M j g:i A')}"
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                renamed = {"until": "snooze_at" if data.get("snooze_for") == "at" else "snooze_for"}
                error = ValidationError({renamed.get(k, k): v for k, v in error.error_dict.items()})
            add_service_errors(form, error)
        else:
            note = f" ({already} already done by someone else)" if already else ""
            messages.success(request, f"{len(changed)} task{pluralize(len(changed))} {verb}{note}.")
            back = {key: request.POST[key] for key in ("scope", "group") if request.POST.get(key)}
            return redirect(reverse("notifications:home") + (f"?{urlencode(back)}" if back else ""))
    return _render_home(request, bulk_form=form, chosen_rows=rows, status=400)


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
        return redirect("notifications:home")
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
