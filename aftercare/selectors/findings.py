"""What is still open about a patient when they are discharged: named on the form before signing."""

from dataclasses import dataclass

from notifications.models import StaffTask
from patients.models import Patient, PatientAlert
from patients.selectors import open_alerts


@dataclass(frozen=True)
class OpenFindings:
    alerts: list[PatientAlert]
    tasks: list[StaffTask]

    def __bool__(self) -> bool:
        return bool(self.alerts or self.tasks)


def discharge_open_findings(patient: Patient) -> OpenFindings:
    """Open alerts and follow-up tasks about the patient (unreviewed unexpected positives among them): two queries."""
    alerts = list(open_alerts(Patient.objects.filter(pk=patient.pk)))
    tasks = list(
        StaffTask.objects.actionable()
        .filter(patient=patient)
        .select_related("assignee")
        .order_by("severity", "due_at", "pk")
    )
    return OpenFindings(alerts=alerts, tasks=tasks)
