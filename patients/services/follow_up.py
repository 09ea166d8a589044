"""Act on a finding as patients/follow_up.py says: raise the alert, put the tasks on work lists, arrange escalation.

Called by the service that records the finding, inside its transaction, so a finding and its
follow-up are saved together or not at all. Idempotent per finding key: the alert is unique
by key and every task by its dedupe key, so recording the same finding again changes nothing.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from notifications.services import end_of_day, task_create

from ..constants import CareTeamRole, EpisodeStatus
from ..follow_up import FOLLOW_UP_RULES, Due, Responsible
from ..models import Episode, Patient, PatientAlert
from .access import directors_to_notify

logger = logging.getLogger(__name__)

# Apps above patients add their own consequences of a finding (clinical reopens the treatment
# plan after a return to use) from their AppConfig.ready, so patients imports none of them.
FINDING_HANDLERS: dict[str, list[Callable]] = {}
CLINIC_DAY_ENDS = dt.time(17, 0)
SAME_DAY_AT_LEAST = dt.timedelta(hours=2)
NOW_WITHIN = dt.timedelta(hours=1)


def register_finding_handler(finding: str, handler: Callable) -> None:
    """``handler(patient=..., episode=..., finding_key=..., detail=..., at=...)`` runs after the finding's tasks."""
    FINDING_HANDLERS.setdefault(finding, []).append(handler)


@dataclass
class FollowUp:
    """What a finding set in motion (for the caller's message and for tests)."""

    finding_key: str
    alert: PatientAlert | None = None
    tasks: list = field(default_factory=list)


def finding_key_for(finding: str, key: str) -> str:
    return f"{finding}:{key}"


def _active_users(queryset):
    return queryset.filter(is_active=True).order_by("pk").distinct()


def _program_staff(episode: Episode | None, role: str):
    users = _active_users(get_user_model().objects.filter(groups__name=role))
    if episode is not None and users.filter(programs=episode.program_id).exists():
        users = users.filter(programs=episode.program_id)
    return list(users)


def responsible_people(role: str, *, patient: Patient, episode: Episode | None, recorded_by=None) -> list:
    """The people a role names for this patient, with fallbacks so a finding always reaches someone."""
    primary = (episode.primary_clinician if episode else None) or patient.primary_clinician
    if role == Responsible.PRIMARY_CLINICIAN:
        if primary is not None and primary.is_active:
            return [primary]
        return [recorded_by] if recorded_by is not None else _program_staff(episode, Role.SUPERVISOR)
    if role == Responsible.PRESCRIBER:
        on_team = _active_users(
            get_user_model().objects.filter(
                care_team_memberships__patient=patient, care_team_memberships__role=CareTeamRole.PRESCRIBER
            )
        )
        return list(on_team) or _program_staff(episode, Role.PRESCRIBER)
    if role == Responsible.SUPERVISOR:
        if primary is not None and primary.supervisor_id and primary.supervisor.is_active:
            return [primary.supervisor]
        return _program_staff(episode, Role.SUPERVISOR)
    if role == Responsible.DIRECTOR:
        return list(directors_to_notify(patient))
    raise ValueError(f"Unknown responsible role {role!r}")


def _program_day_end(day: dt.date, episode: Episode | None) -> dt.datetime:
    ends = episode.program.day_ends_at if episode is not None else CLINIC_DAY_ENDS
    return timezone.make_aware(dt.datetime.combine(day, ends))


def due_time(due: str, *, at: dt.datetime, episode: Episode | None, given: dt.datetime | None = None) -> dt.datetime:
    """When a task is due, from the rule's wording and the program's day (clinic local time)."""
    today = timezone.localdate(at)
    if due == Due.NOW:
        return at + NOW_WITHIN
    if due == Due.SAME_DAY:
        return max(_program_day_end(today, episode), at + SAME_DAY_AT_LEAST)
    if due == Due.NEXT_BUSINESS_DAY:
        day = today + dt.timedelta(days=1)
        while day.weekday() >= 5:  # Saturday, Sunday
            day += dt.timedelta(days=1)
        return _program_day_end(day, episode)
    if due == Due.SEVEN_DAYS:
        return end_of_day(today + dt.timedelta(days=7))
    if due == Due.GIVEN:
        if given is None:
            raise ValueError("This rule's due time is given by the caller.")
        return given
    raise ValueError(f"Unknown due {due!r}")


@transaction.atomic
def finding_follow_up(
    *,
    patient: Patient,
    finding: str,
    key: str,
    detail: str = "",
    at: dt.datetime | None = None,
    recorded_by=None,
    due_at: dt.datetime | None = None,
    escalate_at: dt.datetime | None = None,
    source_instrument=None,
) -> FollowUp:
    """Raise the finding's alert and tasks (once per ``key``), as its rule in patients/follow_up.py says."""
    rule = FOLLOW_UP_RULES[finding]
    at = at or timezone.now()
    episode = (
        patient.episodes.valid()
        .filter(status=EpisodeStatus.ACTIVE)
        .select_related("program", "primary_clinician__supervisor")
        .first()
    )
    result = FollowUp(finding_key=finding_key_for(finding, key))
    if rule.alert_kind is not None:
        result.alert = PatientAlert.objects.valid().filter(finding_key=result.finding_key).first()
        if result.alert is None:
            result.alert = PatientAlert.objects.create(
                patient=patient,
                kind=rule.alert_kind,
                severity=rule.alert_severity,
                message=rule.alert_message.format(detail=detail)[:240],
                finding_key=result.finding_key,
                raised_at=at,
                raised_by=recorded_by,
                source_instrument=source_instrument,
            )
    for task_rule in rule.tasks:
        due = due_time(task_rule.due, at=at, episode=episode, given=due_at)
        escalation_people = [
            person
            for role in task_rule.escalate_to
            for person in responsible_people(role, patient=patient, episode=episode, recorded_by=recorded_by)
        ]
        title = task_rule.title.format(detail=detail) if "{detail}" in task_rule.title else task_rule.title
        title = f"{title}: {patient.display_name}"
        assignees = [
            person
            for role in task_rule.to
            for person in responsible_people(role, patient=patient, episode=episode, recorded_by=recorded_by)
        ]
        if not assignees:
            logger.error("Finding %s on patient %s reached nobody: no staff for %s", finding, patient.pk, task_rule.to)
        for person in dict.fromkeys(assignees):
            result.tasks.append(
                task_create(
                    assignee=person,
                    kind=task_rule.kind,
                    title=title[:200],
                    due_at=due,
                    dedupe_key=f"finding:{result.finding_key}:{task_rule.kind}:{person.pk}",
                    patient=patient,
                    severity=task_rule.severity,
                    escalate_at=(escalate_at or due) if escalation_people else None,
                    escalate_to=escalation_people,
                    escalation_title=title,
                )
            )
    for handler in FINDING_HANDLERS.get(finding, ()):
        handler(patient=patient, episode=episode, finding_key=result.finding_key, detail=detail, at=at)
    return result
