from django.db import models


class SessionKind(models.TextChoices):
    GROUP_THERAPY = "group", "Group therapy"
    INDIVIDUAL = "individual", "Individual therapy"
    FAMILY = "family", "Family therapy"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation workshop"
    MEDICATION_MANAGEMENT = "medication", "Medication management"
    ADJUNCT = "adjunct", "Adjunct / holistic (yoga, art, music)"
    PEER_SUPPORT = "peer_support", "Peer-support meeting on site (AA/NA/SMART)"


# Minutes of these kinds count toward the IOP's weekly hours and the per-diem day.
# Holistic activities and on-site mutual-help meetings support recovery but are not
# clinical IOP services (they are not billable under HCPCS H0015 / S9480).
IOP_COUNTABLE_KINDS = frozenset(
    {
        SessionKind.GROUP_THERAPY,
        SessionKind.INDIVIDUAL,
        SessionKind.FAMILY,
        SessionKind.PSYCHOEDUCATION,
        SessionKind.MEDICATION_MANAGEMENT,
    }
)
# Kinds booked for one patient with a clinician rather than run as a recurring group.
PATIENT_BOOKED_KINDS = frozenset({SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.MEDICATION_MANAGEMENT})
GROUP_KINDS = frozenset(
    {SessionKind.GROUP_THERAPY, SessionKind.PSYCHOEDUCATION, SessionKind.ADJUNCT, SessionKind.PEER_SUPPORT}
)


def counts_toward_iop_hours(kind: str) -> bool:
    return kind in IOP_COUNTABLE_KINDS


class WorkshopTopic(models.TextChoices):
    """Psychoeducation workshop themes a group can be about."""

    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
    LIFE_SKILLS = "life_skills", "Life skills"
    COPING = "coping", "Coping skills"
    VOCATIONAL = "vocational", "Vocational"
    TRAUMA = "trauma", "Trauma education"
    EMOTIONAL_REGULATION = "emotional_regulation", "Emotional regulation"
    EARLY_RECOVERY = "early_recovery", "Early recovery skills"
    FAMILY_EDUCATION = "family_education", "Family education"
    SOCIAL_SUPPORT = "social_support", "Social support"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    WAITLISTED = "waitlisted", "Wait list"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    EXCUSED = "excused", "Excused absence"
    UNEXCUSED = "unexcused", "Unexcused absence"


ATTENDED_STATUSES = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY})
ABSENT_STATUSES = frozenset({AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED})

# HCPCS H0015 (alcohol/drug IOP, per diem) and S9480 (intensive outpatient psychiatric,
# per diem) bill a day only when the patient attended at least 3 hours of services;
# breaks and meals do not count. Shorter days bill as individual services.
BILLABLE_DAY_MINUTES = 180

# No session runs longer than this (a group is at most 8 h, a booking 4 h). The database
# holds it, so a calendar can find the sessions overlapping a range by their start alone.
MAX_SESSION_MINUTES = 12 * 60

# Occurrences of every recurring group are kept generated this far ahead.
GENERATE_AHEAD_WEEKS = 8
# Saving a patient's schedule checks the band over this many weeks from its start.
BAND_CHECK_WEEKS = 4
# The compliance dashboard shows this week and this many weeks before it.
COMPLIANCE_PAST_WEEKS = 4
