"""Messages to patients as staff see them: failed ones to fix, and a chart's recent ones."""

from django.db.models import QuerySet

from patients.models import Patient
from patients.selectors import patients_visible_to

from ..constants import MessageStatus
from ..models import OutboundMessage


def failed_messages(user) -> QuerySet[OutboundMessage]:
    """Failed messages to patients this user may see, most recent first."""
    return (
        OutboundMessage.objects.filter(status=MessageStatus.FAILED, patient__in=patients_visible_to(user))
        .select_related("patient")
        .order_by("-updated_at", "-id")
    )


def patient_recent_messages(patient: Patient, *, limit: int = 20) -> list[OutboundMessage]:
    return list(patient.outbound_messages.order_by("-send_after", "-id")[:limit])
