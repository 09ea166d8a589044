"""Break-the-glass: emergency access to a chart outside the user's care team.

A permitted user names the patient by MRN and gives a reason; access lasts
settings.BREAK_GLASS_MINUTES, is written to the access log, and puts a review task on
the work list of the program directors (HIPAA §164.312(a)(2)(ii), emergency access).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from audit.constants import DataCategory
from audit.services import access_log_record
from notifications.constants import TaskKind
from notifications.services import task_create

from ..constants import EpisodeStatus
from ..models import BreakGlassAccess, Patient

MINIMUM_REASON_LENGTH = 15


def directors_to_notify(patient: Patient):
    """The directors of the patient's active program, or every director when there is none."""
    directors = get_user_model().objects.filter(is_active=True, groups__name=Role.DIRECTOR)
    episode = patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).first()
    if episode is not None and directors.filter(programs=episode.program_id).exists():
        directors = directors.filter(programs=episode.program_id)
    return directors.distinct()


@transaction.atomic
def break_glass_grant(*, request, mrn: str, reason: str) -> BreakGlassAccess:
    """Open a chart in an emergency: time-limited, logged, and reported to the director."""
    reason = (reason or "").strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise ValidationError({"reason": "Describe the emergency in a sentence: it is reviewed by the director."})
    patient = Patient.objects.valid().filter(mrn=(mrn or "").strip()).first()
    if patient is None:
        raise ValidationError({"mrn": "No patient has this MRN; check the nine digits."})
    now = timezone.now()
    grant = BreakGlassAccess(
        user=request.user,
        patient=patient,
        reason=reason,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    grant.full_clean()
    grant.save()
    access_log_record(
        request=request,
        category=DataCategory.DEMOGRAPHICS,
        action="break the glass",
        patient=patient,
        detail=f"emergency access for {settings.BREAK_GLASS_MINUTES} minutes",
    )
    for director in directors_to_notify(patient):
        task_create(
            assignee=director,
            kind=TaskKind.OTHER,
            title=f"Review emergency chart access by {request.user.get_full_name() or request.user.username}",
            due_at=now + timedelta(days=1),
            dedupe_key=f"break-glass:{grant.pk}:director:{director.pk}",
            patient=patient,
        )
    return grant
