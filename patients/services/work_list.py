"""Work-list tasks of the chart: authorizations ending or running low."""

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

from notifications.constants import TaskKind
from notifications.services import (
    end_of_day,
    task_create,
)

from ..constants import AUTHORIZATION_ENDING_DAYS, AUTHORIZATION_LOW_UNITS
from ..models import Authorization
from ..selectors import active_episodes_by_patient


def authorization_tasks(*, today: dt.date | None = None) -> int:
    """Authorizations ending within 7 days or with 3 units or fewer left: a task for the patient's clinician."""
    today = today or timezone.localdate()
    authorizations = list(
        Authorization.objects.valid()
        .filter(policy__entered_in_error_at__isnull=True, ends_on__gte=today)
        .filter(
            Q(ends_on__lte=today + dt.timedelta(days=AUTHORIZATION_ENDING_DAYS))
            | Q(units_authorized__lte=F("units_used") + AUTHORIZATION_LOW_UNITS)
        )
        .select_related("policy")
    )
    episodes = active_episodes_by_patient({a.policy.patient_id for a in authorizations})
    count = 0
    for authorization in authorizations:
        episode = episodes.get(authorization.policy.patient_id)
        if episode is None:
            continue
        remaining = authorization.units_remaining
        if authorization.ends_on <= today + dt.timedelta(days=AUTHORIZATION_ENDING_DAYS):
            why, key = f"ends {authorization.ends_on:%b %d}", f"ending:{authorization.ends_on:%Y-%m-%d}"
        else:
            why, key = f"{remaining} {authorization.get_unit_display().lower()} left", "low-units"
        task_create(
            assignee=episode.primary_clinician,
            kind=TaskKind.AUTHORIZATION_ENDING,
            title=f"Authorization {authorization.number} {why}: {episode.patient.display_name}",
            due_at=end_of_day(today),
            dedupe_key=f"authorization:{authorization.pk}:{key}",
            patient=episode.patient,
        )
        count += 1
    return count
