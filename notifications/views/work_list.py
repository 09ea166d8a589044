"""The home page: each person's work list (tasks, open alerts, their patients, intakes in progress)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.constants import Role
from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from patients.constants import EpisodeStatus
from patients.selectors import open_alerts, open_intakes, patients_visible_to, registry_rows

from .. import selectors, services
from ..forms import TaskDoneForm, TaskSnoozeForm


def home(request):
    """Each staff member's starting page: their tasks, patients, open alerts and intakes in progress."""
    user = request.user
    visible = patients_visible_to(user)
    my_patients = registry_rows(
        visible.filter(primary_clinician=user, episodes__status=EpisodeStatus.ACTIVE).distinct()
    ).order_by("legal_last_name", "legal_first_name")[:50]
    alerts = open_alerts(visible)[:20]
    intakes = open_intakes().filter(patient__in=visible)[:20] if user.has_perm("patients.view_intake") else []
    # Tasks due today and overdue; supervisors also see their team's (None: no team card).
    tasks = selectors.work_list_tasks(user)
    team_tasks = selectors.team_tasks(user)
    if not team_tasks and not user.has_role(Role.SUPERVISOR):
        team_tasks = None
    context = {"my_patients": my_patients, "alerts": alerts, "intakes": intakes}
    context.update(tasks=tasks, team_tasks=team_tasks)
    if my_patients or alerts or intakes or tasks or team_tasks:
        access_log_record(request=request, category=DataCategory.REGISTRY, action="work list")
    return render(request, "notifications/home.html", context)


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
