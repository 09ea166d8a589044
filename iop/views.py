from django.shortcuts import render

from accounts.constants import Role
from audit.constants import DataCategory
from audit.services import access_log_record
from notifications import selectors as notification_selectors
from patients import selectors as patient_selectors
from patients.constants import EpisodeStatus
from patients.models import PatientAlert


def home(request):
    """Each staff member's starting page: their patients, open alerts and intakes in progress."""
    user = request.user
    visible = patient_selectors.patients_visible_to(user)
    my_patients = patient_selectors.registry_rows(
        visible.filter(primary_clinician=user, episodes__status=EpisodeStatus.ACTIVE).distinct()
    ).order_by("legal_last_name", "legal_first_name")[:50]
    alerts = (
        PatientAlert.objects.valid()
        .filter(resolved_at__isnull=True, patient__in=visible)
        .select_related("patient")
        .order_by("-raised_at")[:20]
    )
    intakes = (
        patient_selectors.open_intakes().filter(patient__in=visible)[:20]
        if user.has_perm("patients.view_intake")
        else []
    )
    # Tasks due today and overdue; supervisors also see their team's (None: no team card).
    tasks = notification_selectors.work_list_tasks(user)
    team_tasks = notification_selectors.team_tasks(user)
    if not team_tasks and not user.has_role(Role.SUPERVISOR):
        team_tasks = None
    context = {"my_patients": my_patients, "alerts": alerts, "intakes": intakes}
    context.update(tasks=tasks, team_tasks=team_tasks)
    if my_patients or alerts or intakes or tasks or team_tasks:
        access_log_record(request=request, category=DataCategory.REGISTRY, action="work list")
    return render(request, "home.html", context)
